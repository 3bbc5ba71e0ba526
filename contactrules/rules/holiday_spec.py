"""How a rule names a holiday calendar: a country, optionally one subdivision or "national only".

Shared by ``time_window`` (a holiday is its own day type) and ``blackout`` (no contact at all).
The dates come from the ``holidays`` package, observed days included, cached per year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from ..holiday_calendar import (
    UnknownCalendarError,
    holiday_dates,
    holiday_table,
    holidays_version,
    known_holiday_table,
    national_holiday_dates,
    validate_calendar,
)

__all__ = ["HolidayCalendar", "NamedHolidays", "holiday_names"]


def holiday_names(
    country: str, subdivision: str | None, year: int, categories: tuple[str, ...]
) -> Mapping[dt.date, str]:
    """Date → English name for one calendar year and categories (observed days included), as
    the load-time check reads it: remembered per ``holidays`` release, so that an engine whose
    calendars were checked before loads without importing the package."""
    return known_holiday_table(country, subdivision, year, categories)


class NamedHolidays(BaseModel):
    """Holidays taken by name from other categories of the same calendar.

    Laws define "holiday" in their own words: Ontario's Legislation Act counts Easter Monday
    and Remembrance Day, which the ``holidays`` package files under "optional" beside the
    Civic Holiday, which the Act does not count. Taking them by name keeps every year right.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    categories: list[str] = Field(min_length=1, description="holidays categories to look in.")
    names: list[str] = Field(min_length=1, description='English names, e.g. "Easter Monday".')


class HolidayCalendar(BaseModel):
    """A public-holiday calendar, e.g. ``{country: CA, subdivision: ON}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2.")
    subdivision: str | None = Field(default=None, description="ISO 3166-2 suffix, e.g. ON.")
    national_only: StrictBool = Field(
        default=False,
        description="Only days that are holidays in every subdivision (AU 'national' holidays).",
    )
    categories: list[str] = Field(default_factory=list, description="holidays categories.")
    extra_dates: list[dt.date] = Field(default_factory=list, description="Dates added by hand.")
    include: list[NamedHolidays] = Field(
        default_factory=list, description="Holidays added by name from other categories."
    )

    def problems(self) -> list[str]:
        """Why the calendar cannot be used (unknown country, subdivision, category, name).

        Checked when an engine loads, not only by ``contactrules check``: at evaluation a name
        the installed ``holidays`` does not know matches no day, so its holiday would pass as
        an ordinary day and allow contacts the law forbids (``holidays`` before 0.101 files
        Ontario's Easter Monday and Remembrance Day under no category the ruleset names).
        The package's answers are remembered per release (:mod:`contactrules.calendar_cache`):
        importing it costs 60–150 ms, more than the rest of loading.
        """
        try:
            validate_calendar(self.country, self.subdivision, tuple(self.categories))
            for extra in self.include:
                validate_calendar(self.country, self.subdivision, tuple(extra.categories))
                problem = _unknown_names(self.country, self.subdivision, extra, holiday_names)
                if problem is not None:
                    return [problem]
        except UnknownCalendarError as exc:
            return [str(exc)]
        return []

    def dates(self, year: int) -> frozenset[dt.date]:
        if self.national_only:
            found = national_holiday_dates(self.country, year)
        else:
            found = holiday_dates(self.country, self.subdivision, year, tuple(self.categories))
        for extra in self.include:
            # Evaluation asks the package itself, never the check's remembered answers, and
            # repeats the name check against it once: should a remembered answer ever be wrong,
            # a rule taking a name the package lacks denies instead of matching no day.
            problem = _live_unknown_names(
                self.country, self.subdivision, tuple(extra.categories), tuple(extra.names)
            )
            if problem is not None:
                raise UnknownCalendarError(problem)
            named = holiday_table(self.country, self.subdivision, year, tuple(extra.categories))
            found = found | frozenset(d for d, name in named.items() if name in extra.names)
        if self.extra_dates:
            return found | frozenset(d for d in self.extra_dates if d.year == year)
        return found

    def is_holiday(self, day: dt.date) -> bool:
        return day in self.dates(day.year)


# Names are looked for over several years: a holiday may be moved, or skipped in a year.
_NAME_CHECK_YEARS = (2024, 2025, 2026, 2027)


def _unknown_names(
    country: str,
    subdivision: str | None,
    extra: NamedHolidays,
    names_of: Callable[[str, str | None, int, tuple[str, ...]], Mapping[dt.date, str]],
) -> str | None:
    """Why ``extra`` names a holiday that ``names_of``'s tables lack, or None."""
    known: set[str] = set()
    for year in _NAME_CHECK_YEARS:
        known.update(names_of(country, subdivision, year, tuple(extra.categories)).values())
    unknown = [n for n in extra.names if n not in known]
    if not unknown:
        return None
    return (
        f"no holiday named {unknown} in {country}"
        f"{'-' + subdivision if subdivision else ''} "
        f"{extra.categories} of the installed holidays {holidays_version()}; "
        f"names there: {sorted(known)}"
    )


@lru_cache(maxsize=256)
def _live_unknown_names(
    country: str, subdivision: str | None, categories: tuple[str, ...], names: tuple[str, ...]
) -> str | None:
    extra = NamedHolidays(categories=list(categories), names=list(names))
    return _unknown_names(country, subdivision, extra, holiday_table)
