"""docs/templates.md works as written: its files, commands, printed output and hash recipe."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
REGISTRY = "my-templates/reminders.templates.yaml"


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


def _write_files(tmp_path: Path) -> dict[str, str]:
    files = {m[1]: m[0] for m in re.findall(r"```yaml\n(# file: (\S+)\n.*?)```", DOC, re.S)}
    assert set(files) == {REGISTRY, "ana.yaml", "ana-reminder.yaml"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return files


def test_the_example_runs_as_written(tmp_path: Path) -> None:
    files = _write_files(tmp_path)
    commands = re.findall(r"```sh\n(.*?)\n```", DOC, re.S)
    printed = re.findall(r"```text\n(.*?)```", DOC, re.S)
    assert commands == [
        "contactrules templates check my-templates --on 2026-06-02",
        "contactrules templates diff approved proposed --on 2026-06-02",
        "contactrules templates render balance-reminder-sms --data ana.yaml --language es "
        "--templates my-templates --on 2026-06-02",
        "contactrules evaluate ana-reminder.yaml --templates my-templates",
    ]
    hashes, problems, matrix, differences, message, decision = printed

    # The review of a change: the page's edit of the Spanish text is newly denied, exit 1.
    shutil.copytree(tmp_path / "my-templates", tmp_path / "approved")
    shutil.copytree(tmp_path / "my-templates", tmp_path / "proposed")
    proposed = tmp_path / "proposed" / "reminders.templates.yaml"
    edited = files[REGISTRY].replace(
        "{{ company_name }} es un cobrador de deudas. Un pago de {{ amount }}",
        "{{ company_name }} le recuerda que un pago de {{ amount }}",
    )
    assert edited != files[REGISTRY]
    proposed.write_text(edited, encoding="utf-8")
    compared = _run(commands[1], tmp_path)
    assert compared.returncode == 1, compared.stdout + compared.stderr
    assert compared.stdout.splitlines()[: len(differences.splitlines())] == differences.splitlines()

    judged = _run(commands[3], tmp_path)
    assert judged.returncode == 0, judged.stderr
    # Printed as shown, down to the line the page leaves out (the rulesets and fingerprint).
    assert judged.stdout.lstrip("\n").startswith(decision), judged.stdout
    spanish_hash = next(line for line in hashes.splitlines() if " es " in line).split()[-1]
    assert f"es {spanish_hash}" in decision

    checked = _run(commands[0], tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith(hashes + "\n")
    shown = checked.stdout.splitlines()
    for line in matrix.splitlines():  # the part of the matrix the page shows, line for line
        assert line in shown, line

    rendered = _run(commands[2], tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stdout == message
    assert rendered.stderr.startswith("balance-reminder-sms@1 es sha256:")

    # The mistake the page shows prints exactly the problems shown, and exit status 1.
    broken = files[REGISTRY].replace("Un pago de {{ amount }}", "Un pago de {{ monto }}")
    assert broken != files[REGISTRY]
    (tmp_path / REGISTRY).write_text(broken, encoding="utf-8")
    refused = _run(commands[0], tmp_path)
    assert refused.returncode == 1
    for line in problems.strip().splitlines():
        assert line in refused.stdout.splitlines(), line
    assert " es sha256:" not in refused.stdout  # a template with a problem gets no hash line


def test_the_hash_recipe_reproduces_the_printed_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_files(tmp_path)
    recipe = re.findall(r"```python\n(.*?)```", DOC, re.S)
    assert len(recipe) == 1
    hashes = re.findall(r"```text\n(.*?)```", DOC, re.S)[0].splitlines()
    spanish = next(line for line in hashes if " es " in line)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(recipe[0], "docs/templates.md", "exec"), {})
    assert out.getvalue().strip() == spanish.split()[-1]
