"""The decisions file: Parquet, CSV or JSON Lines, written as the chunks come, kept only whole.

Rows go to ``NAME.partial`` beside the target and the file is renamed into place only when the
screen finished (and, under ``--strict``, found no bad row): a run that stops half-way never
leaves a decisions file a dialer could mistake for the whole book.

Parquet keeps the Arrow types (``next_allowed_at`` a UTC timestamp, lists as lists). CSV and
JSON Lines write ``next_allowed_at`` as ISO 8601 text in the offset of ``--at``, and in CSV the
list columns are JSON text, as in the input's CSV layout.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from typing import IO, Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from .schema import DECISION_SCHEMA

__all__ = ["DecisionWriter", "OutputFormat", "output_format"]

OutputFormat = Literal["parquet", "csv", "jsonl"]
#: Rows gathered before a Parquet row group is written (chunks are smaller than that).
ROW_GROUP = 65_536
_LISTS = frozenset(f.name for f in DECISION_SCHEMA if pa.types.is_list(f.type))


def output_format(path: str, given: str | None) -> OutputFormat:
    """``--format`` if given, else the output file's suffix (default Parquet)."""
    if given in ("parquet", "csv", "jsonl"):
        return given  # type: ignore[return-value]
    lowered = path.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    return "parquet"


class DecisionWriter:
    """Writes decision batches to ``path`` through a partial file; ``close(keep)`` ends it."""

    def __init__(self, path: str, fmt: OutputFormat, zone: dt.tzinfo) -> None:
        self.path = path
        self.partial = f"{path}.partial"
        self.fmt = fmt
        self.zone = zone
        self.rows = 0
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0
        self._parquet: pq.ParquetWriter | None = None
        self._text: IO[str] | None = None
        self._csv: Any = None
        if fmt == "parquet":
            self._parquet = pq.ParquetWriter(self.partial, DECISION_SCHEMA)
        else:
            self._text = open(self.partial, "w", encoding="utf-8", newline="")  # noqa: SIM115
            if fmt == "csv":
                self._csv = csv.writer(self._text, lineterminator="\n")
                self._csv.writerow(DECISION_SCHEMA.names)

    def write(self, batch: pa.RecordBatch) -> None:
        self.rows += batch.num_rows
        if self._parquet is not None:
            self._pending.append(batch)
            self._pending_rows += batch.num_rows
            if self._pending_rows >= ROW_GROUP:
                self._flush()
            return
        for row in batch.to_pylist():
            self._text_row(row)

    def _flush(self) -> None:
        if self._parquet is not None and self._pending:
            self._parquet.write_table(pa.Table.from_batches(self._pending, DECISION_SCHEMA))
        self._pending, self._pending_rows = [], 0

    def _text_row(self, row: dict[str, Any]) -> None:
        assert self._text is not None
        nxt = row["next_allowed_at"]
        row["next_allowed_at"] = None if nxt is None else nxt.astimezone(self.zone).isoformat()
        if self._csv is not None:
            self._csv.writerow(
                "" if v is None else json.dumps(v) if k in _LISTS else _cell(v)
                for k, v in row.items()
            )
        else:
            self._text.write(json.dumps(row, ensure_ascii=False) + "\n")

    def close(self, keep: bool) -> None:
        """Finish the file and move it into place, or (``keep`` false) remove it."""
        try:
            self._flush()
            if self._parquet is not None:
                self._parquet.close()
            if self._text is not None:
                self._text.close()
        finally:
            if keep:
                os.replace(self.partial, self.path)
            elif os.path.exists(self.partial):
                os.remove(self.partial)


def _cell(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)
