"""A seeded synthetic book: accounts and history as Arrow tables, for examples, tests and the
benchmark (``bench/bench_screen.py``).

Why in the package: the shipped example book (``examples/book/``), the tests that compare the
Spark and single-process screens, and the million-consumer benchmark all need the same kind
of book, and a new user can make one to try the command. Everything comes from one seeded
``random.Random``: the same arguments give the same files on every machine.

Consumers ``C00000000``, ``C00000001``… (zero-padded, so text order is number order) live in
several jurisdictions (US states with one and with two zones, New York City, Massachusetts,
California, Ontario, England), with 1–3 debts, one or two phones, sometimes an e-mail, a
cease or attorney flag, an automated-calls consent; history rows (``records`` per consumer,
0–60 by default) are calls and texts over the ten days before the screening instant.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .schema import ACCOUNT_NESTED, ACCOUNT_SCHEMA, HISTORY_NESTED, HISTORY_SCHEMA

__all__ = ["AT", "book_batches", "write_book", "write_csv"]

#: The screening instant the sample's history leads up to: Tuesday 2 June 2026, 09:00 EDT.
AT = dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))

# (country, subdivision, city, postal code, phone prefix, weight)
_Place = tuple[str, str | None, str | None, str | None, str, int]
_PLACES: tuple[_Place, ...] = (
    ("US", "NY", "New York", "10001", "+1212555", 12),
    ("US", "MA", "Boston", "02110", "+1617555", 8),
    ("US", "CA", "Los Angeles", "90012", "+1213555", 12),
    ("US", "TX", "Houston", "77002", "+1713555", 10),
    ("US", "TX", "El Paso", "79901", "+1915555", 3),
    ("US", "FL", "Miami", "33101", "+1305555", 8),
    ("US", "FL", "Pensacola", None, "+1850555", 3),
    ("US", "OH", "Columbus", "43215", "+1614555", 8),
    ("US", "IL", "Chicago", "60601", "+1312555", 8),
    ("US", "AZ", "Phoenix", "85004", "+1602555", 5),
    ("US", "WA", "Seattle", "98101", "+1206555", 5),
    ("US", "CO", "Denver", "80202", "+1303555", 5),
    ("CA", "ON", "Toronto", "M5H 2N2", "+1416555", 4),
    ("GB", "ENG", "London", "SW1A 1AA", "+44207946", 4),
)
_OUTCOMES = ("no_answer", "no_answer", "voicemail", "not_connected", "conversation", "delivered")
_MICROS = 1_000_000


def _us(value: dt.datetime) -> int:
    return int(value.timestamp()) * _MICROS


def book_batches(
    consumers: int,
    *,
    seed: int = 7,
    records: tuple[int, int] = (0, 60),
    batch: int = 10_000,
    at: dt.datetime = AT,
    countries: tuple[str, ...] | None = None,
) -> Iterator[tuple[pa.Table, pa.Table]]:
    """(accounts, history) tables of ``batch`` consumers at a time, sorted by consumer id;
    ``countries`` narrows the places (``("US",)``: the twelve US places only)."""
    rng = random.Random(seed)
    places = [p for p in _PLACES if countries is None or p[0] in countries]
    weights = [p[5] for p in places]
    end = _us(at)
    span = 10 * 86_400 * _MICROS
    for first in range(0, consumers, batch):
        accounts: list[dict[str, Any]] = []
        history: dict[str, list[Any]] = {name: [] for name in HISTORY_SCHEMA.names}
        for i in range(first, min(first + batch, consumers)):
            cid = f"C{i:08d}"
            account, phones, debts = _account(rng, cid, i, places, weights)
            accounts.append(account)
            for _ in range(rng.randint(*records)):
                sms = rng.random() < 0.15
                about = [rng.choice(debts)] if rng.random() < 0.8 else []
                history["consumer_id"].append(cid)
                history["channel"].append("sms" if sms else "call")
                history["at"].append(end - rng.randrange(span))
                history["debt_ids"].append(about)
                outcome = "delivered" if sms else rng.choice(_OUTCOMES[:5])
                history["outcome"].append(outcome)
                inbound = rng.random() < 0.05
                history["initiated_by"].append("consumer" if inbound else "collector")
                history["to"].append(rng.choice(phones))
                history["to_work"].append(None)
                history["recipient"].append("consumer")
                history["third_party_id"].append(None)
                history["purpose"].append(None)
                history["dial_method"].append("manual")
                history["text"].append("STOP" if inbound and sms and rng.random() < 0.3 else None)
                history["requested_by_consumer"].append(False)
        order = sorted(range(len(history["at"])), key=lambda k: (history["consumer_id"][k],))
        ordered = {name: [values[k] for k in order] for name, values in history.items()}
        yield (
            pa.Table.from_pylist(accounts, schema=ACCOUNT_SCHEMA),
            pa.table(
                {f.name: pa.array(ordered[f.name], f.type) for f in HISTORY_SCHEMA},
                schema=HISTORY_SCHEMA,
            ),
        )


def _account(
    rng: random.Random, cid: str, index: int, places: list[_Place], weights: list[int]
) -> tuple[dict[str, Any], list[str], list[str]]:
    country, subdivision, city, postal, prefix, _ = rng.choices(places, weights)[0]
    debts = [f"D{index}-{k}" for k in range(rng.randint(1, 3))]
    phones = [f"{prefix}{rng.randrange(1000):04d}"[: len(prefix) + 4]]
    if rng.random() < 0.3:
        phones.append(f"{prefix}{rng.randrange(1000, 2000):04d}")
    phone_rows: list[dict[str, Any]] = [
        {"number": phones[0], "type": "mobile"},
        *({"number": n, "type": "home"} for n in phones[1:]),
    ]
    roll = rng.random()
    flags: dict[str, Any] | None = None
    if roll < 0.03:
        flags = {"cease_debt_ids": [debts[0]]}
    elif roll < 0.06:
        flags = {"attorney_debt_ids": [debts[-1]]}
    consents = None
    if rng.random() < 0.2:
        consents = [
            {
                "scope": "automated_calls",
                "source": "creditor",
                "address": phones[0],
                "granted_at": dt.datetime(2025, 1, 10, 17, tzinfo=dt.timezone.utc),
            }
        ]
    account: dict[str, Any] = {
        "consumer_id": cid,
        "language": rng.choice(("en", "en", "en", "es")),
        "addresses": [
            {
                "country": country,
                "subdivision": subdivision,
                "city": city,
                "postal_code": postal,
                "kind": "home",
            }
        ],
        "phones": phone_rows,
        "emails": (
            [{"address": f"{cid.lower()}@mail.example", "source": "consumer"}]
            if rng.random() < 0.3
            else None
        ),
        "debts": [{"id": d} for d in debts],
        "flags": flags,
        "consents": consents,
        "to_phone": phones[0],
    }
    return account, phones, debts


def write_book(
    accounts_path: str,
    history_path: str,
    consumers: int,
    *,
    seed: int = 7,
    records: tuple[int, int] = (0, 60),
    at: dt.datetime = AT,
    countries: tuple[str, ...] | None = None,
) -> tuple[int, int]:
    """Write the sample book as two Parquet files; (accounts, history rows) written."""
    counts = [0, 0]
    with (
        pq.ParquetWriter(accounts_path, ACCOUNT_SCHEMA) as left,
        pq.ParquetWriter(history_path, HISTORY_SCHEMA) as right,
    ):
        for accounts, history in book_batches(
            consumers, seed=seed, records=records, at=at, countries=countries
        ):
            left.write_table(accounts)
            right.write_table(history)
            counts[0] += accounts.num_rows
            counts[1] += history.num_rows
    return counts[0], counts[1]


def write_csv(table: pa.Table, path: str) -> None:
    """A book table in the CSV layout: nested cells as JSON, instants as ISO 8601 text."""
    nested = ACCOUNT_NESTED | HISTORY_NESTED
    columns: dict[str, list[Any]] = {}
    for name in table.column_names:
        values = table.column(name).to_pylist()
        if name in nested:
            columns[name] = [None if v is None else json.dumps(_plain(v)) for v in values]
        else:
            columns[name] = [_cell(v) for v in values]
    text = pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})
    pacsv.write_csv(text, path)


def _plain(value: Any) -> Any:
    """JSON-ready: nulls left out of objects, instants and days as ISO text."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)
