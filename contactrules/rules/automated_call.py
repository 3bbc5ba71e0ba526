"""``automated_call``: an autodialed or prerecorded call or text that needs consent for the number.

What it does
    Applies to calls, voicemails and texts placed by one of ``dial_methods`` (a contact whose
    ``dial_method`` is not stated counts as each of them: fail closed). Such a contact passes
    only with the consumer's prior express consent for the number called: an active consent of
    scope ``automated_calls`` whose ``address`` is that number (given to the collector or to the
    creditor; one that names a channel covers that medium only, one that names debts those
    debts only). A consent is void

    - from the first inbound message (``initiated_by: consumer``, an SMS from that number or
      with no number, or any e-mail) whose ``text`` contains one of ``revocation_words`` as
      whole words, ignoring case and punctuation; honoured at once, stricter than the ten
      business days 47 CFR 64.1200(a)(10) allows; a consent given after the reply is valid;
    - when the phone's ``reassigned_reported_on`` (the Reassigned Numbers Database said the
      number was permanently disconnected since consent) is on or after the day it was given.

    With ``free_calls`` (the residential-line exemption for calls that are not telemarketing),
    a contact without consent still passes while fewer than ``free_calls.max`` counted calls
    reached the number in the last ``free_calls.days`` local calendar days (K2: D-days+1 … D,
    every candidate zone, the stricter count wins), unless the consumer revoked by such a reply:
    the exemption requires honouring the opt-out. Counted: the collector's records on the rule's
    channels placed by one of ``dial_methods`` or with no method stated, to the number or with
    no ``to`` (fail closed), whatever their outcome. Which numbers are wireless and which
    residential is the rule's ``when: phone_types``.

    ``next_ok``: with ``free_calls``, the local midnight when the oldest counted call leaves
    the window; without consent otherwise, never (a later time brings no consent).

    When such a contact passes, the decision's ``grounds`` name what it relied on: the consent
    (its source, ``granted_at`` and channel), or the free call it uses ("1 of 3 used in the
    last 30 days", counted in the zone that counted most). A manual contact needs neither and
    names no ground.

Regulatory basis
    47 U.S.C. 227(b)(1)(A)(iii) (wireless numbers), 227(b)(1)(B) and 47 CFR 64.1200(a)(3)
    (prerecorded calls to residential lines; three calls in 30 days for calls that are not
    telemarketing), 64.1200(a)(10) (revocation by any reasonable means), 64.1200(m) (the
    Reassigned Numbers Database).

Options
    ``dial_methods`` (default ``[autodialer, prerecorded]``), ``free_calls`` (``{max, days}``,
    default none), ``revocation_words`` (default the seven words of 64.1200(a)(10)).

Example
    .. code-block:: yaml

        - id: US-TCPA-227b1Aiii-WIRELESS-CONSENT
          kind: automated_call
          channels: [call, voicemail]
          when: {phone_types: [mobile, work, other, unknown]}
          citation: 47 U.S.C. 227(b)(1)(A)(iii)

    PASS: a prerecorded call to a mobile number the consumer gave the creditor. FAIL: the same
    call after the consumer replied STOP to a text from that number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..context import Context, channel_medium
from ..localtime import (
    add_days,
    days_from,
    local_day_start,
    possible_local_dates,
    utc_key,
    utc_micros,
)
from ..location.addresses import same_address
from ..models import Channel, Consent, ConsentScope, ConsentSource, DialMethod, Initiator
from ..records import Record
from .base import Finding, NextTime, RuleBase, earliest_passing
from .linting import DEAD_CONDITION, LintScope, RuleLint, verb
from .template import normalize_text

__all__ = ["KIND", "AutomatedCall", "FreeCalls"]

KIND = "automated_call"
#: 47 CFR 64.1200(a)(10): "stop," "quit," "end," "revoke," "opt out," "cancel," "unsubscribe".
REVOCATION_WORDS = ("stop", "quit", "end", "revoke", "opt out", "cancel", "unsubscribe")
_CHANNELS = frozenset({Channel.CALL, Channel.VOICEMAIL, Channel.SMS})
_REPLY_CHANNELS = frozenset({Channel.SMS, Channel.EMAIL})
#: The longest window ``free_calls.days`` may name (ten years).
MAX_FREE_DAYS = 3660


class FreeCalls(BaseModel):
    """How many calls the exemption allows without consent, in how many local days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max: int = Field(ge=1, description="Calls allowed without consent in the window.")
    days: int = Field(ge=1, le=MAX_FREE_DAYS, description="Consecutive local calendar days.")


@dataclass(frozen=True)
class _Revocation:
    at: dt.datetime
    word: str
    channel: Channel


@dataclass(frozen=True)
class _ConsentState:
    """Whether a valid consent covers the contact and, if not, why not."""

    valid: bool
    status: str  # valid, none, revoked, reassigned
    detail: str = ""
    consent: Consent | None = None  # the consent relied on, when valid


class AutomatedCall(RuleBase):
    KIND: ClassVar[str] = KIND
    # The free calls of a window lift with time; consent never does:
    NEXT_TIME: ClassVar[NextTime] = "computed"
    FACTS: ClassVar[tuple[str, ...]] = (
        "dial_method",
        "number",
        "phone_type",
        "consent",
        "detail",
        "count",
        "max",
        "days",
        "zone",
    )

    kind: Literal["automated_call"]
    dial_methods: list[DialMethod] = Field(
        default_factory=lambda: [DialMethod.AUTODIALER, DialMethod.PRERECORDED],
        min_length=1,
        description="Methods the rule covers; a contact with no method stated counts as each.",
    )
    free_calls: FreeCalls | None = Field(
        default=None,
        description="Calls allowed without consent in a window of local days (the "
        "residential-line exemption); default: none.",
    )
    revocation_words: list[str] = Field(
        default_factory=lambda: list(REVOCATION_WORDS),
        min_length=1,
        description="Words or phrases whose presence in a consumer's message revokes consent.",
    )

    @property
    def needs_local_time(self) -> bool:
        """Only the count of free calls is read on local calendar days."""
        return self.free_calls is not None

    def needs_local_time_for(self, ctx: Context) -> bool:
        return self.needs_local_time and not self._consent(ctx).valid

    def lint(self, scope: LintScope) -> Iterator[RuleLint]:
        """Channels other than calls, voicemails and texts are never automated calls."""
        yield from super().lint(scope)
        if not _CHANNELS & set(self.channels):
            yield RuleLint(
                ("channels",),
                DEAD_CONDITION,
                f'rule "{self.id}" lists no call, voicemail or sms channel, so it applies to no '
                f"contact and never {verb(self)}",
            )
        if all(not normalize_text(word).strip() for word in self.revocation_words):
            yield RuleLint(
                ("revocation_words",),
                DEAD_CONDITION,
                f'rule "{self.id}" has no revocation word with a letter or digit, so no reply '
                "ever revokes consent",
            )

    # --- applicability ---------------------------------------------------------------------
    def _covers(self, ctx: Context) -> bool:
        method = ctx.contact.dial_method
        return ctx.channel in _CHANNELS and (method is None or method in self.dial_methods)

    def instant_independent(self, ctx: Context) -> bool:
        """A contact the rule does not cover (a call dialled by hand) passes at any instant;
        consent and free calls change with time."""
        return self.applicability_settled(ctx) and not self._covers(ctx)

    # --- consent ---------------------------------------------------------------------------
    def _revocations(self, ctx: Context) -> tuple[_Revocation, ...]:
        """Every consumer message in the history (any instant) that revokes for this number."""

        def build() -> tuple[_Revocation, ...]:
            number = ctx.contact.to
            words = [(w, normalize_text(w)) for w in self.revocation_words]
            words = [(w, key) for w, key in words if key.strip()]
            found: list[_Revocation] = []
            for record in ctx.history.records:
                if not _reply_for(record, number):
                    continue
                text = normalize_text(record.text or "")
                for word, key in words:
                    if key in text:
                        found.append(_Revocation(record.at, word, record.channel))
                        break
            return tuple(found)

        return ctx.memo(("automated_call.revocations", self.id), build)

    def _consent(self, ctx: Context) -> _ConsentState:
        number = ctx.contact.to
        if number is None:
            return _ConsentState(False, "none", "the contact names no number")
        now = utc_key(ctx.at)
        revocations = [r for r in self._revocations(ctx) if utc_key(r.at) < now]
        reported = _reassigned_on(ctx, number)
        state = _ConsentState(False, "none", "no consent for this number is on record")
        for consent in _candidates(ctx, number):
            if reported is not None and min(possible_local_dates(consent.granted_at)) <= reported:
                if state.status == "none":
                    state = _ConsentState(
                        False,
                        "reassigned",
                        f"the Reassigned Numbers Database reported the number disconnected on "
                        f"{reported.isoformat()}, after the consent of "
                        f"{consent.granted_at.isoformat()}",
                    )
                continue
            granted = utc_key(consent.granted_at)
            later = [r for r in revocations if utc_key(r.at) >= granted]
            if later:
                first = later[0]
                state = _ConsentState(
                    False,
                    "revoked",
                    f'the consumer revoked consent with "{first.word}" by {first.channel.value} '
                    f"at {first.at.isoformat()}",
                )
                continue
            return _ConsentState(True, "valid", consent=consent)
        return state

    def _opt_out(self, ctx: Context) -> str | None:
        """The consumer's first reply before now that asked to stop, as a sentence, or None."""
        now = utc_key(ctx.at)
        for reply in self._revocations(ctx):
            if utc_key(reply.at) < now:
                return (
                    f'the consumer asked to stop with "{reply.word}" by {reply.channel.value} '
                    f"at {reply.at.isoformat()}"
                )
        return None

    # --- free calls ------------------------------------------------------------------------
    def _counted(self, ctx: Context, record: Record) -> bool:
        return (
            record.initiated_by is Initiator.COLLECTOR
            and record.channel in self.channels
            and (record.dial_method is None or record.dial_method in self.dial_methods)
            and (record.to is None or same_address(record.to, ctx.contact.to))
        )

    def _count(self, ctx: Context) -> tuple[int, str | None]:
        """The most counted calls in the window in any candidate zone, and that zone."""
        assert self.free_calls is not None
        records = [r for r in ctx.prior() if self._counted(ctx, r)]
        best, where = 0, None
        for name, zone in ctx.zones:
            today = ctx.local(name, zone).date()
            start = local_day_start(add_days(today, 1 - self.free_calls.days), zone)
            since = utc_micros(start)
            count = sum(1 for r in records if r.key >= since)
            if where is None or count > best:
                best, where = count, name
        return best, where

    # --- evaluation ------------------------------------------------------------------------
    def check(self, ctx: Context) -> Finding | None:
        if not self._covers(ctx):
            return None
        state = self._consent(ctx)
        if state.valid:
            return None
        facts: dict[str, object] = {
            "dial_method": _method_text(ctx),
            "number": ctx.contact.to,
            "phone_type": ctx.shape.phone_type,
            "consent": state.status,
            "detail": state.detail,
        }
        what = f"{_method_text(ctx)} {ctx.channel.value} to {ctx.contact.to or 'no number'}"
        if self.free_calls is None:
            return Finding(
                f"a {what} ({ctx.shape.phone_type} number) needs the consumer's prior express "
                f"consent for that number: {state.detail}",
                facts,
            )
        opt_out = self._opt_out(ctx)
        if opt_out is not None:
            facts.update({"consent": "revoked", "detail": opt_out})
            return Finding(
                f"a {what}: {opt_out}; the exemption for calls without consent requires "
                "honouring that request",
                facts,
            )
        count, zone = self._count(ctx)
        if count < self.free_calls.max:
            return None
        facts.update({"count": count, "max": self.free_calls.max, "days": self.free_calls.days})
        facts["zone"] = zone
        return Finding(
            f"a {what} without consent ({state.detail}) is allowed only {self.free_calls.max} "
            f"times in {self.free_calls.days} days; {count} were made",
            facts,
            zone=zone,
        )

    def ground(self, ctx: Context) -> Finding | None:
        """The consent the automated contact relied on, or the free call it used; a contact
        that is not automated (``dial_method: manual``) needs neither and names none."""
        if not self._covers(ctx):
            return None
        facts: dict[str, object] = {"dial_method": _method_text(ctx), "number": ctx.contact.to}
        what = f"{_method_text(ctx)} {ctx.channel.value} to {ctx.contact.to}"
        consent = self._consent(ctx).consent
        if consent is not None:
            facts.update(
                {
                    "consent": "valid",
                    "consent_source": consent.source.value,
                    "granted_at": consent.granted_at.isoformat(),
                    "consent_channel": None if consent.channel is None else consent.channel.value,
                }
            )
            return Finding(
                f"the {what} relies on prior express consent for that number, given "
                f"{_SOURCE_TEXT.get(consent.source, consent.source.value)} at "
                f"{consent.granted_at.isoformat()}",
                facts,
            )
        if self.free_calls is None or self._opt_out(ctx) is not None:
            return None
        count, zone = self._count(ctx)
        if count >= self.free_calls.max:
            return None
        facts.update(
            {
                "consent": "none",
                "count": count,
                "max": self.free_calls.max,
                "days": self.free_calls.days,
                "zone": zone,
            }
        )
        return Finding(
            f"the {what} without consent relies on the free_calls exemption: {count} of "
            f"{self.free_calls.max} used in the last {self.free_calls.days} days",
            facts,
            zone=zone,
        )

    def next_ok(self, ctx: Context) -> dt.datetime | None:
        """With free calls and no revocation: the first local midnight at which the count in
        every zone has fallen below the limit."""
        if self.free_calls is None or self._opt_out(ctx) is not None:
            return None
        candidates = [
            local_day_start(day, zone)
            for name, zone in ctx.zones
            for day in days_from(ctx.local(name, zone).date(), 1, self.free_calls.days + 1)
        ]
        return earliest_passing(ctx, candidates, self.passes)


_SOURCE_TEXT = {
    ConsentSource.DIRECT: "directly to the collector",
    ConsentSource.CREDITOR: "to the creditor",
    ConsentSource.COURT: "by a court",
}


def _method_text(ctx: Context) -> str:
    method = ctx.contact.dial_method
    return "possibly automated (dial method not stated)" if method is None else method.value


def _reply_for(record: Record, number: str | None) -> bool:
    """A consumer's message that can revoke consent for ``number``: an SMS from it (or from no
    stated number), or an e-mail, which names no number and so is read as meaning every one."""
    if record.initiated_by is not Initiator.CONSUMER or record.channel not in _REPLY_CHANNELS:
        return False
    if record.text is None:
        return False
    if record.channel is Channel.EMAIL or record.to is None:
        return True
    return same_address(record.to, number)


def _reassigned_on(ctx: Context, number: str) -> dt.date | None:
    days = [
        phone.reassigned_reported_on
        for phone in ctx.contact.consumer.phones
        if phone.reassigned_reported_on is not None and same_address(phone.number, number)
    ]
    return max(days) if days else None


def _candidates(ctx: Context, number: str) -> Iterator[Consent]:
    """Active automated-call consents for this number, medium and debts (any source)."""
    contact = ctx.contact
    medium = channel_medium(contact.channel)
    for consent in contact.consumer.consents:
        if consent.scope is not ConsentScope.AUTOMATED_CALLS or not consent.active_at(ctx.at):
            continue
        if not same_address(consent.address, number):
            continue
        if consent.channel is not None and channel_medium(consent.channel) is not medium:
            continue
        if consent.debt_ids is not None and not set(contact.debt_ids) & set(consent.debt_ids):
            continue
        yield consent
