"""``prohibited``: a contact that is never allowed on these channels when the conditions hold.

What it does
    Denies every contact on ``channels`` that matches ``when`` and whose template purpose is not
    in ``unless_purposes``. No later time helps.

Regulatory basis
    12 CFR 1006.22(f)(4) (no messages on public social media); 12 CFR 1006.6(d)(1) and 1006.10
    (with third parties only to acquire location information).

Options
    Only the common ones: ``channels``, ``when``, ``unless_purposes``.

Example
    .. code-block:: yaml

        - id: US-FED-REGF-1006.22f4-SOCIAL-PUBLIC
          kind: prohibited
          channels: [social_public]
          citation: 12 CFR 1006.22(f)(4)

    PASS: a private social-media message. FAIL: a post on the consumer's public wall.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from ..context import Context
from .base import Finding, NextTime, RuleBase

__all__ = ["KIND", "Prohibited"]

KIND = "prohibited"


class Prohibited(RuleBase):
    KIND: ClassVar[str] = KIND
    NEXT_TIME: ClassVar[NextTime] = "never"  # who or why is contacted does not change with time
    FACTS: ClassVar[tuple[str, ...]] = ("recipient", "purpose")

    kind: Literal["prohibited"]

    def check(self, ctx: Context) -> Finding | None:
        return Finding(
            f"{ctx.channel.value} to {ctx.contact.recipient.value} for {ctx.purpose.value} "
            "is not allowed",
            {"recipient": ctx.contact.recipient.value, "purpose": ctx.purpose.value},
        )

    def instant_independent(self, ctx: Context) -> bool:
        """It denies whenever it applies, so only its applicability could change."""
        return self.applicability_settled(ctx)
