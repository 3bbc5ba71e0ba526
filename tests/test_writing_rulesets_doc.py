"""docs/writing-rulesets.md works as written: its files, commands and printed errors."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "writing-rulesets.md").read_text(encoding="utf-8")


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    args = shlex.split(command)
    assert args[0] == "contactrules", command
    return subprocess.run(
        [sys.executable, "-m", "contactrules.cli", *args[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "rulesets", tmp_path / "rulesets")
    files = {m[1]: m[0] for m in re.findall(r"```yaml\n(# file: (\S+)\n.*?)```", DOC, re.S)}
    commands = re.findall(r"```sh\n(.*?)\n```", DOC, re.S)
    printed = re.search(r"```text\n(.*?)```", DOC, re.S)
    assert set(files) == {"my-policy/policy.yaml", "my-policy/policy.cases.yaml"}
    assert printed is not None
    assert commands == [
        "contactrules explain US-MA-209CMR-18.16-1d-CALLS-2IN7",
        "contactrules check rulesets my-policy",
        "contactrules check rulesets my-policy",
        "contactrules test rulesets my-policy --coverage",
    ]

    # 1. explain
    explained = _run(commands[0], tmp_path)
    assert explained.returncode == 0
    assert "209 CMR 18.16(1)(d)" in explained.stdout

    # 2-3. the policy with its deliberate mistake: check prints exactly the errors shown
    (tmp_path / "my-policy").mkdir()
    (tmp_path / "my-policy" / "policy.yaml").write_text(files["my-policy/policy.yaml"])
    broken = _run(commands[1], tmp_path)
    assert broken.returncode == 1
    for line in printed.group(1).strip().splitlines():
        assert line in broken.stdout.splitlines(), line
    fixed = files["my-policy/policy.yaml"].replace("    windw: 7d", "    window: 7d")
    (tmp_path / "my-policy" / "policy.yaml").write_text(fixed)
    clean = _run(commands[2], tmp_path)
    assert clean.returncode == 0, clean.stdout
    assert "0 error(s)" in clean.stderr

    # 4. the cases pass, and both of the policy's cases were run
    (tmp_path / "my-policy" / "policy.cases.yaml").write_text(files["my-policy/policy.cases.yaml"])
    tested = _run(commands[3], tmp_path)
    assert tested.returncode == 0, tested.stdout
    assert re.search(r"^\d+ passed, 0 failed$", tested.stdout, re.M)
    alone = _run("contactrules test rulesets/us my-policy", tmp_path)
    assert alone.returncode == 0, alone.stdout

    # A looser policy (max 3) is refused, as the doc says.
    looser = fixed.replace("    max: 1", "    max: 3")
    (tmp_path / "my-policy" / "policy.yaml").write_text(looser)
    refused = _run(commands[1], tmp_path)
    assert refused.returncode == 1
    assert "ruleset.looser-than-parent" in refused.stdout
