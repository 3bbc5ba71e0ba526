"""Paths that are not readable YAML files: a located line and an exit status, never a hang.

Each row names what a user might point the command at by mistake (a named pipe, a device, a
socket, a folder, a path that does not exist, a file or folder they may not read, a file with a
NUL byte, a file over the size limit) and what must come out: the exit status, the code, and the
location (``path:line:col``, or ``path`` alone for a problem with the file as a whole). Commands
that could block run in a subprocess with a timeout, so a regression fails instead of hanging.

Permission errors are simulated by patching ``os`` calls, because tests often run as root, whom
file modes do not stop; one test with real modes runs when not root.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from contactrules import cli
from contactrules.cli import main
from contactrules.diagnostics import RulesetError
from contactrules.loading.yamlsource import MAX_FILE_BYTES, load_yaml_file

REPO = Path(__file__).resolve().parent.parent
POSIX = os.name == "posix"

RULESET = """\
ruleset: test-hours
title: Test hours
jurisdiction: {country: US}
rules:
  - id: T-HOURS
    kind: time_window
    channels: [call]
    windows:
      - {days: all, start: "08:00", end: "21:00"}
    citation: 12 CFR 1006.6(b)(1)(i)
"""

SCENARIO_JSON = """\
{"consumer": {"id": "C-1",
  "addresses": [{"country": "US", "subdivision": "NY"}],
  "debts": [{"id": "D1"}]},
 "contacts": [{"channel": "call", "at": "2026-06-02T10:00:00-04:00", "debt_ids": ["D1"]}]}
"""


def _cli(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real command in a child process; a hang fails the test instead of stalling it."""
    return subprocess.run(
        [sys.executable, "-m", "contactrules.cli", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
    )


# --- what each bad path is ------------------------------------------------------------------
def _fifo(tmp_path: Path, name: str = "pipe.yaml") -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    return path


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "socket.yaml"
    if not hasattr(socket, "AF_UNIX") or len(str(path)) > 100:  # sun_path holds ~104 bytes
        pytest.skip("needs a Unix socket path short enough to bind")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
        yield path
    finally:
        sock.close()


def _nul_at_line_3(tmp_path: Path) -> Path:
    path = tmp_path / "nul.yaml"
    path.write_bytes(b"ruleset: nul\ntitle: Nul\nnotes: ab\x00cd\n")
    return path


def _oversize(tmp_path: Path) -> Path:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as out:
        out.write(b"ruleset: huge\n")
        out.write(b"# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    assert path.stat().st_size > MAX_FILE_BYTES
    return path


# Each row: id, a builder of (argv, the path the problem is about), exit status, the location
# text that must start a line of output ("" + code), and the code.
Builder = Callable[[Path], tuple[list[str], str]]


def _empty_folder(tmp_path: Path) -> tuple[list[str], str]:
    folder = tmp_path / "empty"
    folder.mkdir()
    return ["check", str(folder)], str(folder)


CLI_ROWS: list[tuple[str, Builder, int, str, str]] = [
    (
        "check-fifo",
        lambda t: (["check", str(_fifo(t))], str(t / "pipe.yaml")),
        1,
        "",
        "file.not-regular",
    ),
    (
        "check-fifo-in-folder",
        lambda t: (["check", str(_fifo(t).parent)], str(t / "pipe.yaml")),
        1,
        "",
        "file.not-regular",
    ),
    (
        "evaluate-fifo",
        lambda t: (["evaluate", str(_fifo(t))], str(t / "pipe.yaml")),
        1,
        "",
        "file.not-regular",
    ),
    (
        "explain-rulesets-fifo",
        lambda t: (["explain", "X", "--rulesets", str(_fifo(t))], str(t / "pipe.yaml")),
        1,
        "",
        "file.not-regular",
    ),
    (
        "replay-fifo-jsonl",
        lambda t: (["replay", str(_fifo(t, "audit.jsonl"))], str(t / "audit.jsonl")),
        2,
        "",
        "file.not-regular",
    ),
    ("check-dev-zero", lambda t: (["check", "/dev/zero"], "/dev/zero"), 1, "", "file.not-regular"),
    (
        "evaluate-dev-zero",
        lambda t: (["evaluate", "/dev/zero"], "/dev/zero"),
        1,
        "",
        "file.not-regular",
    ),
    ("check-empty-folder", _empty_folder, 1, "", "ruleset.none-found"),
    (
        "test-empty-folder",
        lambda t: (["test", _empty_folder(t)[1]], str(t / "empty")),
        1,
        "",
        "ruleset.none-found",
    ),
    (
        "check-missing-path",
        lambda t: (["check", str(t / "nope")], str(t / "nope")),
        2,
        "",
        "file.not-found",
    ),
    (
        "evaluate-missing-path",
        lambda t: (["evaluate", str(t / "nope.yaml")], str(t / "nope.yaml")),
        2,
        "",
        "file.not-found",
    ),
    (
        "evaluate-folder",
        lambda t: (["evaluate", str(t)], str(t)),
        1,
        "",
        "file.not-regular",
    ),
    (
        "check-nul-at-line-3",
        lambda t: (["check", str(_nul_at_line_3(t))], str(t / "nul.yaml")),
        1,
        ":3:10",
        "yaml.forbidden-character",
    ),
    (
        "check-over-5-mb",
        lambda t: (["check", str(_oversize(t))], str(t / "huge.yaml")),
        1,
        "",
        "file.too-large",
    ),
    (
        "calendar-svg-into-a-folder",
        lambda t: (["calendar", "US-MA", "--week", "2026-03-08", "--svg", str(t)], str(t)),
        2,
        "",
        "file.io-error",
    ),
]


def _scenario_with_nul(tmp_path: Path) -> tuple[list[str], str]:
    path = tmp_path / "scenario.json"
    text = SCENARIO_JSON.replace('"debts"', '"de\x00bts"')  # line 3, column 6
    path.write_text(text, encoding="utf-8")
    return ["evaluate", str(path)], str(path)


def _cases_with_nul(tmp_path: Path) -> tuple[list[str], str]:
    (tmp_path / "hours.yaml").write_text(RULESET, encoding="utf-8")
    path = tmp_path / "hours.cases.yaml"
    path.write_bytes(b"cases:\n  - name: x\n    source: \x00\n")
    return ["test", str(tmp_path)], str(path)


CLI_ROWS += [
    ("evaluate-json-nul-at-line-3", _scenario_with_nul, 1, ":3:6", "yaml.forbidden-character"),
    ("test-cases-nul-at-line-3", _cases_with_nul, 1, ":3:13", "yaml.forbidden-character"),
]


@pytest.mark.skipif(not POSIX, reason="FIFOs and /dev/zero are POSIX")
@pytest.mark.parametrize(
    ("build", "status", "where", "code"),
    [pytest.param(*row[1:], id=row[0]) for row in CLI_ROWS],
)
def test_bad_path_is_one_located_line(
    tmp_path: Path, build: Builder, status: int, where: str, code: str
) -> None:
    argv, about = build(tmp_path)
    proc = _cli(*argv)
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output, output
    assert proc.returncode == status, output
    assert f"{about}{where}: error {code} " in output, output
    assert "0 error(s)" not in output


def test_socket_is_refused(unix_socket: Path) -> None:
    proc = _cli("check", str(unix_socket))
    assert proc.returncode == 1, proc.stderr
    assert f"{unix_socket}: error file.not-regular this is a socket" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_python_m_contactrules_runs_the_command() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "contactrules", "check", str(REPO / "nope")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert proc.returncode == 2
    assert "file.not-found" in proc.stdout


# --- the bounded reader, through the Python API -------------------------------------------------
def test_size_is_checked_while_reading_not_by_stat_alone() -> None:
    """/proc files report a size of 0 and hold more: the limit must hold all the same."""
    path = Path("/proc/self/status")
    if not path.exists() or path.stat().st_size != 0:
        pytest.skip("needs a Linux /proc file whose stat() size is 0")
    with pytest.raises(RulesetError) as info:
        load_yaml_file(path, max_bytes=64)
    (problem,) = info.value.diagnostics
    assert problem.code == "file.too-large"
    assert "64 bytes" in problem.message


@pytest.mark.skipif(not POSIX, reason="FIFOs are POSIX")
def test_fifo_is_refused_by_the_python_api_without_blocking(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from contactrules.diagnostics import RulesetError\n"
        "from contactrules.loading.yamlsource import load_yaml_file\n"
        "try:\n"
        "    load_yaml_file(sys.argv[1])\n"
        "except RulesetError as exc:\n"
        "    print(exc.diagnostics[0].code)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(_fifo(tmp_path))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.strip() == "file.not-regular", proc.stderr


def test_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    target = tmp_path / "rules.yaml"
    target.write_text(RULESET, encoding="utf-8")
    link = tmp_path / "link.yml"
    link.symlink_to(target)
    assert load_yaml_file(link).value["ruleset"] == "test-hours"


# --- permission problems, simulated (root is not stopped by file modes) ---------------------------
def _denied(path: Path) -> PermissionError:
    return PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))


def _under(path: Any, folder: Path) -> bool:
    try:
        text: str | bytes = os.fspath(path)
    except TypeError:  # a descriptor
        return False
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    return text == str(folder) or text.startswith(str(folder) + os.sep)


@pytest.fixture
def locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder ``locked`` beside a good ruleset, which may be neither listed nor searched."""
    (tmp_path / "good.yaml").write_text(RULESET, encoding="utf-8")
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "inside.yaml").write_text(RULESET.replace("test-hours", "inside"), "utf-8")
    (folder / "inside.cases.yaml").write_text("cases: []\n", encoding="utf-8")
    real_stat, real_open, real_scandir = os.stat, os.open, os.scandir

    def stat_(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        if _under(path, folder) and os.fspath(path) != str(folder):
            raise _denied(path)
        return real_stat(path, *args, **kwargs)

    def open_(path: Any, *args: Any, **kwargs: Any) -> int:
        if _under(path, folder):
            raise _denied(path)
        return real_open(path, *args, **kwargs)

    def scandir(path: Any = ".") -> Any:
        if _under(path, folder):
            raise _denied(path)
        return real_scandir(path)

    monkeypatch.setattr(os, "stat", stat_)
    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "scandir", scandir)
    return folder


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out + err


@pytest.mark.parametrize(
    ("argv", "about", "message"),
    [
        pytest.param(
            ["check", "{tmp}"], "{tmp}/locked", "cannot list this folder", id="check-folder"
        ),
        pytest.param(
            ["test", "{tmp}"], "{tmp}/locked", "cannot list this folder", id="test-folder"
        ),
        pytest.param(
            ["check", "{tmp}/locked/inside.yaml"],
            "{tmp}/locked/inside.yaml",
            "Permission denied",
            id="check-file-in-unsearchable-folder",
        ),
        pytest.param(
            ["evaluate", "{tmp}/locked/inside.yaml"],
            "{tmp}/locked/inside.yaml",
            "Permission denied",
            id="evaluate-file-in-unsearchable-folder",
        ),
        pytest.param(
            ["evaluate", "--rulesets", "{tmp}/locked", "{tmp}/good.yaml"],
            "{tmp}/locked",
            "cannot list this folder",
            id="evaluate-rulesets-unlistable",
        ),
    ],
)
def test_permission_problems_are_located(
    capsys: pytest.CaptureFixture[str], locked: Path, argv: list[str], about: str, message: str
) -> None:
    tmp = str(locked.parent)
    status, output = _run(capsys, *(a.format(tmp=tmp) for a in argv))
    assert status == 1, output
    assert f"{about.format(tmp=tmp)}: error file.unreadable " in output, output
    assert message in output


def test_unreadable_file_is_located(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULESET, encoding="utf-8")
    real_open = os.open

    def open_(target: Any, *args: Any, **kwargs: Any) -> int:
        if _under(target, path):
            raise _denied(path)
        return real_open(target, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    status, output = _run(capsys, "check", str(path))
    assert status == 1
    assert f"{path}: error file.unreadable Permission denied" in output


@pytest.mark.skipif(not POSIX or os.geteuid() == 0, reason="root ignores file modes")
def test_real_mode_000_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(RULESET, encoding="utf-8")
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "inside.yaml").write_text(RULESET, encoding="utf-8")
    folder.chmod(0)
    try:
        status, output = _run(capsys, "check", str(tmp_path))
        assert status == 1
        assert f"{folder}: error file.unreadable " in output
        status, output = _run(capsys, "check", str(folder / "inside.yaml"))
        assert status == 1
        assert f"{folder / 'inside.yaml'}: error file.unreadable " in output
    finally:
        folder.chmod(stat.S_IRWXU)


# --- every exception reaching the command is one line ---------------------------------------------
def _raise(exc: BaseException) -> Callable[..., int]:
    def command(*_args: object, **_kwargs: object) -> int:
        raise exc

    return command


@pytest.mark.parametrize(
    ("exc", "status", "line"),
    [
        pytest.param(
            RuntimeError("boom\nsecond line"),
            2,
            "contactrules: internal error: RuntimeError: boom second line",
            id="unexpected",
        ),
        pytest.param(ValueError("bad value"), 2, "contactrules: error bad value", id="value"),
        pytest.param(
            PermissionError(errno.EACCES, "Permission denied", "out.svg"),
            2,
            "out.svg: error file.io-error Permission denied",
            id="os-error",
        ),
        pytest.param(KeyboardInterrupt(), 130, "", id="interrupted"),
    ],
)
def test_exceptions_are_one_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    exc: BaseException,
    status: int,
    line: str,
) -> None:
    monkeypatch.delenv("CONTACTRULES_DEBUG", raising=False)
    monkeypatch.setattr(cli.check, "run", _raise(exc))
    assert main(["check", str(tmp_path)]) == status
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (line + "\n" if line else "")


def test_validation_error_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from pydantic import ValidationError

    from contactrules.scenario import Scenario

    try:
        Scenario.model_validate({"consumer": {}, "contacts": []})
    except ValidationError as error:
        caught = error
    monkeypatch.setattr(cli.check, "run", _raise(caught))
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("contactrules: error input.invalid ")


def test_debug_variable_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CONTACTRULES_DEBUG", "1")
    monkeypatch.setattr(cli.check, "run", _raise(RuntimeError("boom")))
    with pytest.raises(RuntimeError, match="boom"):
        main(["check", str(tmp_path)])
