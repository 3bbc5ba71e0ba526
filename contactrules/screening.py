"""Batch screening: "which of these accounts may we contact on this channel now, or when?"

A nightly screen asks this for millions of accounts. Inputs are already-validated models, so
contacts are assembled without re-validating them (only the debt ids are checked, because a
contact about an unknown debt would otherwise deny on a rule error rather than say why). The
engine pickles in about a millisecond, so a process pool gets one copy per worker.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice

from .decision import Decision
from .engine import Engine
from .models import (
    Channel,
    CollectorType,
    Consumer,
    Contact,
    ContactRecord,
    DialMethod,
    Template,
)

__all__ = ["Account", "ScreenResult", "screen", "screen_parallel"]


@dataclass(frozen=True)
class Account:
    """One consumer to screen, with the debts the contact would be about and their history."""

    consumer: Consumer
    debt_ids: tuple[str, ...]
    history: Sequence[ContactRecord] = ()
    to: str | None = None
    collector_type: CollectorType = CollectorType.THIRD_PARTY_COLLECTOR


@dataclass(frozen=True)
class ScreenResult:
    consumer_id: str
    allowed: bool
    next_allowed_at: dt.datetime | None
    rule_ids: tuple[str, ...] = ()
    decision: Decision | None = field(default=None, compare=False, repr=False)


def _contact(
    account: Account,
    channel: Channel,
    at: dt.datetime,
    template: Template | None,
    dial_method: DialMethod | None,
) -> Contact:
    known = {d.id for d in account.consumer.debts}
    missing = [d for d in account.debt_ids if d not in known]
    if missing or not account.debt_ids:
        raise ValueError(
            f"consumer {account.consumer.id}: debt_ids {list(account.debt_ids)} must be non-empty "
            f"and among its debts {sorted(known)}"
        )
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the screening instant must be timezone-aware")
    if account.to is not None and not account.to.strip():
        raise ValueError(f"consumer {account.consumer.id}: `to` must not be empty or only spaces")
    return Contact.model_construct(
        channel=channel,
        at=at,
        consumer=account.consumer,
        debt_ids=list(account.debt_ids),
        to=account.to,
        to_work=None,
        recipient=Contact.model_fields["recipient"].default,
        third_party_id=None,
        collector_type=account.collector_type,
        template=template,
        dial_method=dial_method,
    )


def screen(
    engine: Engine,
    accounts: Iterable[Account],
    channel: Channel | str,
    at: dt.datetime,
    *,
    template: Template | None = None,
    dial_method: DialMethod | str | None = None,
    keep_decisions: bool = False,
) -> list[ScreenResult]:
    """Allowed now, or the next allowed instant, for each account, in input order.

    ``dial_method`` is how the contacts would be placed (the campaign's dialer). The TCPA
    (47 U.S.C. 227(b)(1)(A)) restricts only autodialed and prerecorded calls and texts, so a
    screen for agents dialling by hand should say ``manual``. Left as ``None`` (not stated), a
    call or text counts as possibly automated and is denied to any number without prior express
    consent to automated calls: an unstated dialer never screens an account in.
    """
    chosen = Channel(channel)
    method = None if dial_method is None else DialMethod(dial_method)
    out: list[ScreenResult] = []
    for account in accounts:
        decision = engine.evaluate(_contact(account, chosen, at, template, method), account.history)
        out.append(
            ScreenResult(
                consumer_id=account.consumer.id,
                allowed=decision.allowed,
                next_allowed_at=decision.next_allowed_at,
                rule_ids=tuple(r.rule_id for r in decision.reasons),
                decision=decision if keep_decisions else None,
            )
        )
    return out


_WORKER_ENGINE: Engine | None = None


def _init_worker(engine: Engine) -> None:
    global _WORKER_ENGINE
    _WORKER_ENGINE = engine


def _screen_chunk(
    args: tuple[list[Account], Channel, dt.datetime, Template | None, DialMethod | None],
) -> list[ScreenResult]:
    assert _WORKER_ENGINE is not None
    accounts, channel, at, template, dial_method = args
    return screen(_WORKER_ENGINE, accounts, channel, at, template=template, dial_method=dial_method)


def _chunks(items: Iterable[Account], size: int) -> Iterator[list[Account]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def screen_parallel(
    engine: Engine,
    accounts: Iterable[Account],
    channel: Channel | str,
    at: dt.datetime,
    *,
    template: Template | None = None,
    dial_method: DialMethod | str | None = None,
    processes: int | None = None,
    chunk_size: int = 2000,
) -> list[ScreenResult]:
    """:func:`screen` across a process pool (one engine copy per worker), in input order.

    ``dial_method`` as for :func:`screen`: not stated, calls and texts count as possibly
    automated (fail closed under the TCPA).
    """
    # Imported here: the process pool brings in multiprocessing (about 6 ms), which every
    # start-up would otherwise pay for a function most callers never use.
    from concurrent.futures import ProcessPoolExecutor

    workers = processes or os.cpu_count() or 1
    chosen = Channel(channel)
    method = None if dial_method is None else DialMethod(dial_method)
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(engine,)
    ) as pool:
        parts = pool.map(
            _screen_chunk,
            ((chunk, chosen, at, template, method) for chunk in _chunks(accounts, chunk_size)),
        )
        return [result for part in parts for result in part]
