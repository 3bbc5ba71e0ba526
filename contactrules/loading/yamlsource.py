"""Safe YAML reading that keeps every node's ``path:line:col``.

Why not ``yaml.safe_load``: PyYAML implements YAML 1.1, where ``end: 21:00`` is the base-60
integer 1260, ``NO`` (Norway) and ``off`` are booleans and ``2024-07-04`` is a date. A 9 pm cutoff
must never silently become something else, so plain scalars are resolved here with the YAML 1.2
core rules only (``true``/``false``, decimal numbers, ``null``); everything else stays text and the
models decide what it means. PyYAML's composer builds the node tree (with marks) without
constructing any Python object, so no tag can run code. Aliases are expanded under a node budget,
which stops "billion laughs" documents; nesting depth and file size are bounded too.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import Diagnostic, Location, RulesetError
from ..errors import ContactrulesError
from .files import read_bounded

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "PathKey",
    "SourceDocument",
    "load_yaml_file",
    "load_yaml_text",
]

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64

PathKey = tuple[str | int, ...]

_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)


@dataclass
class SourceDocument:
    """Plain data (dict/list/str/int/float/bool/None) plus where each piece came from."""

    path: str
    value: Any
    positions: dict[PathKey, Location] = field(default_factory=dict)
    key_positions: dict[PathKey, Location] = field(default_factory=dict)

    def locate(self, path: PathKey, *, key: bool = False) -> Location:
        """The location of ``path``, or of its nearest ancestor that exists in the file."""
        probe = tuple(path)
        while True:
            if key and probe in self.key_positions:
                return self.key_positions[probe]
            if probe in self.positions:
                return self.positions[probe]
            if not probe:
                return Location(self.path, 1, 1)
            probe = probe[:-1]


class _Builder:
    def __init__(self, path: str) -> None:
        self.doc = SourceDocument(path=path, value=None)
        self.nodes = 0
        self.problems: list[Diagnostic] = []

    def where(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.doc.path, mark.line + 1, mark.column + 1)

    def fail(self, node: yaml.Node, code: str, message: str) -> None:
        self.problems.append(Diagnostic(self.where(node), code, message))

    def build(self, node: yaml.Node, path: PathKey, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBig(
                node,
                f"the document expands to more than {MAX_NODES} nodes "
                "(aliases that repeat aliases?)",
            )
        if depth > MAX_DEPTH:
            raise _TooBig(node, f"nesting deeper than {MAX_DEPTH} levels")
        self.doc.positions.setdefault(path, self.where(node))
        if node.tag not in _STANDARD_TAGS and not node.tag.startswith("tag:yaml.org,2002:merge"):
            self.fail(node, "yaml.tag", f"the tag {node.tag!r} is not allowed; write plain values")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, i), depth + 1) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        self.fail(node, "yaml.node", "unsupported YAML node")
        return None

    def scalar(self, node: yaml.ScalarNode) -> Any:
        text: str = node.value
        if node.style:  # quoted or block scalar (plain style is None, or "" from libyaml)
            return text
        if text in _NULL:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if _INT.match(text):
            return int(text)
        if _FLOAT.match(text):
            return float(text)
        return text

    def mapping(self, node: yaml.MappingNode, path: PathKey, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(
                    key_node,
                    "yaml.merge-key",
                    "merge keys (<<) are not supported; write the values out",
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, "yaml.key-type", "a key must be plain text")
                continue
            key = key_node.value
            if key in out:
                self.fail(
                    key_node,
                    "yaml.duplicate-key",
                    f'the key "{key}" appears twice in the same mapping; the second '
                    "would silently replace the first",
                )
                continue
            child: PathKey = (*path, key)
            self.doc.key_positions[child] = self.where(key_node)
            out[key] = self.build(value_node, child, depth + 1)
        return out


class _TooBig(ContactrulesError):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node


# libyaml (when PyYAML was built with it) parses ten times faster; its composer recurses in C,
# so the nesting depth is measured first from the (iterative) event stream.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OPEN = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSE = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
# How a parser words its own nesting limit (libyaml: "exceeded maximum nesting depth").
_NESTING_LIMIT = re.compile(r"nest|depth", re.IGNORECASE)


def _check_depth(text: str, path: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH, located at the first collection past the limit.

    The libyaml bundled with newer PyYAML releases (6.0.4 on) stops at its own limit of 1,000
    levels, and can do so before it has delivered the events that would show ours: to decide
    whether ``[[[…`` starts a key, its scanner reads up to 1,024 characters ahead. Whatever the
    version, a parser's own nesting limit means ``yaml.too-deep``. To say where ours was crossed,
    the text before the point where the parser stopped is read again: every collection open
    there starts in it, and it is too short to reach the parser's limit or to read ahead past.
    """
    try:
        _scan_depth(text, path, _LOADER)
    except yaml.MarkedYAMLError as exc:
        if not _is_nesting_limit(exc):
            raise
        mark = exc.problem_mark
        if mark is not None and 0 < mark.index <= len(text):
            # raises yaml.too-deep, located; a YAML error is the cut-off end, malformed before
            # our limit was reached, and then the parser's own place is reported
            with contextlib.suppress(yaml.YAMLError):
                _scan_depth(text[: mark.index], path, _LOADER)
        raise _too_deep(path, mark) from None


def _scan_depth(text: str, path: str, loader: Any) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, _OPEN):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(path, event.start_mark)
        elif isinstance(event, _CLOSE):
            depth -= 1


def _is_nesting_limit(exc: yaml.MarkedYAMLError) -> bool:
    return any(_NESTING_LIMIT.search(part or "") for part in (exc.problem, exc.context))


def _too_deep(path: str, mark: Any) -> RulesetError:
    return RulesetError(
        [
            Diagnostic(
                _mark_location(path, mark),
                "yaml.too-deep",
                f"nesting deeper than {MAX_DEPTH} levels",
            )
        ]
    )


def _mark_location(path: str, mark: Any) -> Location:
    if mark is None:
        return Location(path, 1, 1)
    return Location(path, mark.line + 1, mark.column + 1)


# The characters YAML 1.2 allows in a stream (its "c-printable" set, as PyYAML's reader checks).
# PyYAML reports a forbidden one with an offset but no line, so it is located here first.
_FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CHARACTER_NAMES = {"\x00": "a NUL byte", "\x7f": "DEL", "\ufffe": "a noncharacter"}


def _check_characters(text: str, path: str) -> None:
    found = _FORBIDDEN.search(text)
    if found is None:
        return
    where = found.start()
    before = text[:where]
    # a line ends at \n, \r\n or a lone \r, as editors count lines
    line = before.count("\n") + before.count("\r") - before.count("\r\n") + 1
    col = where - max(before.rfind("\n"), before.rfind("\r"))
    char = found.group()
    name = _CHARACTER_NAMES.get(char, "a control character")
    if "\ud800" <= char <= "\udfff":
        name = "an unpaired surrogate"
    raise RulesetError(
        [
            Diagnostic(
                Location(path, line, col),
                "yaml.forbidden-character",
                f"U+{ord(char):04X} ({name}) is not allowed in YAML; remove it",
            )
        ]
    )


def load_yaml_text(text: str, path: str = "<string>") -> SourceDocument:
    """Parse one YAML document; raise :class:`RulesetError` with located problems."""
    _check_characters(text, path)
    try:
        _check_depth(text, path)
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed YAML"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        raise RulesetError(
            [Diagnostic(_mark_location(path, mark), "yaml.syntax", f"{problem}{context}")]
        ) from None
    except yaml.YAMLError as exc:
        raise RulesetError([Diagnostic(Location(path, 1, 1), "yaml.syntax", str(exc))]) from None
    except RecursionError:
        raise RulesetError(
            [Diagnostic(Location(path, 1, 1), "yaml.too-deep", "the document nests too deeply")]
        ) from None
    builder = _Builder(path)
    if node is None:
        builder.doc.value = None
        return builder.doc
    try:
        builder.doc.value = builder.build(node, (), 0)
    except _TooBig as exc:
        raise RulesetError(
            [Diagnostic(builder.where(exc.node), "yaml.too-large", str(exc))]
        ) from None
    if builder.problems:
        raise RulesetError(builder.problems)
    return builder.doc


def load_yaml_file(
    path: Path | str, *, max_bytes: int = MAX_FILE_BYTES, shown: str | None = None
) -> SourceDocument:
    """Read a regular file of at most ``max_bytes`` as strict UTF-8, then :func:`load_yaml_text`.

    FIFOs, devices, sockets and folders are refused before any read, the size is checked while
    reading (see :func:`contactrules.files.read_bounded`), and OS errors are located problems.
    """
    shown = shown or str(path)
    raw = read_bounded(path, max_bytes=max_bytes, shown=shown)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise RulesetError(
            [
                Diagnostic(
                    Location(shown, line, col),
                    "file.encoding",
                    f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8",
                )
            ]
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return load_yaml_text(text, shown)


def is_mapping(value: object) -> bool:
    return isinstance(value, Mapping)
