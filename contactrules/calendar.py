"""Holiday calendars (provisional minimal version; replaced by the full module)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

__all__ = ["UnknownCalendarError", "holiday_dates", "national_holiday_dates", "validate_calendar"]


class UnknownCalendarError(ValueError):
    pass


def validate_calendar(
    country: str, subdivision: str | None, categories: tuple[str, ...] = ()
) -> None:
    try:
        holidays.country_holidays(country, subdiv=subdivision, years=2026)
    except Exception as exc:
        raise UnknownCalendarError(str(exc)) from None


@lru_cache(maxsize=1024)
def holiday_dates(
    country: str, subdivision: str | None, year: int, categories: tuple[str, ...] = ()
) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


@lru_cache(maxsize=256)
def national_holiday_dates(
    country: str, year: int, subdivisions: tuple[str, ...] | None = None
) -> frozenset[dt.date]:
    subs = subdivisions or tuple(holidays.country_holidays(country).subdivisions)
    sets = [holiday_dates(country, s, year) for s in subs]
    return frozenset.intersection(*sets) if sets else holiday_dates(country, None, year)
