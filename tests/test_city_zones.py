"""A city narrows its state's or province's candidate zones, and never widens them (K4).

Sources of the expected zones: the ``zipcodes`` package's ZIP data for US cities (checked
against 49 CFR part 71: the Florida panhandle west of the Apalachicola and El Paso County, TX
are Central and Mountain), and ``contactrules/location/city_zones.py``, whose entries cite the
IANA tz database and provincial law, for Canada and New South Wales.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import zipcodes
from hypothesis import given, settings
from hypothesis import strategies as st

from contactrules import Address, Consumer, Contact, Debt, Decision, Engine
from contactrules.location.candidates import candidate_zones
from contactrules.location.city_zones import CITY_ZONES, ZIP_CORRECTIONS
from contactrules.location.zones import (
    normalise_city,
    zones_for_city,
    zones_for_postal_code,
    zones_for_subdivision,
)

ET, CT, MT = "America/New_York", "America/Chicago", "America/Denver"
TORONTO, WINNIPEG = "America/Toronto", "America/Winnipeg"
SYDNEY, BROKEN_HILL = "Australia/Sydney", "Australia/Broken_Hill"

# The US rows below read the ZIP data of this zipcodes release; a later release may move a
# ZIP code, and then these expectations (not the engine) need checking against it.
ZIPCODES_ASSUMED = "3.0.0"
DATA_NOTE = (
    f"expected from the zipcodes {ZIPCODES_ASSUMED} data; installed: "
    f"zipcodes {getattr(zipcodes, '__version__', '?')}"
)


def _zones(
    country: str, subdivision: str | None, city: str | None, code: str | None = None
) -> tuple[str, ...]:
    """The candidate zones the engine derives for a consumer with this one address."""
    address = Address(country=country, subdivision=subdivision, city=city, postal_code=code)
    consumer = Consumer(id="c", debts=[Debt(id="D")], addresses=[address])
    at = dt.datetime(2026, 6, 2, 12, 0, tzinfo=ZoneInfo("UTC"))
    zones, problems = candidate_zones(
        Contact(channel="letter", at=at, consumer=consumer, debt_ids=["D"])
    )
    assert problems == []
    return tuple(name for name, _ in zones)


# Each row narrows: the old engine gave every zone of the state or province for these.
@pytest.mark.parametrize(
    ("country", "subdivision", "city", "expected"),
    [
        ("US", "FL", "Pensacola", (CT,)),  # Escambia County, west of the Apalachicola
        ("US", "FL", "Tallahassee", (ET,)),
        ("US", "FL", "Miami", (ET,)),
        ("US", "TX", "El Paso", (MT,)),  # ZIP 79942's Central zone is a cited data error
        ("US", "TX", "Houston", (CT,)),
        ("US", "IN", "Evansville", (CT,)),  # the south-western corner
        ("US", "AZ", "Flagstaff", ("America/Phoenix",)),  # outside the Navajo Nation
        ("US", "TN", "Chattanooga", (ET,)),
        # Two places named Van Cleve: Breathitt County (Eastern) and Calloway County
        # (Central); both zones, but not Kentucky's third (Louisville).
        ("US", "KY", "Van Cleve", (CT, ET)),
        ("CA", "ON", "Kenora", (WINNIPEG,)),  # west of 90°W: Central
        ("CA", "ON", "Fort Frances", (WINNIPEG,)),
        ("CA", "ON", "Thunder Bay", (TORONTO,)),  # east of 90°W: Eastern
        ("CA", "ON", "Toronto", (TORONTO,)),
        ("CA", "QC", "Cap-aux-Meules", ("America/Halifax",)),  # Magdalen Islands
        ("CA", "BC", "Dawson Creek", ("America/Dawson_Creek",)),
        ("AU", "NSW", "Broken Hill", (BROKEN_HILL,)),  # Yancowinna County
        ("AU", "NSW", "Sydney", (SYDNEY,)),
    ],
)
def test_a_known_city_narrows_its_state_to_its_own_zones(
    country: str, subdivision: str, city: str, expected: tuple[str, ...]
) -> None:
    assert _zones(country, subdivision, city) == expected, DATA_NOTE


# Names as people write them: case, spacing, punctuation, accents, abbreviations.
@pytest.mark.parametrize(
    ("country", "subdivision", "city", "expected"),
    [
        ("US", "FL", "  PENSACOLA ", (CT,)),
        ("US", "FL", "pensacola", (CT,)),
        ("US", "US-FL", "Pensacola", (CT,)),
        ("US", "FL", "Ft. Walton Beach", (CT,)),
        ("US", "FL", "FORT WALTON BEACH", (CT,)),
        ("US", "FL", "St. Augustine", (ET,)),
        ("US", "FL", "Saint Augustine", (ET,)),
        ("US", "FL", "St Petersburg", (ET,)),
        ("US", "FL", "Port St. Lucie", (ET,)),
        ("US", "TX", "el-paso", (MT,)),
        ("CA", "ON", "Sault Ste. Marie", (TORONTO,)),
        ("CA", "ON", "SIOUX  LOOKOUT", (WINNIPEG,)),
        ("CA", "QC", "Montreal", (TORONTO,)),
        ("CA", "QC", "Montréal", (TORONTO,)),
        ("AU", "NSW", "broken hill", (BROKEN_HILL,)),
    ],
)
def test_city_names_match_however_they_are_written(
    country: str, subdivision: str, city: str, expected: tuple[str, ...]
) -> None:
    assert _zones(country, subdivision, city) == expected, DATA_NOTE


# Each row keeps every zone of the state: what the engine did before, kept on purpose.
@pytest.mark.parametrize(
    ("country", "subdivision", "city", "expected"),
    [
        ("US", "FL", "Nowhereville", (CT, ET)),  # unknown: the whole state
        ("US", "FL", "Pensacolla", (CT, ET)),  # a misspelling is unknown too
        ("US", "FL", None, (CT, ET)),
        ("US", "FL", "...", (CT, ET)),
        # The ZIP data puts Vincennes in America/Indiana/Vincennes, which is not one of the
        # zones the table gives Indiana: the data is ignored rather than trusted to widen.
        ("US", "IN", "Vincennes", (CT, "America/Indiana/Indianapolis")),
        ("CA", "ON", "Atikokan", (TORONTO, WINNIPEG)),  # EST all year: both clocks
        ("CA", "ON", "Pickle Lake", (TORONTO, WINNIPEG)),  # sources disagree: left out
        ("US", "MA", "Boston", (ET,)),  # a single-zone state is unchanged by its city
        ("US", "AL", "Phenix City", (CT,)),  # Eastern by custom, Central by law (zones.py)
        ("US", "CA", "Pensacola", ("America/Los_Angeles",)),  # another state's city
    ],
)
def test_an_unknown_or_unsafe_city_keeps_every_zone_of_the_state(
    country: str, subdivision: str, city: str | None, expected: tuple[str, ...]
) -> None:
    assert _zones(country, subdivision, city) == expected, DATA_NOTE


def test_a_zip_code_that_gives_a_zone_wins_over_the_city() -> None:
    # A regression guard rather than a new behaviour: the ZIP code is the more precise datum.
    assert _zones("US", "FL", "Tallahassee", "32501") == (CT,), DATA_NOTE
    assert _zones("US", "FL", "Pensacola", "32301") == (ET,), DATA_NOTE


def test_the_city_narrows_when_the_postal_code_gives_no_zone() -> None:
    assert _zones("US", "FL", "Pensacola", "00000") == (CT,), DATA_NOTE  # no such ZIP
    assert _zones("CA", "ON", "Kenora", "P9N 1A1") == (WINNIPEG,)  # no Canadian code table


def test_a_zip_code_in_another_state_still_keeps_every_zone_of_the_address_state() -> None:
    # ZIP and state disagree: both are location information; the city does not narrow.
    assert _zones("US", "TX", "El Paso", "32501") == (CT, MT), DATA_NOTE


def test_cited_zip_corrections_apply_to_zip_codes_too() -> None:
    # 79942 is an El Paso post-office-box ZIP that the data puts in Central time.
    assert zones_for_postal_code("US", "79942") == ((MT,), "TX"), DATA_NOTE
    # 99634 (Napakiak, AK) carries its town's name where the zone belongs.
    assert zones_for_postal_code("US", "99634") == (("America/Anchorage",), "AK"), DATA_NOTE


def _call_at(consumer: Consumer, at: dt.datetime) -> Decision:
    """A call dialled by hand: the hours decide, not the TCPA's consent to automated calls."""
    return Engine.default().evaluate(
        Contact(channel="call", at=at, consumer=consumer, debt_ids=["D"], dial_method="manual")
    )


def test_pensacola_at_8_30_pm_central_is_allowed_now_that_eastern_is_not_a_candidate() -> None:
    """20:30 in Pensacola is 21:30 in Tallahassee: the old engine denied it for Eastern time.

    12 CFR 1006.6(b)(1)(i) and Fla. Stat. 559.72(17) allow calls from 08:00 to 21:00 local time.
    """
    address = Address(country="US", subdivision="FL", city="Pensacola")
    consumer = Consumer(id="c", debts=[Debt(id="D")], addresses=[address])
    decision = _call_at(consumer, dt.datetime(2026, 6, 2, 20, 30, tzinfo=ZoneInfo(CT)))  # Tue
    assert decision.zones == (CT,), DATA_NOTE
    assert decision.allowed, decision.reasons
    # 21:30 in Pensacola itself is still too late.
    assert not _call_at(consumer, dt.datetime(2026, 6, 2, 21, 30, tzinfo=ZoneInfo(CT))).allowed


def test_every_cited_city_entry_stays_inside_its_subdivision_and_names_a_source() -> None:
    for (country, subdivision), entries in CITY_ZONES.items():
        whole = set(zones_for_subdivision(country, subdivision))
        assert len(whole) > 1, f"{country}-{subdivision} has one zone: no table needed"
        seen: dict[str, tuple[str, ...]] = {}
        for entry in entries:
            assert set(entry.zones) <= whole, (country, subdivision, entry.names)
            assert entry.source.strip() and entry.confidence in ("high", "medium")
            for name in entry.names:
                key = normalise_city(name)
                assert key and key not in seen, f"{name} listed twice in {subdivision}"
                seen[key] = entry.zones
                assert zones_for_city(country, subdivision, name) == tuple(sorted(entry.zones))


def test_every_zip_correction_stays_inside_its_state() -> None:
    for code, fix in ZIP_CORRECTIONS.items():
        assert set(fix.zones) <= set(zones_for_subdivision("US", fix.state)), code
        assert fix.source.strip() and fix.zones != (fix.data_zone,), code


@settings(max_examples=200, deadline=None)
@given(
    subdivision=st.sampled_from(["FL", "TX", "KY", "IN", "AZ", "MI", "ID", "MA"]),
    city=st.text(max_size=24),
)
def test_a_city_never_widens_its_state(subdivision: str, city: str) -> None:
    zones = zones_for_city("US", subdivision, city)
    assert zones and set(zones) <= set(zones_for_subdivision("US", subdivision))
    assert list(zones) == sorted(zones)


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("St. Augustine", "saintaugustine"),
        ("Ft Myers", "fortmyers"),
        ("O'Fallon", "ofallon"),
        ("O Fallon", "ofallon"),
        ("Montréal", "montreal"),
        ("Winston-Salem", "winstonsalem"),
        ("N. Little Rock", "northlittlerock"),
        ("St. John's", "saintjohns"),
    ],
)
def test_normalise_city(written: str, key: str) -> None:
    assert normalise_city(written) == key
