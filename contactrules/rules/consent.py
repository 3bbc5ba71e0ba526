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
    ``accepted`` every basis looked for; when the rule passes, the decision's ``grounds`` name
    the first basis in ``accept`` order that holds, with its facts (the consent, the
    creditor's notice, the consumer's message, the reassigned-numbers check).

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
from ..localtime import utc_key
from ..location.addresses import same_address
from ..models import Consent, ConsentScope, ConsentSource, EmailAddressSource, Initiator
from ..records import Record
from .base import Finding, NextTime, RuleBase

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
    NEXT_TIME: ClassVar[NextTime] = "never"  # a later time brings no consent
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

    def _evidence(self, ctx: Context, kind: str) -> Finding | None:
        """The basis of this kind that holds, as a sentence with its facts, or None.

        One function decides and explains, so the ground a decision names is exactly the
        evidence that let the contact pass.
        """
        if kind in ("direct_consent", "any_consent"):
            consent = next(ctx.consents(self.scope, direct_only=kind == "direct_consent"), None)
            return None if consent is None else _consent_basis(kind, consent, self.scope)
        if kind == "creditor_notice":
            return self._creditor_notice(ctx)
        if kind == "consumer_used_number_recently":
            return self._used_recently(ctx)
        if kind == "reassigned_check":
            return self._reassigned_check(ctx)
        used = _latest_use(ctx)
        return None if used is None else _use_basis(kind, used)

    def _creditor_notice(self, ctx: Context) -> Finding | None:
        """1006.6(d)(4)(ii): a creditor-supplied address, not the employer's, whose notice and
        opt-out period have run."""
        wait = dt.timedelta(days=self.creditor_notice_days)
        for email in ctx.contact.consumer.emails:
            sent = email.notice_sent_at
            if (
                same_address(email.address, ctx.contact.to)
                and email.source is EmailAddressSource.CREDITOR
                and not email.employer_provided
                and sent is not None
                and utc_key(sent) + wait <= utc_key(ctx.at)
            ):
                # Elapsed time, exact across DST changes whatever zone each instant is written in.
                waited = (utc_key(ctx.at) - utc_key(sent)).days
                return Finding(
                    f"relies on creditor notice: the creditor supplied {email.address} and sent "
                    f"its notice with a way to opt out at {sent.isoformat()}, {waited} days "
                    f"before (at least {self.creditor_notice_days} required)",
                    {
                        "basis": "creditor_notice",
                        "address": email.address,
                        "address_source": email.source.value,
                        "notice_sent_at": sent.isoformat(),
                        "days_since_notice": waited,
                        "creditor_notice_days": self.creditor_notice_days,
                    },
                )
        return None

    def _used_recently(self, ctx: Context) -> Finding | None:
        # Elapsed time on the UTC line: two instants sharing one named zone subtract by wall
        # clock in Python, which would make the count depend on how the instants were written.
        now = utc_key(ctx.at)
        used = _latest_use(ctx)
        if used is None or utc_key(used.at) < now - dt.timedelta(days=self.recent_days):
            return None
        found = _use_basis("consumer_used_number_recently", used)
        days = (now - utc_key(used.at)).days
        return Finding(
            f"{found.message}, {days} days before (within {self.recent_days})",
            {**found.facts, "days_since_use": days, "recent_days": self.recent_days},
        )

    def _reassigned_check(self, ctx: Context) -> Finding | None:
        checks = [
            phone.reassigned_check_at
            for phone in ctx.contact.consumer.phones
            if same_address(phone.number, ctx.contact.to)
            and phone.reassigned_check_at is not None
            and utc_key(phone.reassigned_check_at) <= utc_key(ctx.at)
        ]
        if not checks:
            return None
        used = _latest_use(ctx)
        consent = None if used is not None else next(ctx.consents(self.scope), None)
        if used is not None:
            confirmed = _use_basis("consumer_used_address", used)
        elif consent is not None:
            confirmed = _consent_basis("direct_consent", consent, self.scope)
        else:
            return None
        checked = max(checks)
        return Finding(
            f"relies on reassigned check: a reassigned-numbers check at {checked.isoformat()} "
            f"confirmed {ctx.contact.to} still belongs to the consumer ("
            + confirmed.message.removeprefix("relies on ")
            + ")",
            {
                **confirmed.facts,
                "basis": "reassigned_check",
                "confirmed_basis": confirmed.facts["basis"],
                "reassigned_check_at": checked.isoformat(),
            },
        )

    def _basis(self, ctx: Context) -> Finding | None:
        """The first basis in ``accept`` order that holds at the judged instant, looked for once
        per instant: ``check`` decides on it and ``ground`` names it."""

        def first() -> Finding | None:
            for kind in self.accept:
                found = self._evidence(ctx, kind)
                if found is not None:
                    return found
            return None

        return ctx.memo(("consent.basis", id(self), utc_key(ctx.at)), first)

    def ground(self, ctx: Context) -> Finding | None:
        """The basis the contact passed on."""
        found = self._basis(ctx)
        if found is None:
            return None
        return Finding(found.message, {"to": ctx.contact.to, **found.facts})

    def check(self, ctx: Context) -> Finding | None:
        if self._basis(ctx) is not None:
            return None
        accepted = " or ".join(k.replace("_", " ") for k in self.accept)
        target = ctx.contact.to or "this address"
        return Finding(
            f"{ctx.channel.value} to {target} needs {accepted}; none is on record",
            {"scope": self.scope.value, "accepted": list(self.accept), "to": ctx.contact.to},
        )


_GIVEN = {
    ConsentSource.DIRECT: "given directly to the collector",
    ConsentSource.CREDITOR: "given to the creditor",
    ConsentSource.COURT: "from a court",
}


def _latest_use(ctx: Context) -> Record | None:
    """The consumer's latest message to the collector from this address or number through
    this channel, before the judged instant."""
    contact = ctx.contact
    for record in reversed(ctx.prior()):
        if (
            record.initiated_by is Initiator.CONSUMER
            and record.channel is contact.channel
            and same_address(record.to, contact.to)
        ):
            return record
    return None


def _use_basis(kind: str, used: Record) -> Finding:
    return Finding(
        f"relies on {kind.replace('_', ' ')}: the consumer contacted the collector from "
        f"{used.to} by {used.channel.value} at {used.at.isoformat()}",
        {"basis": kind, "used_at": used.at.isoformat(), "used_channel": used.channel.value},
    )


def _consent_basis(kind: str, consent: Consent, scope: ConsentScope) -> Finding:
    given = _GIVEN.get(consent.source, f"from the {consent.source.value}")
    return Finding(
        f"relies on {kind.replace('_', ' ')}: a consent of scope {scope.value} {given} "
        f"at {consent.granted_at.isoformat()}",
        {
            "basis": kind,
            "consent_source": consent.source.value,
            "granted_at": consent.granted_at.isoformat(),
            "consent_channel": None if consent.channel is None else consent.channel.value,
            "consent_address": consent.address,
        },
    )
