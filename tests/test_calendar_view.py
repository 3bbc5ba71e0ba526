"""`contactrules calendar`: the drawn week agrees with the engine and shows DST and holidays."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from contactrules import Channel, DialMethod, Engine
from contactrules.cli import main
from contactrules.cli.week import SLOT_MINUTES, build_week, render_svg, render_text


def _slot(hour: int, minute: int = 0) -> int:
    return (hour * 60 + minute) // SLOT_MINUTES


def test_florida_spans_two_zones_so_the_window_is_the_intersection(engine: Engine) -> None:
    # 12 CFR 1006.6(b)(1)(i) and comment 6(b)(1)(i)-1: Florida straddles Eastern and Central,
    # so in Chicago time a call is allowed 08:00-20:00 (20:00 Chicago is 21:00 New York).
    grid = build_week(
        engine,
        country="US",
        subdivision="FL",
        channel=Channel.CALL,
        start=dt.date(2026, 6, 1),
        zone="America/Chicago",
    )
    assert set(grid.zones) == {"America/Chicago", "America/New_York"}
    row = grid.rows[0].cells
    assert row[_slot(7, 30)] == "deny"
    assert row[_slot(8)] == "allow"
    assert row[_slot(19, 30)] == "allow"
    assert row[_slot(20)] == "deny"
    assert grid.title == "call to a consumer in US-FL (dialled by hand)"


@pytest.mark.parametrize("channel", [Channel.CALL, Channel.SMS])
def test_a_possibly_automated_call_or_text_is_drawn_denied_all_week(
    engine: Engine, channel: Channel
) -> None:
    """47 U.S.C. 227(b)(1)(A)(iii): the drawn consumer has no consent to automated calls or
    texts, so with the dial method not stated no hour is allowed (fail closed)."""
    grid = build_week(
        engine,
        country="US",
        subdivision="FL",
        channel=channel,
        start=dt.date(2026, 6, 1),
        dial_method=None,
    )
    assert {cell for row in grid.rows for cell in row.cells} == {"deny"}
    assert grid.title.endswith("(dial method not stated)")
    assert "us-tcpa" in grid.rulesets
    by_hand = build_week(
        engine, country="US", subdivision="FL", channel=channel, start=dt.date(2026, 6, 1)
    )
    assert "allow" in by_hand.rows[0].cells


def test_a_letter_has_no_dial_method_in_its_title(engine: Engine) -> None:
    grid = build_week(
        engine,
        country="US",
        subdivision="FL",
        channel=Channel.LETTER,
        start=dt.date(2026, 6, 1),
        dial_method=DialMethod.PRERECORDED,
    )
    assert grid.title == "letter to a consumer in US-FL"


def test_the_spring_forward_gap_and_the_change_are_marked(engine: Engine) -> None:
    grid = build_week(
        engine, country="US", subdivision="MA", channel=Channel.CALL, start=dt.date(2026, 3, 8)
    )
    sunday = grid.rows[0]
    assert sunday.cells[_slot(2)] == "gap" and sunday.cells[_slot(2, 30)] == "gap"
    assert sunday.cells[_slot(3)] == "deny"
    assert any("DST change" in note for note in sunday.notes)
    assert not any("DST change" in note for row in grid.rows[1:] for note in row.notes)
    text = render_text(grid)
    assert "~" in text.splitlines()[3]


def test_svg_is_well_formed_and_has_a_cell_per_half_hour(engine: Engine) -> None:
    grid = build_week(
        engine, country="US", subdivision="MA", channel=Channel.SMS, start=dt.date(2026, 6, 1)
    )
    root = ET.fromstring(render_svg(grid))
    rects = [e for e in root.iter() if e.tag.endswith("rect")]
    assert len(rects) == 7 * 24 * 60 // SLOT_MINUTES


def test_cli_writes_svg_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    svg, page = tmp_path / "week.svg", tmp_path / "week.html"
    code = main(
        ["calendar", "US-MA", "--week", "2026-06-01", "--svg", str(svg), "--html", str(page)]
    )
    assert code == 0
    assert "Mon 2026-06-01" in capsys.readouterr().out
    ET.fromstring(svg.read_text(encoding="utf-8"))
    assert page.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_cli_rejects_a_bad_date_without_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", "US-MA", "--week", "June 1st"]) == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("method", "title", "allowed_cells"),
    [
        ("manual", "dialled by hand", True),
        # 47 U.S.C. 227(b)(1)(A)(iii): a call not known to be manual may be automated, and the
        # synthetic consumer has no consent on record, so no hour of the week is open.
        ("unstated", "dial method not stated", False),
    ],
)
def test_cli_draws_the_dial_method_asked_for(
    method: str, title: str, allowed_cells: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["calendar", "US-MA", "--week", "2026-06-01", "--dial-method", method]) == 0
    out = capsys.readouterr().out
    assert title in out.splitlines()[0]
    grid = [line for line in out.splitlines() if line[:3] in {"Mon", "Tue", "Wed", "Thu", "Fri"}]
    assert grid
    assert any("#" in line for line in grid) is allowed_cells
