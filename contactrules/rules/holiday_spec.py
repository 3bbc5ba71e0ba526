"""How a rule names a holiday calendar: a country, optionally one subdivision or "national only".

Shared by ``time_window`` (a holiday is its own day type) and ``blackout`` (no contact at all).
The dates come from the ``holidays`` package, observed days included, cached per year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from ..holiday_calendar import (
    UnknownCalendarError,
    holiday_dates,
    holiday_table,
    holidays_version,
    national_holiday_dates,
    validate_calendar,
)

__all__ = ["HolidayCalendar", "NamedHolidays", "holiday_names"]


def holiday_names(
    country: str, subdivision: str | None, year: int, categories: tuple[str, ...]
) -> Mapping[dt.date, str]:
    """Date → English name for one calendar year and categories (observed days included)."""
    return holiday_table(country, subdivision, year, categories)


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
        The check costs the package's first import (about 100 ms), paid only by engines whose
        rulesets name a holiday calendar.
        """
        try:
            validate_calendar(self.country, self.subdivision, tuple(self.categories))
            for extra in self.include:
                validate_calendar(self.country, self.subdivision, tuple(extra.categories))
                known: set[str] = set()
                for year in (2024, 2025, 2026, 2027):
                    known.update(
                        holiday_names(
                            self.country, self.subdivision, year, tuple(extra.categories)
                        ).values()
                    )
                unknown = [n for n in extra.names if n not in known]
                if unknown:
                    return [
                        f"no holiday named {unknown} in {self.country}"
                        f"{'-' + self.subdivision if self.subdivision else ''} "
                        f"{extra.categories} of the installed holidays {holidays_version()}; "
                        f"names there: {sorted(known)}"
                    ]
        except UnknownCalendarError as exc:
            return [str(exc)]
        return []

    def dates(self, year: int) -> frozenset[dt.date]:
        if self.national_only:
            found = national_holiday_dates(self.country, year)
        else:
            found = holiday_dates(self.country, self.subdivision, year, tuple(self.categories))
        for extra in self.include:
            named = holiday_names(self.country, self.subdivision, year, tuple(extra.categories))
            found = found | frozenset(d for d, name in named.items() if name in extra.names)
        if self.extra_dates:
            return found | frozenset(d for d in self.extra_dates if d.year == year)
        return found

    def is_holiday(self, day: dt.date) -> bool:
        return day in self.dates(day.year)
