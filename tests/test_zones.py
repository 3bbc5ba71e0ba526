"""Candidate zones: every zone a place or number may be in, and nothing that is not a zone."""

from __future__ import annotations

import zoneinfo

import pytest

from contactrules.location.zones import (
    _NANP_SPLIT_AREA_CODES,
    _US,
    UnknownZoneError,
    resolve_zone,
    zones_for_phone,
    zones_for_subdivision,
)

ET, CT, MT, PT = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"


@pytest.mark.parametrize(
    ("country", "subdivision", "expected"),
    [
        ("US", "MA", (ET,)),
        ("US", "FL", (CT, ET)),
        ("US", "IN", (CT, "America/Indiana/Indianapolis")),
        ("US", "KY", (CT, "America/Kentucky/Louisville", ET)),
        ("US", "TN", (CT, ET)),
        ("US", "TX", (CT, MT)),
        ("US", "ID", ("America/Boise", PT)),
        ("US", "OR", ("America/Boise", PT)),
        ("US", "MI", ("America/Detroit", "America/Menominee")),
        ("US", "AZ", (MT, "America/Phoenix")),
        ("US", "MN", (CT,)),
        ("US", "PR", ("America/Puerto_Rico",)),
        ("us", "fl", (CT, ET)),  # letter case does not matter
        ("US", "US-FL", (CT, ET)),  # nor the full ISO 3166-2 form
        ("AU", "NSW", ("Australia/Broken_Hill", "Australia/Sydney")),
        ("AU", "QLD", ("Australia/Brisbane",)),
        ("AU", "ACT", ("Australia/Sydney",)),
        ("CA", "ON", ("America/Toronto", "America/Winnipeg")),
        ("CA", "QC", ("America/Halifax", "America/Toronto")),
        ("CA", "SK", ("America/Edmonton", "America/Regina")),
        ("GB", None, ("Europe/London",)),
        ("GB", "SCT", ("Europe/London",)),
        ("IE", None, ("Europe/Dublin",)),
        ("NZ", "CIT", ("Pacific/Chatham",)),
        ("NZ", "AUK", ("Pacific/Auckland",)),
        # A country that spans zones, without a subdivision, gives none (the engine denies).
        ("US", None, ()),
        ("AU", None, ()),
        ("US", "ZZ", ()),  # unknown subdivision of a known country
        ("DE", "BE", ()),  # a country without a table
    ],
)
def test_zones_for_subdivision(
    country: str, subdivision: str | None, expected: tuple[str, ...]
) -> None:
    assert zones_for_subdivision(country, subdivision) == expected


def test_every_us_state_dc_and_territory_has_zones() -> None:
    states = set(_US)
    assert len(states - {"DC", "PR", "GU", "VI", "AS", "MP"}) == 50
    assert {"DC", "PR", "GU", "VI", "AS", "MP"} <= states


@pytest.mark.parametrize(
    ("country", "subdivisions"),
    [
        ("US", tuple(_US)),
        ("AU", ("NSW", "VIC", "QLD", "SA", "WA", "TAS", "NT", "ACT")),
        ("CA", ("ON", "QC", "BC", "AB", "SK", "MB", "NB", "NS", "PE", "NL", "YT", "NT", "NU")),
    ],
)
def test_every_table_zone_is_a_sorted_loadable_iana_zone(
    country: str, subdivisions: tuple[str, ...]
) -> None:
    for subdivision in subdivisions:
        zones = zones_for_subdivision(country, subdivision)
        assert zones, subdivision
        assert list(zones) == sorted(set(zones)), subdivision
        for name in zones:
            resolve_zone(name)


def test_every_area_code_supplement_zone_loads() -> None:
    for area_code, zones in _NANP_SPLIT_AREA_CODES.items():
        assert len(area_code) == 3 and area_code.isdigit()
        for name in zones:
            resolve_zone(name)


@pytest.mark.parametrize(
    ("number", "region", "expected"),
    [
        ("+16175550100", None, (ET,)),
        ("(617) 555-0100", "US", (ET,)),
        # phonenumbers gives Tallahassee's exchange New_York only and Pensacola's Chicago only;
        # the area code spans the Apalachicola line, so both numbers get both zones.
        ("+18502221234", None, (CT, ET)),
        ("+18504381234", None, (CT, ET)),
        ("+18124221234", None, (CT, ET)),  # Evansville: phonenumbers says Chicago only
        ("+19062221234", None, ("America/Detroit", "America/Menominee", ET)),
        ("+12082221234", None, ("America/Boise", PT)),
        ("+15413721234", None, ("America/Boise", MT, PT)),  # Malheur County: phonenumbers MT
        ("+19282221234", None, (MT, "America/Phoenix")),  # Navajo Nation observes DST
        # Whitehorse: phonenumbers says Vancouver; the Yukon keeps UTC-7 all year.
        (
            "+18676671234",
            None,
            (
                "America/Cambridge_Bay",
                "America/Inuvik",
                "America/Iqaluit",
                "America/Rankin_Inlet",
                "America/Vancouver",
                "America/Whitehorse",
                "America/Yellowknife",
            ),
        ),
        ("+442079460958", None, ("Europe/London",)),
        (
            "+35312345678",
            None,
            ("Europe/Dublin", "Europe/Guernsey", "Europe/Isle_of_Man", "Europe/London"),
        ),
        ("+61292744000", None, ("Australia/Sydney",)),
        ("+61265632000", None, ("Australia/Lord_Howe",)),
        # Numbers that say nothing about where the consumer is.
        ("+18005550100", None, ()),  # toll-free
        ("+19005550100", None, ()),  # premium rate
        ("+15002345678", None, ()),  # personal number
        ("+61412345678", None, ()),  # Australian mobile
        ("+447911123456", None, ()),  # British mobile
        ("+441800123456", None, ()),  # invalid
        ("+17002345678", None, ()),  # invalid (700 is not assigned)
        ("6175550100", None, ()),  # no country and no default region
        ("not a number", None, ()),
        ("", None, ()),
    ],
)
@pytest.mark.assumes("phonenumbers", "8.13.38")  # the zones it gives Irish landlines
def test_zones_for_phone(number: str, region: str | None, expected: tuple[str, ...]) -> None:
    assert zones_for_phone(number, region) == expected


@pytest.mark.parametrize("name", ["America/New_York", "Europe/London", "UTC", "US/Eastern"])
def test_resolve_zone_loads_iana_names(name: str) -> None:
    zone = resolve_zone(name)
    assert isinstance(zone, zoneinfo.ZoneInfo)
    assert zone.key == name
    assert resolve_zone(name) is zone  # cached


@pytest.mark.parametrize(
    "name",
    [
        "Mars/Base",
        "",
        "America",  # a directory
        "america/new_york",
        "../../etc/passwd",
        "/etc/localtime",
        "America/../UTC",
        "localtime",  # the host's zone, not the consumer's
        "Factory",
        "x" * 300,
        "UTC\x00",
    ],
)
def test_resolve_zone_refuses_what_is_not_a_zone(name: str) -> None:
    with pytest.raises(UnknownZoneError) as raised:
        resolve_zone(name)
    assert f'"{name}"' in str(raised.value)
    assert isinstance(raised.value, ValueError)
