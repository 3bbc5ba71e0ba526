"""``--sort``: join files that are not sorted by consumer id, in bounded memory.

An external hash partition: every row goes to one of P spill files (Arrow IPC, in a temporary
folder removed afterwards) chosen by a hash of its ``consumer_id``, so each consumer's account
and history rows land in the same partition. Each partition is then read back whole, sorted,
and joined like sorted input. Memory is bounded by one partition (P is chosen from the input's
size, about :data:`PARTITION_BYTES` of input each), disk use is about the size of the input,
and the decisions come out grouped by partition, sorted by id within each.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pyarrow as pa
import pyarrow.ipc as ipc

from .batches import _text_ids
from .read import BATCH_ROWS, Source
from .schema import ROW

__all__ = ["PARTITION_BYTES", "sorted_sources"]

#: Input bytes per partition: a partition is sorted in memory (Parquet expands several times).
PARTITION_BYTES = 32 * 1024 * 1024


class sorted_sources:
    """``with sorted_sources(accounts, history) as pairs:`` one sorted (accounts, history)
    pair per partition; the spill folder is removed on exit."""

    def __init__(self, accounts: Source, history: Source, partitions: int | None = None) -> None:
        self.accounts = accounts
        self.history = history
        size = accounts.total_bytes + history.total_bytes
        self.partitions = partitions or max(1, math.ceil(size / PARTITION_BYTES))
        self.folder = ""

    def __enter__(self) -> list[tuple[Source, Source]]:
        self.folder = tempfile.mkdtemp(prefix="contactrules-sort-")
        accounts = _spill(self.accounts, self.folder, "accounts", self.partitions)
        history = _spill(self.history, self.folder, "history", self.partitions)
        return [
            (
                replace(self.accounts, total_rows=None, batches=_sorted(accounts[p])),
                replace(self.history, total_rows=None, batches=_sorted(history[p])),
            )
            for p in range(self.partitions)
        ]

    def __exit__(self, *_: object) -> None:
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)


def _partition(consumer_id: Any, partitions: int) -> int:
    if consumer_id is None:
        return 0
    return zlib.crc32(str(consumer_id).encode("utf-8")) % partitions


def _spill(source: Source, folder: str, name: str, partitions: int) -> list[str]:
    """Write the source's rows into ``partitions`` IPC stream files; their paths."""
    paths = [os.path.join(folder, f"{name}-{p}.arrows") for p in range(partitions)]
    writers: list[Any] = [None] * partitions
    try:
        for raw in source.batches:
            batch = _text_ids(raw)
            ids = batch.column("consumer_id").to_pylist()
            parts = [_partition(i, partitions) for i in ids]
            order = sorted(range(len(parts)), key=parts.__getitem__)
            grouped = batch.take(pa.array(order, pa.int64()))
            start = 0
            while start < len(order):
                p = parts[order[start]]
                end = start
                while end < len(order) and parts[order[end]] == p:
                    end += 1
                if writers[p] is None:
                    writers[p] = ipc.new_stream(paths[p], grouped.schema)
                writers[p].write_batch(grouped.slice(start, end - start))
                start = end
    finally:
        for writer in writers:
            if writer is not None:
                writer.close()
    return paths


def _sorted(path: str) -> Iterator[pa.RecordBatch]:
    """The partition's rows sorted by consumer id (file order within a consumer)."""
    if not os.path.exists(path):
        return
    with ipc.open_stream(path) as reader:
        table = reader.read_all()
    os.remove(path)
    table = table.sort_by([("consumer_id", "ascending"), (ROW, "ascending")])
    yield from table.to_batches(max_chunksize=BATCH_ROWS)
