"""The facts one evaluation needs, derived once from a contact, its history and its zones.

Rules read from here instead of re-deriving: the history is sorted once (``records.History``),
records before the judged instant are found by bisection, and local times are cached per zone.
``at_time`` gives the same facts at another instant, which is how the earliest allowed time is
searched for.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from .localtime import ZoneRef, utc_micros
from .location.addresses import same_address
from .models import (
    Channel,
    CollectorType,
    Consent,
    ConsentScope,
    ConsentSource,
    Contact,
    ContactRecord,
    Debt,
    Initiator,
    Outcome,
    Phone,
    PhoneType,
    Purpose,
    Recipient,
)
from .records import History, Record, as_history

if TYPE_CHECKING:
    from .templates.registry import Registry

__all__ = [
    "UNKNOWN_LANGUAGE",
    "UNKNOWN_PHONE_TYPE",
    "WRITTEN",
    "ContactShape",
    "Context",
    "channel_medium",
    "language_of",
    "phone_type_of",
]

T = TypeVar("T")

_COMMUNICATED = frozenset({Outcome.CONVERSATION, Outcome.DELIVERED, Outcome.VOICEMAIL})
WRITTEN = frozenset({Channel.LETTER, Channel.EMAIL, Channel.SMS, Channel.SOCIAL_DM})
_MEDIUM = {Channel.VOICEMAIL: Channel.CALL}

#: The phone type of a number that is not among the consumer's phones (or of no number at all).
UNKNOWN_PHONE_TYPE = "unknown"
#: The language of a consumer who states none, or states something that is no language code.
UNKNOWN_LANGUAGE = "unknown"


def channel_medium(channel: Channel) -> Channel:
    """Voicemail is left by a telephone call, so both are the telephone medium for opt-outs."""
    return _MEDIUM.get(channel, channel)


class ContactShape(NamedTuple):
    """What a contact is, apart from when and to whom exactly: rules that cannot apply to a
    shape are filtered out once per shape instead of once per evaluation."""

    channel: Channel
    recipient: Recipient
    purpose: Purpose
    to_work: bool
    collector_type: CollectorType
    has_template: bool
    phone_type: str = UNKNOWN_PHONE_TYPE
    language: str = UNKNOWN_LANGUAGE
    """The consumer's preferred language as a primary subtag (``es`` for ``es-MX``)."""


class _Shared:
    """Facts of one evaluation that do not depend on the instant judged."""

    __slots__ = (
        "call_consents",
        "contact",
        "debts",
        "disclosure_rules",
        "fast",
        "history",
        "memo",
        "purpose",
        "shape",
        "templates",
        "to_work",
        "zones",
    )

    def __init__(
        self,
        contact: Contact,
        history: Iterable[ContactRecord | Record] | History,
        zones: tuple[ZoneRef, ...],
        fast: bool = True,
        templates: Registry | None = None,
    ) -> None:
        self.contact = contact
        self.templates = templates
        self.disclosure_rules: tuple[object, ...] = ()
        self.zones = zones
        self.fast = fast
        self.history = as_history(history)
        self.debts = {d.id: d for d in contact.consumer.debts}
        self.to_work = _infer_to_work(contact)
        template = contact.template
        self.purpose = template.purpose if template is not None else Purpose.COLLECTION
        self.call_consents = any(
            c.scope is ConsentScope.CALL_FREQUENCY for c in contact.consumer.consents
        )
        self.memo: dict[object, object] = {}
        self.shape = ContactShape(
            contact.channel,
            contact.recipient,
            self.purpose,
            self.to_work,
            contact.collector_type,
            template is not None,
            phone_type_of(contact.to, contact.to_work, contact.consumer.phones),
            language_of(contact.consumer.language),
        )


class Context:
    """Everything a rule may look at for one contact judged at one instant.

    Built once per evaluation; ``at_time`` shares the instant-independent part, so searching
    for the earliest allowed instant re-derives only what depends on time.
    """

    __slots__ = ("_cut", "_initial", "_local", "_shared", "at")

    def __init__(self, shared: _Shared, at: dt.datetime) -> None:
        self._shared = shared
        self.at = at
        self._local: dict[str, dt.datetime] = {}
        self._cut: int | None = None
        self._initial: bool | None = None

    @classmethod
    def build(
        cls,
        contact: Contact,
        history: Iterable[ContactRecord | Record] | History,
        zones: tuple[ZoneRef, ...],
        *,
        fast: bool = True,
        templates: Registry | None = None,
    ) -> Context:
        """``fast=False``: the reference evaluator's context, with every shortcut off.
        ``templates``: the engine's registry of approved texts, for rules that ask whether
        another approved version exists (the consumer's language)."""
        return cls(_Shared(contact, history, zones, fast, templates), contact.at)

    def at_time(self, when: dt.datetime) -> Context:
        return Context(self._shared, when)

    @property
    def contact(self) -> Contact:
        return self._shared.contact

    @property
    def zones(self) -> tuple[ZoneRef, ...]:
        return self._shared.zones

    @property
    def history(self) -> History:
        return self._shared.history

    @property
    def templates(self) -> Registry | None:
        return self._shared.templates

    @property
    def disclosure_rules(self) -> tuple[object, ...]:
        """The stack's rules that require library disclosures of a message (template rules):
        what they require is shielded from other rules' forbidden words where they apply."""
        return self._shared.disclosure_rules

    def share_disclosure_rules(self, rules: Iterable[object]) -> None:
        """Set by the engine once the stack for this contact is known."""
        self._shared.disclosure_rules = tuple(rules)

    @property
    def debts(self) -> dict[str, Debt]:
        return self._shared.debts

    @property
    def to_work(self) -> bool:
        return self._shared.to_work

    @property
    def shape(self) -> ContactShape:
        return self._shared.shape

    @property
    def fast(self) -> bool:
        """Whether shortcuts that must not change any decision are on (off: the reference)."""
        return self._shared.fast

    @property
    def has_call_consents(self) -> bool:
        return self._shared.call_consents

    def memo(self, key: object, compute: Callable[[], T]) -> T:
        """A value that does not depend on the judged instant, computed once per evaluation."""
        store = self._shared.memo
        if key not in store:
            store[key] = compute()
        return store[key]  # type: ignore[return-value]

    # --- time -----------------------------------------------------------------------------
    def local(self, zone_name: str, zone: ZoneInfo) -> dt.datetime:
        cached = self._local.get(zone_name)
        if cached is None:
            try:
                cached = self.at.astimezone(zone)
            except OverflowError:
                raise ValueError(
                    f"the local time in {zone_name} of {self.at.isoformat()} is outside the "
                    "calendar (years 1 to 9999)"
                ) from None
            self._local[zone_name] = cached
        return cached

    # --- the proposed contact -------------------------------------------------------------
    @property
    def channel(self) -> Channel:
        return self.contact.channel

    @property
    def purpose(self) -> Purpose:
        return self._shared.purpose

    # --- history --------------------------------------------------------------------------
    def _cutoff(self) -> int:
        if self._cut is None:
            self._cut = bisect_left(self._shared.history.keys, utc_micros(self.at))
        return self._cut

    def prior(self) -> tuple[Record, ...]:
        """Records strictly before the judged instant, oldest first (convention K9).

        A record at the judged instant itself (the contact's own reservation) is not counted, and
        a past contact re-judged for an audit sees the history as it then was.
        """
        return self._shared.history.records[: self._cutoff()]

    def same_person(self, record: Record) -> bool:
        """Whether a record reached the same person as the proposed contact."""
        contact = self.contact
        if record.recipient is not contact.recipient:
            return False
        if contact.recipient is Recipient.THIRD_PARTY:
            return record.third_party_id == contact.third_party_id
        return True

    def initial_communication(self, debt_id: str) -> bool:
        """No earlier communication with the consumer about this debt (12 CFR 1006.18(e)(1)).

        ``Debt.initial_communication_at`` records one that happened before the history given: a
        short history must not make every later message look initial. A validation notice
        (``Debt.validation_notice_at``) is a communication about the debt too.
        """
        debt = self.debts[debt_id]
        for known in (debt.initial_communication_at, debt.validation_notice_at):
            if known is not None and known < self.at:
                return False
        for record in self.prior():
            if (
                record.recipient is Recipient.CONSUMER
                and debt_id in record.debt_ids
                and record.outcome in _COMMUNICATED
                and record.purpose is not Purpose.LIMITED_CONTENT_MESSAGE
                # A consumer's own e-mail or letter is not the collector communicating; a
                # conversation the consumer started is (the collector spoke in it).
                and (
                    record.initiated_by is Initiator.COLLECTOR
                    or record.outcome is Outcome.CONVERSATION
                )
            ):
                return False
        return True

    def initial_written_communication(self, debt_id: str) -> bool:
        """No earlier written communication with the consumer about this debt.

        12 CFR 1006.18(e)(1): when the initial communication was oral, the disclosure is
        repeated in the initial written communication. A validation notice sent
        (``Debt.validation_notice_at``) is a written one: 12 CFR 1006.34(a)(1) has it sent.
        """
        known = self.debts[debt_id].validation_notice_at
        if known is not None and known < self.at:
            return False
        for record in self.prior():
            if (
                record.channel in WRITTEN
                and record.recipient is Recipient.CONSUMER
                and record.initiated_by is Initiator.COLLECTOR
                and debt_id in record.debt_ids
                and record.outcome in _COMMUNICATED
            ):
                return False
        return True

    def is_initial_written_communication(self) -> bool:
        return self.contact.channel in WRITTEN and any(
            self.initial_written_communication(d) for d in self.contact.debt_ids
        )

    def is_initial_communication(self) -> bool:
        if self._initial is None:
            self._initial = any(self.initial_communication(d) for d in self.contact.debt_ids)
        return self._initial

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
            if consent.address is not None and not same_address(consent.address, contact.to):
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
            and same_address(r.to, contact.to)
            for r in self.prior()
        )


@lru_cache(maxsize=256)
def language_of(stated: str | None) -> str:
    """A consumer's preferred language as ``when: languages`` matches it: the primary subtag of
    what is stated (``es-MX``, ``ES`` and ``spa`` are ``es``), or ``unknown``."""
    from .templates.language import normalise_language  # the templates package imports rules

    return normalise_language(stated) or UNKNOWN_LANGUAGE


def phone_type_of(to: str | None, to_work: bool | None, phones: Sequence[Phone]) -> str:
    """The type of the number a contact or record went to: home, mobile, work, other, unknown.

    ``to_work: true`` makes it ``work``; otherwise it is the type of the consumer's phone whose
    number is ``to``. A ``to`` that is not among the consumer's phones, or no ``to`` at all, is
    ``unknown``: rules that bucket calls by number (940 CMR 7.04(1)(f)) then treat it as either
    kind, whichever denies (fail closed).
    """
    if to_work is True:
        return PhoneType.WORK.value
    if to is not None:
        for phone in phones:
            if same_address(phone.number, to):
                return phone.type.value
    return UNKNOWN_PHONE_TYPE


def _infer_to_work(contact: Contact) -> bool:
    if contact.to_work is not None:
        return contact.to_work
    target = contact.to
    if target is None:
        return False
    consumer = contact.consumer
    for phone in consumer.phones:
        if same_address(phone.number, target):
            return phone.type is PhoneType.WORK
    for email in consumer.emails:
        if same_address(email.address, target):
            return email.employer_provided
    return False
