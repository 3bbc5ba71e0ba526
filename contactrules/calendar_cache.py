"""What the installed ``holidays`` release said about a calendar, remembered between processes.

Loading an engine checks every holiday calendar its rulesets name against the installed
``holidays`` (see :meth:`~contactrules.rules.holiday_spec.HolidayCalendar.problems`). The check
itself takes a few milliseconds; importing the package to answer it takes 60–150 ms, because
the package imports all of its ~250 country modules on first use. The answers are a function of
the release alone, so they are kept in a small file per release, and a process whose answers
are all on file never imports the package. The check still runs in full every time: only the
package's answers (a calendar accepted, one year's date → name table) come from the file, and
only answers the package gave are written; a refusal is always asked of the package again, so
its message is exactly the package's.

Where: ``$CONTACTRULES_CACHE_DIR``, else ``$XDG_CACHE_HOME/contactrules`` or
``~/.cache/contactrules`` (``%LOCALAPPDATA%`` on Windows). ``CONTACTRULES_CACHE_DIR=`` (set and
empty) turns the file off. The file name is derived from the ``holidays`` release, the Python
version and this module's format, so another release never reads it.

A file that cannot be read, does not parse, is of another release or fails its checksum is
ignored as if absent (the package is asked), and a folder that cannot be written (a read-only
home) only costs the time saved. Writes go to a temporary file in the same folder that is then
renamed over the old one, so that a process running beside another reads a whole file or none.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["ENV_VAR", "FactCache", "default_cache"]

ENV_VAR = "CONTACTRULES_CACHE_DIR"
# Bumped whenever what is stored, or how it is computed, changes: old files are then unused.
FORMAT = 1
# A real file is a few kilobytes; anything far larger is not one of ours.
MAX_BYTES = 1 << 20


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _digest(identity: Mapping[str, str], entries: Mapping[str, Any]) -> str:
    return hashlib.sha256(_canonical([identity, entries]).encode()).hexdigest()


class FactCache:
    """Answers of one ``holidays`` release, by key, read once and written on every new answer.

    ``path`` None keeps answers in memory only (no usable folder, or turned off).
    """

    def __init__(self, path: Path | None, identity: Mapping[str, str]) -> None:
        self.path = path
        self.identity = dict(identity)
        self._entries: dict[str, Any] | None = None

    def get(self, key: str) -> Any | None:
        """The stored answer, or None when there is none (ask the package)."""
        if self._entries is None:
            self._entries = self._read()
        return self._entries.get(key)

    def put(self, key: str, value: Any) -> None:
        """Remember an answer the package gave; a file that cannot be written is left alone."""
        if self._entries is None:
            self._entries = self._read()
        self._entries[key] = value
        if self.path is None:
            return
        # Merged with what other processes wrote since this one read, so that they do not
        # keep erasing each other's answers (the answers of one release never differ).
        merged = {**self._read(), **self._entries}
        with contextlib.suppress(OSError):
            self._write(merged)

    def _read(self) -> dict[str, Any]:
        if self.path is None:
            return {}
        try:
            with self.path.open("rb") as file:
                raw = file.read(MAX_BYTES + 1)
        except OSError:
            return {}
        if len(raw) > MAX_BYTES:
            return {}
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return {}
        if not isinstance(doc, dict):
            return {}
        entries = doc.get("entries")
        if (
            doc.get("format") != FORMAT
            or doc.get("identity") != self.identity
            or not isinstance(entries, dict)
            or doc.get("sha256") != _digest(self.identity, entries)
        ):
            return {}
        return entries

    def _write(self, entries: Mapping[str, Any]) -> None:
        assert self.path is not None
        import tempfile

        folder = self.path.parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        text = _canonical(
            {
                "format": FORMAT,
                "identity": self.identity,
                "sha256": _digest(self.identity, entries),
                "entries": entries,
            }
        )
        handle, temporary = tempfile.mkstemp(
            dir=folder, prefix=f".{self.path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise


def _folder() -> Path | None:
    chosen = os.environ.get(ENV_VAR)
    if chosen is not None:
        return Path(chosen) if chosen.strip() else None
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "contactrules" / "Cache" if base else None
    base = os.environ.get("XDG_CACHE_HOME")
    if base and Path(base).is_absolute():
        return Path(base) / "contactrules"
    try:
        return Path.home() / ".cache" / "contactrules"
    except (RuntimeError, KeyError):  # no home directory to speak of
        return None


def _identity(language: str) -> dict[str, str] | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("holidays")
    except PackageNotFoundError:  # a source tree on sys.path: no release to key answers by
        return None
    return {
        "holidays": release,
        "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
        "language": language,
    }


@lru_cache(maxsize=4)
def default_cache(language: str) -> FactCache:
    """This process's cache of the installed release's answers for names in ``language``."""
    identity = _identity(language)
    folder = _folder()
    if identity is None:
        return FactCache(None, {})
    name = hashlib.sha256(_canonical([FORMAT, identity]).encode()).hexdigest()[:16]
    return FactCache(None if folder is None else folder / f"holidays-{name}.json", identity)
