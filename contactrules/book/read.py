"""Open an accounts or history file (Parquet, Arrow IPC or CSV) as a stream of record batches.

Why a stream: a morning's book is millions of rows, and the screen must hold only a batch at a
time. Each batch is given back with the :data:`~contactrules.book.schema.ROW` column (the row's
1-based place in its file) so that a bad value found later, in another process, can still be
located. The file's columns are checked against the schema before any row is read: an unknown
column, a missing required one, a ``consumer_id`` that is not text or a timestamp without a
time zone stops the run with a located error (:class:`BookError`), because no row of such a
file can be judged.

CSV files are read with every column as text (``""`` is a missing value); the JSON of nested
columns and the ``true``/``false`` of boolean ones are decoded per row later, so that one bad
cell is a bad row, not a failed file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from .. import codes
from ..diagnostics import Diagnostic, Location, RulesetError
from .schema import (
    ACCOUNT_REQUIRED,
    ACCOUNT_SCHEMA,
    HISTORY_REQUIRED,
    HISTORY_SCHEMA,
    ROW,
)

__all__ = [
    "BATCH_ROWS",
    "BookError",
    "FileFormat",
    "Kind",
    "Source",
    "detect_format",
    "open_source",
]

Kind = Literal["accounts", "history"]
FileFormat = Literal["parquet", "ipc", "csv"]
#: Rows per batch read: large enough for Arrow's kernels, small enough to keep memory flat.
BATCH_ROWS = 65_536

_SUFFIXES: dict[str, FileFormat] = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".arrow": "ipc",
    ".arrows": "ipc",
    ".ipc": "ipc",
    ".feather": "ipc",
    ".csv": "csv",
}


#: A file the screen cannot read at all, with its located diagnostics (the command prints them
#: and exits 1, as for any input file it cannot use).
BookError = RulesetError


def _error(path: str, code: str, message: str, line: int = 0, col: int = 0) -> BookError:
    return BookError([Diagnostic(Location(path, line, col), code, message)])


def detect_format(path: str) -> FileFormat:
    """The file's format from its name (``.csv.gz`` and other compressed CSV included)."""
    name = Path(path).name.lower()
    for compressed in (".gz", ".bz2", ".zst", ".lz4"):
        if name.endswith(".csv" + compressed):
            return "csv"
    found = _SUFFIXES.get(Path(name).suffix)
    if found is None:
        raise _error(
            path,
            codes.SCREEN_BAD_SCHEMA.code,
            "cannot tell the file's format from its name: use .parquet, .arrow (Arrow IPC, also "
            ".feather, .arrows) or .csv",
        )
    return found


@dataclass
class Source:
    """One input file: its format, columns, and an iterator over its batches."""

    path: str
    kind: Kind
    format: FileFormat
    columns: tuple[str, ...]
    #: Rows in the file when the format says so without reading it (Parquet, IPC files).
    total_rows: int | None
    #: Bytes in the file, for progress when the row count is not known (CSV).
    total_bytes: int
    batches: Iterator[pa.RecordBatch] = field(repr=False)

    @property
    def text_cells(self) -> bool:
        """Whether every value arrives as text (CSV): nested and boolean cells need decoding."""
        return self.format == "csv"


def open_source(path: str, kind: Kind, batch_rows: int = BATCH_ROWS) -> Source:
    """Open ``path`` as the accounts or history file; raises :class:`BookError` when it cannot
    be read or its columns do not fit the schema."""
    if not os.path.exists(path):
        raise _error(path, codes.FILE_NOT_FOUND.code, "no such file")
    if not os.path.isfile(path):
        raise _error(path, codes.FILE_NOT_REGULAR.code, "not a regular file")
    fmt = detect_format(path)
    size = os.path.getsize(path)
    try:
        if fmt == "parquet":
            parquet = pq.ParquetFile(path)
            schema = parquet.schema_arrow
            total: int | None = parquet.metadata.num_rows
            raw = parquet.iter_batches(batch_size=batch_rows)
        elif fmt == "ipc":
            schema, total, raw = _open_ipc(path)
        else:
            schema, total, raw = _open_csv(path, kind, batch_rows)
    except BookError:
        raise
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _error(path, codes.SCREEN_UNREADABLE.code, _one_line(exc)) from None
    _check_schema(path, kind, fmt, schema)
    return Source(
        path=path,
        kind=kind,
        format=fmt,
        columns=tuple(schema.names),
        total_rows=total,
        total_bytes=size,
        batches=_numbered(path, raw),
    )


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _open_ipc(path: str) -> tuple[pa.Schema, int | None, Iterator[pa.RecordBatch]]:
    try:
        reader = ipc.open_file(path)
    except pa.ArrowInvalid:  # not the file format: perhaps the stream format
        stream = ipc.open_stream(path)
        return stream.schema, None, iter(stream)
    count = reader.num_record_batches
    return reader.schema, None, (reader.get_batch(i) for i in range(count))


def _open_csv(
    path: str, kind: Kind, batch_rows: int
) -> tuple[pa.Schema, int | None, Iterator[pa.RecordBatch]]:
    names = ACCOUNT_SCHEMA.names if kind == "accounts" else HISTORY_SCHEMA.names
    reader = pacsv.open_csv(
        pa.input_stream(path, compression="detect"),
        read_options=pacsv.ReadOptions(block_size=1 << 22),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=True,
        ),
    )
    header = reader.schema
    text = pa.schema([pa.field(name, pa.string()) for name in header.names])
    return text, None, _rebatched(iter(reader), batch_rows)


def _rebatched(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
    """Batches of at most ``rows`` rows (a CSV block may hold many more)."""
    for batch in batches:
        for start in range(0, batch.num_rows, rows):
            yield batch.slice(start, rows)


def _numbered(path: str, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Each batch with its rows' 1-based place in the file; a read error is located."""
    first = 1
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise _error(
                path, codes.SCREEN_UNREADABLE.code, f"after row {first - 1}: {_one_line(exc)}"
            ) from None
        if batch.num_rows == 0:
            continue
        rows = pa.array(range(first, first + batch.num_rows), pa.int64())
        yield batch.append_column(ROW, rows)
        first += batch.num_rows


def _check_schema(path: str, kind: Kind, fmt: FileFormat, schema: pa.Schema) -> None:
    """Every column known, the required ones present, ids as text, instants with a zone."""
    expected = ACCOUNT_SCHEMA if kind == "accounts" else HISTORY_SCHEMA
    required = ACCOUNT_REQUIRED if kind == "accounts" else HISTORY_REQUIRED
    problems: list[Diagnostic] = []
    known = set(expected.names)
    for col, name in enumerate(schema.names, start=1):
        if name not in known:
            problems.append(
                Diagnostic(
                    Location(path, 1, col) if fmt == "csv" else Location(path),
                    codes.SCREEN_BAD_SCHEMA.code,
                    f"unknown column {name!r} in the {kind} file; the columns are "
                    f"{', '.join(expected.names)} (docs/screening.md)",
                )
            )
    if len(set(schema.names)) != len(schema.names):
        repeated = sorted({n for n in schema.names if schema.names.count(n) > 1})
        problems.append(
            Diagnostic(
                Location(path), codes.SCREEN_BAD_SCHEMA.code, f"columns repeated: {repeated}"
            )
        )
    missing = [name for name in required if name not in schema.names]
    if missing:
        problems.append(
            Diagnostic(
                Location(path),
                codes.SCREEN_BAD_SCHEMA.code,
                f"the {kind} file lacks the required column(s) {', '.join(missing)}",
            )
        )
    for f in schema:
        if f.name == "consumer_id" and not _is_text(f.type):
            problems.append(
                Diagnostic(
                    Location(path),
                    codes.SCREEN_BAD_SCHEMA.code,
                    f"consumer_id is {f.type}, not text: write it as a string column (ids are "
                    "compared as text, and the files must be sorted that way)",
                )
            )
        naive = _naive_timestamp(f.type)
        if naive:
            problems.append(
                Diagnostic(
                    Location(path),
                    codes.SCREEN_BAD_SCHEMA.code,
                    f"column {f.name} holds timestamps without a time zone{naive}: an instant "
                    "must say its zone (store UTC with tz='UTC', or ISO 8601 text with an offset)",
                )
            )
    if problems:
        raise BookError(problems)


def _is_text(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        return _is_text(kind.value_type)
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _naive_timestamp(kind: pa.DataType, where: str = "") -> str:
    """Where in a (nested) type a timestamp without a time zone is, or ``""``."""
    if pa.types.is_timestamp(kind):
        return (where or " ") if kind.tz is None else ""
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return _naive_timestamp(kind.value_type, where)
    if pa.types.is_struct(kind):
        for i in range(kind.num_fields):
            child = kind.field(i)
            found = _naive_timestamp(child.type, f" (field {child.name})")
            if found:
                return found
    return ""
