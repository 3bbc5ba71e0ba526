"""The streaming join: accounts and history, both sorted by ``consumer_id``, cut into chunks of
whole consumers.

Why sorted input: a merge of two sorted streams holds one batch of each at a time, so memory
stays flat however large the book. The order is checked as the rows go by (vectorised, per
batch and across batch boundaries); the first row out of order stops the screen with
``screen.unsorted`` and nothing is written: a join that silently split a consumer's history
would count part of it and could allow a contact it must deny. ``--sort`` (see
:mod:`contactrules.book.sort`) sorts unsorted files first.

Ids compare as text, byte by byte in UTF-8 (Arrow's order and Python's ``str`` order, which
agree), so ``C-10`` sorts before ``C-9``: sort the files the same way (``ORDER BY consumer_id``
on a text column, ``pyarrow.Table.sort_by``, Spark's ``sortWithinPartitions``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .. import codes
from .judge import Chunk
from .problems import BadRow, FileInfo
from .read import Source, _error
from .schema import ROW

__all__ = ["CHUNK_ACCOUNTS", "chunks"]

#: Accounts per chunk: a worker's unit of work (a few hundred milliseconds of judging).
CHUNK_ACCOUNTS = 1000


class _Cursor:
    """A sorted stream of one file's rows, read batch by batch, its order checked."""

    def __init__(self, source: Source, info: FileInfo, problems: list[BadRow]) -> None:
        self.source = source
        self.info = info
        self.problems = problems
        self.batches = source.batches
        self.batch: pa.RecordBatch | None = None
        self.ids: Any = None
        self.pos = 0
        self.last: str | None = None  # the last id of the previous batch
        self.last_row = 0

    def _load(self) -> bool:
        """Make a batch with rows left current; False at the end of the file."""
        while self.batch is None or self.pos >= self.batch.num_rows:
            if self.batch is not None and self.batch.num_rows:
                self.last = self.ids[self.batch.num_rows - 1].as_py()
                self.last_row = self.batch.column(ROW)[self.batch.num_rows - 1].as_py()
            raw = next(self.batches, None)
            if raw is None:
                self.batch = None
                return False
            batch = self._without_null_ids(_text_ids(raw))
            self._check_order(batch)
            self.batch, self.ids, self.pos = batch, batch.column("consumer_id"), 0
        return True

    def _without_null_ids(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        ids = batch.column("consumer_id")
        if not ids.null_count:
            return batch
        missing = pc.is_null(ids)
        for row in batch.filter(missing).column(ROW).to_pylist():
            self.problems.append(
                BadRow.at(
                    self.info,
                    row,
                    "consumer_id",
                    codes.SCREEN_MISSING_CONSUMER_ID.code,
                    "the row has no consumer id, so it cannot be tied to an account; left out",
                )
            )
        return batch.filter(pc.invert(missing))

    def _check_order(self, batch: pa.RecordBatch) -> None:
        n = batch.num_rows
        if not n:
            return
        ids = batch.column("consumer_id")
        if self.last is not None and ids[0].as_py() < self.last:
            self._unsorted(self.last, self.last_row, ids[0].as_py(), batch.column(ROW)[0].as_py())
        if n > 1:
            down = pc.less(ids.slice(1), ids.slice(0, n - 1))
            if pc.any(down).as_py():
                i = pc.index(down, True).as_py()
                rows = batch.column(ROW)
                self._unsorted(
                    ids[i].as_py(), rows[i].as_py(), ids[i + 1].as_py(), rows[i + 1].as_py()
                )

    def _unsorted(self, before: str, before_row: int, after: str, row: int) -> None:
        raise _error(
            self.info.path,
            codes.SCREEN_UNSORTED.code,
            f"row {row} has consumer id {after!r} after {before!r} (row {before_row}): the "
            f"{self.source.kind} file is not sorted by consumer_id; sort it (as text) or pass "
            "--sort",
            self.info.line(row),
            self.info.col("consumer_id"),
        )

    def take(self, count: int) -> list[pa.RecordBatch]:
        """At least ``count`` rows (fewer at the end), then every row with the last one's id."""
        pieces: list[pa.RecordBatch] = []
        last: str | None = None
        while count > 0 and self._load():
            assert self.batch is not None
            end = min(self.pos + count, self.batch.num_rows)
            pieces.append(self.batch.slice(self.pos, end - self.pos))
            count -= end - self.pos
            last = self.ids[end - 1].as_py()
            self.pos = end
        if last is not None:
            pieces.extend(self.through(last))
        return pieces

    def through(self, key: str) -> list[pa.RecordBatch]:
        """Every remaining row whose id is at most ``key``."""
        pieces: list[pa.RecordBatch] = []
        while self._load():
            assert self.batch is not None
            end = _upper_bound(self.ids, key, self.pos, self.batch.num_rows)
            if end > self.pos:
                pieces.append(self.batch.slice(self.pos, end - self.pos))
            if end < self.batch.num_rows:
                self.pos = end
                break
            self.pos = end
        return pieces


def _text_ids(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The batch with ``consumer_id`` as plain ``string`` (dictionary or large strings cast)."""
    index = batch.schema.get_field_index("consumer_id")
    column = batch.column(index)
    if column.type == pa.string():
        return batch
    return batch.set_column(index, "consumer_id", pc.cast(column, pa.string()))


def _upper_bound(ids: Any, key: str, lo: int, hi: int) -> int:
    """The first position in ``ids[lo:hi]`` whose id is greater than ``key`` (ids sorted)."""
    while lo < hi:
        mid = (lo + hi) // 2
        if key < ids[mid].as_py():
            hi = mid
        else:
            lo = mid + 1
    return lo


def _table(pieces: list[pa.RecordBatch], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_batches(pieces, schema=schema) if pieces else schema.empty_table()


def chunks(
    accounts: Source,
    history: Source,
    account_info: FileInfo,
    history_info: FileInfo,
    size: int = CHUNK_ACCOUNTS,
) -> Iterator[Chunk]:
    """Chunks of about ``size`` whole consumers, in id order; history of no account ends up in
    the chunk whose ids surround it (and is reported there) or in the last chunks."""
    problems: list[BadRow] = []
    left = _Cursor(accounts, account_info, problems)
    right = _Cursor(history, history_info, problems)
    account_schema: pa.Schema | None = None
    history_schema: pa.Schema | None = None
    while True:
        pieces = left.take(size)
        if not pieces:
            break
        account_schema = account_schema or pieces[0].schema
        last = pieces[-1].column("consumer_id")[-1].as_py()
        found = right.through(last)
        history_schema = history_schema or (found[0].schema if found else None)
        yield Chunk(
            _table(pieces, account_schema),
            _table(found, history_schema) if history_schema else _empty(history),
            _drain(problems),
        )
    while True:  # history after the last account: no account can have it
        found = right.take(size * 30)
        if not found:
            break
        yield Chunk(
            _empty(accounts),
            _table(found, found[0].schema),
            _drain(problems),
        )
    if problems:
        yield Chunk(_empty(accounts), _empty(history), _drain(problems))


def _drain(problems: list[BadRow]) -> list[BadRow]:
    out = list(problems)
    problems.clear()
    return out


def _empty(source: Source) -> pa.Table:
    """An empty table with the source's columns (text-typed: it is never read)."""
    names = [*source.columns, ROW]
    return pa.table(
        {name: pa.array([], pa.int64() if name == ROW else pa.string()) for name in names}
    )
