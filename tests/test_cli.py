"""The ``contactrules`` command: exit codes, linter-style problem lines, JSON, schemas.

User mistakes must come out as ``path:line:col: error CODE message`` lines with exit code 1,
never as a traceback.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from contactrules.cli import main
from contactrules.loading.yamlsource import load_yaml_file

REPO = Path(__file__).resolve().parent.parent
RULESETS = REPO / "rulesets"
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
BUNDLED = sorted(
    p
    for p in RULESETS.rglob("*.yaml")
    if not p.name.endswith((".cases.yaml", ".disclosures.yaml", ".templates.yaml"))
)

BROKEN_RULESET = """\
ruleset: broken
title: Broken
jurisdiction: {country: US}
rules:
  - id: T-HOURS
    kind: time_window
    channels: [call]
    windws:
      - {days: all, start: 800, end: "21:00"}
    citation: 12 CFR 1006.6(b)(1)(i)
"""

NAIVE_SCENARIO = """\
name: naive instant
consumer:
  id: C-1
  addresses:
    - {country: US, subdivision: NY}
  debts:
    - {id: D1}
contacts:
  - channel: call
    at: "2026-06-02T10:00:00"
    debt_ids: [D1]
"""

GOOD_SCENARIO = """\
consumer:
  id: C-1
  addresses:
    - {country: US, subdivision: NY}
  debts:
    - {id: D1}
contacts:
  - channel: call
    at: "2026-06-02T10:00:00-04:00"
    debt_ids: [D1]
    dial_method: manual
  - channel: call
    at: "2026-06-02T21:00:00-04:00"
    debt_ids: [D1]
    dial_method: manual
"""

PROBLEM_LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): error (?P<code>[\w.-]+) .+$")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problem_lines(text: str) -> list[re.Match[str]]:
    return [m for m in map(PROBLEM_LINE.match, text.splitlines()) if m]


# --- check ---------------------------------------------------------------------------------
def test_check_bundled_rulesets_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "check", str(RULESETS))
    assert code == 0, out + err
    assert "error" not in out
    assert re.search(r"\d+ ruleset\(s\), \d+ rule\(s\)(, \d+ valid template\(s\))?: 0 error", err)


def test_check_relative_path_from_the_repo(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    code, out, err = _run(capsys, "check", "rulesets")
    assert code == 0, out + err


def test_check_broken_file_prints_located_problems(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write(tmp_path, "broken.yaml", BROKEN_RULESET)
    code, out, err = _run(capsys, "check", str(path))
    assert code == 1
    lines = _problem_lines(out)
    assert [(m["path"], m["line"], m["col"], m["code"]) for m in lines] == [
        (str(path), "5", "5", "ruleset.missing-key"),
        (str(path), "8", "5", "ruleset.unknown-key"),
    ]
    assert f'{path}:8:5: error ruleset.unknown-key unknown key "windws"' in out
    assert 'did you mean "windows"' in out
    assert "2 error(s)" in err
    assert "Traceback" not in out + err


def test_check_number_for_a_time(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = BROKEN_RULESET.replace("windws:", "windows:")
    path = _write(tmp_path, "num.yaml", text)
    code, out, _err = _run(capsys, "check", str(path))
    assert code == 1
    (line,) = _problem_lines(out)
    assert (line["line"], line["col"], line["code"]) == ("9", "28", "ruleset.invalid-value")
    assert "quoted" in out


def test_check_several_files_exit_1_if_any_is_broken(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write(tmp_path, "broken.yaml", BROKEN_RULESET)
    code, out, _err = _run(capsys, "check", str(RULESETS), str(path))
    assert code == 1
    assert {m["path"] for m in _problem_lines(out)} == {str(path)}


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"a: [1, 2\nb: 3\n", "yaml.syntax"),
        (b"title: caf\xe9\n", "file.encoding"),
        (b"a: !!python/object:os.system x\n", "yaml.tag"),
    ],
)
def test_check_yaml_level_problems(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, code: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    rc, out, err = _run(capsys, "check", str(path))
    assert rc == 1
    assert [m["code"] for m in _problem_lines(out)] == [code]
    assert "Traceback" not in out + err


def test_check_missing_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    code, out, _err = _run(capsys, "check", str(missing))
    assert code == 2  # a wrong path is a usage error
    assert f"{missing}: error file.not-found" in out


def test_check_json_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.yaml", BROKEN_RULESET)
    code, out, _err = _run(capsys, "check", "--format", "json", str(path))
    assert code == 1
    data = json.loads(out)
    assert [(d["path"], d["line"], d["col"], d["severity"], d["code"]) for d in data] == [
        (str(path), 5, 5, "error", "ruleset.missing-key"),
        (str(path), 8, 5, "error", "ruleset.unknown-key"),
    ]
    assert all(isinstance(d["message"], str) and d["message"] for d in data)


def test_check_json_format_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(capsys, "check", "--format", "json", str(RULESETS))
    assert code == 0
    # nothing, or warnings only (e.g. rules resting on unconfirmed sources)
    problems = json.loads(out) if out.strip() else []
    assert [p for p in problems if p["severity"] == "error"] == []
    assert all(p["code"].startswith("ruleset.") for p in problems)


def test_check_github_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.yaml", BROKEN_RULESET)
    code, out, _err = _run(capsys, "check", "--format", "github", str(path))
    assert code == 1
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith("::error file=") for line in lines)
    assert lines[1].startswith(f"::error file={path},line=8,col=5,title=ruleset.unknown-key::")


def test_check_strict_fails_on_warnings(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = BROKEN_RULESET.replace("windws:", "windows:").replace("800", '"08:00"')
    text = text.replace("    citation:", '    message: "{chanel}"\n    citation:')
    path = _write(tmp_path, "warn.yaml", text)
    code, out, _err = _run(capsys, "check", str(path))
    assert code == 0
    assert "warning ruleset.unknown-placeholder" in out
    code, _out, _err = _run(capsys, "check", "--strict", str(path))
    assert code == 1


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in ([], ["check"], ["nonsense"], ["check", "--format", "xml", "x"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
    capsys.readouterr()


# --- evaluate ------------------------------------------------------------------------------
def test_evaluate_examples(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "evaluate", *map(str, EXAMPLES))
    assert code == 0, err
    assert "ALLOWED" in out
    assert "DENIED" in out
    assert "12 CFR 1006.6(b)(1)(i)" in out  # the hours rule's citation
    assert "12 CFR 1006.14(b)(2)(i)(A)" in out  # the 7-in-7 rule's citation
    assert "next allowed:" in out
    for example in EXAMPLES:
        assert str(example) in out
    assert "Traceback" not in err


def test_evaluate_text_for_a_small_scenario(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write(tmp_path, "good.yaml", GOOD_SCENARIO)
    code, out, _err = _run(capsys, "evaluate", str(path))
    assert code == 0
    verdicts = re.findall(r"\b(ALLOWED|DENIED)\b", out)
    assert verdicts == ["ALLOWED", "DENIED"]
    assert "US-FED-REGF-1006.6b1i-HOURS [12 CFR 1006.6(b)(1)(i)" in out
    assert "next allowed: 2026-06-03T08:00:00-04:00" in out


def test_evaluate_judges_an_unstated_dial_method_under_the_tcpa_by_default(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The TCPA is bundled law, not opt-in: a call that does not say how it is placed counts
    as automated (47 U.S.C. 227(b)(1)(A)(iii), fail closed) and the consumer gave no consent."""
    text = """\
consumer:
  id: C-1
  addresses:
    - {country: US, subdivision: NY}
  phones:
    - {number: "+12125550143", type: mobile}
  debts:
    - {id: D1}
contacts:
  - {channel: call, at: "2026-06-02T10:00:00-04:00", debt_ids: [D1], to: "+12125550143"}
  - {channel: call, at: "2026-06-02T10:00:00-04:00", debt_ids: [D1], to: "+12125550143",
     dial_method: manual}
"""
    path = _write(tmp_path, "unstated.yaml", text)
    code, out, _err = _run(capsys, "evaluate", str(path))
    assert code == 0
    assert re.findall(r"\b(ALLOWED|DENIED)\b", out) == ["DENIED", "ALLOWED"]
    first, second = out.split("  [2] ")
    assert "- US-TCPA-227b1Aiii-WIRELESS-CONSENT [47 U.S.C. 227(b)(1)(A)(iii)" in first
    assert "US-TCPA" not in second.split("rulesets:")[0]
    assert "us-tcpa" in second


def test_evaluate_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(capsys, "evaluate", "--format", "json", *map(str, EXAMPLES))
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, list) and data
    fingerprints = set()
    for item in data:
        decision = item["decision"]
        assert isinstance(decision["allowed"], bool)
        assert isinstance(decision["reasons"], list)
        assert decision["fingerprint"].startswith("sha256:")
        fingerprints.add(decision["fingerprint"])
        if decision["allowed"]:
            assert decision["reasons"] == []
            assert decision["next_allowed_at"] == decision["at"]
        else:
            assert decision["reasons"]
            for reason in decision["reasons"]:
                assert reason["rule_id"] and reason["citation"] and reason["message"]
    assert len(fingerprints) == 1
    assert {d["decision"]["allowed"] for d in data} == {True, False}


def test_evaluate_naive_datetime_is_a_located_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write(tmp_path, "naive.yaml", NAIVE_SCENARIO)
    code, out, err = _run(capsys, "evaluate", str(path))
    assert code == 1
    lines = _problem_lines(err)
    assert [(m["path"], m["line"], m["col"]) for m in lines] == [(str(path), "10", "9")]
    assert lines[0]["code"].startswith("input.")
    assert "timezone" in err
    assert "Traceback" not in err
    assert "ALLOWED" not in out and "DENIED" not in out


def test_evaluate_naive_datetime_in_a_subprocess(tmp_path: Path) -> None:
    path = _write(tmp_path, "naive.yaml", NAIVE_SCENARIO)
    proc = subprocess.run(
        [sys.executable, "-m", "contactrules.cli", "evaluate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert re.search(rf"^{re.escape(str(path))}:10:9: error input\.", proc.stderr, re.M)


def test_evaluate_continues_past_a_bad_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = _write(tmp_path, "naive.yaml", NAIVE_SCENARIO)
    good = _write(tmp_path, "good.yaml", GOOD_SCENARIO)
    code, out, err = _run(capsys, "evaluate", str(bad), str(good))
    assert code == 1
    assert "ALLOWED" in out and "DENIED" in out
    assert str(bad) in err


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (GOOD_SCENARIO.replace("channel: call", "channel: fax", 1), "input.unknown-value"),
        (GOOD_SCENARIO.replace("  id: C-1", "  id: C-1\n  opted_out: true"), "input.unknown-key"),
        ("- just\n- a list\n", "input.not-a-mapping"),
        ("consumer: [unclosed\n", "yaml.syntax"),
        (GOOD_SCENARIO.replace("debt_ids: [D1]", "debt_ids: [D9]", 1), "input.invalid-contact"),
    ],
)
def test_evaluate_bad_scenarios(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, code: str
) -> None:
    path = _write(tmp_path, "bad.yaml", text)
    rc, _out, err = _run(capsys, "evaluate", str(path))
    assert rc == 1
    assert code in [m["code"] for m in _problem_lines(err)], err
    assert "Traceback" not in err


def test_evaluate_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rc, _out, err = _run(capsys, "evaluate", str(tmp_path / "nope.yaml"))
    assert rc == 2  # a wrong path is a usage error
    assert f"{tmp_path / 'nope.yaml'}: error file.not-found" in err


def test_evaluate_with_broken_rulesets(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rules = _write(tmp_path, "broken.yaml", BROKEN_RULESET)
    scenario = _write(tmp_path, "good.yaml", GOOD_SCENARIO)
    rc, _out, err = _run(capsys, "evaluate", "--rulesets", str(rules), str(scenario))
    assert rc == 1
    assert "ruleset.unknown-key" in err
    assert "Traceback" not in err


def test_evaluate_folder_zone_name_is_no_traceback(tmp_path: Path) -> None:
    text = GOOD_SCENARIO.replace("  id: C-1", "  id: C-1\n  zones: [America]")
    path = _write(tmp_path, "zone.yaml", text)
    proc = subprocess.run(
        [sys.executable, "-m", "contactrules.cli", "evaluate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert "Traceback" not in proc.stderr
    assert "CONTACTRULES-UNKNOWN-ZONE" in proc.stdout


# --- schema --------------------------------------------------------------------------------
def _schema(capsys: pytest.CaptureFixture[str], which: str) -> dict[str, object]:
    code, out, _err = _run(capsys, "schema", which)
    assert code == 0
    schema: dict[str, object] = json.loads(out)
    Draft202012Validator.check_schema(schema)
    return schema


def test_schema_default_is_the_ruleset_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(capsys, "schema")
    assert code == 0
    assert json.loads(out) == _schema(capsys, "ruleset")


@pytest.mark.parametrize("which", ["ruleset", "input"])
def test_schema_is_valid_draft_2020_12(capsys: pytest.CaptureFixture[str], which: str) -> None:
    schema = _schema(capsys, which)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: str(p.relative_to(RULESETS)))
def test_bundled_rulesets_validate_against_the_schema(
    capsys: pytest.CaptureFixture[str], path: Path
) -> None:
    validator = Draft202012Validator(_schema(capsys, "ruleset"))
    errors = sorted(validator.iter_errors(load_yaml_file(path).value), key=str)
    assert [e.message for e in errors] == []


def test_bundled_rulesets_were_found() -> None:
    assert RULESETS / "us" / "federal.yaml" in BUNDLED


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_validate_against_the_input_schema(
    capsys: pytest.CaptureFixture[str], path: Path
) -> None:
    validator = Draft202012Validator(_schema(capsys, "input"))
    errors = sorted(validator.iter_errors(load_yaml_file(path).value), key=str)
    assert [e.message for e in errors] == []


def test_ruleset_schema_refuses_a_number_for_a_time(capsys: pytest.CaptureFixture[str]) -> None:
    validator = Draft202012Validator(_schema(capsys, "ruleset"))
    data = load_yaml_file(RULESETS / "us" / "federal.yaml").value
    data["rules"][0]["windows"][0]["end"] = 1260
    assert not validator.is_valid(data)
    data["rules"][0]["windows"][0]["end"] = "21:00"
    data["rules"][0]["windws"] = []
    assert not validator.is_valid(data)


def test_schema_files_in_the_package_match_the_generated_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    shipped = REPO / "contactrules" / "schema"
    for which in ("ruleset", "input"):
        on_disk = json.loads((shipped / f"{which}.schema.json").read_text(encoding="utf-8"))
        assert on_disk == _schema(capsys, which), f"{which}.schema.json is stale"
