"""Error answers: one JSON shape for every status, and validation errors as located problems.

Every error body is ``{"error": {"code", "message", "request_id"}, "problems": [...]}``; on the
endpoints that judge contacts it also says ``"judged": false``: whatever went wrong, the
contact was not judged, and a client must not read the answer as permission.

A problem locates what is wrong in the request body by JSON pointer (RFC 6901,
``/contacts/0/at``), with the same stable code (``input.invalid-value``, …) and plain-language
message that ``contactrules evaluate`` prints for a scenario file, because both come from
:func:`contactrules.loading.validation.validation_diagnostics`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from starlette.responses import Response

from ..diagnostics import Location
from ..errors import ContactrulesError
from ..loading.validation import validation_diagnostics
from ..loading.yamlsource import PathKey, SourceDocument
from .logs import REQUEST_ID

__all__ = [
    "ApiError",
    "Problem",
    "error_response",
    "json_response",
    "pointer",
    "validation_problems",
]

Problem = dict[str, Any]


def pointer(path: Sequence[str | int]) -> str:
    """The JSON pointer of a path through the data: ``("contacts", 0)`` → ``/contacts/0``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


class _PointerDocument(SourceDocument):
    """The parsed body as a "source document" whose locations are JSON pointers.

    :func:`validation_diagnostics` locates each error at the nearest part of the data that
    exists; here that part's pointer (under ``prefix``) is the location's path.
    """

    def __init__(self, value: Any, prefix: PathKey) -> None:
        super().__init__(path="", value=value)
        self._prefix = prefix

    def locate(self, path: PathKey, *, key: bool = False) -> Location:
        return Location(pointer((*self._prefix, *path)))


def validation_problems(
    exc: ValidationError, data: Any, root: Any, prefix: PathKey = ()
) -> list[Problem]:
    """Each error of ``exc`` (raised validating ``data`` as ``root``) as a located problem.

    ``root`` is the model (or ``list[Model]``) the data was validated as: it names the keys a
    misspelt one may have meant. ``prefix`` is where ``data`` sits in the request body.
    """
    diagnostics = validation_diagnostics(exc, _PointerDocument(data, prefix), root)
    return [
        {
            "pointer": d.location.path,
            "code": d.code.replace("ruleset.", "input."),
            "message": d.message,
        }
        for d in diagnostics
    ]


class ApiError(ContactrulesError):
    """An answer other than success, raised anywhere in a handler and rendered by the app."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        problems: Sequence[Problem] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.problems = list(problems)
        self.headers = headers or {}


def json_response(
    body: object, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON answer (UTF-8, not ASCII-escaped: names and messages stay readable)."""
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        status_code=status,
        headers=headers,
        media_type="application/json",
    )


def error_response(error: ApiError, *, judged: bool | None = None) -> Response:
    """The JSON body of an error; ``judged=False`` on the endpoints that judge contacts."""
    body: dict[str, Any] = {
        "error": {"code": error.code, "message": error.message, "request_id": REQUEST_ID.get()},
        "problems": error.problems,
    }
    if judged is not None:
        body["judged"] = judged
    return json_response(body, error.status, error.headers)
