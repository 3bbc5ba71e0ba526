"""Public-holiday calendars, from the ``holidays`` package, cached per year.

Evaluation asks "is this local date a holiday?" for every candidate zone of every contact, so
each (country, subdivision, year, categories) set is built once. ``holidays`` is imported on
first use only: it loads hundreds of modules, which plain evaluation of hour rules never needs.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from .diagnostics import did_you_mean

__all__ = [
    "UnknownCalendarError",
    "holiday_dates",
    "national_holiday_dates",
    "validate_calendar",
]


class UnknownCalendarError(ValueError):
    """A country, subdivision or category the holiday calendars do not know."""


def _supported() -> dict[str, list[str]]:
    import holidays

    return dict(holidays.list_supported_countries())


def validate_calendar(
    country: str, subdivision: str | None, categories: tuple[str, ...] = ()
) -> None:
    """Raise :class:`UnknownCalendarError`, with a suggestion, for a calendar that cannot load."""
    supported = _supported()
    code = country.upper()
    if code not in supported:
        raise UnknownCalendarError(
            f'no holiday calendar for country "{country}"{did_you_mean(country, supported)}'
        )
    subdivisions = supported[code]
    if subdivision is not None and subdivision.upper() not in {s.upper() for s in subdivisions}:
        raise UnknownCalendarError(
            f'"{subdivision}" is not a subdivision of {code} in the holiday calendars'
            f"{did_you_mean(subdivision, subdivisions)}"
        )
    if categories:
        import holidays

        known = tuple(holidays.country_holidays(code).supported_categories)
        for category in categories:
            if category not in known:
                raise UnknownCalendarError(
                    f'"{category}" is not a holiday category of {code} '
                    f"({', '.join(known)}){did_you_mean(category, known)}"
                )


@lru_cache(maxsize=1024)
def holiday_dates(
    country: str, subdivision: str | None, year: int, categories: tuple[str, ...] = ()
) -> frozenset[dt.date]:
    """The holidays (observed days included) of one calendar year."""
    import holidays

    table = holidays.country_holidays(
        country, subdiv=subdivision, years=year, categories=categories or None
    )
    return frozenset(table.keys())


@lru_cache(maxsize=256)
def national_holiday_dates(
    country: str, year: int, subdivisions: tuple[str, ...] | None = None
) -> frozenset[dt.date]:
    """Days that are holidays in every subdivision: the ACCC/ASIC guideline's "national
    public holidays" (a state-only holiday such as Melbourne Cup Day is an ordinary day)."""
    import holidays

    chosen = subdivisions or tuple(holidays.country_holidays(country).subdivisions)
    if not chosen:
        return holiday_dates(country, None, year)
    return frozenset.intersection(*(holiday_dates(country, s, year) for s in chosen))
