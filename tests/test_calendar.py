"""Holiday calendars: the right days, "national" read as "in every state", clear errors."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import check_assumed_version

from contactrules import Engine, RulesetError
from contactrules.holiday_calendar import (
    UnknownCalendarError,
    holiday_dates,
    holiday_name,
    national_holiday_dates,
    validate_calendar,
)
from contactrules.rules import holiday_spec

# The names and days below are those of holidays 0.101, the first release that files Ontario's
# Easter Monday and Remembrance Day under "optional".
pytestmark = pytest.mark.assumes("holidays", "0.101")

D = dt.date


@pytest.mark.parametrize(
    ("country", "subdivision", "day", "expected"),
    [
        ("CA", "ON", D(2026, 12, 25), True),
        ("CA", "ON", D(2026, 2, 16), True),  # Family Day
        ("CA", "ON", D(2026, 8, 3), False),  # Civic Holiday is not public in Ontario
        ("CA", "on", D(2026, 12, 25), True),  # the package itself refuses "on"
        ("CA", "Ontario", D(2026, 12, 25), True),
        ("CA", "CA-ON", D(2026, 12, 25), True),
        ("AU", "VIC", D(2026, 11, 3), True),  # Melbourne Cup Day
        ("AU", "NSW", D(2026, 11, 3), False),
        ("AU", "NSW", D(2026, 4, 27), True),  # Anzac Day on a Saturday, observed Monday
        ("US", "NY", D(2026, 7, 3), True),  # Independence Day on a Saturday, observed Friday
        ("US", "MA", D(2026, 7, 3), False),  # Massachusetts does not move Saturday holidays
        ("US", "MA", D(2026, 4, 20), True),  # Patriots' Day
        ("US", None, D(2026, 4, 20), False),
        ("GB", "ENG", D(2026, 12, 28), True),  # Boxing Day substitute
        ("GB", "SCT", D(2026, 1, 2), True),
        ("GB", "ENG", D(2026, 1, 2), False),
        ("UK", None, D(2026, 12, 25), True),  # the package's alias for GB
        ("au", "vic", D(2026, 11, 3), True),
    ],
)
def test_holiday_dates(country: str, subdivision: str | None, day: dt.date, expected: bool) -> None:
    assert (day in holiday_dates(country, subdivision, day.year)) is expected


def test_categories_add_days_and_order_does_not_matter() -> None:
    public = holiday_dates("CA", "ON", 2026)
    both = holiday_dates("CA", "ON", 2026, ("public", "optional"))
    assert D(2026, 11, 11) not in public  # Remembrance Day
    assert D(2026, 11, 11) in holiday_dates("CA", "ON", 2026, ("optional",))
    assert public < both
    assert holiday_dates("CA", "ON", 2026, ("optional", "public")) == both


def test_results_are_cached_and_immutable() -> None:
    first = holiday_dates("AU", "VIC", 2026)
    assert holiday_dates("AU", "VIC", 2026) is first
    assert isinstance(first, frozenset)


@pytest.mark.parametrize(
    ("country", "subdivision", "day", "expected"),
    [
        ("CA", "ON", D(2026, 12, 25), "Christmas Day"),
        ("CA", "ON", D(2026, 12, 28), "Boxing Day (observed)"),
        ("AU", "VIC", D(2026, 11, 3), "Melbourne Cup Day"),
        ("DE", "BE", D(2026, 10, 3), "German Unity Day"),  # English, not the German name
        ("CA", "ON", D(2026, 12, 24), None),
    ],
)
def test_holiday_name(country: str, subdivision: str, day: dt.date, expected: str | None) -> None:
    assert holiday_name(country, subdivision, day) == expected


@pytest.mark.parametrize(
    ("day", "national"),
    [
        (D(2026, 1, 1), True),
        (D(2026, 1, 26), True),  # Australia Day
        (D(2026, 4, 3), True),  # Good Friday
        (D(2026, 4, 25), True),  # Anzac Day
        (D(2026, 12, 25), True),
        (D(2026, 12, 28), True),  # Boxing Day: Tasmania keeps it on the Monday, others observe
        (D(2026, 12, 26), False),  # ... so the Saturday itself is not a holiday everywhere
        (D(2026, 4, 27), False),  # Anzac Day observed: only ACT, NSW and WA
        (D(2026, 6, 8), False),  # King's Birthday: not in Queensland or WA on that day
        (D(2026, 9, 28), False),  # King's Birthday in WA only
        (D(2026, 10, 5), False),  # King's Birthday in Queensland, Labour Day elsewhere
        (D(2026, 11, 3), False),  # Melbourne Cup Day: Victoria only
        (D(2026, 3, 9), False),  # Labour Day (VIC), Canberra Day, Adelaide Cup…
    ],
)
def test_australian_national_holidays_are_those_of_every_state(
    day: dt.date, national: bool
) -> None:
    assert (day in national_holiday_dates("AU", 2026)) is national


def test_national_holidays_over_a_subset_and_without_subdivisions() -> None:
    assert D(2026, 4, 27) in national_holiday_dates("AU", 2026, ("NSW", "wa", "ACT"))
    assert D(2026, 4, 27) not in national_holiday_dates("AU", 2026, ("NSW", "VIC"))
    assert national_holiday_dates("AU", 2026, ()) == national_holiday_dates("AU", 2026)
    # A country without subdivisions: its own calendar.
    assert national_holiday_dates("IS", 2026) == holiday_dates("IS", None, 2026)


@pytest.mark.parametrize(
    ("country", "subdivision", "categories"),
    [
        ("AU", None, ()),
        ("AU", "VIC", ()),
        ("AU", "New South Wales", ()),
        ("CA", "on", ("optional",)),
        ("UK", None, ()),
        ("AUS", None, ()),  # the package answers to alpha-3 codes too
        ("US", "MA", ("PUBLIC",)),
    ],
)
def test_validate_calendar_accepts(
    country: str, subdivision: str | None, categories: tuple[str, ...]
) -> None:
    validate_calendar(country, subdivision, categories)


@pytest.mark.parametrize(
    ("country", "subdivision", "categories", "message"),
    [
        ("AX1", None, (), 'country "AX1"'),
        ("ZZ", None, (), 'country "ZZ"'),
        ("AU", "VIX", (), 'did you mean "VIC"'),
        ("AU", "Victorai", (), 'did you mean "Victoria"'),
        ("CA", "ONT", (), 'did you mean "ON"'),
        ("US", "MA", ("pubic",), 'did you mean "public"'),
        ("GB", "England and Wales", (), '"England and Wales" is not a subdivision of GB'),
    ],
)
def test_validate_calendar_refuses_with_a_suggestion(
    country: str, subdivision: str | None, categories: tuple[str, ...], message: str
) -> None:
    with pytest.raises(UnknownCalendarError, match=message):
        validate_calendar(country, subdivision, categories)


def test_a_misspelt_country_is_suggested() -> None:
    with pytest.raises(UnknownCalendarError, match='did you mean "AU"'):
        validate_calendar("AU.", None)


@pytest.mark.parametrize(
    "call",
    [
        lambda: holiday_dates("XX", None, 2026),
        lambda: holiday_dates("AU", "VIX", 2026),
        lambda: holiday_dates("AU", None, 2026, ("bogus",)),
        lambda: holiday_name("XX", None, D(2026, 1, 1)),
        lambda: national_holiday_dates("XX", 2026),
        lambda: national_holiday_dates("AU", 2026, ("VIX",)),
    ],
    ids=["country", "subdivision", "category", "name", "national", "national-subset"],
)
def test_library_errors_become_unknown_calendar_errors(call: Callable[[], object]) -> None:
    with pytest.raises(UnknownCalendarError):
        call()


# --- a holiday a ruleset names must exist in the installed package (never a silent skip) ------
NAMED_HOLIDAYS = """\
ruleset: named-holidays
title: No contact on two Ontario holidays taken by name
jurisdiction: {country: CA, subdivision: "ON"}
rules:
  - id: R1
    kind: blackout
    channels: [call]
    holidays:
      country: CA
      subdivision: "ON"
      include:
        - {categories: [optional], names: [%s]}
    citation: test
"""


def _ruleset(tmp_path: Path, names: str) -> Path:
    path = tmp_path / "named.yaml"
    path.write_text(NAMED_HOLIDAYS % names, encoding="utf-8")
    return path


def test_known_holiday_names_load() -> None:
    rule = holiday_spec.HolidayCalendar(
        country="CA",
        subdivision="ON",
        include=[holiday_spec.NamedHolidays(categories=["optional"], names=["Easter Monday"])],
    )
    assert rule.problems() == []
    assert D(2026, 4, 6) in rule.dates(2026)


def test_an_unknown_holiday_name_is_a_located_error_when_the_engine_loads(tmp_path: Path) -> None:
    path = _ruleset(tmp_path, "Easter Monday, Remembrance Dya")
    with pytest.raises(RulesetError) as caught:
        Engine.from_path(path)
    (problem,) = caught.value.diagnostics
    assert (problem.code, problem.location.path) == ("ruleset.unknown-calendar", str(path))
    assert (problem.location.line, problem.location.col) == (5, 5)  # the rule
    assert "Remembrance Dya" in problem.message
    assert f"holidays {importlib.metadata.version('holidays')}" in problem.message


def test_an_unknown_holiday_name_is_reported_by_check(tmp_path: Path) -> None:
    path = _ruleset(tmp_path, "Easter Munday")
    result = subprocess.run(
        [sys.executable, "-m", "contactrules.cli", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{path}:5:5: error ruleset.unknown-calendar " in result.stdout
    assert "Easter Munday" in result.stdout


def test_the_bundled_rulesets_refuse_a_holidays_release_without_their_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """holidays 0.50-0.100 had no Easter Monday or Remembrance Day among Ontario's "optional"
    holidays: the engine loaded and Ontario calls on those days were allowed."""
    real = holiday_spec.holiday_names

    def older_release(
        country: str, subdivision: str | None, year: int, categories: tuple[str, ...]
    ) -> dict[dt.date, str]:
        table = real(country, subdivision, year, categories)
        return {day: name for day, name in table.items() if name != "Remembrance Day"}

    monkeypatch.setattr(holiday_spec, "holiday_names", older_release)
    with pytest.raises(RulesetError) as caught:
        Engine.default()
    assert {(p.code, p.location.path) for p in caught.value.diagnostics} == {
        ("ruleset.unknown-calendar", "rulesets/ca/on.yaml")
    }
    assert "Remembrance Day" in str(caught.value)


def test_a_test_that_assumes_a_newer_data_release_says_so() -> None:
    installed = importlib.metadata.version("holidays")
    with pytest.raises(pytest.fail.Exception) as caught:
        check_assumed_version("holidays", "9999.1")
    assert str(caught.value) == f"this test assumes holidays >= 9999.1; installed {installed}"
    check_assumed_version("holidays", "0.101")
