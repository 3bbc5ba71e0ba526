"""Batch screening agrees with one-by-one evaluation, in order, and in a process pool."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from contactrules import (
    Account,
    Address,
    Consumer,
    ContactRecord,
    Debt,
    DialMethod,
    Engine,
    Outcome,
    Phone,
    screen,
    screen_parallel,
)

NY = ZoneInfo("America/New_York")
AT = dt.datetime(2026, 6, 3, 20, 30, tzinfo=NY)
WIRELESS = "US-TCPA-227b1Aiii-WIRELESS-CONSENT"


def _accounts() -> list[Account]:
    accounts = []
    for i, (state, number) in enumerate(
        [
            ("PA", "+12155550100"),
            ("CA", "+12135550100"),
            ("MA", "+16175550100"),
            ("TX", "+17135550100"),
            ("FL", "+18505550100"),
            ("PA", "+12155550101"),
        ]
    ):
        consumer = Consumer(
            id=f"C{i}",
            addresses=[Address(country="US", subdivision=state)],
            phones=[Phone(number=number)],
            debts=[Debt(id="D1")],
        )
        history = [
            ContactRecord(
                channel="call",
                at=AT - dt.timedelta(days=1, hours=h),
                debt_ids=["D1"],
                outcome=Outcome.NO_ANSWER,
            )
            for h in range(i)
        ]
        accounts.append(Account(consumer, ("D1",), history, to=number))
    return accounts


@pytest.mark.parametrize("dial_method", [DialMethod.MANUAL, None])
def test_screen_matches_evaluate_one_by_one(dial_method: DialMethod | None) -> None:
    engine = Engine.default()
    results = screen(engine, _accounts(), "call", AT, dial_method=dial_method, keep_decisions=True)
    assert [r.consumer_id for r in results] == [f"C{i}" for i in range(6)]
    if dial_method is DialMethod.MANUAL:
        assert {r.allowed for r in results} == {True, False}  # 20:30 Eastern is late in some
    for account, result in zip(_accounts(), results, strict=True):
        from contactrules import Contact

        single = engine.evaluate(
            Contact(
                channel="call",
                at=AT,
                consumer=account.consumer,
                debt_ids=["D1"],
                to=account.to,
                dial_method=dial_method,
            ),
            account.history,
        )
        assert single.allowed == result.allowed
        assert single.next_allowed_at == result.next_allowed_at
        assert [r.rule_id for r in single.reasons] == list(result.rule_ids)


def test_screen_rejects_unknown_debts_and_naive_instants() -> None:
    engine = Engine.default()
    account = _accounts()[0]
    with pytest.raises(ValueError, match="debt_ids"):
        screen(engine, [Account(account.consumer, ("NOPE",))], "call", AT)
    with pytest.raises(ValueError, match="timezone-aware"):
        screen(engine, [account], "call", AT.replace(tzinfo=None))
    with pytest.raises(ValueError, match="empty"):
        screen(engine, [Account(account.consumer, account.debt_ids, to=" ")], "call", AT)


def test_screen_parallel_gives_the_same_answers_in_order() -> None:
    engine = Engine.default()
    accounts = _accounts() * 5
    assert screen_parallel(engine, accounts, "call", AT, processes=2, chunk_size=4) == screen(
        engine, accounts, "call", AT
    )


def test_a_screen_that_does_not_state_the_dial_method_screens_no_one_in() -> None:
    """47 U.S.C. 227(b)(1)(A)(iii): a call not stated to be dialled by hand may be automated,
    and none of these numbers has prior express consent, so every account is denied by the
    TCPA; stating ``manual`` leaves the hours to decide (fail closed until told otherwise)."""
    engine = Engine.default()
    unstated = screen(engine, _accounts(), "call", AT)
    assert not any(r.allowed for r in unstated)
    assert all(WIRELESS in r.rule_ids and r.next_allowed_at is None for r in unstated)
    manual = screen(engine, _accounts(), "call", AT, dial_method="manual")
    assert any(r.allowed for r in manual)
    assert not any(WIRELESS in r.rule_ids for r in manual)


def test_screen_parallel_threads_the_dial_method() -> None:
    engine = Engine.default()
    accounts = _accounts() * 2
    by_hand = screen_parallel(
        engine, accounts, "call", AT, dial_method=DialMethod.MANUAL, processes=2, chunk_size=4
    )
    assert by_hand == screen(engine, accounts, "call", AT, dial_method=DialMethod.MANUAL)
    assert by_hand != screen(engine, accounts, "call", AT)


def test_screen_refuses_an_unknown_dial_method() -> None:
    with pytest.raises(ValueError, match="robot"):
        screen(Engine.default(), _accounts(), "call", AT, dial_method="robot")
