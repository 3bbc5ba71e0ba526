"""Public-holiday calendars, from the ``holidays`` package, cached per year.

Evaluation asks "is this local date a holiday?" for every candidate zone of every contact, so
each (country, subdivision, year, categories) table is built once. ``holidays`` is imported on
first use only: it loads hundreds of modules, which plain evaluation of hour rules never needs.

Every entry point takes names as people write them ("on", "Ontario", "AUS") and reduces them
to the package's canonical codes first, so that a spelling the package would reject with a
``NotImplementedError`` is either understood or refused with :class:`UnknownCalendarError`,
and so that two spellings of one calendar share one cache entry.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from .calendar_cache import default_cache
from .diagnostics import did_you_mean
from .errors import InputError

__all__ = [
    "UnknownCalendarError",
    "holiday_dates",
    "holiday_name",
    "holiday_table",
    "holidays_version",
    "known_holiday_table",
    "national_holiday_dates",
    "validate_calendar",
]

# Holiday names are given in English whatever the country's own language, because rulesets
# and explanations are written in English; the package falls back to the country's default
# language where it has no English names.
_NAME_LANGUAGE = "en_US"


class UnknownCalendarError(InputError, ValueError):
    """A country, subdivision or category the holiday calendars do not know."""


@dataclass(frozen=True)
class _Country:
    """What the package knows about one country, read once from an empty calendar."""

    code: str
    subdivisions: tuple[str, ...]
    aliases: Mapping[str, str]
    categories: tuple[str, ...]


def holidays_version() -> str:
    """The installed ``holidays`` release, named in messages: its names change between releases."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("holidays")
    except PackageNotFoundError:  # imported from a source tree, not installed
        return "(version unknown)"


@lru_cache(maxsize=2)
def _codes(include_aliases: bool) -> tuple[str, ...]:
    """Country codes the package has a calendar for, read from its registry.

    The registry is a table of names; ``holidays.list_supported_countries`` would instead
    import every one of the package's ~250 country modules (about 75 ms) to list subdivisions
    nobody asked about, and every engine whose rulesets name a calendar would pay for it.
    ``include_aliases``: the package also answers to "UK", "AUS", "USA"…, so the check does too.
    """
    from holidays.registry import EntityLoader

    return tuple(EntityLoader.get_country_codes(include_aliases=include_aliases))


def _alpha2_codes() -> tuple[str, ...]:
    """Suggestions are drawn from two-letter codes only: the ones rulesets are written with."""
    return _codes(False)


@lru_cache(maxsize=512)
def _country(country: str) -> _Country:
    code = country.strip().upper()
    if code not in _codes(True):
        raise UnknownCalendarError(
            f'no holiday calendar for country "{country}"{did_you_mean(code, _alpha2_codes())}'
        )
    import holidays

    empty = holidays.country_holidays(code)
    return _Country(
        code=str(empty.country),
        subdivisions=tuple(empty.subdivisions),
        aliases=MappingProxyType(dict(getattr(empty, "subdivisions_aliases", {}) or {})),
        categories=tuple(empty.supported_categories),
    )


def _subdivision(info: _Country, subdivision: str | None) -> str | None:
    return None if subdivision is None else _subdivision_code(info, subdivision)


def _subdivision_code(info: _Country, subdivision: str) -> str:
    """The package's code for a subdivision given as a code or a name, in any letter case.

    The package itself matches case-sensitively ("on" is refused, "ON" accepted); data feeds
    and ruleset authors are not that careful, and "ON", "on" and "Ontario" mean one place.
    """
    wanted = subdivision.strip()
    prefix = f"{info.code}-"
    if wanted.upper().startswith(prefix):
        wanted = wanted[len(prefix) :]  # the full ISO 3166-2 form, "CA-ON"
    folded = wanted.casefold()
    for code in info.subdivisions:
        if code.casefold() == folded:
            return code
    for alias, code in info.aliases.items():
        if alias.casefold() == folded:
            return code
    raise UnknownCalendarError(
        f'"{subdivision}" is not a subdivision of {info.code} in the holiday calendars '
        f"(known: {', '.join(info.subdivisions)})"
        f"{did_you_mean(wanted, (*info.subdivisions, *info.aliases))}"
    )


def _categories(info: _Country, categories: tuple[str, ...]) -> tuple[str, ...]:
    """Lower-cased, de-duplicated and sorted, so that order does not split the cache."""
    chosen: set[str] = set()
    for category in categories:
        folded = category.strip().lower()
        if folded not in info.categories:
            raise UnknownCalendarError(
                f'"{category}" is not a holiday category of {info.code} '
                f"(known: {', '.join(info.categories)})"
                f"{did_you_mean(folded, info.categories)}"
            )
        chosen.add(folded)
    return tuple(sorted(chosen))


def _canonical(
    country: str, subdivision: str | None, categories: tuple[str, ...]
) -> tuple[str, str | None, tuple[str, ...]]:
    info = _country(country)
    return info.code, _subdivision(info, subdivision), _categories(info, categories)


def validate_calendar(
    country: str, subdivision: str | None, categories: tuple[str, ...] = ()
) -> None:
    """Raise :class:`UnknownCalendarError`, with a suggestion, for a calendar that cannot load.

    Run when an engine loads and by ``contactrules check``/``test`` so that a misspelt calendar
    is reported where the ruleset is written rather than denying every contact at evaluation
    time. A calendar this ``holidays`` release accepted before is taken from
    :mod:`.calendar_cache` (importing the package costs more than the rest of loading); a
    refusal is always the package's own.
    """
    key = _cache_key("calendar", country, subdivision, categories)
    cache = default_cache(_NAME_LANGUAGE)
    if cache.get(key) is True:
        return
    _canonical(country, subdivision, categories)
    cache.put(key, True)


def known_holiday_table(
    country: str, subdivision: str | None, year: int, categories: tuple[str, ...] = ()
) -> Mapping[dt.date, str]:
    """:func:`holiday_table` as the load-time check sees it: remembered per ``holidays`` release.

    Only the check reads it (see :mod:`.calendar_cache`); evaluation always asks the package.
    """
    key = _cache_key("names", country, subdivision, categories, year)
    cache = default_cache(_NAME_LANGUAGE)
    stored = _decode_table(cache.get(key))
    if stored is not None:
        return stored
    table = holiday_table(country, subdivision, year, categories)
    cache.put(key, {day.isoformat(): name for day, name in table.items()})
    return table


def _cache_key(kind: str, *parts: object) -> str:
    return json.dumps([kind, *parts], separators=(",", ":"))


def _decode_table(value: object) -> Mapping[dt.date, str] | None:
    """A stored table, or None for anything that is not one (then the package is asked)."""
    if not isinstance(value, dict):
        return None
    try:
        table = {dt.date.fromisoformat(day): name for day, name in value.items()}
    except (TypeError, ValueError):
        return None
    if not all(isinstance(name, str) for name in table.values()):
        return None
    return MappingProxyType(table)


@lru_cache(maxsize=1024)
def _names(
    country: str, subdivision: str | None, year: int, categories: tuple[str, ...]
) -> Mapping[dt.date, str]:
    """One year of one canonical calendar, date → name, observed days included."""
    import holidays

    try:
        table = holidays.country_holidays(
            country,
            subdiv=subdivision,
            years=year,
            categories=categories or None,
            language=_NAME_LANGUAGE,
        )
        # The package builds a year lazily; reading it here keeps its errors inside the try.
        return MappingProxyType(dict(table.items()))
    except (NotImplementedError, KeyError, ValueError) as exc:
        # Canonical names were checked, so this is the package refusing something else
        # (a newer release dropping a subdivision, say): still a calendar that cannot load.
        raise UnknownCalendarError(f"holiday calendar {country}/{subdivision}: {exc}") from exc


@lru_cache(maxsize=1024)
def holiday_dates(
    country: str, subdivision: str | None, year: int, categories: tuple[str, ...] = ()
) -> frozenset[dt.date]:
    """The holidays (observed days included) of one calendar year.

    Observed days count because that is the day offices close: when a holiday falls on a
    weekend, the weekday that replaces it is the one a consumer has off.
    Raises :class:`UnknownCalendarError` for a calendar that cannot load.
    """
    return frozenset(_names(*_year_key(country, subdivision, year, categories)))


def holiday_name(
    country: str, subdivision: str | None, day: dt.date, categories: tuple[str, ...] = ()
) -> str | None:
    """The English name of the holiday on ``day``, or None on an ordinary day.

    For explanations: a denial that says "Boxing Day (observed)" can be checked by a person,
    one that says "holiday" cannot. Several holidays on one day come back joined by "; ".
    """
    return _names(*_year_key(country, subdivision, day.year, categories)).get(day)


def holiday_table(
    country: str, subdivision: str | None, year: int, categories: tuple[str, ...] = ()
) -> Mapping[dt.date, str]:
    """Date → English name for one year of a calendar, names spelt as people write them."""
    return _names(*_year_key(country, subdivision, year, categories))


def _year_key(
    country: str, subdivision: str | None, year: int, categories: tuple[str, ...]
) -> tuple[str, str | None, int, tuple[str, ...]]:
    code, sub, cats = _canonical(country, subdivision, categories)
    return code, sub, year, cats


@lru_cache(maxsize=256)
def national_holiday_dates(
    country: str, year: int, subdivisions: tuple[str, ...] | None = None
) -> frozenset[dt.date]:
    """Days that are holidays in every subdivision: the ACCC/ASIC guideline's "national
    public holidays" (a state-only holiday such as Melbourne Cup Day is an ordinary day).

    The intersection is taken over the subdivisions' own calendars rather than the package's
    country-level one, whose idea of "national" may differ from "everywhere", e.g. where a
    state moves a weekend holiday to another day. ``subdivisions`` narrows the set; None or an
    empty tuple means all of them (the intersection of no calendar would be every day).
    """
    info = _country(country)
    chosen = (
        tuple(dict.fromkeys(_subdivision_code(info, s) for s in subdivisions))
        if subdivisions
        else info.subdivisions
    )
    if not chosen:
        return holiday_dates(info.code, None, year)
    return frozenset.intersection(*(holiday_dates(info.code, s, year) for s in chosen))
