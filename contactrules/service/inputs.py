"""Request bodies → validated library inputs, or a 400/413/422 with located problems.

The body of ``POST /v1/decisions`` is the documented scenario document (docs/input-format.md:
``consumer``, ``history``, ``contacts``), or a JSON array of them. It is validated by the library's
own models, with a shortcut that keeps the answer identical: the history goes through
``History.from_rows`` (bulk validation of plain rows, no model per row) instead of a
``ContactRecord`` per row, and each contact through ``Contact`` directly, with the consumer
already validated; on any error the document is validated the slow, exact way so that the
problems are located as ``contactrules evaluate`` would locate them.

``POST /v1/reservations`` takes ``{"consumer": …, "contact": …}`` (the contact as an entry of
``contacts``); ``PATCH /v1/reservations/{id}`` takes ``{"outcome": …}``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import ContactrulesError
from ..history import unknown_record_debts
from ..models import Consumer, Contact, ContactRecord, Outcome, unknown_debts_error
from ..records import History
from ..scenario import ProposedContact, Scenario
from .problems import ApiError, Problem, pointer, validation_problems

__all__ = [
    "OutcomeUpdate",
    "ReservationRequest",
    "ScenarioInput",
    "outcome_update",
    "parse_json",
    "reservation_request",
    "scenarios",
]

_SCENARIO_KEYS = frozenset(Scenario.model_fields)


class ReservationRequest(BaseModel):
    """A contact to reserve through the ledger: the consumer, and the proposed contact."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    consumer: Consumer
    contact: ProposedContact


class OutcomeUpdate(BaseModel):
    """What happened to a reserved contact."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    outcome: Outcome


@dataclass(frozen=True)
class ScenarioInput:
    """One scenario of the request: its contacts, each with its consumer, and their history."""

    contacts: tuple[Contact, ...]
    history: History


def parse_json(body: bytes) -> Any:
    """The body as JSON data; malformed JSON (or nesting too deep to read) is a 400."""
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise ApiError(
            400,
            "service.malformed-json",
            f"the body is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            problems=[
                {
                    "pointer": "",
                    "code": "service.malformed-json",
                    "message": exc.msg,
                    "line": exc.lineno,
                    "column": exc.colno,
                }
            ],
        ) from None
    except (RecursionError, UnicodeDecodeError, ValueError) as exc:
        raise ApiError(
            400,
            "service.malformed-json",
            "the body is not JSON that can be read: "
            + ("it is nested too deeply" if isinstance(exc, RecursionError) else "not UTF-8"),
        ) from None


def _invalid(problems: Sequence[Problem]) -> ApiError:
    count = len(problems)
    return ApiError(
        422,
        "service.invalid-input",
        f"the request body is not valid input ({count} problem{'s' if count != 1 else ''}); "
        "nothing was judged",
        problems=problems,
    )


def scenarios(data: Any, max_contacts: int) -> tuple[list[ScenarioInput], bool]:
    """The scenarios of a decisions body, and whether it was a list of them."""
    many = isinstance(data, list)
    docs = data if many else [data]
    if many and not docs:
        raise _invalid(
            [{"pointer": "", "code": "input.invalid-value", "message": "the list is empty"}]
        )
    total = sum(
        len(d["contacts"])
        for d in docs
        if isinstance(d, dict) and isinstance(d.get("contacts"), list)
    )
    if total > max_contacts:
        raise ApiError(
            413,
            "service.too-many-contacts",
            f"the body proposes {total:,} contacts; one request judges at most {max_contacts:,} "
            "(send several requests)",
        )
    out: list[ScenarioInput] = []
    problems: list[Problem] = []
    for index, doc in enumerate(docs):
        prefix: tuple[int, ...] = (index,) if many else ()
        try:
            out.append(_scenario(doc, prefix))
        except _Invalid as exc:
            problems.extend(exc.problems)
    if problems:
        raise _invalid(problems)
    return out, many


class _Invalid(ContactrulesError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems


def _scenario(doc: Any, prefix: tuple[int, ...]) -> ScenarioInput:
    if not isinstance(doc, dict):
        raise _Invalid(
            [
                {
                    "pointer": pointer(prefix),
                    "code": "input.not-a-mapping",
                    "message": "a scenario is an object with consumer, history and contacts",
                }
            ]
        )
    try:
        return _fast(doc)
    except (ValidationError, _Fallback):
        pass
    return _exact(doc, prefix)


class _Fallback(ContactrulesError):
    """The shortcut cannot vouch for the document: validate it the exact way."""


def _fast(doc: dict[str, Any]) -> ScenarioInput:
    """The common case, validated quickly; any doubt raises and :func:`_exact` decides."""
    if not _SCENARIO_KEYS.issuperset(doc) or "consumer" not in doc:
        raise _Fallback
    for key in ("name", "description"):
        if not isinstance(doc.get(key, ""), (str, type(None))):
            raise _Fallback
    rows = doc.get("history", [])
    contacts = doc.get("contacts")
    if not isinstance(rows, list) or not isinstance(contacts, list) or not contacts:
        raise _Fallback
    consumer = Consumer.model_validate(doc["consumer"])
    history = History.from_rows(rows)
    if unknown_record_debts(consumer, history):
        raise _Fallback
    judged = []
    for item in contacts:
        if not isinstance(item, dict) or "consumer" in item:
            raise _Fallback
        label = item.get("label")
        if label is not None and not isinstance(label, str):
            raise _Fallback
        fields = {k: v for k, v in item.items() if k != "label"}
        fields["consumer"] = consumer
        judged.append(Contact.model_validate(fields))
    return ScenarioInput(tuple(judged), history)


def _exact(doc: dict[str, Any], prefix: tuple[int, ...]) -> ScenarioInput:
    """Validate as ``contactrules evaluate`` does, collecting every located problem."""
    problems: list[Problem] = []
    shape = {k: v for k, v in doc.items() if k != "history"}
    shape["history"] = []  # the rows are validated in bulk below, with their own locations
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(shape)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, shape, Scenario, prefix))
    rows = doc.get("history", [])
    history: History | None = None
    if not isinstance(rows, list):
        problems.append(
            {
                "pointer": pointer((*prefix, "history")),
                "code": "input.invalid-value",
                "message": "history is a list of past contacts",
            }
        )
    else:
        try:
            history = History.from_rows(rows)
        except ValidationError as exc:
            problems.extend(
                validation_problems(exc, rows, list[ContactRecord], (*prefix, "history"))
            )
    if scenario is not None and history is not None:
        unknown = unknown_record_debts(scenario.consumer, history)
        if unknown:
            error = unknown_debts_error(
                "Scenario",
                ((("history", *u.loc), u.debt_id) for u in unknown),
                sorted(d.id for d in scenario.consumer.debts),
            )
            problems.extend(validation_problems(error, doc, Scenario, prefix))
    contacts: list[Contact] = []
    if scenario is not None:
        for index, proposed in enumerate(scenario.contacts):
            try:
                contacts.append(proposed.for_consumer(scenario.consumer))
            except ValidationError as exc:
                where: tuple[str | int, ...] = (*prefix, "contacts", index)
                problems.extend(validation_problems(exc, doc["contacts"][index], Contact, where))
    if problems or history is None:
        raise _Invalid(problems)
    return ScenarioInput(tuple(contacts), history)


def reservation_request(data: Any) -> Contact:
    """The contact of a reservations body, with its consumer (422 with problems if invalid)."""
    try:
        request = ReservationRequest.model_validate(data)
    except ValidationError as exc:
        raise _invalid(validation_problems(exc, data, ReservationRequest)) from None
    try:
        return request.contact.for_consumer(request.consumer)
    except ValidationError as exc:
        raise _invalid(
            validation_problems(exc, data.get("contact"), Contact, ("contact",))
        ) from None


def outcome_update(data: Any) -> Outcome:
    try:
        return OutcomeUpdate.model_validate(data).outcome
    except ValidationError as exc:
        raise _invalid(validation_problems(exc, data, OutcomeUpdate)) from None
