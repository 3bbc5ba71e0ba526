"""Candidate time zones of a consumer: from states and provinces, and from phone numbers.

Where the location is uncertain the contact must be convenient in every zone the consumer may
be in (Reg F comment 6(b)(1)(i)-1; convention K4), so these functions answer with *every* zone
a place may be in, never a single guess. Zones are IANA names, never fixed UTC offsets: an
offset is right for half the year at most, and the engine needs the DST rules behind it.
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from ..errors import InputError

__all__ = [
    "UnknownZoneError",
    "normalise_city",
    "resolve_zone",
    "zones_for_city",
    "zones_for_phone",
    "zones_for_postal_code",
    "zones_for_subdivision",
]


class UnknownZoneError(InputError, ValueError):
    """A zone name the IANA database does not know; the engine denies rather than guesses."""


# Names that load from a zoneinfo directory but are not places: "localtime" is whatever the
# machine running the engine is set to, "posixrules" a build artefact, "Factory" means "not set".
# Accepting them would make a decision depend on the host rather than on the consumer.
_NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})


@lru_cache(maxsize=1024)
def resolve_zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone for an IANA name; cached because every evaluation resolves the same few names.

    Names that look like paths are refused before ``zoneinfo`` sees them, so a consumer record
    can never make the engine read an arbitrary file.
    """
    if (
        not name
        or name in _NOT_PLACES
        or name.startswith(("/", "."))
        or ".." in name
        or "\\" in name
        or "\x00" in name
    ):
        raise UnknownZoneError(f'unknown time zone "{name}" (not an IANA zone name)')
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a directory such as "America", or a name longer than the file system allows.
        raise UnknownZoneError(
            f'unknown time zone "{name}" (expected an IANA name such as America/New_York)'
        ) from None


_ET, _CT, _MT, _PT = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"
_BOISE = "America/Boise"

# United States, with the territories that have ISO 3166-2:US codes. Source of every entry
# with more than one zone: general geography (49 CFR part 71 zone boundaries and state DST law):
# - AK: Hawaii-Aleutian time west of 169°30'W (Adak); the other Alaska zones differ only in
#   history, except Metlakatla (Annette Island), which has at times kept Pacific time.
# - AZ: the state keeps standard time all year, the Navajo Nation observes DST (Denver).
# - FL: the panhandle west of the Apalachicola River is Central.
# - ID: the panhandle north of the Salmon River is Pacific, the south Mountain (Boise).
# - IN: Eastern, except the north-west (Gary) and south-west (Evansville) corners on Central.
# - KS, NE, SD, ND: the western counties are Mountain.
# - KY, TN: the western half (KY) and western two thirds (TN) are Central.
# - MI: four Upper Peninsula counties bordering Wisconsin are Central (Menominee).
# - NV: West Wendover is on Mountain time.
# - OR: most of Malheur County is Mountain (Boise).
# - TX: El Paso and Hudspeth counties are Mountain.
# Left out as pockets without a legal zone line: Phenix City, AL, keeps Eastern time by custom.
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
    "ID": (_BOISE, _PT),
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
    "NV": (_PT, _MT),
    "NH": (_ET,),
    "NJ": (_ET,),
    "NM": (_MT,),
    "NY": (_ET,),
    "NC": (_ET,),
    "ND": (_CT, _MT),
    "OH": (_ET,),
    "OK": (_CT,),
    "OR": (_PT, _BOISE),
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

# Australia. Source of the multi-zone entry: general geography. Broken Hill and the far west
# of New South Wales keep South Australian time (Australia/Broken_Hill). QLD, WA and NT keep
# standard time all year. Left out as pockets: Lord Howe Island (NSW, about 400 residents, its
# own half-hour DST) and the Eucla strip (WA, an unofficial zone); a Lord Howe landline still
# gives Australia/Lord_Howe through ``zones_for_phone``.
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

# Canada. Source of every multi-zone entry: general geography.
# - ON: north-western Ontario (Kenora, Rainy River) is Central; the communities on Eastern
#   Standard time all year (Atikokan) match Winnipeg in summer and Toronto in winter.
# - QC: the Magdalen Islands keep Atlantic time with DST; the Lower North Shore east of 63°W
#   keeps Atlantic Standard all year, which matches Toronto in summer and Halifax in winter.
# - BC: the East Kootenay (Cranbrook, Golden) is on Mountain time with DST; Creston, the Peace
#   River region (Dawson Creek, Fort St. John) and Fort Nelson keep Mountain Standard all year.
# - SK: standard time all year, except Lloydminster, which keeps Alberta's time.
# - NL: Labrador (Goose Bay) is on Atlantic time, the island on Newfoundland time.
# - NT: one rule (Mountain with DST) under two names.
# - NU: Eastern (Iqaluit), Central (Kivalliq) and Mountain (Kitikmeot) time.
# Left out as a pocket: Creighton and Denare Beach, SK, which follow Manitoba's DST.
_CA: dict[str, tuple[str, ...]] = {
    "ON": ("America/Toronto", "America/Winnipeg"),
    "QC": ("America/Toronto", "America/Halifax"),
    "BC": (
        "America/Vancouver",
        "America/Edmonton",
        "America/Creston",
        "America/Dawson_Creek",
        "America/Fort_Nelson",
    ),
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

# Countries with one zone for practical purposes: the zone is known without a subdivision.
_SINGLE: dict[str, tuple[str, ...]] = {
    "GB": ("Europe/London",),
    "IE": ("Europe/Dublin",),
    "NZ": ("Pacific/Auckland",),
}
# Subdivisions of those countries that are not in the country's zone (Chatham Islands: +45 min).
_SINGLE_EXCEPTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("NZ", "CIT"): ("Pacific/Chatham",),
}
_TABLES: dict[str, dict[str, tuple[str, ...]]] = {"US": _US, "AU": _AU, "CA": _CA}


@lru_cache(maxsize=4096)
def zones_for_subdivision(country: str, subdivision: str | None) -> tuple[str, ...]:
    """Every zone a resident of the subdivision may be in (single-zone countries need none).

    A country that spans zones, given without a subdivision, yields no zone rather than the
    union of all of them: every zone of the US or Australia would leave almost no convenient
    hour, and the engine denies saying that no zone could be derived, which tells the user
    what to add. An unknown subdivision also yields none, for the same reason.
    """
    code = country.strip().upper()
    sub = _subdivision_code(code, subdivision)
    if code in _SINGLE:
        if sub is not None and (code, sub) in _SINGLE_EXCEPTIONS:
            return _SINGLE_EXCEPTIONS[(code, sub)]
        return _SINGLE[code]
    table = _TABLES.get(code)
    if table is None or sub is None:
        return ()
    return tuple(sorted(set(table.get(sub, ()))))


def _subdivision_code(country: str, subdivision: str | None) -> str | None:
    """Accept "fl", " FL " and the full ISO 3166-2 form "US-FL" alike: data feeds mix them."""
    if subdivision is None:
        return None
    sub = subdivision.strip().upper()
    prefix = f"{country}-"
    if sub.startswith(prefix):
        sub = sub[len(prefix) :]
    return sub or None


# NANP area codes whose territory straddles a zone line (or, for 474 and 867, that
# phonenumbers maps to a zone the area does not keep). phonenumbers maps most numbers to one
# zone, by exchange where it has exchange data and by area code otherwise: 850-222 (Tallahassee)
# gives only New_York and 850-438 (Pensacola) only Chicago, 906-2xx only New_York. But numbers
# move with their owners (mobiles, ported lines), so the exchange is no proof of location, and
# every number of such an area code is given every zone of the area. Source: general geography
# (the state notes above); overlays share their parent area's territory.
_NANP_SPLIT_AREA_CODES: dict[str, tuple[str, ...]] = {
    "850": (_ET, _CT),  # Florida panhandle: Central west of the Apalachicola
    "448": (_ET, _CT),  # overlay of 850
    "812": (_ET, _CT),  # southern Indiana: Evansville corner Central
    "930": (_ET, _CT),  # overlay of 812
    "219": (_ET, _CT),  # north-western Indiana: Central; phonenumbers puts some exchanges Eastern
    "270": (_ET, _CT),  # western Kentucky, Central except its eastern edge (Elizabethtown)
    "364": (_ET, _CT),  # overlay of 270
    "606": (_ET, _CT),  # eastern Kentucky, Eastern except a few Central counties (Albany)
    "423": (_ET, _CT),  # eastern Tennessee, Eastern except Marion County (Central)
    "931": (_ET, _CT),  # middle Tennessee, Central except Cumberland County (Eastern)
    "915": (_MT,),  # El Paso: all Mountain, in a Central-time state; pinned against data drift
    "308": (_CT, _MT),  # western Nebraska: the panhandle is Mountain
    "605": (_CT, _MT),  # South Dakota: west river is Mountain
    "701": (_CT, _MT),  # North Dakota: the south-west is Mountain
    "208": (_BOISE, _PT),  # Idaho: the panhandle is Pacific
    "986": (_BOISE, _PT),  # overlay of 208
    "541": (_PT, _BOISE),  # eastern Oregon: Malheur County is Mountain
    "458": (_PT, _BOISE),  # overlay of 541
    "775": (_PT, _MT),  # northern Nevada: West Wendover is Mountain
    "906": ("America/Detroit", "America/Menominee"),  # Upper Peninsula: western edge Central
    "620": (_CT, _MT),  # southern Kansas: Hamilton and Greeley counties are Mountain
    "785": (_CT, _MT),  # northern Kansas: Sherman and Wallace counties are Mountain
    "928": ("America/Phoenix", _MT),  # northern Arizona: the Navajo Nation observes DST
    "907": _US["AK"],  # all of Alaska, the Aleutians included
    "807": ("America/Toronto", "America/Winnipeg"),  # north-western Ontario: Kenora Central
    "418": ("America/Toronto", "America/Halifax"),  # eastern Quebec: Magdalen Islands Atlantic
    "581": ("America/Toronto", "America/Halifax"),  # overlay of 418
    "367": ("America/Toronto", "America/Halifax"),  # overlay of 418
    "250": _CA["BC"],  # British Columbia outside Vancouver: the Kootenays and Peace River
    "778": _CA["BC"],  # province-wide overlay
    "236": _CA["BC"],  # province-wide overlay
    "672": _CA["BC"],  # province-wide overlay
    # Yukon, Northwest Territories and Nunavut: phonenumbers gives Whitehorse exchanges
    # America/Vancouver, but the Yukon has kept UTC-7 all year since 2020 (America/Whitehorse).
    "867": tuple(sorted({*_CA["YT"], *_CA["NT"], *_CA["NU"]})),
    # Saskatchewan overlay that phonenumbers gives America/Winnipeg (with DST); the province
    # keeps Central Standard all year. Not a zone line: a data gap filled the same way.
    "474": ("America/Regina",),
}

# Whole country codes whose geographic numbers phonenumbers gives another country's zone
# names: Irish landlines come back as Europe/London, Guernsey and Isle_of_Man (same offsets,
# wrong place). The union keeps those and adds the right one, so a decision names it.
_COUNTRY_CODE_ZONES: dict[int, tuple[str, ...]] = {
    353: ("Europe/Dublin",),
}


@lru_cache(maxsize=65536)
def zones_for_phone(number: str, default_region: str | None = None) -> tuple[str, ...]:
    """Every zone the number's area may be in; () for numbers that say nothing about place.

    Non-geographic numbers give no zone: toll-free, premium-rate, shared-cost, UAN, VoIP and
    personal numbers, and mobiles in countries whose mobile numbers carry no area (an
    Australian 04, a British 07). phonenumbers would answer those with every zone of the
    country (all of North America for a US toll-free number), which would leave no convenient
    hour; the consumer's other data must decide, or the engine denies for want of a zone.
    Unparseable or invalid numbers give none either.
    """
    # Imported here, not at module level: phonenumbers loads large tables, which evaluation
    # that never sees a phone number should not pay for at start-up.
    import phonenumbers
    from phonenumbers import timezone as pn_timezone

    try:
        parsed = phonenumbers.parse(number, default_region)
    except phonenumbers.NumberParseException:
        return ()
    if not phonenumbers.is_valid_number(parsed):
        return ()
    if not phonenumbers.is_number_geographical(parsed):
        return ()
    zones = {z for z in pn_timezone.time_zones_for_number(parsed) if z != "Etc/Unknown"}
    if not zones:
        return ()
    if parsed.country_code == 1:
        area_code = str(parsed.national_number)[:3]
        zones.update(_NANP_SPLIT_AREA_CODES.get(area_code, ()))
    if parsed.country_code is not None:
        zones.update(_COUNTRY_CODE_ZONES.get(parsed.country_code, ()))
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
    zones = tuple(sorted({zone for row in found for zone in _zip_row_zones(row) if zone}))
    states = {z.get("state") for z in found}
    return zones, (states.pop() if len(states) == 1 else None)


def _zip_row_zones(row: Mapping[str, Any]) -> tuple[str, ...]:
    """A ``zipcodes`` row's zone, or the cited correction while the row still says it wrongly."""
    from .city_zones import ZIP_CORRECTIONS  # the cited data, loaded with the ZIP data

    zone = row.get("timezone") or ""
    fix = ZIP_CORRECTIONS.get(str(row.get("zip_code")))
    if fix is not None and fix.state == row.get("state") and fix.data_zone == zone:
        return fix.zones
    return (str(zone),)


# Abbreviations people write in place names, one word each: "St. Petersburg", "Ft Myers",
# "Mt. Dora", "W Palm Beach", "Sault Ste. Marie".
_CITY_WORDS = {
    "st": "saint",
    "ste": "sainte",
    "ft": "fort",
    "mt": "mount",
    "mtn": "mountain",
    "pt": "point",
    "pte": "pointe",
    "hts": "heights",
    "spg": "springs",
    "spgs": "springs",
    "jct": "junction",
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
}
_APOSTROPHES = re.compile("['\u2018\u2019\u02bc`]")
_WORD = re.compile(r"[a-z0-9]+")


def normalise_city(name: str) -> str:
    """One key for every way of writing a place: "Ft. Walton Beach" and "FORT WALTON  BEACH".

    Letter case, accents, punctuation and spacing are dropped (so "O'Fallon", "O Fallon" and
    "OFallon" meet, as do "Montréal" and "Montreal") and common abbreviations are spelled out.
    Two names that meet only here merge their zones, which can only widen a result.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    words = _WORD.findall(_APOSTROPHES.sub("", text))
    return "".join(_CITY_WORDS.get(word, word) for word in words)


@lru_cache(maxsize=4096)
def zones_for_city(country: str, subdivision: str | None, city: str | None) -> tuple[str, ...]:
    """The zones of a city, which are always some of its state's or province's, never more.

    A state that spans zones (Florida: Eastern and Central) narrows to the zones an offline
    table gives the city (Pensacola: Central), when the table knows the name. A name the table
    does not know, or for which it gives a zone outside the state's own list, gives every zone
    of the state, as without a city. A name shared by towns in different zones gives all of
    their zones. US cities come from the ``zipcodes`` data (every ZIP code's city and
    alternative names), others from the cited table in ``city_zones``.
    """
    whole = zones_for_subdivision(country, subdivision)
    if len(whole) < 2 or not city:
        return whole
    code = country.strip().upper()
    sub = _subdivision_code(code, subdivision)
    key = normalise_city(city)
    if sub is None or not key:
        return whole
    found = _city_index(code, sub).get(key)
    if not found or not found <= set(whole):
        return whole
    return tuple(sorted(found))


@lru_cache(maxsize=64)
def _city_index(country: str, subdivision: str) -> Mapping[str, frozenset[str]]:
    """Every known name of a place in the subdivision, normalised, with all of its zones.

    Built on first use per subdivision, because reading the ZIP data takes about a third of a
    second, which starting the engine should not pay.
    """
    from .city_zones import CITY_ZONES

    index: dict[str, set[str]] = {}
    for entry in CITY_ZONES.get((country, subdivision), ()):
        for name in entry.names:
            index.setdefault(normalise_city(name), set()).update(entry.zones)
    if country == "US":
        for name, zones in _zip_city_names(subdivision):
            index.setdefault(name, set()).update(zones)
    return {name: frozenset(zones) for name, zones in index.items() if name}


def _zip_city_names(state: str) -> list[tuple[str, tuple[str, ...]]]:
    """(normalised name, zones) for each name of each ZIP code of a state.

    A row's city, its acceptable alternatives (e.g. "St Augustine") and the names USPS calls
    unacceptable for it are all places inside the ZIP code, so each gets the row's zone; a
    row without a zone gives "" which, being no zone of the state, makes its names fall back.
    """
    try:
        import zipcodes

        filter_by: Callable[..., list[dict[str, Any]]] = zipcodes.filter_by
        rows = filter_by(state=state)
    except Exception:  # data that cannot be read only costs the narrowing, never safety
        return []
    out: list[tuple[str, tuple[str, ...]]] = []
    for row in rows:
        zones = _zip_row_zones(row)
        names = [row.get("city"), *(row.get("acceptable_cities") or ())]
        names.extend(row.get("unacceptable_cities") or ())
        out.extend((normalise_city(n), zones) for n in names if isinstance(n, str))
    return out


def subdivision_table(country: str) -> frozenset[str]:
    """The subdivision codes the zone tables above know for a country (empty: no table).

    Input validation uses it to tell a real state or province from a typo such as "ZZ" before
    the engine is asked, so the typo is an error rather than a silently missing zone.
    """
    return frozenset(_TABLES.get(country.strip().upper(), {}))
