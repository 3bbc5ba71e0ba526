"""Where candidate zones come from: states, ZIP codes, phone numbers (K4, comment 6(b)(1)(i)-1)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from contactrules import Address, Consumer, Contact, Debt, Decision, Engine, Phone
from contactrules.location.zones import (
    UnknownZoneError,
    resolve_zone,
    zones_for_phone,
    zones_for_postal_code,
    zones_for_subdivision,
)

ET, CT, MT = "America/New_York", "America/Chicago", "America/Denver"


@pytest.mark.parametrize(
    ("country", "subdivision", "expected"),
    [
        ("US", "MA", (ET,)),
        ("US", "FL", (CT, ET)),  # the panhandle is Central
        ("US", "TX", (CT, MT)),  # El Paso is Mountain
        ("us", "in", (CT, "America/Indiana/Indianapolis")),
        ("AU", "QLD", ("Australia/Brisbane",)),
        ("CA", "ON", ("America/Toronto", "America/Winnipeg")),
        ("GB", None, ("Europe/London",)),
        ("US", None, ()),  # a country that spans zones says nothing precise enough
        ("US", "XX", ()),
        ("DE", "BE", ()),
    ],
)
def test_zones_for_subdivision(
    country: str, subdivision: str | None, expected: tuple[str, ...]
) -> None:
    assert zones_for_subdivision(country, subdivision) == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("+16175550100", (ET,)),
        ("+18505550100", (CT, ET)),  # 850 straddles the Apalachicola; phonenumbers says ET only
        ("+18125550100", (CT, ET)),  # 812: Evansville is Central
        ("+18005550100", ()),  # toll-free: no location
        ("+61412345678", ()),  # Australian mobiles carry no area
        ("+442079460000", ("Europe/London",)),
        ("not a number", ()),
    ],
)
@pytest.mark.assumes("phonenumbers", "8.13.38")
def test_zones_for_phone(number: str, expected: tuple[str, ...]) -> None:
    assert zones_for_phone(number) == expected


@pytest.mark.parametrize(
    ("code", "zones", "state"),
    [
        ("32501", (CT,), "FL"),  # Pensacola
        ("32301", (ET,), "FL"),  # Tallahassee
        ("79901", (MT,), "TX"),  # El Paso
        ("00000", (), None),
        ("ABCDE", (), None),
    ],
)
@pytest.mark.assumes("zipcodes", "1.2.0")
def test_zones_for_us_postal_codes(code: str, zones: tuple[str, ...], state: str | None) -> None:
    assert zones_for_postal_code("US", code) == (zones, state)


@pytest.mark.assumes("zipcodes", "1.2.0")
def test_a_zip_code_narrows_a_two_zone_state_but_a_conflict_keeps_both() -> None:
    engine = Engine.default()
    at = dt.datetime(2026, 6, 2, 7, 30, tzinfo=ZoneInfo(CT))  # 08:30 Eastern, 07:30 Central

    def decide(subdivision: str, code: str | None) -> Decision:
        consumer = Consumer(
            id="c",
            debts=[Debt(id="D")],
            addresses=[Address(country="US", subdivision=subdivision, postal_code=code)],
        )
        # dialled by hand: the hours decide, not the TCPA's consent to automated calls
        contact = Contact(
            channel="call", at=at, consumer=consumer, debt_ids=["D"], dial_method="manual"
        )
        return engine.evaluate(contact)

    assert decide("FL", "32301").allowed  # Tallahassee: Eastern only
    pensacola = decide("FL", "32501")
    assert not pensacola.allowed and pensacola.zones == (CT,)
    assert decide("FL", None).zones == (CT, ET)
    assert decide("GA", "32501").zones == (CT, ET)  # ZIP and state disagree: both


def test_unknown_zone_names_raise_a_clear_error() -> None:
    for name in ("Mars/Base", "", "../../etc/passwd", "America"):
        with pytest.raises(UnknownZoneError, match="unknown time zone"):
            resolve_zone(name)


@pytest.mark.assumes("phonenumbers", "8.13.38")
def test_the_number_called_is_a_candidate_too() -> None:
    engine = Engine.default()
    consumer = Consumer(
        id="c", addresses=[Address(country="US", subdivision="CA")], debts=[Debt(id="D")]
    )
    at = dt.datetime(2026, 6, 2, 10, 30, tzinfo=ZoneInfo(ET))
    decision = engine.evaluate(
        Contact(
            channel="call",
            at=at,
            consumer=consumer,
            debt_ids=["D"],
            to="+12125550143",
            dial_method="manual",
        )
    )
    assert set(decision.zones) == {"America/Los_Angeles", ET}
    assert not decision.allowed  # 07:30 in Los Angeles
    assert {r.rule_id for r in decision.reasons} == {
        "US-FED-REGF-1006.6b1i-HOURS",
        "US-CA-CIV1788.17-HOURS",
    }
    assert Phone(number="+12125550143").number == "+12125550143"
