"""``consent``: a contact that needs the consumer's consent (or equivalent evidence) first.

What it does
    Denies the contact unless one of the ``accept`` kinds of evidence holds:
    ``direct_consent`` (an active consent of ``scope`` given directly to the collector),
    ``any_consent`` (from the creditor too), ``consumer_used_address`` (the consumer wrote to
    the collector from this address or number through this channel).

Regulatory basis
    12 CFR 1006.22(f)(3) and comment 22(f)(3)-1 (no e-mail to an employer-provided address unless
    the consumer used it or consented directly); NYC 6 RCNY 5-77 (electronic consent).

Options
    ``scope`` (default ``channel``), ``accept`` (list, default ``[direct_consent]``).

Example
    .. code-block:: yaml

        - id: US-FED-REGF-1006.22f3-WORK-EMAIL
          kind: consent
          channels: [email]
          when: {to_work: true}
          accept: [direct_consent, consumer_used_address]
          citation: 12 CFR 1006.22(f)(3)

    PASS: e-mail to a work address the consumer wrote from. FAIL: e-mail to a work address
    taken from the creditor's file with no consent.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from ..context import Context
from ..models import ConsentScope
from .base import Finding, RuleBase

__all__ = ["KIND", "ConsentRequired"]

KIND = "consent"
Evidence = Literal["direct_consent", "any_consent", "consumer_used_address"]


class ConsentRequired(RuleBase):
    KIND: ClassVar[str] = KIND
    FACTS: ClassVar[tuple[str, ...]] = ("scope", "accepted", "to")

    kind: Literal["consent"]
    scope: ConsentScope = ConsentScope.CHANNEL
    accept: list[Evidence] = Field(
        default_factory=lambda: list[Evidence](["direct_consent"]), min_length=1
    )

    def _evidence(self, ctx: Context, kind: str) -> bool:
        if kind == "direct_consent":
            return any(True for _ in ctx.consents(self.scope))
        if kind == "any_consent":
            return any(True for _ in ctx.consents(self.scope, direct_only=False))
        return ctx.consumer_used_address()

    def check(self, ctx: Context) -> Finding | None:
        if any(self._evidence(ctx, kind) for kind in self.accept):
            return None
        accepted = " or ".join(k.replace("_", " ") for k in self.accept)
        target = ctx.contact.to or "this address"
        return Finding(
            f"{ctx.channel.value} to {target} needs {accepted}; none is on record",
            {"scope": self.scope.value, "accepted": list(self.accept), "to": ctx.contact.to},
        )
