"""How a rule names a holiday calendar: a country, optionally one subdivision or "national only".

Shared by ``time_window`` (a holiday is its own day type) and ``blackout`` (no contact at all).
The dates come from the ``holidays`` package, observed days included, cached per year.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from ..calendar import (
    UnknownCalendarError,
    holiday_dates,
    national_holiday_dates,
    validate_calendar,
)

__all__ = ["HolidayCalendar"]


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

    @model_validator(mode="after")
    def _calendar_exists(self) -> HolidayCalendar:
        try:
            validate_calendar(self.country, self.subdivision, tuple(self.categories))
        except UnknownCalendarError as exc:
            raise ValueError(str(exc)) from None
        return self

    def dates(self, year: int) -> frozenset[dt.date]:
        if self.national_only:
            found = national_holiday_dates(self.country, year)
        else:
            found = holiday_dates(self.country, self.subdivision, year, tuple(self.categories))
        if self.extra_dates:
            return found | frozenset(d for d in self.extra_dates if d.year == year)
        return found

    def is_holiday(self, day: dt.date) -> bool:
        return day in self.dates(day.year)
