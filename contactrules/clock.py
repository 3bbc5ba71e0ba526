"""Wall-clock times of day written in rulesets and inputs as quoted ``"HH:MM"`` text.

Times are kept as text in the models (so JSON Schema and error messages show what the officer
wrote) and turned into seconds after midnight for comparisons. ``"24:00"`` is allowed as an end
meaning "until midnight". A bare number is refused with an explanation, because YAML 1.1 tools read
an unquoted ``21:00`` as the integer 1260 and a lax parser then reads that as 00:21.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

__all__ = ["ClockTime", "clock_seconds", "format_seconds"]

_HHMM = re.compile(r"(?P<h>[01][0-9]|2[0-4]):(?P<m>[0-5][0-9])(:(?P<s>[0-5][0-9]))?\Z")


def _check_clock_time(value: Any) -> Any:
    if isinstance(value, (bool, int, float)):
        raise ValueError(
            f'a time of day must be quoted text such as "21:00", not the number {value!r} '
            "(an unquoted 21:00 is read by YAML 1.1 tools as 1260)"
        )
    if not isinstance(value, str):
        raise ValueError('a time of day must be quoted text such as "08:00"')
    match = _HHMM.match(value.strip())
    if match is None:
        raise ValueError(f'"{value}" is not a time of day; write it as "HH:MM", e.g. "08:00"')
    if match["h"] == "24" and (match["m"] != "00" or (match["s"] or "00") != "00"):
        raise ValueError(f'"{value}" is past midnight; the latest time is "24:00"')
    return value.strip()


ClockTime = Annotated[
    str,
    BeforeValidator(_check_clock_time),
    Field(
        pattern=r"^([01][0-9]|2[0-4]):[0-5][0-9](:[0-5][0-9])?$",
        description='A local wall-clock time, quoted: "HH:MM" ("24:00" = end of day).',
        examples=["08:00", "21:00"],
    ),
]


@lru_cache(maxsize=4096)
def clock_seconds(value: str) -> int:
    """Seconds after local midnight for a validated ``"HH:MM[:SS]"``."""
    parts = [int(p) for p in value.split(":")]
    return parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) > 2 else 0)


def format_seconds(seconds: int) -> str:
    """Back from seconds after midnight to ``"HH:MM"`` (or ``"HH:MM:SS"``) for messages."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" if s == 0 else f"{h:02d}:{m:02d}:{s:02d}"
