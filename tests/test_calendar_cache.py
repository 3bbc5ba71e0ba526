"""The holiday answers remembered between processes make start-up fast, never a check weaker.

Loading an engine checks every holiday name its rulesets cite against the installed
``holidays``; importing that package costs more than the rest of loading, so its answers are
kept on file per release (``contactrules.calendar_cache``). What must hold: a warm start does not
import the package; a name the release lacks is still a located error with answers on file; a
file that is corrupt, of another release, unwritable or written by several processes at once
never turns a refusal into an acceptance; and should a file ever be wrong, evaluation, which
asks the package itself, denies.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactrules import (
    Address,
    Consumer,
    Contact,
    Debt,
    Engine,
    Phone,
    RulesetError,
    calendar_cache,
    holiday_calendar,
)
from contactrules.calendar_cache import ENV_VAR, FactCache

NAMED = """\
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
ON_OPTIONAL = ("CA", "ON", ("optional",))


def _ruleset(folder: Path, names: str) -> Path:
    path = folder / "named.yaml"
    path.write_text(NAMED % names, encoding="utf-8")
    return path


def _forget() -> None:
    """Drop this process's memory of answers, as a new process would start."""
    calendar_cache.default_cache.cache_clear()
    holiday_calendar._names.cache_clear()


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv(ENV_VAR, str(folder))
    _forget()
    yield folder
    _forget()


def _cache_file() -> Path:
    path = calendar_cache.default_cache("en_US").path
    assert path is not None
    return path


def _warm(tmp_path: Path) -> Path:
    """Answers on file for Ontario's optional holidays, as after one load."""
    Engine.from_path(_ruleset(tmp_path, "Easter Monday"))
    path = _cache_file()
    assert path.is_file()
    _forget()
    return path


def _child(code: str, cache: Path) -> dict[str, object]:
    env = {**os.environ, ENV_VAR: str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


LOAD_DEFAULT = """
    import json, sys
    import contactrules
    engine = contactrules.Engine.default()
    print(json.dumps({"holidays": "holidays" in sys.modules, "rulesets": len(engine.rulesets)}))
"""


def test_a_second_start_loads_every_bundled_ruleset_without_importing_holidays(
    tmp_path: Path,
) -> None:
    first = _child(LOAD_DEFAULT, tmp_path / "cache")
    second = _child(LOAD_DEFAULT, tmp_path / "cache")
    assert first["holidays"] is True  # nothing on file: the package was asked
    assert second["holidays"] is False
    assert first["rulesets"] == second["rulesets"]


def test_with_answers_on_file_an_unknown_name_is_still_a_located_error(
    tmp_path: Path, cache_dir: Path
) -> None:
    _warm(tmp_path)
    path = _ruleset(tmp_path, "Easter Monday, Remembrance Dya")
    with pytest.raises(RulesetError) as caught:
        Engine.from_path(path)
    (problem,) = caught.value.diagnostics
    assert (problem.code, str(problem.location)) == ("ruleset.unknown-calendar", f"{path}:5:5")
    assert "Remembrance Dya" in problem.message


def test_a_warm_start_refuses_an_unknown_name_without_importing_holidays(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    _child(LOAD_DEFAULT, cache)
    path = _ruleset(tmp_path, "Remembrance Dya")
    found = _child(
        f"""
        import json, sys
        import contactrules
        try:
            contactrules.Engine.from_path({str(path)!r})
            codes = []
        except contactrules.RulesetError as exc:
            codes = [(d.code, d.location.line) for d in exc.diagnostics]
        print(json.dumps({{"codes": codes, "holidays": "holidays" in sys.modules}}))
        """,
        cache,
    )
    assert found == {"codes": [["ruleset.unknown-calendar", 5]], "holidays": False}


def _entries_claiming(name: str) -> dict[str, object]:
    """Tables for Ontario's optional holidays that also list ``name`` (a wrong answer)."""
    entries: dict[str, object] = {}
    for year in (2024, 2025, 2026, 2027):
        table = holiday_calendar.holiday_table(*ON_OPTIONAL[:2], year, ON_OPTIONAL[2])
        claimed = {day.isoformat(): holiday for day, holiday in table.items()}
        claimed[f"{year}-06-10"] = name
        key = json.dumps(["names", "CA", "ON", ["optional"], year], separators=(",", ":"))
        entries[key] = claimed
    return entries


def _corrupt(kind: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if kind == "garbage":
            path.write_bytes(b"\x00\xff not json at all")
        elif kind == "truncated":
            path.write_bytes(path.read_bytes()[:40])
        elif kind == "empty":
            path.write_bytes(b"")
        elif kind == "not an object":
            path.write_text("[1, 2, 3]", encoding="utf-8")
        elif kind == "checksum off":  # a wrong answer the checksum does not vouch for
            doc["entries"].update(_entries_claiming("Remembrance Dya"))
            path.write_text(json.dumps(doc), encoding="utf-8")
        elif kind == "another release":  # the same wrong answer, sealed for another release
            identity = {**doc["identity"], "holidays": "0.1"}
            entries = {**doc["entries"], **_entries_claiming("Remembrance Dya")}
            other = FactCache(path, identity)
            other._write(entries)
        elif kind == "another format":
            doc["format"] = calendar_cache.FORMAT + 1
            path.write_text(json.dumps(doc), encoding="utf-8")
        elif kind == "a folder":
            path.unlink()
            path.mkdir()
        else:  # pragma: no cover
            raise AssertionError(kind)

    return write


CORRUPTIONS = [
    "garbage",
    "truncated",
    "empty",
    "not an object",
    "checksum off",
    "another release",
    "another format",
    "a folder",
]


@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_a_file_that_is_not_this_releases_answers_is_ignored(
    tmp_path: Path, cache_dir: Path, kind: str
) -> None:
    path = _warm(tmp_path)
    _corrupt(kind)(path)
    (tmp_path / "bad").mkdir()
    bad = _ruleset(tmp_path / "bad", "Remembrance Dya")
    with pytest.raises(RulesetError) as caught:
        Engine.from_path(bad)
    assert [d.code for d in caught.value.diagnostics] == ["ruleset.unknown-calendar"]
    _forget()
    Engine.from_path(_ruleset(tmp_path, "Easter Monday, Remembrance Day"))
    if kind != "a folder":  # the next answer rewrites a whole, valid file
        assert FactCache(path, calendar_cache.default_cache("en_US").identity)._read()


@pytest.mark.parametrize(
    "make_unusable",
    [
        pytest.param(lambda base: base / "a-file" / "cache", id="a file where the folder goes"),
        pytest.param(lambda base: base / "read-only" / "cache", id="a read-only folder"),
    ],
)
def test_a_folder_that_cannot_be_written_costs_only_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_unusable: Callable[[Path], Path]
) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    (tmp_path / "read-only").mkdir(mode=0o500)
    folder = make_unusable(tmp_path)
    monkeypatch.setenv(ENV_VAR, str(folder))
    _forget()
    try:
        Engine.from_path(_ruleset(tmp_path, "Easter Monday"))
        with pytest.raises(RulesetError):
            Engine.from_path(_ruleset(tmp_path, "Easter Munday"))
        if folder.parent.name == "a-file" or os.geteuid() != 0:
            assert not folder.exists()
    finally:
        (tmp_path / "read-only").chmod(0o700)
        _forget()


def test_an_empty_setting_keeps_answers_off_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    _forget()
    try:
        assert calendar_cache.default_cache("en_US").path is None
        Engine.from_path(_ruleset(tmp_path, "Easter Monday"))
        assert sorted(p.name for p in tmp_path.iterdir()) == ["named.yaml"]
    finally:
        _forget()


def test_processes_starting_together_leave_one_whole_file(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {**os.environ, ENV_VAR: str(cache)}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(LOAD_DEFAULT)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for child in children:
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
    (file,) = cache.iterdir()  # no temporary file left behind
    doc = json.loads(file.read_text(encoding="utf-8"))
    assert FactCache(file, doc["identity"])._read() == doc["entries"]  # whole and sealed
    assert _child(LOAD_DEFAULT, cache)["holidays"] is False  # and every answer is in it


def test_should_a_file_be_wrong_evaluation_still_denies(tmp_path: Path, cache_dir: Path) -> None:
    """A wrong answer sealed as this release's (edited by hand, say) lets the ruleset load, but
    the rule asks the package itself when it decides, and a name it lacks then denies."""
    path = _warm(tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    FactCache(path, doc["identity"])._write({**doc["entries"], **_entries_claiming("Flag Day")})
    engine = Engine.from_path(_ruleset(tmp_path, "Flag Day"))  # the check trusted the file
    toronto = Address(country="CA", subdivision="ON", city="Toronto", zone="America/Toronto")
    consumer = Consumer(
        id="C-ON-1",
        addresses=[toronto],
        phones=[Phone(number="+14165550123", type="mobile")],
        debts=[Debt(id="D1")],
    )
    at = dt.datetime(2026, 6, 9, 11, tzinfo=ZoneInfo("America/Toronto"))  # an ordinary Tuesday
    decision = engine.evaluate(
        Contact(channel="call", at=at, consumer=consumer, debt_ids=["D1"], to="+14165550123")
    )
    assert not decision.allowed
    assert any("Flag Day" in reason.message for reason in decision.reasons)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=12), inner, max_size=4)
            ),
            max_leaves=20,
        ).map(lambda value: json.dumps(value).encode()),
    )
)
def test_no_file_it_did_not_write_changes_an_answer(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes(content)
    cache = FactCache(path, {"holidays": "9.9", "python": "3.x", "language": "en_US"})
    assert cache.get('["names","CA","ON",["optional"],2026]') is None
    assert cache.get('["calendar","CA","ZZ",[]]') is None
