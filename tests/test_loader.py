"""The YAML traps of DESIGN.md and the loader's located diagnostics, table-driven.

Every problem must come back as a ``Diagnostic`` with a stable code and the exact ``line:col`` of
the offending key or value, never as a traceback, a silently changed value or a hung process.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
import yaml

from contactrules import Address, Consumer, Contact, Debt, Engine
from contactrules.diagnostics import Diagnostic, RulesetError
from contactrules.loading import yamlsource
from contactrules.loading.loader import lint_paths, load_ruleset
from contactrules.loading.yamlsource import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    load_yaml_file,
    load_yaml_text,
)
from contactrules.rules.time_window import TimeWindow

if TYPE_CHECKING:
    from builtins import _ClassInfo  # what isinstance() takes: yaml's check_event's choices

NY = ZoneInfo("America/New_York")


def _diagnostics_of_text(text: str) -> tuple[Diagnostic, ...]:
    with pytest.raises(RulesetError) as info:
        load_yaml_text(text, "doc.yaml")
    return info.value.diagnostics


def _only(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> Diagnostic:
    assert len(diagnostics) == 1, [str(d) for d in diagnostics]
    return diagnostics[0]


def _where(d: Diagnostic) -> tuple[int, int]:
    return d.location.line, d.location.col


# --- YAML 1.1 implicit types stay text -----------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # base-60 "sexagesimal" integers of YAML 1.1: 21:00 would be 1260
        ("end: 21:00", {"end": "21:00"}),
        ("start: 08:00", {"start": "08:00"}),
        ("end: 24:00", {"end": "24:00"}),
        ("t: 1:30:00", {"t": "1:30:00"}),
        ("times: [08:00, 21:00]", {"times": ["08:00", "21:00"]}),
        (
            "windows:\n  - {start: 08:00, end: 21:00}",
            {"windows": [{"start": "08:00", "end": "21:00"}]},
        ),
        # YAML 1.1 booleans: Norway's country code, "off", "yes"...
        ("country: NO", {"country": "NO"}),
        ("country: no", {"country": "no"}),
        ("country: No", {"country": "No"}),
        ("x: off", {"x": "off"}),
        ("x: OFF", {"x": "OFF"}),
        ("x: on", {"x": "on"}),
        ("x: yes", {"x": "yes"}),
        ("x: Yes", {"x": "Yes"}),
        ("x: YES", {"x": "YES"}),
        ("x: y", {"x": "y"}),
        ("x: n", {"x": "n"}),
        ("codes: [NO, SE, DK]", {"codes": ["NO", "SE", "DK"]}),
        # YAML 1.1 timestamps
        ("d: 2024-07-04", {"d": "2024-07-04"}),
        ("d: 2024-07-04T10:00:00Z", {"d": "2024-07-04T10:00:00Z"}),
        ("d: 2001-12-14 21:59:43.10 -5", {"d": "2001-12-14 21:59:43.10 -5"}),
        ("dates: [2026-12-24, 2026-12-31]", {"dates": ["2026-12-24", "2026-12-31"]}),
        # keys are text too
        ("NO: 1", {"NO": 1}),
        ("on: call", {"on": "call"}),
        # what YAML 1.2 core does resolve
        ("x: true", {"x": True}),
        ("x: false", {"x": False}),
        ("x: ~", {"x": None}),
        ("x: null", {"x": None}),
        ("x:", {"x": None}),
        ("x: 7", {"x": 7}),
        ("x: -3", {"x": -3}),
        ("x: 1.5", {"x": 1.5}),
        # quoting always wins
        ("x: '21:00'", {"x": "21:00"}),
        ('x: "1260"', {"x": "1260"}),
        ('x: "true"', {"x": "true"}),
        ("x: '7'", {"x": "7"}),
    ],
)
def test_plain_scalars_follow_yaml_1_2(text: str, expected: object) -> None:
    assert load_yaml_text(text).value == expected


def test_unquoted_21_00_is_never_1260() -> None:
    value = load_yaml_text("end: 21:00").value["end"]
    assert value == "21:00"
    assert not isinstance(value, int)
    assert value != 1260


def test_unquoted_date_stays_a_string_not_a_date() -> None:
    value = load_yaml_text("d: 2024-07-04").value["d"]
    assert type(value) is str
    assert not isinstance(value, dt.date)


@pytest.mark.parametrize("text", ["NO", "off", "yes"])
def test_yaml_1_1_booleans_stay_strings(text: str) -> None:
    value = load_yaml_text(f"x: {text}").value["x"]
    assert type(value) is str
    assert value == text


def test_positions_are_recorded_for_keys_and_values() -> None:
    doc = load_yaml_text("a:\n  b: [1, 21:00]\n", "p.yaml")
    assert str(doc.locate(("a", "b", 1))) == "p.yaml:2:10"
    assert str(doc.locate(("a", "b"), key=True)) == "p.yaml:2:3"
    # a path that does not exist falls back to its nearest ancestor
    assert str(doc.locate(("a", "b", 7))) == "p.yaml:2:6"


# --- ruleset files -------------------------------------------------------------------------
HOURS_RULESET = """\
ruleset: test-hours
title: Test hours
jurisdiction: {country: US}
effective_from: 2021-11-30
rules:
  - id: T-HOURS
    kind: time_window
    channels: [call]
    windows:
      - {days: all, start: 08:00, end: 21:00}
    citation: 12 CFR 1006.6(b)(1)(i)
"""


def _write(tmp_path: Path, text: str, name: str = "rules.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _lint(path: Path) -> list[Diagnostic]:
    rulesets, problems = lint_paths([path])
    assert problems, "expected problems"
    assert rulesets == []
    return problems


def _consumer_in(zone: str) -> Consumer:
    return Consumer(
        id="C-1",
        addresses=[Address(country="US")],
        zones=[zone],
        debts=[Debt(id="D1")],
    )


def test_unquoted_times_and_dates_load_as_written(tmp_path: Path) -> None:
    ruleset = load_ruleset(_write(tmp_path, HOURS_RULESET))
    rule = ruleset.spec.rules[0]
    assert isinstance(rule, TimeWindow)
    window = rule.windows[0]
    assert (window.start, window.end) == ("08:00", "21:00")
    assert ruleset.spec.effective_from == dt.date(2021, 11, 30)


@pytest.mark.parametrize(
    ("hour", "minute", "second", "allowed"),
    [
        (7, 59, 59, False),
        (8, 0, 0, True),
        (20, 59, 0, True),
        (20, 59, 59, True),
        (21, 0, 0, False),
        (0, 21, 0, False),  # what a 1260 read as 00:21 would have allowed
    ],
)
def test_unquoted_end_21_00_ends_the_window_at_9pm(
    tmp_path: Path, hour: int, minute: int, second: int, allowed: bool
) -> None:
    _write(tmp_path, HOURS_RULESET)
    engine = Engine.from_path(tmp_path)
    contact = Contact(
        channel="call",
        at=dt.datetime(2026, 6, 2, hour, minute, second, tzinfo=NY),
        consumer=_consumer_in("America/New_York"),
        debt_ids=["D1"],
    )
    decision = engine.evaluate(contact)
    assert decision.allowed is allowed, decision.as_dict()
    if not allowed:
        assert [r.rule_id for r in decision.reasons] == ["T-HOURS"]


def test_jurisdiction_country_no_is_norway(tmp_path: Path) -> None:
    text = HOURS_RULESET.replace("{country: US}", "{country: NO}")
    ruleset = load_ruleset(_write(tmp_path, text))
    assert ruleset.spec.jurisdiction.country == "NO"


def _ruleset_with(old: str, new: str) -> str:
    assert old in HOURS_RULESET
    return HOURS_RULESET.replace(old, new)


# (replacement in HOURS_RULESET, code, line, col, words the message must contain)
RULESET_PROBLEMS = [
    pytest.param(
        ("start: 08:00", "start: 800"),
        "ruleset.invalid-value",
        10,
        28,
        ["quoted", '"21:00"', "800"],
        id="number-for-time",
    ),
    pytest.param(
        ("end: 21:00", "end: 2100"),
        "ruleset.invalid-value",
        10,
        40,
        ["quoted", "2100"],
        id="number-for-end",
    ),
    pytest.param(
        ("end: 21:00", "end: 21.5"),
        "ruleset.invalid-value",
        10,
        40,
        ["quoted", "21.5"],
        id="float-for-end",
    ),
    pytest.param(
        ("end: 21:00", "end: 25:00"),
        "ruleset.invalid-value",
        10,
        40,
        ['"25:00"', "HH:MM"],
        id="impossible-time",
    ),
    pytest.param(
        ("    windows:", "    windws:"),
        "ruleset.unknown-key",
        9,
        5,
        ['unknown key "windws"', 'did you mean "windows"'],
        id="typo-key",
    ),
    pytest.param(
        ("    citation:", "    citaton:"),
        "ruleset.unknown-key",
        11,
        5,
        ['unknown key "citaton"', 'did you mean "citation"'],
        id="typo-citation",
    ),
    pytest.param(
        ("title: Test hours", "titel: Test hours"),
        "ruleset.unknown-key",
        2,
        1,
        ['unknown key "titel"', 'did you mean "title"'],
        id="typo-top-level-key",
    ),
    pytest.param(
        ("kind: time_window", "kind: time_windw"),
        "ruleset.unknown-kind",
        7,
        11,
        ['"time_windw"', 'did you mean "time_window"'],
        id="typo-kind",
    ),
    pytest.param(
        ("    citation: 12 CFR 1006.6(b)(1)(i)\n", ""),
        "ruleset.missing-key",
        6,
        5,
        ['"citation"', "T-HOURS"],
        id="missing-citation",
    ),
    pytest.param(
        ("citation: 12 CFR 1006.6(b)(1)(i)", 'citation: "   "'),
        "ruleset.invalid-value",
        11,
        15,
        ["cite"],
        id="blank-citation",
    ),
    pytest.param(
        ("channels: [call]", "channels: [cal]"),
        "ruleset.unknown-value",
        8,
        16,
        ["'cal'", 'did you mean "call"'],
        id="typo-channel",
    ),
    pytest.param(
        ("days: all", "days: al"),
        "ruleset.unknown-value",
        10,
        16,
        ["'al'", 'did you mean "all"'],
        id="bad-days",
    ),
]


@pytest.mark.parametrize(("change", "code", "line", "col", "words"), RULESET_PROBLEMS)
def test_ruleset_problem_is_located(
    tmp_path: Path,
    change: tuple[str, str],
    code: str,
    line: int,
    col: int,
    words: list[str],
) -> None:
    path = _write(tmp_path, _ruleset_with(*change))
    problems = _lint(path)
    matching = [p for p in problems if p.code == code]
    assert matching, [str(p) for p in problems]
    problem = matching[0]
    assert problem.severity == "error"
    assert problem.location.path == str(path)
    assert _where(problem) == (line, col), str(problem)
    for word in words:
        assert word in problem.message, problem.message
    assert str(problem).startswith(f"{path}:{line}:{col}: error {code} ")


def test_load_ruleset_raises_ruleset_error_with_the_same_problems(tmp_path: Path) -> None:
    path = _write(tmp_path, _ruleset_with("start: 08:00", "start: 800"))
    with pytest.raises(RulesetError) as info:
        load_ruleset(path)
    problem = _only(info.value.diagnostics)
    assert (problem.code, _where(problem)) == ("ruleset.invalid-value", (10, 28))


def test_typo_key_reports_only_the_unknown_key_and_the_missing_one(tmp_path: Path) -> None:
    path = _write(tmp_path, _ruleset_with("    windows:", "    windws:"))
    codes = sorted((p.code, _where(p)) for p in _lint(path))
    assert codes == [("ruleset.missing-key", (6, 5)), ("ruleset.unknown-key", (9, 5))]


def test_engine_from_path_refuses_a_broken_ruleset(tmp_path: Path) -> None:
    _write(tmp_path, _ruleset_with("kind: time_window", "kind: time_windw"))
    with pytest.raises(RulesetError) as info:
        Engine.from_path(tmp_path)
    assert [d.code for d in info.value.diagnostics] == ["ruleset.unknown-kind"]


# --- YAML-level problems -------------------------------------------------------------------
YAML_PROBLEMS = [
    pytest.param("a: [1, 2\nb: 3\n", "yaml.syntax", 2, 2, id="unclosed-flow-sequence"),
    pytest.param("a: {b: 1\n", "yaml.syntax", 2, 1, id="unclosed-flow-mapping"),
    pytest.param("a: 1\n b: 2\n", "yaml.syntax", 2, 3, id="bad-indentation"),
    pytest.param("a: 'unterminated\n", "yaml.syntax", 2, 1, id="unterminated-quote"),
    pytest.param("a:\n\t- 1\n", "yaml.syntax", 2, 1, id="tab-indentation"),
    pytest.param("a: 1\na: 2\n", "yaml.duplicate-key", 2, 1, id="duplicate-key"),
    pytest.param(
        "rules:\n  - id: A\n    kind: x\n    id: B\n", "yaml.duplicate-key", 4, 5, id="dup-nested"
    ),
    pytest.param("x: &a 1\ny: *b\n", "yaml.syntax", 2, 4, id="unknown-alias"),
    pytest.param("a: !!python/object:os.system x\n", "yaml.tag", 1, 4, id="python-object"),
    pytest.param(
        "a: !!python/object/apply:os.system ['true']\n", "yaml.tag", 1, 4, id="python-apply"
    ),
    pytest.param("a: !!python/name:os.system\n", "yaml.tag", 1, 4, id="python-name"),
    pytest.param("a: !custom 1\n", "yaml.tag", 1, 4, id="local-tag"),
    pytest.param("a: 1\n<<: {b: 2}\n", "yaml.merge-key", 2, 1, id="merge-key"),
    pytest.param("? [1, 2]\n: x\n", "yaml.key-type", 1, 3, id="sequence-key"),
]


@pytest.mark.parametrize(("text", "code", "line", "col"), YAML_PROBLEMS)
def test_yaml_problem_is_located(text: str, code: str, line: int, col: int) -> None:
    problem = _only(_diagnostics_of_text(text))
    assert problem.code == code, str(problem)
    assert _where(problem) == (line, col), str(problem)
    assert problem.location.path == "doc.yaml"


def test_duplicate_key_message_names_the_key() -> None:
    problem = _only(_diagnostics_of_text("ruleset: a\nruleset: b\n"))
    assert '"ruleset"' in problem.message


def test_python_tags_never_run_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"a: !!python/object/apply:os.system ['touch {marker}']\n"
    problem = _only(_diagnostics_of_text(text))
    assert problem.code == "yaml.tag"
    assert "python/object/apply" in problem.message
    assert not marker.exists()


def test_python_tag_in_a_ruleset_file_is_refused(tmp_path: Path) -> None:
    text = HOURS_RULESET.replace("title: Test hours", "title: !!python/object:builtins.str x")
    path = _write(tmp_path, text)
    problem = _only(_lint(path))
    assert (problem.code, _where(problem)) == ("yaml.tag", (2, 8))


def test_duplicate_key_in_a_ruleset_file(tmp_path: Path) -> None:
    text = HOURS_RULESET.replace(
        "    channels: [call]\n", "    channels: [call]\n    channels: [sms]\n"
    )
    problem = _only(_lint(_write(tmp_path, text)))
    assert (problem.code, _where(problem)) == ("yaml.duplicate-key", (9, 5))


def test_malformed_ruleset_file(tmp_path: Path) -> None:
    text = HOURS_RULESET.replace("channels: [call]", "channels: [call")
    problem = _only(_lint(_write(tmp_path, text)))
    assert problem.code == "yaml.syntax"
    assert problem.location.line == 9, str(problem)
    assert problem.location.col >= 1


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_billion_laughs_is_refused_quickly() -> None:
    start = time.perf_counter()
    problem = _only(_diagnostics_of_text(BILLION_LAUGHS))
    elapsed = time.perf_counter() - start
    assert problem.code == "yaml.too-large"
    assert "aliases" in problem.message
    assert 1 <= problem.location.line <= 9
    assert elapsed < 5, f"took {elapsed:.1f}s"


def test_billion_laughs_file_through_lint(tmp_path: Path) -> None:
    path = _write(tmp_path, BILLION_LAUGHS)
    problem = _only(_lint(path))
    assert problem.code == "yaml.too-large"


@pytest.mark.parametrize(
    ("text", "col"),
    [
        # the first bracket past MAX_DEPTH levels is where the problem is reported
        pytest.param("[" * 10_000 + "]" * 10_000, MAX_DEPTH + 1, id="flow-sequences"),
        pytest.param("{a: " * 10_000 + "1" + "}" * 10_000, 4 * MAX_DEPTH + 1, id="flow-mappings"),
        pytest.param("a: " + "[" * 10_000 + "]" * 10_000, 3 + MAX_DEPTH, id="under-a-key"),
        pytest.param("a: " + "[" * 100 + "]" * 100, 3 + MAX_DEPTH, id="just-past-the-limit"),
    ],
)
def test_deep_nesting_is_a_clean_diagnostic(text: str, col: int) -> None:
    problem = _only(_diagnostics_of_text(text))
    assert problem.code == "yaml.too-deep", str(problem)
    assert _where(problem) == (1, col)
    assert f"deeper than {MAX_DEPTH} levels" in problem.message


def test_nesting_up_to_the_limit_is_fine() -> None:
    depth = MAX_DEPTH - 1  # the top-level mapping is one level
    doc = load_yaml_text("a: " + "[" * depth + "1" + "]" * depth)
    value = doc.value["a"]
    for _ in range(depth - 1):
        value = value[0]
    assert value == [1]


def test_deep_block_nesting_is_a_clean_diagnostic() -> None:
    text = "".join("  " * i + "k:\n" for i in range(200)) + "  " * 200 + "v: 1\n"
    problem = _only(_diagnostics_of_text(text))
    assert problem.code == "yaml.too-deep"
    assert _where(problem) == (MAX_DEPTH + 1, 2 * MAX_DEPTH + 1)


def test_deep_nesting_file_through_lint(tmp_path: Path) -> None:
    path = _write(tmp_path, "[" * 10_000 + "]" * 10_000)
    problem = _only(_lint(path))
    assert (problem.code, _where(problem)) == ("yaml.too-deep", (1, MAX_DEPTH + 1))


class _LibyamlWithALimit(yaml.SafeLoader):
    """Stops as the libyaml of PyYAML 6.0.4 does on ``[[[…``: at its own limit of 1,000 levels,
    before delivering a single event, so the events never show our limit being crossed."""

    LIMIT = 1_000

    def check_event(self, *choices: _ClassInfo) -> bool:
        if len(self.buffer) > self.LIMIT + 1:  # the reader holds the whole text and a NUL
            at = yaml.Mark("<string>", self.LIMIT, 0, self.LIMIT, None, 0)
            raise yaml.scanner.ScannerError(
                "while increasing flow level", at, "exceeded maximum nesting depth", at
            )
        return bool(super().check_event(*choices))


@pytest.mark.parametrize(
    ("text", "col"),
    [
        pytest.param("[" * 10_000 + "]" * 10_000, MAX_DEPTH + 1, id="flow-sequences"),
        pytest.param("a: " + "[" * 2_000 + "]" * 2_000, 3 + MAX_DEPTH, id="under-a-key"),
    ],
)
def test_a_parser_stopping_at_its_own_nesting_limit_still_gives_too_deep(
    monkeypatch: pytest.MonkeyPatch, text: str, col: int
) -> None:
    monkeypatch.setattr(yamlsource, "_LOADER", _LibyamlWithALimit)
    problem = _only(_diagnostics_of_text(text))
    assert (problem.code, _where(problem)) == ("yaml.too-deep", (1, col))
    assert f"deeper than {MAX_DEPTH} levels" in problem.message


def test_deep_nesting_without_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    """PyYAML installed without its C extension reads with the pure-Python parser alone."""
    monkeypatch.setattr(yamlsource, "_LOADER", yaml.SafeLoader)
    problem = _only(_diagnostics_of_text("{a: " * 1_000 + "1" + "}" * 1_000))
    assert (problem.code, _where(problem)) == ("yaml.too-deep", (1, 4 * MAX_DEPTH + 1))


# --- file-level problems -------------------------------------------------------------------
def _fifty_megabytes(tmp_path: Path) -> Path:
    path = tmp_path / "huge.yaml"
    chunk = b"# padding padding padding padding padding padding padding padding padding\n" * 1024
    with path.open("wb") as fh:
        fh.write(b"ruleset: huge\n")
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(chunk)
    assert path.stat().st_size > MAX_FILE_BYTES
    return path


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = _fifty_megabytes(tmp_path)
    with pytest.raises(RulesetError) as info:
        load_yaml_file(path)
    problem = _only(info.value.diagnostics)
    assert problem.code == "file.too-large"
    assert problem.location.path == str(path)
    assert problem.location.line == 0
    assert f"{MAX_FILE_BYTES:,}" in problem.message
    assert str(problem).startswith(f"{path}: error file.too-large ")


def test_huge_file_through_lint(tmp_path: Path) -> None:
    path = _fifty_megabytes(tmp_path)
    problem = _only(_lint(path))
    assert problem.code == "file.too-large"


def test_file_size_limit_is_configurable(tmp_path: Path) -> None:
    path = _write(tmp_path, "a: 1\n")
    with pytest.raises(RulesetError) as info:
        load_yaml_file(path, max_bytes=3)
    assert _only(info.value.diagnostics).code == "file.too-large"
    assert load_yaml_file(path).value == {"a": 1}


@pytest.mark.parametrize(
    ("raw", "line", "col", "byte"),
    [
        (b"ruleset: x\ntitle: caf\xe9\n", 2, 11, "0xe9"),
        (b"\xffruleset: x\n", 1, 1, "0xff"),
        (b'ruleset: x\ntitle: ok\nnotes: "abc\xc3"\n', 3, 12, "0xc3"),
    ],
)
def test_non_utf8_byte_is_located(
    tmp_path: Path, raw: bytes, line: int, col: int, byte: str
) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(raw)
    with pytest.raises(RulesetError) as info:
        load_yaml_file(path)
    problem = _only(info.value.diagnostics)
    assert problem.code == "file.encoding"
    assert _where(problem) == (line, col), str(problem)
    assert byte in problem.message
    assert _only(_lint(path)) == problem


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffa: 21:00\n".encode())
    assert load_yaml_file(path).value == {"a": "21:00"}


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    problem = _only(lint_paths([path])[1])
    assert problem.code == "file.not-found"
    with pytest.raises(RulesetError) as info:
        load_yaml_file(path)
    assert _only(info.value.diagnostics).code == "file.unreadable"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("- a\n- b\n", "ruleset.not-a-mapping"),
        ("just text\n", "ruleset.not-a-mapping"),
        ("", "ruleset.not-a-mapping"),
    ],
)
def test_ruleset_file_that_is_not_a_mapping(tmp_path: Path, text: str, code: str) -> None:
    problem = _only(_lint(_write(tmp_path, text)))
    assert (problem.code, _where(problem)) == (code, (1, 1))


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    _write(tmp_path, _ruleset_with("start: 08:00", "start: 800"), "a.yaml")
    _write(tmp_path, _ruleset_with("kind: time_window", "kind: time_windw"), "b.yaml")
    (tmp_path / "c.yaml").write_bytes(b"title: caf\xe9\n")
    _rulesets, problems = lint_paths([tmp_path])
    assert [(Path(p.location.path).name, p.code) for p in problems] == [
        ("a.yaml", "ruleset.invalid-value"),
        ("b.yaml", "ruleset.unknown-kind"),
        ("c.yaml", "file.encoding"),
    ]


def test_message_placeholders_are_checked(tmp_path: Path) -> None:
    text = HOURS_RULESET.replace(
        "    citation:", '    message: "{chanel} at {local_time}"\n    citation:'
    )
    rulesets, problems = lint_paths([_write(tmp_path, text)])
    assert len(rulesets) == 1
    problem = _only(problems)
    assert problem.code == "ruleset.unknown-placeholder"
    assert problem.severity == "warning"
    assert 'did you mean "channel"' in problem.message
    assert _where(problem) == (6, 5)


def test_bundled_rulesets_lint_clean() -> None:
    root = Path(__file__).resolve().parent.parent / "rulesets"
    rulesets, problems = lint_paths([root], skip_dirs=("examples", "tests"))
    assert rulesets
    assert [str(p) for p in problems if p.severity == "error"] == []


# --- dead rules: settings that make a rule never deny (each kind's lint hook) ---------------
DEAD_RULE_CODES = {
    "ruleset.dead-condition",
    "ruleset.empty-filter",
    "ruleset.never-denies",
    "ruleset.never-effective",
    "ruleset.unreachable-cap",
}


def _rule_warnings(tmp_path: Path, rules: str, header: str = "") -> list[Diagnostic]:
    """What ``check`` says about ``rules`` (YAML list items, from line 5 on) in one ruleset."""
    text = f"ruleset: dead\ntitle: Dead rules\njurisdiction: {{country: US}}\n{header}rules:\n"
    rulesets, problems = lint_paths([_write(tmp_path, text + rules)])
    assert rulesets, [str(p) for p in problems]
    assert all(p.severity == "warning" for p in problems), [str(p) for p in problems]
    return problems


def _dead(problems: list[Diagnostic]) -> list[tuple[str, tuple[int, int]]]:
    return [(p.code, _where(p)) for p in problems if p.code in DEAD_RULE_CODES]


CAP_PREFIX = "  - {id: CAP, kind: frequency_cap, channels: [call], max: "


def _cap(max_: int, window: str, counts: str = "{}") -> str:
    return f"{CAP_PREFIX}{max_}, window: {window}, counts: {counts}, citation: test}}\n"


@pytest.mark.parametrize(
    ("window", "max_", "dead"),
    [
        ("7d", 10_080, False),  # one a minute, day and night, for seven days: reachable
        ("7d", 10_081, True),
        ("1d", 1_441, True),
        ("calendar_week", 10_081, True),
        ("calendar_month", 44_640, False),  # 31 days
        ("calendar_month", 44_641, True),
        ("90d", 100_000, False),  # past ten weeks the ceiling is 100,000
        ("90d", 100_001, True),
        ("ever", 100_000, False),
        ("ever", 100_001, True),
    ],
)
def test_a_cap_no_history_can_reach_is_dead(
    tmp_path: Path, window: str, max_: int, dead: bool
) -> None:
    problems = _rule_warnings(tmp_path, _cap(max_, window))
    at_max = (5, len(CAP_PREFIX) + 1)
    assert _dead(problems) == ([("ruleset.unreachable-cap", at_max)] if dead else [])
    if dead:
        assert f"max: {max_} can never be reached" in problems[0].message


@pytest.mark.parametrize(
    "counts",
    [
        "{exclude_outcomes: []}",  # excludes nothing: the default
        "{outcomes: [conversation], exclude_outcomes: [not_connected]}",
        "{outcomes: [pending, delivered]}",
        "{initiated_by: [consumer]}",
        "{purposes: [collection]}",
    ],
)
def test_filters_that_still_count_something_are_not_dead(tmp_path: Path, counts: str) -> None:
    assert _rule_warnings(tmp_path, _cap(7, "7d", counts)) == []


def test_outcomes_naming_only_pending_count_no_finished_contact(tmp_path: Path) -> None:
    problems = _rule_warnings(tmp_path, _cap(7, "7d", "{outcomes: [pending]}"))
    assert [p.code for p in problems] == ["ruleset.dead-condition"]


def test_a_zero_cap_warns_once_whatever_it_counts(tmp_path: Path) -> None:
    problems = _rule_warnings(tmp_path, _cap(0, "7d", "{initiated_by: []}"))
    assert [p.code for p in problems] == ["ruleset.zero-cap"]


def _hours(windows: str, extra: str = "") -> str:
    return (
        "  - id: HOURS\n    kind: time_window\n    channels: [call]\n"
        f"    windows: {windows}\n{extra}    citation: test\n"
    )


@pytest.mark.parametrize(
    ("windows", "extra", "dead"),
    [
        ('[{days: all, start: "00:00", end: "24:00"}]', "", True),
        ('[{days: all, start: "00:00", end: "23:59:59"}]', "", False),  # one second shut
        ('[{days: weekdays, start: "00:00", end: "24:00"}]', "", False),  # weekends shut
        (
            '[{days: all, start: "00:00", end: "12:00"},'
            ' {days: all, start: "12:00", end: "24:00"}]',
            "",
            True,
        ),
        (
            '[{days: all, start: "00:00", end: "12:00"},'
            ' {days: all, start: "12:01", end: "24:00"}]',
            "",
            False,
        ),
        # with a calendar, holidays are a day type of their own
        (
            '[{days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "24:00"}]',
            "    holidays: {country: US}\n",
            False,
        ),
        ('[{days: all, start: "00:00", end: "24:00"}]', "    holidays: {country: US}\n", True),
    ],
)
def test_hours_open_around_the_clock_never_deny(
    tmp_path: Path, windows: str, extra: str, dead: bool
) -> None:
    problems = _rule_warnings(tmp_path, _hours(windows, extra))
    assert _dead(problems) == ([("ruleset.never-denies", (8, 14))] if dead else [])


def test_a_warn_rule_that_is_dead_is_said_never_to_warn(tmp_path: Path) -> None:
    rule = _hours('[{days: all, start: "00:00", end: "24:00"}]', "    severity: warn\n")
    problem = _rule_warnings(tmp_path, rule)[0]
    assert "never warns" in problem.message


def test_swapped_dates_in_the_past_are_never_in_force_not_expired(tmp_path: Path) -> None:
    rule = _hours(
        '[{days: all, start: "08:00", end: "21:00"}]',
        '    effective_from: "2020-06-01"\n    effective_until: "2020-01-01"\n',
    )
    assert [(p.code, _where(p)) for p in _rule_warnings(tmp_path, rule)] == [
        ("ruleset.never-effective", (9, 21))
    ]


def test_a_ruleset_that_is_never_in_force_is_said_once(tmp_path: Path) -> None:
    header = 'effective_from: "2031-01-01"\neffective_until: "2030-12-31"\n'
    one = _hours('[{days: all, start: "08:00", end: "21:00"}]')
    problems = _rule_warnings(tmp_path, one + one.replace("id: HOURS", "id: HOURS-2"), header)
    assert _dead(problems) == [("ruleset.never-effective", (4, 17))]
    assert 'ruleset "dead"' in problems[0].message


@pytest.mark.parametrize(
    "dates",
    [
        'effective_from: "2200-12-31"',  # the last plausible year
        'effective_from: "2026-06-01"\n    effective_until: "2026-06-01"',  # one day
        'effective_until: "9999-12-31"',  # "until further notice" is a fine end
    ],
)
def test_dates_with_a_day_in_force_are_not_dead(tmp_path: Path, dates: str) -> None:
    rule = _hours('[{days: all, start: "08:00", end: "21:00"}]', f"    {dates}\n")
    assert _dead(_rule_warnings(tmp_path, rule)) == []


@pytest.mark.parametrize(
    "condition",
    [
        "when: {recipients: [consumer]}",
        "unless_purposes: []",  # exempts nothing: the default
        "unless_purposes: [collection]\n    when: {purposes: [collection, validation_notice]}",
    ],
)
def test_conditions_that_match_some_contact_are_not_dead(tmp_path: Path, condition: str) -> None:
    rule = _hours('[{days: all, start: "08:00", end: "21:00"}]', f"    {condition}\n")
    assert _dead(_rule_warnings(tmp_path, rule)) == []


def test_every_purpose_exempted_is_dead(tmp_path: Path) -> None:
    from contactrules.models import Purpose

    every = ", ".join(p.value for p in Purpose)
    rule = _hours(
        '[{days: all, start: "08:00", end: "21:00"}]', f"    unless_purposes: [{every}]\n"
    )
    assert _dead(_rule_warnings(tmp_path, rule)) == [("ruleset.dead-condition", (9, 22))]


def test_a_pickled_ruleset_leaves_its_source_behind(tmp_path: Path) -> None:
    """Lint locates fields through the parsed file; engines sent to workers need not carry it."""
    import pickle

    ruleset = load_ruleset(_write(tmp_path, HOURS_RULESET))
    assert ruleset.source is not None
    copy = pickle.loads(pickle.dumps(ruleset))
    assert copy.source is None
    assert copy == ruleset
    assert copy.rule_positions == ruleset.rule_positions
