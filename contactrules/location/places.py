"""Country and subdivision codes: one spelling for addresses and ruleset jurisdictions.

Data feeds write Massachusetts as ``MA``, ``ma`` or the full ISO 3166-2 ``US-MA``. A ruleset for
``MA`` must bind all of them, so each is normalised once, where it enters (the ``Address`` and
``Jurisdiction`` models), to the upper-case suffix. A code that no table of the project knows is
refused there too: an address in "ZZ" would otherwise match no state ruleset and lose the state's
stricter rules without a word.

The tables are the ones the project already ships with: ``phonenumbers`` region codes (every
ISO 3166-1 alpha-2 country with a telephone plan) and the subdivisions of the zone tables
(US, CA, AU) and of the ``holidays`` calendars. A country no table divides takes no subdivision.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..diagnostics import did_you_mean
from .zones import subdivision_table

__all__ = [
    "check_country",
    "check_subdivision",
    "known_countries",
    "known_subdivisions",
    "normalise_country",
    "normalise_subdivision",
]

_ISO_SUFFIX = re.compile(r"^[A-Z0-9]{1,3}$")
# Every address is checked against these, so each country's table is built once.
_zone_subdivisions = lru_cache(maxsize=256)(subdivision_table)


def normalise_country(value: str) -> str:
    """``" us "`` → ``"US"``; anything but two letters is refused."""
    code = value.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise ValueError(f'"{value}" is not a two-letter ISO 3166 country code such as "US"')
    return code


def normalise_subdivision(country: str, value: str) -> str:
    """``"ma"``, ``" MA "`` and ``"US-MA"`` → ``"MA"`` for country ``US``.

    A prefix naming another country (``CA-ON`` on a US address) is refused rather than dropped:
    it says the address is somewhere else than its country says.
    """
    code = value.strip().upper()
    prefix, dash, suffix = code.partition("-")
    if dash:
        if prefix != country:
            raise ValueError(
                f'subdivision "{value}" is in country {prefix}, but the country is {country}; '
                f'write the subdivision as "{country}-XX" or "XX"'
            )
        code = suffix.strip()
    if not code:
        raise ValueError(f'"{value}" is not a subdivision code; write e.g. "MA" or "US-MA"')
    return code


@lru_cache(maxsize=1)
def known_countries() -> frozenset[str]:
    """Every country code some table knows: the phonenumbers regions (all of the zone tables').

    The holiday calendars are not asked: they also answer to aliases such as "UK", which no
    ruleset for GB would ever match.
    """
    import phonenumbers

    return frozenset(code for code in phonenumbers.SUPPORTED_REGIONS if len(code) == 2)


@lru_cache(maxsize=256)
def known_subdivisions(country: str) -> frozenset[str]:
    """The subdivision codes the zone tables, or else the holiday calendars, know for a country.

    Both are unioned for countries with a zone table, so a territory with holidays but no zone
    of its own (US-UM) is still a place; the engine then denies it for want of a zone.
    """
    table = _zone_subdivisions(country)
    holiday = _holiday_subdivisions().get(country, frozenset())
    return table | holiday


@lru_cache(maxsize=1)
def _holiday_subdivisions() -> dict[str, frozenset[str]]:
    import holidays

    return {
        country: frozenset(s.upper() for s in subdivisions if _ISO_SUFFIX.match(s.upper()))
        for country, subdivisions in holidays.list_supported_countries().items()
        if len(country) == 2
    }


def check_country(code: str) -> str:
    """A normalised country code that some table knows, or a ValueError saying so."""
    if code not in known_countries():
        raise ValueError(
            f'"{code}" is not a country code any table knows (ISO 3166-1 alpha-2, such as '
            f'"US", "CA", "GB"){did_you_mean(code, known_countries())}'
        )
    return code


def check_subdivision(country: str, code: str) -> str:
    """A normalised subdivision that a table knows for ``country``, or a ValueError saying so.

    The zone tables are asked first, so the usual US, Canadian and Australian codes never load
    the holiday calendars.
    """
    if code in _zone_subdivisions(country):
        return code
    known = known_subdivisions(country)
    if not known:
        raise ValueError(
            f'no table knows the subdivisions of {country}, so "{code}" cannot be checked; '
            "leave subdivision out"
        )
    if code not in known:
        raise ValueError(
            f'"{code}" is not a subdivision of {country} that any table knows (ISO 3166-2, '
            f'such as "{min(known)}" or "{country}-{min(known)}"){did_you_mean(code, known)}'
        )
    return code
