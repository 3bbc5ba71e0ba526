"""Arrow rows → the engine's inputs: a ``Consumer`` per account, ``Record`` values per history row.

Accounts become :class:`~contactrules.models.Consumer` models, one per account (the engine reads
the consumer as a model). History rows never become models: they are validated in bulk by the
same validator as :meth:`History.from_rows <contactrules.records.History.from_rows>` (one
place of validation) and turned into slotted :class:`~contactrules.records.Record` values.

A null cell is an omitted key (its default applies); in CSV files nested cells are JSON and
boolean cells ``true``/``false``. Each value that does not validate is a :class:`BadRow`
located by file, row and column (``phones[0].number``), never a dropped or half-read row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ValidationError

from .. import codes
from ..models import Consumer
from ..records import Record, _rows_adapter
from .problems import BadRow, FileInfo, loc_text
from .schema import ACCOUNT_NESTED, HISTORY_BOOLEANS, HISTORY_NESTED, ROW

__all__ = ["AccountRow", "HistoryRow", "accounts_from_rows", "history_from_rows", "table_rows"]

_DESTINATIONS = ("to_phone", "to_email")


@dataclass
class AccountRow:
    """One account row: the consumer when it validated, else the problems that stopped it."""

    row: int | None
    consumer_id: str
    consumer: Consumer | None
    to_phone: str | None = None
    to_email: str | None = None
    problems: list[BadRow] = field(default_factory=list)


@dataclass
class HistoryRow:
    """One history row: the record when it validated, else the problems that stopped it."""

    row: int | None
    consumer_id: str
    record: Record | None
    problems: list[BadRow] = field(default_factory=list)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)


def _values(column: Any) -> list[Any]:
    """A column's Python values. Top-level instants are built from their integer microseconds
    (pyarrow's own conversion of zoned timestamps costs about 5 µs each, this 0.3)."""
    kind = column.type
    if pa.types.is_timestamp(kind) and kind.tz is not None:
        micros = pc.cast(pc.cast(column, pa.timestamp("us", tz=kind.tz), safe=False), pa.int64())
        return [None if v is None else _EPOCH + v * _MICROSECOND for v in micros.to_pylist()]
    values: list[Any] = column.to_pylist()
    return values


def table_rows(table: pa.Table) -> list[dict[str, Any]]:
    """The table's rows as mappings without their null cells (a null is an omitted key),
    built column by column: several times faster than ``Table.to_pylist``."""
    names: list[str] = []
    columns: list[list[Any]] = []
    for name in table.column_names:
        column = table.column(name)
        if column.null_count == len(column):
            continue  # wholly empty: omitted in every row
        names.append(name)
        columns.append(_values(column))
    rows: list[dict[str, Any]] = []
    for values in zip(*columns, strict=True):
        rows.append({k: v for k, v in zip(names, values, strict=True) if v is not None})
    if not columns:
        rows = [{} for _ in range(table.num_rows)]
    return rows


def _omit_nulls(value: Any) -> Any:
    """Nested mappings without their null values: in Arrow a null is an omitted key."""
    if isinstance(value, dict):
        return {k: _omit_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_omit_nulls(v) for v in value]
    return value


def _invalid(info: FileInfo, row: int | None, column: str, message: str, cid: str | None) -> BadRow:
    return BadRow.at(info, row, column, codes.SCREEN_INVALID_VALUE.code, message, cid)


def _decode_text(
    data: dict[str, Any], nested: frozenset[str], booleans: frozenset[str]
) -> list[tuple[str, str]]:
    """Decode a CSV row's JSON and boolean cells in place; the cells that could not be read."""
    bad: list[tuple[str, str]] = []
    for name in list(data):
        text = data[name]
        if name in nested:
            try:
                data[name] = json.loads(text)
            except ValueError as exc:
                bad.append((name, f"not JSON text ({exc.args[0] if exc.args else exc})"))
                del data[name]  # reported once, here; the row's other cells are still checked
        elif name in booleans:
            lowered = text.strip().lower()
            if lowered in ("true", "false"):
                data[name] = lowered == "true"
            else:
                bad.append((name, f"{text!r} is not true or false"))
                del data[name]
    return bad


def _validation_problems(
    info: FileInfo, row: int | None, exc: ValidationError, cid: str | None, skip: int = 0
) -> list[BadRow]:
    out = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])[skip:]
        message = str(error["msg"]).removeprefix("Value error, ")
        out.append(_invalid(info, row, loc_text(loc) or "(row)", message, cid))
    return out


def accounts_from_rows(rows: Iterable[dict[str, Any]], info: FileInfo) -> list[AccountRow]:
    """Each account row (:func:`table_rows` form, with the row number column) validated."""
    out: list[AccountRow] = []
    for raw in rows:
        row = raw.pop(ROW, None)
        cid = raw.pop("consumer_id")
        data = _omit_nulls(raw)
        account = AccountRow(row, cid, None)
        out.append(account)
        if info.csv:
            for column, message in _decode_text(data, ACCOUNT_NESTED, frozenset()):
                account.problems.append(_invalid(info, row, column, message, cid))
        for key in _DESTINATIONS:
            value = data.pop(key, None)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                account.problems.append(
                    _invalid(info, row, key, "must not be empty or only spaces", cid)
                )
            setattr(account, key, value)
        try:
            consumer = Consumer.model_validate({"id": cid, **data})
        except ValidationError as exc:
            account.problems.extend(_validation_problems(info, row, exc, cid))
            continue
        if account.problems:
            continue
        if not consumer.debts:
            account.problems.append(
                BadRow.at(
                    info,
                    row,
                    "debts",
                    codes.SCREEN_NO_DEBTS.code,
                    "the account has no debts, so no contact can be about one",
                    cid,
                )
            )
            continue
        account.consumer = consumer
    return out


def history_from_rows(rows: list[dict[str, Any]], info: FileInfo) -> list[HistoryRow]:
    """Each history row (:func:`table_rows` form) validated in one call of the validator of
    ``History.from_rows``."""
    out: list[HistoryRow] = []
    plain: list[dict[str, Any]] = []
    for raw in rows:
        row = raw.pop(ROW, None)
        cid = raw.pop("consumer_id")
        data = raw
        item = HistoryRow(row, cid, None)
        if info.csv:
            for column, message in _decode_text(data, HISTORY_NESTED, HISTORY_BOOLEANS):
                item.problems.append(_invalid(info, row, column, message, cid))
        out.append(item)
        plain.append(data)
    for item, data in _validate(plain, out, info):
        if not item.problems:  # a cell that could not be decoded leaves the row unusable
            item.record = Record(**data)
    return out


def _validate(
    rows: list[dict[str, Any]], items: list[HistoryRow], info: FileInfo
) -> list[tuple[HistoryRow, dict[str, Any]]]:
    """The rows that validate, with their validated values; the others get their problems.

    The validator reports every bad row at once (located ``3.at``); the good rows are then
    validated again without them, so one bad row costs one more pass, not a row-by-row one.
    """
    adapter = _rows_adapter()
    try:
        return list(zip(items, adapter.validate_python(rows), strict=True))
    except ValidationError as exc:
        bad: dict[int, list[Any]] = {}
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            bad.setdefault(int(loc[0]), []).append(dict(error))
    for index, errors in bad.items():
        item = items[index]
        for error in errors:
            column = loc_text(tuple(error["loc"])[1:]) or "(row)"
            message = str(error["msg"]).removeprefix("Value error, ")
            item.problems.append(_invalid(info, item.row, column, message, item.consumer_id))
    keep = [i for i in range(len(rows)) if i not in bad]
    return _validate([rows[i] for i in keep], [items[i] for i in keep], info) if keep else []
