"""The officers' matrix (every template against every content rule, in every place and
situation) and the comparison of two registries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from contactrules.cli import main
from contactrules.engine import Engine
from contactrules.templates import load_registry
from contactrules.templates.diff import compare
from contactrules.templates.matrix import judge_template, places_for, sample_values

DAY = dt.date(2026, 6, 2)
ENTRY = """\
  - id: {id}
    version: {version}
    language: en
    channel: sms
    purpose: payment_reminder
    jurisdictions: [{where}]
    body: "{body}"
    placeholders:
      required: [name, callback_phone]
    approved_by: Test Officer
    approved_on: "{approved}"
    effective_from: "2026-02-01"
"""
GOOD = "{{ name }}, Acme is a debt collector. Call {{ callback_phone }}. Reply STOP to opt out."
NO_DISCLOSURE = "{{ name }}, please pay. Call {{ callback_phone }}. Reply STOP to opt out."


def _registry(folder: Path, *entries: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = "templates:\n" + "".join(
        ENTRY.format(**{"version": "1", "where": "US", "approved": "2026-01-10", **e})
        for e in entries
    )
    (folder / "r.templates.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def law() -> Engine:
    return Engine.default()


def test_a_country_template_is_judged_in_every_state_and_city_with_rules(
    law: Engine, tmp_path: Path
) -> None:
    registry = load_registry([_registry(tmp_path, {"id": "t", "body": GOOD})])
    places = [p.label for p in places_for(registry.templates[0], law)]
    assert places[0] == "US"
    assert {"US-CA", "US-NY", "US-NY-New York", "US-TX", "US-MA"} <= set(places)
    assert not any(p.startswith(("AU", "GB", "CA")) for p in places)


def test_a_state_template_is_judged_only_there(law: Engine, tmp_path: Path) -> None:
    registry = load_registry([_registry(tmp_path, {"id": "t", "body": GOOD, "where": "US-NY"})])
    assert [p.label for p in places_for(registry.templates[0], law)] == ["US-NY", "US-NY-New York"]


def test_the_matrix_shows_where_and_why_a_template_is_denied(law: Engine, tmp_path: Path) -> None:
    """12 CFR 1006.18(e)(2): every later communication says it is from a debt collector; the
    text that does is denied only as a first message (1006.18(e)(1)) and about time-barred debts
    in the states with notices."""
    folder = _registry(tmp_path, {"id": "good", "body": GOOD}, {"id": "bad", "body": NO_DISCLOSURE})
    registry = load_registry([folder])
    engine = law.with_templates(registry)
    good, bad = (next(t for t in registry.templates if t.spec.id == i) for i in ("good", "bad"))
    cells = judge_template(engine, good, DAY)
    later = [c for c in cells if c.situation == "later message, current debt"]
    assert later and all(c.passed for c in later)
    assert all("US-FED-REGF-1006.18e2-MINI-MIRANDA-SUBSEQUENT" in c.applied for c in later)
    barred = {
        c.place.label: {r for r, _ in c.denied}
        for c in cells
        if c.situation == "later message, time-barred debt"
    }
    assert barred["US-CA"] == {"US-CA-CIV1788.14d-TIME-BARRED-NOTICE"}
    assert barred["US"] == set()
    bad_later = [c for c in judge_template(engine, bad, DAY) if c.situation.startswith("later")]
    assert all(
        "US-FED-REGF-1006.18e2-MINI-MIRANDA-SUBSEQUENT" in {r for r, _ in c.denied}
        for c in bad_later
    )


def test_sample_values_fill_every_placeholder_and_take_given_ones(tmp_path: Path) -> None:
    registry = load_registry([_registry(tmp_path, {"id": "t", "body": GOOD})])
    assert sample_values(registry.templates[0]) == {
        "callback_phone": "1-800-555-0100",
        "name": "Sample",
    }
    assert sample_values(registry.templates[0], {"name": "Ana"})["name"] == "Ana"


def test_a_comparison_ignores_the_approval_record_and_finds_regressions(
    law: Engine, tmp_path: Path
) -> None:
    old = load_registry([_registry(tmp_path / "old", {"id": "t", "body": GOOD})])
    redated = load_registry(
        [_registry(tmp_path / "redated", {"id": "t", "body": GOOD, "approved": "2026-01-20"})]
    )
    assert [c.status for c in compare(law, old, redated, DAY)] == ["unchanged"]
    worse = load_registry(
        [
            _registry(
                tmp_path / "worse",
                {"id": "t", "body": NO_DISCLOSURE, "version": "2"},
                {"id": "added", "body": GOOD},
            )
        ]
    )
    changes = {c.template_id: c for c in compare(law, old, worse, DAY)}
    assert changes["added"].status == "added"
    change = changes["t"]
    assert change.status == "changed"
    assert change.old_message is not None and "debt collector" in change.old_message
    rules = {rule for (_situation, _place, rule), _message in change.newly_denied}
    assert rules == {"US-FED-REGF-1006.18e2-MINI-MIRANDA-SUBSEQUENT"}
    assert not change.no_longer_denied
    back = {c.template_id: c for c in compare(law, worse, old, DAY)}["t"]
    assert not back.newly_denied and back.no_longer_denied


def test_the_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = _registry(tmp_path / "old", {"id": "t", "body": GOOD})
    new = _registry(tmp_path / "new", {"id": "t", "body": NO_DISCLOSURE, "version": "2"})
    assert main(["templates", "check", str(old), "--no-rules"]) == 0
    only_hashes = capsys.readouterr().out.splitlines()
    assert len(only_hashes) == 1 and only_hashes[0].startswith("t@1 en sha256:")
    assert main(["templates", "check", str(new), "--on", "2026-06-02"]) == 0  # a report
    matrix = capsys.readouterr().out
    assert "later message, current debt: DENIED" in matrix
    assert "US-FED-REGF-1006.18e2-MINI-MIRANDA-SUBSEQUENT in all" in matrix
    assert main(["templates", "diff", str(old), str(new), "--on", "2026-06-02"]) == 1
    assert "newly denied (later message, current debt)" in capsys.readouterr().out
    assert main(["templates", "diff", str(new), str(old), "--on", "2026-06-02"]) == 0
    assert "no longer denied" in capsys.readouterr().out
