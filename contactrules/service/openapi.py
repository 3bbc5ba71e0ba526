"""The service's OpenAPI 3.1 document, generated from the models that validate the bodies.

Request schemas come from the library's pydantic models (``Scenario``, the reservation and
outcome bodies), so they cannot drift from what the service accepts; answer schemas are written
here, and the tests validate real answers of the running server against them. The document is
kept in docs/openapi.json (``contactrules serve openapi > docs/openapi.json``); a test fails when
the file and this function disagree.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from ..scenario import Scenario
from .inputs import OutcomeUpdate, ReservationRequest

__all__ = ["API_VERSION", "openapi_document"]

API_VERSION = "1.0.0"
_REF = "#/components/schemas/{model}"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


_STRING = {"type": "string"}
_INSTANT = {"type": "string", "format": "date-time"}

_REASON_FIELDS: dict[str, Any] = {
    "rule_id": {**_STRING, "description": "The rule's id, or an engine reason id."},
    "kind": {**_STRING, "description": "The rule kind, or `engine`."},
    "citation": _STRING,
    "message": _STRING,
    "ruleset": _nullable(_STRING),
    "source": _nullable({**_STRING, "description": "Where the rule is written: path:line:col."}),
    "zone": _nullable(_STRING),
    "facts": {"type": "object", "description": "The facts the rule used."},
}

_ANSWERS: dict[str, Any] = {
    "Reason": {
        "type": "object",
        "description": "One rule's objection, or an engine problem that forced a deny.",
        "properties": {
            **_REASON_FIELDS,
            "severity": {"enum": ["deny", "warn", "error"]},
        },
        "required": [*_REASON_FIELDS, "severity"],
        "additionalProperties": False,
    },
    "Ground": {
        "type": "object",
        "description": "What a rule that applied and passed relied on (docs/decisions.md).",
        "properties": _REASON_FIELDS,
        "required": list(_REASON_FIELDS),
        "additionalProperties": False,
    },
    "Decision": {
        "type": "object",
        "description": "Exactly what `Engine.evaluate` answers (`Decision.as_dict()`).",
        "properties": {
            "allowed": {"type": "boolean"},
            "at": _INSTANT,
            "reasons": {"type": "array", "items": _ref("Reason")},
            "warnings": {"type": "array", "items": _ref("Reason")},
            "grounds": {"type": "array", "items": _ref("Ground")},
            "next_allowed_at": _nullable(_INSTANT),
            "next_allowed_note": _nullable(_STRING),
            "zones": {"type": "array", "items": _STRING},
            "binding_zone": _nullable(_STRING),
            "rulesets": {"type": "array", "items": _STRING},
            "fingerprint": {**_STRING, "pattern": "^sha256:[0-9a-f]{64}$"},
            "version": _STRING,
            "template": _nullable(
                {
                    "type": "object",
                    "description": "The approved template the message was rendered from.",
                }
            ),
        },
        "required": [
            "allowed",
            "at",
            "reasons",
            "warnings",
            "grounds",
            "next_allowed_at",
            "next_allowed_note",
            "zones",
            "binding_zone",
            "rulesets",
            "fingerprint",
            "version",
        ],
        "additionalProperties": False,
    },
    "Decisions": {
        "type": "object",
        "description": "The decisions of one scenario, one per proposed contact, in order.",
        "properties": {"decisions": {"type": "array", "items": _ref("Decision")}},
        "required": ["decisions"],
        "additionalProperties": False,
    },
    "DecisionsBatch": {
        "type": "object",
        "description": "For a list of scenarios: their decisions, in order.",
        "properties": {"results": {"type": "array", "items": _ref("Decisions")}},
        "required": ["results"],
        "additionalProperties": False,
    },
    "Reservation": {
        "type": "object",
        "description": "A contact judged against the tenant's ledger, recorded if allowed.",
        "properties": {
            "id": {**_STRING, "pattern": "^rsv_[0-9]+_[0-9a-f]{12}$"},
            "allowed": {"type": "boolean"},
            "recorded": {
                "type": "boolean",
                "description": "Whether the contact was recorded (only when allowed).",
            },
            "idempotency_key": _nullable(_STRING),
            "decision": _ref("Decision"),
            "outcome": {
                **_STRING,
                "description": "The outcome just recorded (in the answer to PATCH only).",
            },
        },
        "required": ["id", "allowed", "recorded", "idempotency_key", "decision"],
        "additionalProperties": False,
    },
    "Problem": {
        "type": "object",
        "description": "One thing wrong with the request body, located by JSON pointer.",
        "properties": {
            "pointer": {**_STRING, "description": "RFC 6901 pointer into the body."},
            "code": {**_STRING, "description": "A stable code (docs/codes.md)."},
            "message": _STRING,
            "line": {"type": "integer"},
            "column": {"type": "integer"},
        },
        "required": ["pointer", "code", "message"],
        "additionalProperties": False,
    },
    "Error": {
        "type": "object",
        "description": "Every answer other than success. `judged: false` on the endpoints that "
        "judge contacts: the contact was not judged, never read it as allowed.",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "code": _STRING,
                    "message": _STRING,
                    "request_id": _STRING,
                },
                "required": ["code", "message", "request_id"],
                "additionalProperties": False,
            },
            "problems": {"type": "array", "items": _ref("Problem")},
            "judged": {"const": False},
        },
        "required": ["error", "problems"],
        "additionalProperties": False,
    },
    "Rulesets": {
        "type": "object",
        "properties": {
            "fingerprint": _STRING,
            "version": {**_STRING, "description": "The contactrules version."},
            "loaded_at": _INSTANT,
            "rulesets": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": _STRING,
                        "title": _STRING,
                        "digest": {
                            **_STRING,
                            "description": "sha256 of the ruleset's content: its version.",
                        },
                        "jurisdiction": {"type": "object"},
                        "binds": {"type": "array", "items": _STRING},
                        "extends": _nullable(_STRING),
                        "effective_from": _nullable({"type": "string", "format": "date"}),
                        "effective_until": _nullable({"type": "string", "format": "date"}),
                        "rules": {"type": "integer"},
                    },
                    "required": ["id", "title", "digest", "jurisdiction", "binds", "rules"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["fingerprint", "version", "loaded_at", "rulesets"],
        "additionalProperties": False,
    },
    "Rule": {
        "type": "object",
        "properties": {
            "id": _STRING,
            "kind": _STRING,
            "ruleset": _STRING,
            "title": _nullable(_STRING),
            "citation": _STRING,
            "channels": {"type": "array", "items": _STRING},
            "confidence": _STRING,
            "severity": {"enum": ["deny", "warn"]},
            "source": _STRING,
            "note": _nullable(_STRING),
            "explanation": {**_STRING, "description": "What `contactrules explain` prints."},
        },
        "required": [
            "id",
            "kind",
            "ruleset",
            "title",
            "citation",
            "channels",
            "confidence",
            "severity",
            "source",
            "note",
            "explanation",
        ],
        "additionalProperties": False,
    },
    "Health": {
        "type": "object",
        "properties": {"status": {"const": "ok"}},
        "required": ["status"],
        "additionalProperties": False,
    },
    "Ready": {
        "type": "object",
        "properties": {
            "status": {"enum": ["ready", "not_ready"]},
            "rulesets": _STRING,
            "ledgers": _STRING,
        },
        "required": ["status", "rulesets", "ledgers"],
        "additionalProperties": False,
    },
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    meaning = {
        400: "Malformed JSON, or a malformed header.",
        401: "No API key, or one the service does not know.",
        404: "No such resource for this tenant.",
        409: "A conflict; the message says which.",
        413: "The body (or its number of contacts) is over the limit.",
        422: "The body is JSON but not valid input; `problems` locates each error.",
        500: "An internal error: nothing was judged.",
        503: "The ledger cannot be reached now; retry with the same Idempotency-Key.",
    }
    return {str(s): _json(_ref("Error"), meaning[s]) for s in statuses}


_AUTH: list[dict[str, list[str]]] = [{"bearer": []}]
_ID = {"name": "id", "in": "path", "required": True, "schema": _STRING}
_IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "1 to 128 visible ASCII characters. A retry with the same key (and the same "
    "contact) returns the first reservation and records nothing new; the same key with another "
    "contact is a 409. Send one with every reservation.",
    "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,128}$"},
}


def _paths() -> dict[str, Any]:
    scenario_body = {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        _ref("Scenario"),
                        {"type": "array", "items": _ref("Scenario"), "minItems": 1},
                    ]
                }
            }
        },
    }
    return {
        "/v1/decisions": {
            "post": {
                "summary": "Judge proposed contacts against the history given",
                "description": "The body is the documented input format (docs/input-format.md): "
                "a consumer, their history and the proposed contacts; or a list of such "
                "scenarios. Nothing is recorded.",
                "operationId": "decide",
                "security": _AUTH,
                "requestBody": scenario_body,
                "responses": {
                    "200": _json(
                        {"oneOf": [_ref("Decisions"), _ref("DecisionsBatch")]},
                        "One decision per proposed contact (`results` for a list).",
                    ),
                    **_errors(400, 401, 413, 422, 500),
                },
            }
        },
        "/v1/reservations": {
            "post": {
                "summary": "Check and record one contact atomically through the tenant's ledger",
                "operationId": "reserve",
                "security": _AUTH,
                "parameters": [_IDEMPOTENCY],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("ReservationRequest")}},
                },
                "responses": {
                    "201": _json(
                        _ref("Reservation"),
                        "The reservation (allowed and recorded, or denied); the same one again "
                        "for a retry with the same Idempotency-Key.",
                    ),
                    **_errors(400, 401, 409, 413, 422, 500, 503),
                },
            }
        },
        "/v1/reservations/{id}": {
            "get": {
                "summary": "A reservation of this tenant",
                "operationId": "getReservation",
                "security": _AUTH,
                "parameters": [_ID],
                "responses": {
                    "200": _json(_ref("Reservation"), "The reservation."),
                    **_errors(401, 404, 500, 503),
                },
            },
            "patch": {
                "summary": "Record what happened to a reserved contact",
                "operationId": "recordOutcome",
                "security": _AUTH,
                "parameters": [_ID],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("OutcomeUpdate")}},
                },
                "responses": {
                    "200": _json(_ref("Reservation"), "The reservation, with `outcome`."),
                    **_errors(400, 401, 404, 409, 413, 422, 500, 503),
                },
            },
        },
        "/v1/rulesets": {
            "get": {
                "summary": "The rulesets this tenant is judged by, and their fingerprint",
                "operationId": "listRulesets",
                "security": _AUTH,
                "responses": {"200": _json(_ref("Rulesets"), "The rulesets."), **_errors(401)},
            }
        },
        "/v1/rules/{rule_id}": {
            "get": {
                "summary": "What a rule does (as `contactrules explain RULE_ID`)",
                "operationId": "explainRule",
                "security": _AUTH,
                "parameters": [
                    {"name": "rule_id", "in": "path", "required": True, "schema": _STRING}
                ],
                "responses": {"200": _json(_ref("Rule"), "The rule."), **_errors(401, 404)},
            }
        },
        "/healthz": {
            "get": {
                "summary": "The process is up",
                "operationId": "health",
                "responses": {"200": _json(_ref("Health"), "Alive.")},
            }
        },
        "/readyz": {
            "get": {
                "summary": "Rulesets loaded and every tenant's ledger reachable",
                "operationId": "ready",
                "responses": {
                    "200": _json(_ref("Ready"), "Ready."),
                    "503": _json(_ref("Ready"), "Not ready; the log says which ledger failed."),
                },
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics",
                "operationId": "metrics",
                "responses": {
                    "200": {
                        "description": "The Prometheus text format.",
                        "content": {"text/plain": {"schema": _STRING}},
                    }
                },
            }
        },
        "/openapi.json": {
            "get": {
                "summary": "This document",
                "operationId": "openapi",
                "responses": {"200": _json({"type": "object"}, "The OpenAPI document.")},
            }
        },
    }


def openapi_document() -> dict[str, Any]:
    """The whole document (deterministic: the same library version gives the same text)."""
    _, defs = models_json_schema(
        [
            (Scenario, "validation"),
            (ReservationRequest, "validation"),
            (OutcomeUpdate, "validation"),
        ],
        ref_template=_REF,
    )
    schemas = dict(sorted({**defs["$defs"], **_ANSWERS}.items()))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "contactrules",
            "version": API_VERSION,
            "description": "May a debt collector contact this consumer now, and if not, why and "
            "when? Decisions, atomic reservations through a per-tenant ledger, and the rules "
            "that decide. See docs/service.md.",
        },
        "servers": [{"url": "http://127.0.0.1:8080", "description": "contactrules serve"}],
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key of the tenant (`contactrules serve hash-key`).",
                }
            },
            "schemas": schemas,
        },
        "paths": _paths(),
    }
