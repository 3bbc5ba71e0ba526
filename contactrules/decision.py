"""The answer: allowed or not, every reason with its citation and facts, the grounds the
passing rules relied on, and when to try again.

Plain frozen dataclasses rather than pydantic models: a dialer builds one per call, and the
answer never needs validating, only reading and serialising (``as_dict``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any, Literal

__all__ = ["Decision", "Ground", "Reason", "ReasonSeverity", "TemplateUse", "engine_reason"]

ReasonSeverity = Literal["deny", "warn", "error"]


def _field_dict(item: Reason | Ground | TemplateUse) -> dict[str, Any]:
    """Every field by name, in declaration order (the JSON output's key order)."""
    return {f.name: getattr(item, f.name) for f in fields(item)}


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule's objection (or an engine problem that forced a deny), defensible on its own."""

    rule_id: str
    kind: str
    citation: str
    message: str
    severity: ReasonSeverity = "deny"
    ruleset: str | None = None
    source: str | None = None
    zone: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return _field_dict(self)


@dataclass(frozen=True, slots=True)
class Ground:
    """What a rule that applied and passed relied on (the consent, the safe harbor, the
    exemption), so an allowed contact can be defended with the same evidence a deny would cite.

    A separate type from :class:`Reason`, with no severity: a ground never objects, and code
    that counts reasons or warnings can never count one by mistake.
    """

    rule_id: str
    kind: str
    citation: str
    message: str
    ruleset: str | None = None
    source: str | None = None
    zone: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return _field_dict(self)


@dataclass(frozen=True, slots=True)
class TemplateUse:
    """Which approved text the judged message was rendered from: what a regulator asks for
    ("which version was sent?"), named by its computed content hash (docs/templates.md)."""

    id: str
    version: int
    language: str
    content_hash: str
    purpose: str

    def as_dict(self) -> dict[str, Any]:
        return _field_dict(self)


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a proposed contact may be made at its proposed time, and why."""

    allowed: bool
    at: dt.datetime
    reasons: tuple[Reason, ...]
    warnings: tuple[Reason, ...]
    next_allowed_at: dt.datetime | None
    next_allowed_note: str | None
    zones: tuple[str, ...]
    binding_zone: str | None
    rulesets: tuple[str, ...]
    fingerprint: str
    version: str
    #: For the rules that applied and passed, in stack order: the basis each relied on. Only
    #: kinds that pass on evidence report one (see ``RuleBase.ground``); never read to decide.
    grounds: tuple[Ground, ...] = ()
    #: The approved template the message was rendered from, when the contact named one by id.
    template: TemplateUse | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "at": self.at.isoformat(),
            "reasons": [r.as_dict() for r in self.reasons],
            "warnings": [r.as_dict() for r in self.warnings],
            "grounds": [g.as_dict() for g in self.grounds],
            "next_allowed_at": self.next_allowed_at.isoformat() if self.next_allowed_at else None,
            "next_allowed_note": self.next_allowed_note,
            "zones": list(self.zones),
            "binding_zone": self.binding_zone,
            "rulesets": list(self.rulesets),
            "fingerprint": self.fingerprint,
            "version": self.version,
            "template": self.template.as_dict() if self.template else None,
        }


def engine_reason(rule_id: str, message: str, citation: str, **facts: object) -> Reason:
    """A deny the engine itself gives (no rule could decide): fail closed, with its citation."""
    return Reason(
        rule_id=rule_id,
        kind="engine",
        citation=citation,
        message=message,
        severity="deny",
        facts=dict(facts),
    )
