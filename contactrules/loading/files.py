"""Reading the files users name, with bounded work and a located problem for every refusal.

``contactrules check`` and ``evaluate`` read whatever path they are given. A named pipe blocks
``open()`` until a writer comes, ``/dev/zero`` never ends, and ``stat().st_size`` says nothing
about either (nor about a file that grows while it is read). So a file is opened without
blocking, the *open descriptor* is checked to be a regular file (checking the path first and
opening it afterwards would let it be swapped in between), and at most ``max_bytes + 1`` bytes
are read. Folders are walked with every entry that cannot be listed reported, never silently
skipped, so that an unreadable folder cannot pass for an empty, clean one.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from ..diagnostics import Diagnostic, Location, RulesetError

__all__ = [
    "describe_mode",
    "find_files",
    "path_status",
    "read_bounded",
    "require_regular_file",
    "walk_folder",
]

# O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
# O_NOCTTY: opening a terminal device never makes it the controlling terminal.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_CHUNK = 1 << 20
_MISSING = (errno.ENOENT, errno.ENOTDIR)


def describe_mode(mode: int) -> str:
    """What a non-regular file is, in words ("a named pipe (FIFO)")."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def _error(shown: str, code: str, message: str) -> RulesetError:
    return RulesetError([Diagnostic(Location(shown), code, message)])


def _not_regular(shown: str, mode: int) -> RulesetError:
    return _error(
        shown,
        "file.not-regular",
        f"this is {describe_mode(mode)}, not a regular file; only regular files are read",
    )


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _open_failure(path: Path | str, shown: str, exc: OSError) -> RulesetError:
    # A socket refuses open() (ENXIO) and Windows refuses a folder (EACCES): say what it is.
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        return _not_regular(shown, mode)
    return _error(shown, "file.unreadable", _reason(exc))


def _open_regular(path: Path | str, shown: str) -> tuple[int, os.stat_result]:
    """A descriptor on a regular file and its status, or a located :class:`RulesetError`."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _open_failure(path, shown, exc) from None
    try:
        info = os.fstat(fd)
    except OSError as exc:
        os.close(fd)
        raise _error(shown, "file.unreadable", _reason(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise _not_regular(shown, info.st_mode)
    return fd, info


def require_regular_file(path: Path | str, shown: str | None = None) -> None:
    """Raise a located :class:`RulesetError` unless ``path`` is a readable regular file.

    For readers that must open the file themselves (a database driver, a line reader): the file
    may still change between this check and their open, so they should bound their own work.
    """
    fd, _info = _open_regular(path, shown or str(path))
    os.close(fd)


def read_bounded(path: Path | str, *, max_bytes: int, shown: str | None = None) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, or a located :class:`RulesetError`.

    Codes: ``file.not-regular`` (folder, FIFO, device, socket), ``file.unreadable`` (the OS
    reason: missing, permission denied, …) and ``file.too-large``. Symbolic links are followed.
    """
    shown = shown or str(path)
    fd, info = _open_regular(path, shown)
    try:
        if info.st_size > max_bytes:
            raise _error(
                shown,
                "file.too-large",
                f"the file is {info.st_size:,} bytes; the limit is {max_bytes:,} bytes",
            )
        data = bytearray()
        while len(data) <= max_bytes:
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - len(data)))
            if not chunk:
                break
            data += chunk
    except OSError as exc:
        raise _error(shown, "file.unreadable", _reason(exc)) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise _error(
            shown,
            "file.too-large",
            f"the file holds more than the limit of {max_bytes:,} bytes "
            "(it grew while being read, or does not report its size)",
        )
    return bytes(data)


def path_status(path: Path | str) -> os.stat_result | Diagnostic:
    """The status of a path the user named, or a located problem saying why there is none.

    ``file.not-found`` when it does not exist (the command was given a wrong path),
    ``file.unreadable`` with the OS reason otherwise (a folder on the way may not be searched).
    """
    try:
        return os.stat(path)
    except OSError as exc:
        if exc.errno in _MISSING:
            return Diagnostic(Location(str(path)), "file.not-found", "no such file or folder")
        return Diagnostic(Location(str(path)), "file.unreadable", _reason(exc))


def walk_folder(
    root: Path,
    wanted: Callable[[str], bool],
    *,
    skip_dirs: Iterable[str] = (),
) -> tuple[list[Path], list[Diagnostic]]:
    """Files under ``root`` whose name ``wanted`` accepts, sorted, and every folder not listed.

    Symbolic links to folders are not followed (as ``Path.rglob`` did), so a link cycle cannot
    make the walk endless. Entries are returned whatever their type: the reader refuses the ones
    that are not regular files, with a message, instead of skipping them in silence.
    """
    skip = frozenset(skip_dirs)
    found: list[Path] = []
    problems: list[Diagnostic] = []

    def unreadable(exc: OSError) -> None:
        where = str(exc.filename) if exc.filename is not None else str(root)
        problems.append(
            Diagnostic(
                Location(where), "file.unreadable", f"cannot list this folder: {_reason(exc)}"
            )
        )

    for folder, dirnames, filenames in os.walk(root, onerror=unreadable):
        dirnames[:] = sorted(d for d in dirnames if d not in skip)
        found.extend(Path(folder, name) for name in filenames if wanted(name))
    return sorted(found), problems


def find_files(
    paths: Iterable[Path | str],
    in_folder: Callable[[str], bool],
    named: Callable[[str], bool],
    *,
    skip_dirs: Iterable[str] = (),
    report_unusable_paths: bool = True,
) -> tuple[list[Path], list[Diagnostic]]:
    """Files under the given files/folders, and why any path or folder could not be read.

    Folders are walked for names ``in_folder`` accepts; a file named directly is kept when
    ``named`` accepts it, whatever its type, for the reader to accept or refuse. A path that
    does not exist or cannot be searched is reported (``file.not-found``, ``file.unreadable``)
    unless ``report_unusable_paths`` is off because another pass over the same paths reports it;
    an unreadable folder met while walking is always reported, never skipped in silence.
    """
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for raw in paths:
        path = Path(raw)
        status = path_status(path)
        if isinstance(status, Diagnostic):
            if report_unusable_paths:
                problems.append(status)
            continue
        if stat.S_ISDIR(status.st_mode):
            files, unlisted = walk_folder(path, in_folder, skip_dirs=skip_dirs)
            found.extend(files)
            problems.extend(unlisted)
        elif named(path.name):
            found.append(path)
    return found, problems
