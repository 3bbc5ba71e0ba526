"""Candidate time zones (provisional minimal version; replaced by the full tables)."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

import phonenumbers
from phonenumbers import timezone as pn_timezone

__all__ = ["UnknownZoneError", "resolve_zone", "zones_for_phone", "zones_for_subdivision"]


class UnknownZoneError(ValueError):
    pass


@lru_cache(maxsize=512)
def resolve_zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise UnknownZoneError(f'unknown time zone "{name}"') from None


_TABLE = {
    ("US", "MA"): ("America/New_York",),
    ("US", "CA"): ("America/Los_Angeles",),
    ("US", "TX"): ("America/Chicago", "America/Denver"),
    ("US", "FL"): ("America/Chicago", "America/New_York"),
    ("US", "IL"): ("America/Chicago",),
    ("US", "NY"): ("America/New_York",),
}


def zones_for_subdivision(country: str, subdivision: str | None) -> tuple[str, ...]:
    return _TABLE.get((country.upper(), (subdivision or "").upper()), ())


def zones_for_phone(number: str, default_region: str | None = None) -> tuple[str, ...]:
    try:
        parsed = phonenumbers.parse(number, default_region)
    except phonenumbers.NumberParseException:
        return ()
    zones = [z for z in pn_timezone.time_zones_for_number(parsed) if z != "Etc/Unknown"]
    return tuple(sorted(zones)) if len(zones) < 5 else ()
