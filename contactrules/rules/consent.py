"""``consent``: a contact that needs the consumer's consent (or equivalent evidence) first.

What it does
    Denies the contact unless one of the ``accept`` kinds of evidence holds:
    ``direct_consent`` (an active consent of ``scope`` given directly to the collector),
    ``any_consent`` (from the creditor too), ``consumer_used_address`` (the consumer wrote to
    the collector from this address or number through this channel).

    The safe harbors for e-mail and texts (12 CFR 1006.6(d)(3)-(5)) add three more:
    ``creditor_notice`` (an e-mail address the creditor supplied, not employer-provided, whose
    notice with an opt-out was sent at least ``creditor_notice_days`` days before, default 35),
    ``consumer_used_number_recently`` (the consumer used this number through this channel
    within ``recent_days`` days, default 60) and ``reassigned_check`` (the consumer used the
    number or consented directly to it, and a reassigned-numbers database check recorded on the
    phone at or before the contact confirmed it is still theirs). A deny or warning lists in
    ``accepted`` every basis looked for: an allowed contact relied on one of them.

Regulatory basis
    12 CFR 1006.22(f)(3) and comment 22(f)(3)-1 (no e-mail to an employer-provided address unless
    the consumer used it or consented directly); 12 CFR 1006.6(d)(3)-(5) (procedures for e-mail
    and texts); NYC 6 RCNY 5-77 (electronic consent).

Options
    ``scope`` (default ``channel``), ``accept`` (list, default ``[direct_consent]``),
    ``creditor_notice_days`` (35), ``recent_days`` (60).

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

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from ..context import Context
from ..location.addresses import same_address
from ..models import ConsentScope, EmailAddressSource, Initiator
from .base import Finding, RuleBase

__all__ = ["KIND", "ConsentRequired"]

KIND = "consent"
Evidence = Literal[
    "direct_consent",
    "any_consent",
    "consumer_used_address",
    "creditor_notice",
    "consumer_used_number_recently",
    "reassigned_check",
]


class ConsentRequired(RuleBase):
    KIND: ClassVar[str] = KIND
    FACTS: ClassVar[tuple[str, ...]] = ("scope", "accepted", "to")

    kind: Literal["consent"]
    scope: ConsentScope = ConsentScope.CHANNEL
    accept: list[Evidence] = Field(
        default_factory=lambda: list[Evidence](["direct_consent"]), min_length=1
    )
    creditor_notice_days: int = Field(
        default=35,
        ge=1,
        description="creditor_notice: days from the creditor's notice to the first e-mail "
        "(12 CFR 1006.6(d)(4)(ii); 35 per the digest, secondary).",
    )
    recent_days: int = Field(
        default=60,
        ge=1,
        description="consumer_used_number_recently: how recently the consumer must have used "
        "the number (12 CFR 1006.6(d)(5); 60 per the digest, secondary).",
    )

    def _evidence(self, ctx: Context, kind: str) -> bool:
        if kind == "direct_consent":
            return any(True for _ in ctx.consents(self.scope))
        if kind == "any_consent":
            return any(True for _ in ctx.consents(self.scope, direct_only=False))
        if kind == "creditor_notice":
            return self._creditor_notice(ctx)
        if kind == "consumer_used_number_recently":
            return self._used_recently(ctx)
        if kind == "reassigned_check":
            return self._reassigned_check(ctx)
        return ctx.consumer_used_address()

    def _creditor_notice(self, ctx: Context) -> bool:
        """1006.6(d)(4)(ii): a creditor-supplied address, not the employer's, whose notice and
        opt-out period have run."""
        wait = dt.timedelta(days=self.creditor_notice_days)
        return any(
            same_address(email.address, ctx.contact.to)
            and email.source is EmailAddressSource.CREDITOR
            and not email.employer_provided
            and email.notice_sent_at is not None
            and email.notice_sent_at + wait <= ctx.at
            for email in ctx.contact.consumer.emails
        )

    def _used_recently(self, ctx: Context) -> bool:
        since = ctx.at - dt.timedelta(days=self.recent_days)
        return any(
            r.initiated_by is Initiator.CONSUMER
            and r.channel is ctx.channel
            and r.at >= since
            and same_address(r.to, ctx.contact.to)
            for r in ctx.prior()
        )

    def _reassigned_check(self, ctx: Context) -> bool:
        checked = any(
            same_address(phone.number, ctx.contact.to)
            and phone.reassigned_check_at is not None
            and phone.reassigned_check_at <= ctx.at
            for phone in ctx.contact.consumer.phones
        )
        if not checked:
            return False
        return ctx.consumer_used_address() or any(True for _ in ctx.consents(self.scope))

    def check(self, ctx: Context) -> Finding | None:
        if any(self._evidence(ctx, kind) for kind in self.accept):
            return None
        accepted = " or ".join(k.replace("_", " ") for k in self.accept)
        target = ctx.contact.to or "this address"
        return Finding(
            f"{ctx.channel.value} to {target} needs {accepted}; none is on record",
            {"scope": self.scope.value, "accepted": list(self.accept), "to": ctx.contact.to},
        )
