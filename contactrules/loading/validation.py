"""Pydantic's validation errors → located, plain-language problems (``path:line:col``).

A pydantic error names a path through the data and a machine type; a compliance officer needs
the line and column of the key or value, a sentence, and a "did you mean" where a close spelling
exists. Ruleset files, case files and scenario files all report their problems through here.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from ..diagnostics import Diagnostic, did_you_mean
from ..rules import REGISTRY
from .yamlsource import PathKey, SourceDocument

__all__ = ["validation_diagnostics"]


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _model_fields_at(root: type[BaseModel], data: Any, path: PathKey) -> list[str] | None:
    """The keys allowed at ``path`` in the data, found by walking the model's field types."""
    tp: Any = root
    node = data
    for seg in path:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            info = tp.model_fields.get(str(seg))
            if info is None:
                return None
            tp = info.annotation
        elif typing.get_origin(tp) in (list, tuple) and isinstance(seg, int):
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
        node = _child(node, seg)
        tp = _unwrap(tp)
        if typing.get_origin(tp) in (typing.Union, types.UnionType) and isinstance(node, dict):
            kind = node.get("kind")
            if isinstance(kind, str) and kind in REGISTRY:
                tp = REGISTRY[kind]
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return None


def _data_path(data: Any, loc: tuple[str | int, ...]) -> PathKey:
    """Drop the parts of a pydantic location that are not in the data (union tags, validators)."""
    out: list[str | int] = []
    node = data
    for seg in loc:
        if (isinstance(node, dict) and seg in node) or (
            isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node)
        ):
            out.append(seg)
            node = _child(node, seg)
    return tuple(out)


def _clean(msg: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg


def validation_diagnostics(
    exc: ValidationError, doc: SourceDocument, root: type[BaseModel]
) -> list[Diagnostic]:
    """Turn a pydantic ValidationError on ``doc.value`` into located, plain-language problems."""
    problems: list[Diagnostic] = []
    seen: set[tuple[PathKey, str]] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        path = _data_path(doc.value, loc)
        value = err.get("input")
        ctx = err.get("ctx") or {}
        if kind == "extra_forbidden":
            key = path[-1] if path else loc[-1]
            allowed = _model_fields_at(root, doc.value, path[:-1]) or []
            where = _describe(doc.value, path[:-1])
            hint = did_you_mean(str(key), allowed)
            if key in ("pattern", "regex", "regexp"):
                hint = (
                    "; rulesets match phrases, not regular expressions (a regular "
                    "expression could make every evaluation hang): use phrases"
                )
            code, message = "unknown-key", f'unknown key "{key}"{where}{hint}'
            location = doc.locate(path, key=True)
        elif kind == "missing":
            name = loc[-1]
            code, message = (
                "missing-key",
                f'missing required key "{name}"{_describe(doc.value, path)}',
            )
            location = doc.locate(path, key=True)
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            tag = ctx.get("tag", value.get("kind") if isinstance(value, dict) else None)
            if tag is None:
                code, message = (
                    "missing-key",
                    'a rule needs a "kind"; one of ' + ", ".join(sorted(REGISTRY)),
                )
                location = doc.locate(path, key=True)
            else:
                code = "unknown-kind"
                message = f'unknown rule kind "{tag}"{did_you_mean(tag, REGISTRY)}'
                location = doc.locate((*path, "kind"))
        elif kind == "bool_type":
            code = "invalid-value"
            message = f"{value!r} is not true or false; write true or false"
            location = doc.locate(path)
        elif kind in ("enum", "literal_error"):
            expected = str(ctx.get("expected", ""))
            options = [o.strip().strip("'\"") for o in expected.replace(" or ", ", ").split(",")]
            code = "unknown-value"
            message = f"{value!r} is not one of {expected}{did_you_mean(value, options)}"
            location = doc.locate(path)
        else:
            code = "invalid-value"
            message = _clean(err["msg"])
            if value is not None and not isinstance(value, (dict, list)) and kind != "value_error":
                message = f"{message} (got {value!r})"
            location = doc.locate(path, key=not path or not _is_leaf(doc.value, path))
        if (path, message) in seen:
            continue
        seen.add((path, message))
        problems.append(Diagnostic(location, f"ruleset.{code}", message))
    return problems


def _is_leaf(data: Any, path: PathKey) -> bool:
    node = data
    for seg in path:
        node = _child(node, seg)
    return not isinstance(node, (dict, list))


def _child(node: Any, seg: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(seg)
    if isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
        return node[seg]
    return None


def _describe(data: Any, path: PathKey) -> str:
    node = data
    for seg in path:
        node = _child(node, seg)
    if isinstance(node, dict) and "kind" in node and "id" in node:
        return f' in rule "{node["id"]}" ({node["kind"]})'
    if path:
        return f' in "{path[-1]}"' if isinstance(path[-1], str) else ""
    return ""
