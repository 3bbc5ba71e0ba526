"""The facts one evaluation needs, derived once from a contact, its history and its zones.

Rules read from here instead of re-deriving: the history is sorted once, records before the
judged instant are found by bisection, and local times are cached per zone. ``at_time`` gives the
same facts at another instant, which is how the earliest allowed time is searched for.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from zoneinfo import ZoneInfo

from .models import (
    Channel,
    Consent,
    ConsentScope,
    ConsentSource,
    Contact,
    ContactRecord,
    Debt,
    Initiator,
    Outcome,
    PhoneType,
    Purpose,
    Recipient,
)

__all__ = ["Context", "ZoneRef", "channel_medium", "local_day_start", "local_instant"]

ZoneRef = tuple[str, ZoneInfo]

_COMMUNICATED = frozenset({Outcome.CONVERSATION, Outcome.DELIVERED, Outcome.VOICEMAIL})
_MEDIUM = {Channel.VOICEMAIL: Channel.CALL}


def channel_medium(channel: Channel) -> Channel:
    """Voicemail is left by a telephone call, so both are the telephone medium for opt-outs."""
    return _MEDIUM.get(channel, channel)


def local_instant(day: dt.date, seconds: int, zone: ZoneInfo) -> dt.datetime:
    """The first instant at which the local wall clock in ``zone`` reads ``day`` + ``seconds``.

    Exact across DST: in an autumn overlap the earlier of the two readings is taken; in a spring
    gap (the wall time never happens) the answer is the transition instant, which is the first
    instant whose wall clock is past that time. ``seconds`` may be 86400 (24:00 = next midnight).
    """
    if seconds >= 86400:
        day, seconds = day + dt.timedelta(days=1), seconds - 86400
    wall = dt.datetime.combine(day, dt.time(0), tzinfo=zone) + dt.timedelta(seconds=seconds)
    first = wall.replace(fold=0)
    utc = dt.timezone.utc
    if first.astimezone(utc).astimezone(zone).replace(tzinfo=None) == first.replace(tzinfo=None):
        return first
    lo = wall.replace(fold=1).astimezone(utc)
    hi = first.astimezone(utc)
    lo, hi = min(lo, hi), max(lo, hi)
    naive = wall.replace(tzinfo=None)
    while hi - lo > dt.timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(zone).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0).astimezone(zone)


def local_day_start(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The first instant of a local calendar day (midnight, or the end of a midnight DST gap)."""
    return local_instant(day, 0, zone)


def _instant(record: ContactRecord) -> dt.datetime:
    return record.at


def _full_key(record: ContactRecord) -> tuple[dt.datetime, str, str, str, str]:
    return (
        record.at,
        record.channel.value,
        record.outcome.value,
        record.to or "",
        ",".join(record.debt_ids),
    )


@dataclass(frozen=True)
class _History:
    records: tuple[ContactRecord, ...]
    instants: tuple[dt.datetime, ...]

    @classmethod
    def build(cls, history: Sequence[ContactRecord]) -> _History:
        ordered = sorted(history, key=_instant)
        instants = [r.at for r in ordered]
        if any(a == b for a, b in pairwise(instants)):
            # Same-instant records: a full key keeps facts independent of the input order.
            ordered.sort(key=_full_key)
        return cls(tuple(ordered), tuple(r.at for r in ordered))


@dataclass(frozen=True)
class Context:
    """Everything a rule may look at for one contact judged at one instant."""

    contact: Contact
    at: dt.datetime
    zones: tuple[ZoneRef, ...]
    history: _History
    debts: dict[str, Debt]
    to_work: bool
    _local: dict[str, dt.datetime] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(
        cls, contact: Contact, history: Sequence[ContactRecord], zones: tuple[ZoneRef, ...]
    ) -> Context:
        return cls(
            contact=contact,
            at=contact.at,
            zones=zones,
            history=_History.build(history),
            debts={d.id: d for d in contact.consumer.debts},
            to_work=_infer_to_work(contact),
        )

    def at_time(self, when: dt.datetime) -> Context:
        return Context(self.contact, when, self.zones, self.history, self.debts, self.to_work)

    # --- time -----------------------------------------------------------------------------
    def local(self, zone_name: str, zone: ZoneInfo) -> dt.datetime:
        cached = self._local.get(zone_name)
        if cached is None:
            cached = self.at.astimezone(zone)
            self._local[zone_name] = cached
        return cached

    # --- the proposed contact -------------------------------------------------------------
    @property
    def channel(self) -> Channel:
        return self.contact.channel

    @property
    def purpose(self) -> Purpose:
        template = self.contact.template
        return template.purpose if template is not None else Purpose.COLLECTION

    # --- history --------------------------------------------------------------------------
    def prior(self) -> tuple[ContactRecord, ...]:
        """Records strictly before the judged instant, oldest first."""
        cut = bisect_left(self.history.instants, self.at)
        return self.history.records[:cut]

    def prior_since(self, since: dt.datetime) -> tuple[ContactRecord, ...]:
        lo = bisect_left(self.history.instants, since)
        hi = bisect_left(self.history.instants, self.at)
        return self.history.records[lo:hi] if hi > lo else ()

    def same_person(self, record: ContactRecord) -> bool:
        """Whether a record reached the same person as the proposed contact."""
        contact = self.contact
        if record.recipient is not contact.recipient:
            return False
        if contact.recipient is Recipient.THIRD_PARTY:
            return record.third_party_id == contact.third_party_id
        return True

    def initial_communication(self, debt_id: str) -> bool:
        """No earlier communication with the consumer about this debt (12 CFR 1006.18(e)(1))."""
        for record in self.prior():
            if (
                record.recipient is Recipient.CONSUMER
                and debt_id in record.debt_ids
                and record.outcome in _COMMUNICATED
                and record.purpose is not Purpose.LIMITED_CONTENT_MESSAGE
            ):
                return False
        return True

    def is_initial_communication(self) -> bool:
        return any(self.initial_communication(d) for d in self.contact.debt_ids)

    # --- consents -------------------------------------------------------------------------
    def consents(
        self, scope: ConsentScope, *, direct_only: bool = True, when: dt.datetime | None = None
    ) -> Iterator[Consent]:
        """Active consents of a scope that cover this contact's channel, address and debts."""
        instant = self.at if when is None else when
        contact = self.contact
        for consent in contact.consumer.consents:
            if consent.scope is not scope or not consent.active_at(instant):
                continue
            if direct_only and consent.source is ConsentSource.CREDITOR:
                continue
            if consent.channel is not None and consent.channel is not contact.channel:
                continue
            if consent.address is not None and consent.address != contact.to:
                continue
            if consent.debt_ids is not None and not set(contact.debt_ids) & set(consent.debt_ids):
                continue
            yield consent

    def consumer_used_address(self) -> bool:
        """The consumer wrote to us from this address/number through this channel."""
        contact = self.contact
        return any(
            r.initiated_by is Initiator.CONSUMER
            and r.channel is contact.channel
            and r.to is not None
            and r.to == contact.to
            for r in self.prior()
        )


def _infer_to_work(contact: Contact) -> bool:
    if contact.to_work is not None:
        return contact.to_work
    target = contact.to
    if target is None:
        return False
    consumer = contact.consumer
    for phone in consumer.phones:
        if phone.number == target:
            return phone.type is PhoneType.WORK
    for email in consumer.emails:
        if email.address.lower() == target.lower():
            return email.employer_provided
    return False
