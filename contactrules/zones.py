"""Candidate time zones of a consumer: from states and provinces, and from phone numbers.

Where the location is uncertain the contact must be convenient in every zone the consumer may
be in (Reg F comment 6(b)(1)(i)-1; convention K4), so these functions answer with *every* zone
a place may be in, never a single guess. Zones are IANA names, never fixed UTC offsets.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import lru_cache
from typing import Any

__all__ = [
    "UnknownZoneError",
    "resolve_zone",
    "zones_for_phone",
    "zones_for_postal_code",
    "zones_for_subdivision",
]


class UnknownZoneError(ValueError):
    """A zone name the IANA database does not know; the engine denies rather than guesses."""


@lru_cache(maxsize=1024)
def resolve_zone(name: str) -> zoneinfo.ZoneInfo:
    if not name or name.startswith(("/", ".")) or ".." in name:
        raise UnknownZoneError(f'unknown time zone "{name}" (not an IANA zone name)')
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise UnknownZoneError(
            f'unknown time zone "{name}" (expected an IANA name such as America/New_York)'
        ) from None


_ET, _CT, _MT, _PT = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"

# States and territories. A state that spans a zone line lists every zone (general geography:
# the Florida panhandle and western Kentucky/Tennessee are Central; southwest Indiana Central;
# west Texas (El Paso) Mountain; western Kansas, Nebraska, the Dakotas Mountain; northern Idaho
# Pacific; eastern Oregon (Malheur) Mountain; Michigan's western Upper Peninsula Central;
# the Navajo Nation in Arizona observes DST; the Aleutians are on Hawaii-Aleutian time).
_US: dict[str, tuple[str, ...]] = {
    "AL": (_CT,),
    "AK": (
        "America/Adak",
        "America/Anchorage",
        "America/Juneau",
        "America/Metlakatla",
        "America/Nome",
        "America/Sitka",
        "America/Yakutat",
    ),
    "AZ": ("America/Phoenix", _MT),
    "AR": (_CT,),
    "CA": (_PT,),
    "CO": (_MT,),
    "CT": (_ET,),
    "DE": (_ET,),
    "DC": (_ET,),
    "FL": (_ET, _CT),
    "GA": (_ET,),
    "HI": ("Pacific/Honolulu",),
    "ID": ("America/Boise", _PT),
    "IL": (_CT,),
    "IN": ("America/Indiana/Indianapolis", _CT),
    "IA": (_CT,),
    "KS": (_CT, _MT),
    "KY": (_ET, "America/Kentucky/Louisville", _CT),
    "LA": (_CT,),
    "ME": (_ET,),
    "MD": (_ET,),
    "MA": (_ET,),
    "MI": ("America/Detroit", "America/Menominee"),
    "MN": (_CT,),
    "MS": (_CT,),
    "MO": (_CT,),
    "MT": (_MT,),
    "NE": (_CT, _MT),
    "NV": (_PT,),
    "NH": (_ET,),
    "NJ": (_ET,),
    "NM": (_MT,),
    "NY": (_ET,),
    "NC": (_ET,),
    "ND": (_CT, _MT),
    "OH": (_ET,),
    "OK": (_CT,),
    "OR": (_PT, "America/Boise"),
    "PA": (_ET,),
    "RI": (_ET,),
    "SC": (_ET,),
    "SD": (_CT, _MT),
    "TN": (_ET, _CT),
    "TX": (_CT, _MT),
    "UT": (_MT,),
    "VT": (_ET,),
    "VA": (_ET,),
    "WA": (_PT,),
    "WV": (_ET,),
    "WI": (_CT,),
    "WY": (_MT,),
    "PR": ("America/Puerto_Rico",),
    "VI": ("America/St_Thomas",),
    "GU": ("Pacific/Guam",),
    "AS": ("Pacific/Pago_Pago",),
    "MP": ("Pacific/Saipan",),
}
# Australia: Broken Hill (NSW) keeps South Australian time; QLD, WA and NT have no DST.
_AU: dict[str, tuple[str, ...]] = {
    "NSW": ("Australia/Sydney", "Australia/Broken_Hill"),
    "VIC": ("Australia/Melbourne",),
    "QLD": ("Australia/Brisbane",),
    "SA": ("Australia/Adelaide",),
    "WA": ("Australia/Perth",),
    "TAS": ("Australia/Hobart",),
    "NT": ("Australia/Darwin",),
    "ACT": ("Australia/Sydney",),
}
# Canada: north-western Ontario is on Central time; Québec's Magdalen Islands and its far east
# keep Atlantic time; eastern British Columbia is on Mountain time (some of it without DST).
_CA: dict[str, tuple[str, ...]] = {
    "ON": ("America/Toronto", "America/Winnipeg"),
    "QC": ("America/Toronto", "America/Halifax"),
    "BC": ("America/Vancouver", "America/Edmonton", "America/Creston", "America/Fort_Nelson"),
    "AB": ("America/Edmonton",),
    "SK": ("America/Regina", "America/Edmonton"),
    "MB": ("America/Winnipeg",),
    "NB": ("America/Moncton",),
    "NS": ("America/Halifax",),
    "PE": ("America/Halifax",),
    "NL": ("America/St_Johns", "America/Goose_Bay"),
    "YT": ("America/Whitehorse",),
    "NT": ("America/Yellowknife", "America/Inuvik"),
    "NU": ("America/Iqaluit", "America/Rankin_Inlet", "America/Cambridge_Bay"),
}
_SINGLE: dict[str, tuple[str, ...]] = {
    "GB": ("Europe/London",),
    "IE": ("Europe/Dublin",),
    "NZ": ("Pacific/Auckland",),
}
_TABLES = {"US": _US, "AU": _AU, "CA": _CA}


@lru_cache(maxsize=4096)
def zones_for_subdivision(country: str, subdivision: str | None) -> tuple[str, ...]:
    """Every zone a resident of the subdivision may be in (single-zone countries need none)."""
    code = country.upper()
    if code in _SINGLE:
        return _SINGLE[code]
    table = _TABLES.get(code)
    if table is None:
        return ()
    if subdivision is None:
        # A country that spans zones, with no state or province: the location is unknown
        # (every zone of the US or Australia would leave almost no convenient hour), so no
        # candidate is given and the engine denies, saying why.
        return ()
    return tuple(sorted(table.get(subdivision.upper(), ())))


# NANP area codes that straddle a zone line but that phonenumbers maps to one zone only (or
# to fewer than the area covers). Each adds the zones of the part it misses.
_SPLIT_AREA_CODES: dict[str, tuple[str, ...]] = {
    "850": (_CT,),  # Florida panhandle west of the Apalachicola
    "812": (_CT,),  # southwestern Indiana (Evansville)
    "219": (_CT,),  # northwestern Indiana (Gary)
    "270": (_CT, _ET),  # western Kentucky
    "364": (_CT, _ET),  # overlay of 270
    "606": (_ET, _CT),  # eastern Kentucky
    "423": (_ET, _CT),  # eastern Tennessee
    "931": (_CT, _ET),  # middle Tennessee
    "915": (_MT,),  # El Paso, Texas
    "308": (_CT, _MT),  # western Nebraska
    "605": (_CT, _MT),  # South Dakota
    "701": (_CT, _MT),  # North Dakota
    "208": ("America/Boise", _PT),  # Idaho
    "986": ("America/Boise", _PT),  # overlay of 208
    "541": (_PT, "America/Boise"),  # eastern Oregon
    "458": (_PT, "America/Boise"),  # overlay of 541
    "906": ("America/Detroit", "America/Menominee"),  # Michigan's Upper Peninsula
    "620": (_CT, _MT),  # southwestern Kansas
    "785": (_CT, _MT),  # northwestern Kansas
}
_NON_GEOGRAPHIC = frozenset(
    {
        "TOLL_FREE",
        "PREMIUM_RATE",
        "SHARED_COST",
        "UAN",
        "VOICEMAIL",
        "PERSONAL_NUMBER",
        "PAGER",
    }
)


@lru_cache(maxsize=65536)
def zones_for_phone(number: str, default_region: str | None = None) -> tuple[str, ...]:
    """Every zone the number's area may be in; () for numbers that say nothing about place.

    Non-geographic numbers (toll-free, Australian mobiles…), unparseable or invalid numbers give
    no zone: the consumer's other data must then decide, or the engine denies for want of one.
    """
    import phonenumbers
    from phonenumbers import timezone as pn_timezone

    try:
        parsed = phonenumbers.parse(number, default_region)
    except phonenumbers.NumberParseException:
        return ()
    if not phonenumbers.is_valid_number(parsed):
        return ()
    if not phonenumbers.is_number_geographical(parsed):
        # Toll-free numbers, and mobiles in countries whose mobile numbers carry no area
        # (e.g. Australia's 04), say nothing about where the consumer is.
        return ()
    zones = {z for z in pn_timezone.time_zones_for_number(parsed) if z != "Etc/Unknown"}
    if parsed.country_code == 1:
        national = str(parsed.national_number)
        zones.update(_SPLIT_AREA_CODES.get(national[:3], ()))
    return tuple(sorted(zones))


@lru_cache(maxsize=65536)
def zones_for_postal_code(country: str, postal_code: str) -> tuple[tuple[str, ...], str | None]:
    """The zones of a US ZIP code and its state, from the ``zipcodes`` package's offline data.

    A ZIP code is far more precise than a state that spans a zone line (Pensacola, FL 32501 is
    Central; Tallahassee 32301 Eastern). Unknown codes and other countries give ``((), None)``
    and the state's zones apply. The package loads its data (about half a second) on first use.
    """
    if country.upper() != "US":
        return (), None
    code = postal_code.strip()[:5]
    if len(code) != 5 or not code.isdigit():
        return (), None
    import zipcodes

    matching: Callable[[str], list[dict[str, Any]]] = zipcodes.matching
    try:
        found = matching(code)
    except (ValueError, TypeError):
        return (), None
    zones = tuple(sorted({z["timezone"] for z in found if z.get("timezone")}))
    states = {z.get("state") for z in found}
    return zones, (states.pop() if len(states) == 1 else None)
