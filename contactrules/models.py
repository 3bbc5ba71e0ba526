"""What a collection tool tells the engine: the consumer, the proposed contact and the history.

Every model forbids unknown keys (a misspelt ``opted_out`` must not silently vanish) and every
instant must carry its time zone: a naive datetime could be read in the server's zone, which is
exactly the 9:05 pm call the library exists to prevent.

Malformed input must never pass as a different, valid contact, so the models are strict where
pydantic would be lenient: an instant is ISO 8601 text with an offset or an aware datetime, never
a number (pydantic reads ``0`` or ``"00"`` as Unix time); ids, numbers and addresses are never
empty or blank; a list that selects something (``days``, a consent's ``debt_ids``) is never
empty; every debt a flag or consent names is one of the consumer's debts; and a country or
subdivision is one some table knows, written once in one spelling (``US-MA`` becomes ``MA``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from .localtime import ClockTime
from .location.places import (
    check_country,
    check_subdivision,
    normalise_country,
    normalise_subdivision,
)

__all__ = [
    "Address",
    "AddressKind",
    "Bankruptcy",
    "Channel",
    "CollectorType",
    "Consent",
    "ConsentScope",
    "ConsentSource",
    "Consumer",
    "ConsumerFlags",
    "Contact",
    "ContactRecord",
    "Day",
    "Debt",
    "DialMethod",
    "EmailAddress",
    "EmailAddressSource",
    "InconvenientTime",
    "Initiator",
    "Instant",
    "Moratorium",
    "MoratoriumKind",
    "NonBlankStr",
    "OptOut",
    "Outcome",
    "Phone",
    "PhoneType",
    "Place",
    "Purpose",
    "Recipient",
    "StayEndReason",
    "Template",
    "Weekday",
]


class Channel(str, Enum):
    """The medium of a contact; each is a separate medium for opt-outs (12 CFR 1006.14(h))."""

    CALL = "call"
    VOICEMAIL = "voicemail"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    VISIT = "visit"
    SOCIAL_DM = "social_dm"
    SOCIAL_PUBLIC = "social_public"


class Outcome(str, Enum):
    """What happened; ``not_connected`` is a busy signal or a number not in service only.

    ``pending`` is a contact reserved but whose outcome is not known yet; rules count it as
    whatever outcome they look for (it might have become a conversation), so it can only
    make a decision stricter (fail closed, convention K8).
    """

    PENDING = "pending"
    NOT_CONNECTED = "not_connected"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    CONVERSATION = "conversation"
    DELIVERED = "delivered"
    UNDELIVERABLE = "undeliverable"


class Initiator(str, Enum):
    COLLECTOR = "collector"
    CONSUMER = "consumer"


class Recipient(str, Enum):
    """Who the contact reaches; 12 CFR 1006.6(d)(1) lists the parties other than third parties."""

    CONSUMER = "consumer"
    #: The executor, administrator or personal representative of a deceased consumer's estate:
    #: "the consumer" for 12 CFR 1006.6 (1006.6(a)(4), comment 6(a)(4)-1).
    ESTATE_REPRESENTATIVE = "estate_representative"
    THIRD_PARTY = "third_party"
    CONSUMER_ATTORNEY = "consumer_attorney"
    CREDIT_REPORTING_AGENCY = "credit_reporting_agency"
    CREDITOR = "creditor"
    CREDITOR_ATTORNEY = "creditor_attorney"
    COLLECTOR_ATTORNEY = "collector_attorney"


class CollectorType(str, Enum):
    """Who is collecting, which decides the rulesets that bind the contact (convention K7).

    FDCPA/Reg F bind third-party collectors; several state laws bind creditors too.
    """

    THIRD_PARTY_COLLECTOR = "third_party_collector"
    ORIGINAL_CREDITOR = "original_creditor"


class Purpose(str, Enum):
    """Why a message is sent; some bars have exceptions for particular purposes."""

    COLLECTION = "collection"
    VALIDATION_NOTICE = "validation_notice"
    TERMINATION_NOTICE = "termination_notice"
    REMEDY_NOTICE = "remedy_notice"
    LOCATION_INQUIRY = "location_inquiry"
    LIMITED_CONTENT_MESSAGE = "limited_content_message"
    OPT_OUT_CONFIRMATION = "opt_out_confirmation"
    CONSENT_REQUEST = "consent_request"
    PAYMENT_REMINDER = "payment_reminder"


class PhoneType(str, Enum):
    HOME = "home"
    MOBILE = "mobile"
    WORK = "work"
    OTHER = "other"


class AddressKind(str, Enum):
    HOME = "home"
    WORK = "work"
    MAILING = "mailing"
    OTHER = "other"


class Place(str, Enum):
    WORK = "work"
    HOME = "home"


class Weekday(str, Enum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


class ConsentScope(str, Enum):
    """What a consent covers.

    ``time``/``place``: 12 CFR 1006.6(b)(4) lifts the time, place, attorney and workplace bars;
    ``call_frequency``: 1006.14(b)(3)(i), calls within seven days of consent are not counted;
    ``channel``: consent to use a medium or address (e-mail to a work address, 1006.22(f)(3)).
    """

    TIME = "time"
    PLACE = "place"
    CALL_FREQUENCY = "call_frequency"
    CHANNEL = "channel"
    #: Prior express consent to autodialed or prerecorded-voice calls and texts to the number in
    #: ``address`` (47 U.S.C. 227(b)(1)(A)(iii)); consent given to the creditor counts too.
    AUTOMATED_CALLS = "automated_calls"


class DialMethod(str, Enum):
    """How a call, voicemail or text is placed, as the TCPA sorts them (47 U.S.C. 227(b)(1)).

    Not stating it on a call, voicemail or text means "possibly automated": the TCPA rules then
    treat it as both autodialed and prerecorded (fail closed).
    """

    #: Dialled or typed and sent by a person, with a live voice.
    MANUAL = "manual"
    #: Placed by an automatic telephone dialing system (a live voice once answered).
    AUTODIALER = "autodialer"
    #: Delivers an artificial or prerecorded voice message, however it was dialled.
    PRERECORDED = "prerecorded"


class ConsentSource(str, Enum):
    DIRECT = "direct"
    CREDITOR = "creditor"
    COURT = "court"


# "2026-06-02T09:00" or "2026-06-02 09:00": a date and a time at least. What follows (seconds,
# fraction, offset) is left to pydantic's ISO 8601 parser and its time-zone check.
_ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _instant_input(value: object) -> object:
    """Refuse what pydantic's lax mode would read as Unix time: ``0``, ``"00"``, ``2026.0602``."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE_TIME.match(value):
        return value
    raise PydanticCustomError(
        "instant_type",
        "an instant must be ISO 8601 text with a UTC offset, such as "
        '"2026-06-02T09:00:00-04:00", or a timezone-aware datetime; numbers are not instants',
    )


Instant = Annotated[AwareDatetime, BeforeValidator(_instant_input)]
"""A moment in time: ISO 8601 text with an offset, or an aware ``datetime``; never a number."""


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day_input(value: object) -> object:
    """A calendar day is ``YYYY-MM-DD`` (or a ``date``), never a number or a moment in time."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError(
        "day_type", 'a day must be written as "YYYY-MM-DD", such as "2026-06-02"'
    )


Day = Annotated[dt.date, BeforeValidator(_day_input)]
"""A calendar day in the consumer's local time, ``YYYY-MM-DD``; never a number."""


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank_string", "must not be empty or only spaces")
    return value


NonBlankStr = Annotated[
    str,
    AfterValidator(_not_blank),
    WithJsonSchema({"type": "string", "minLength": 1, "pattern": "\\S"}),
]
"""Text that names something (an id, a number, an address): never empty, never only spaces."""


def _country_code(value: str) -> str:
    return check_country(normalise_country(value))


CountryCode = Annotated[str, AfterValidator(_country_code)]


def check_third_party(title: str, recipient: Recipient, third_party_id: str | None) -> None:
    """A contact with a third party must say which one: caps and bars count per person."""
    if recipient is Recipient.THIRD_PARTY and third_party_id is None:
        raise ValidationError.from_exception_data(
            title,
            [
                InitErrorDetails(
                    type=PydanticCustomError(
                        "missing_third_party_id",
                        "a contact with a third party needs third_party_id",
                    ),
                    loc=("third_party_id",),
                    input=None,
                )
            ],
        )


def unknown_debts_error(
    title: str, found: Iterable[tuple[tuple[str | int, ...], str]], known: Sequence[str]
) -> ValidationError:
    """One located error per debt id that is not among the consumer's debts."""
    shown = ", ".join(sorted(known)[:10]) + (", …" if len(known) > 10 else "")
    return ValidationError.from_exception_data(
        title,
        [
            InitErrorDetails(
                type=PydanticCustomError(
                    "unknown_debt",
                    'debt "{debt_id}" is not among the consumer\'s debts ({known})',
                    {"debt_id": debt_id, "known": shown or "none"},
                ),
                loc=loc,
                input=debt_id,
            )
            for loc, debt_id in found
        ],
    )


class _Input(BaseModel):
    # defer_build: validators are built on first use, so importing the library stays cheap.
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False, defer_build=True)


class Address(_Input):
    country: CountryCode
    subdivision: str | None = Field(
        default=None,
        description="A US state (MA), AU state (VIC), CA province (ON), as the ISO 3166-2 suffix "
        "or the full code (US-MA); kept as the upper-case suffix.",
    )
    city: NonBlankStr | None = None
    postal_code: NonBlankStr | None = None
    kind: AddressKind = AddressKind.HOME
    zone: NonBlankStr | None = Field(default=None, description="IANA zone if known exactly.")

    @field_validator("subdivision")
    @classmethod
    def _known_subdivision(cls, value: str | None, info: ValidationInfo) -> str | None:
        country = info.data.get("country")
        if value is None or country is None:  # a bad country is reported on its own
            return value
        return check_subdivision(country, normalise_subdivision(country, value))


class Phone(_Input):
    number: NonBlankStr = Field(description="E.164 (+16175550100) or with a country code.")
    type: PhoneType = PhoneType.MOBILE
    zone: NonBlankStr | None = Field(default=None, description="IANA zone if known exactly.")
    reassigned_check_at: Instant | None = Field(
        default=None,
        description="When a reassigned-numbers database last confirmed that the number still "
        "belongs to the consumer (12 CFR 1006.6(d)(5)(ii)).",
    )
    reassigned_reported_on: Day | None = Field(
        default=None,
        description="The day the Reassigned Numbers Database (47 CFR 64.1200(m)) reported the "
        "number permanently disconnected since the consent was given: automated-call consents "
        "given on or before that day are void.",
    )


class EmailAddressSource(str, Enum):
    """Where an e-mail address came from (12 CFR 1006.6(d)(4))."""

    CONSUMER = "consumer"
    CREDITOR = "creditor"
    PRIOR_COLLECTOR = "prior_collector"
    OTHER = "other"


class EmailAddress(_Input):
    address: NonBlankStr
    employer_provided: StrictBool = False
    source: EmailAddressSource = Field(
        default=EmailAddressSource.OTHER,
        description="Who supplied the address: consumer, creditor, prior_collector or other.",
    )
    notice_sent_at: Instant | None = Field(
        default=None,
        description="When the creditor sent the consumer the notice of its intent to share the "
        "address, with a way to opt out (12 CFR 1006.6(d)(4)(ii)); the 35-day wait runs from it.",
    )


class Debt(_Input):
    id: NonBlankStr
    time_barred: StrictBool = False
    dispute_pending_verification: StrictBool = False
    incurred_on: Day | None = Field(
        default=None,
        description="The day the debt arose. Without it a debt counts as older than any "
        "bankruptcy petition (fail closed).",
    )
    creditor: NonBlankStr | None = Field(
        default=None,
        description="The creditor or client the debt is collected for; caps counted "
        "`per: creditor` count its debts together (debts without one form one group).",
    )
    initial_communication_at: Instant | None = Field(
        default=None,
        description="When the collector's initial communication about the debt happened, if "
        "before the history given; later contacts are not initial (12 CFR 1006.18(e)(1)).",
    )
    particular_debt: NonBlankStr | None = Field(
        default=None,
        description="The particular debt this debt is part of (student loans serviced under one "
        "account number, 12 CFR 1006.14(b)(4)); debts with the same value, or a debt whose id it "
        "is, are counted as one debt by per-debt caps and cooldowns.",
    )
    payment_arrangement_kept: StrictBool = Field(
        default=False,
        description="A payment arrangement for the debt is in place and being kept (ACCC/ASIC "
        "debt collection guideline Part 2 s 15).",
    )
    validation_notice_at: Instant | None = Field(
        default=None,
        description="When the validation information was sent (12 CFR 1006.34); default: the "
        "latest history record with purpose validation_notice about the debt.",
    )
    disputed_at: Instant | None = Field(
        default=None,
        description="When the consumer disputed the debt (12 CFR 1006.38(d)(2)).",
    )
    dispute_in_writing: StrictBool = Field(
        default=True,
        description="Whether that dispute was in writing; only a written one stops collection.",
    )
    verification_sent_at: Instant | None = Field(
        default=None,
        description="When verification of the disputed debt was sent; collection resumes then.",
    )


class StayEndReason(str, Enum):
    """Why the automatic stay ended (11 U.S.C. 362(c)(2), 362(d))."""

    DISCHARGE = "discharge"
    DISMISSAL = "dismissal"
    CASE_CLOSED = "case_closed"
    RELIEF_FROM_STAY = "relief_from_stay"


class Bankruptcy(_Input):
    """A bankruptcy petition of the consumer (11 U.S.C. 362(a)(6), 362(c), 524(a)(2)).

    Dates are the consumer's local calendar days; the filing day and the day the stay ended
    both count as stayed, since the hour of the petition or the order is not known (fail
    closed). A debt is pre-petition unless its ``incurred_on`` is after ``filed_on``.
    """

    filed_on: Day
    chapter: Annotated[int, Field(strict=True)] | None = Field(
        default=None, description="The Bankruptcy Code chapter (7, 11, 12 or 13), if known."
    )
    debt_ids: list[NonBlankStr] | None = Field(
        default=None, min_length=1, description="Debts the petition concerns; default: all."
    )
    stay_ended_on: Day | None = Field(
        default=None, description="The last day of the automatic stay; omitted: it still holds."
    )
    stay_end_reason: StayEndReason | None = None
    discharged_debt_ids: list[NonBlankStr] | None = Field(
        default=None,
        description="With a discharge, the debts it discharged; omitted: every pre-petition "
        "debt the petition concerns (fail closed); [] for none.",
    )

    @field_validator("chapter")
    @classmethod
    def _known_chapter(cls, value: int | None) -> int | None:
        if value is not None and value not in (7, 9, 11, 12, 13, 15):
            raise PydanticCustomError(
                "bankruptcy_chapter", "a bankruptcy chapter is 7, 9, 11, 12, 13 or 15"
            )
        return value

    @model_validator(mode="after")
    def _end_consistent(self) -> Bankruptcy:
        if (self.stay_ended_on is None) is not (self.stay_end_reason is None):
            raise PydanticCustomError(
                "bankruptcy_stay_end",
                "stay_ended_on and stay_end_reason go together: say when the stay ended and why",
            )
        if self.stay_ended_on is not None and self.stay_ended_on < self.filed_on:
            raise PydanticCustomError(
                "bankruptcy_stay_end", "the stay cannot end before the petition was filed"
            )
        if (
            self.discharged_debt_ids is not None
            and self.stay_end_reason is not StayEndReason.DISCHARGE
        ):
            raise PydanticCustomError(
                "bankruptcy_discharge",
                "discharged_debt_ids needs stay_end_reason: discharge",
            )
        return self


class MoratoriumKind(str, Enum):
    """The two moratoria of the Debt Respite Scheme (England and Wales), SI 2020/1311."""

    STANDARD = "standard"
    MENTAL_HEALTH_CRISIS = "mental_health_crisis"


class Moratorium(_Input):
    """A Breathing Space moratorium on the consumer (SI 2020/1311, reg. 11).

    Dates are the consumer's local calendar days, both counted as in the moratorium (the hour
    is not known; fail closed). Without ``ended_on`` a standard moratorium lasts the days the
    rule sets (60 in the Regulations), a mental health crisis moratorium until the input says
    it ended: its length follows the crisis treatment, which the input cannot know.
    """

    kind: MoratoriumKind
    started_on: Day
    ended_on: Day | None = Field(
        default=None, description="The last day of the moratorium, if known (or cancelled)."
    )
    debt_ids: list[NonBlankStr] | None = Field(
        default=None,
        min_length=1,
        description="The moratorium debts; omitted: every debt of the consumer (fail closed).",
    )

    @model_validator(mode="after")
    def _end_after_start(self) -> Moratorium:
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise PydanticCustomError("moratorium_end", "a moratorium cannot end before it started")
        return self


class OptOut(_Input):
    """A request not to use a medium (12 CFR 1006.14(h)); ``address`` narrows it to one number."""

    channel: Channel
    address: NonBlankStr | None = None
    at: Instant | None = None


class InconvenientTime(_Input):
    """A time the consumer said is inconvenient (12 CFR 1006.6(b)(1)), in their local time."""

    days: list[Weekday] = Field(default_factory=lambda: list(Weekday), min_length=1)
    start: ClockTime
    end: ClockTime
    channels: list[Channel] | None = Field(
        default=None, min_length=1, description="Channels it applies to; default: all."
    )


class Consent(_Input):
    scope: ConsentScope
    source: ConsentSource = ConsentSource.DIRECT
    granted_at: Instant
    expires_at: Instant | None = None
    revoked_at: Instant | None = None
    channel: Channel | None = None
    address: NonBlankStr | None = None
    debt_ids: list[NonBlankStr] | None = Field(
        default=None, min_length=1, description="Debts it covers; default: all of them."
    )
    start: ClockTime | None = None
    end: ClockTime | None = None
    place: Place | None = None

    @model_validator(mode="after")
    def _automated_calls_name_a_number(self) -> Consent:
        """TCPA consent is given for a number; one without it would cover every number."""
        if self.scope is ConsentScope.AUTOMATED_CALLS and self.address is None:
            raise PydanticCustomError(
                "consent_number",
                "a consent of scope automated_calls needs address: the number it was given for",
            )
        return self

    def active_at(self, when: dt.datetime) -> bool:
        if when < self.granted_at:
            return False
        if self.revoked_at is not None and when >= self.revoked_at:
            return False
        return self.expires_at is None or when < self.expires_at


class ConsumerFlags(_Input):
    cease_debt_ids: list[NonBlankStr] = Field(
        default_factory=list, description="Debts for which the consumer asked in writing to cease."
    )
    attorney_debt_ids: list[NonBlankStr] = Field(
        default_factory=list, description="Debts for which the consumer is known to have a lawyer."
    )
    opt_outs: list[OptOut] = Field(default_factory=list)
    inconvenient_times: list[InconvenientTime] = Field(default_factory=list)
    inconvenient_places: list[Place] = Field(default_factory=list)
    employer_prohibits_contact: StrictBool = False


class Consumer(_Input):
    id: NonBlankStr
    addresses: list[Address] = Field(default_factory=list)
    phones: list[Phone] = Field(default_factory=list)
    emails: list[EmailAddress] = Field(default_factory=list)
    zones: list[str] = Field(default_factory=list, description="Extra candidate IANA zones.")
    language: NonBlankStr | None = Field(
        default=None, description="Preferred language, e.g. en, es."
    )
    debts: list[Debt] = Field(default_factory=list)
    flags: ConsumerFlags = Field(default_factory=ConsumerFlags)
    consents: list[Consent] = Field(default_factory=list)
    bankruptcies: list[Bankruptcy] = Field(default_factory=list)
    deceased_on: Day | None = Field(
        default=None,
        description="Date of death; from that day only the estate's representative is the "
        "consumer (12 CFR 1006.6(a)(4)).",
    )
    moratoria: list[Moratorium] = Field(
        default_factory=list,
        description="Breathing Space moratoria (England and Wales, SI 2020/1311).",
    )

    @model_validator(mode="after")
    def _named_debts_known(self) -> Consumer:
        """A flag or consent about a debt the consumer does not have protects nothing.

        A cease request for "D-1" when the debt is "D1" would be silently ignored and the call
        allowed; it is an input error instead, located at the id.
        """
        known = {d.id for d in self.debts}
        found: list[tuple[tuple[str | int, ...], str]] = []
        for key in ("cease_debt_ids", "attorney_debt_ids"):
            ids: list[str] = getattr(self.flags, key)
            found.extend((("flags", key, j), d) for j, d in enumerate(ids) if d not in known)
        for i, consent in enumerate(self.consents):
            found.extend(
                (("consents", i, "debt_ids", j), d)
                for j, d in enumerate(consent.debt_ids or ())
                if d not in known
            )
        for i, petition in enumerate(self.bankruptcies):
            for key in ("debt_ids", "discharged_debt_ids"):
                found.extend(
                    (("bankruptcies", i, key, j), d)
                    for j, d in enumerate(getattr(petition, key) or ())
                    if d not in known
                )
        for i, moratorium in enumerate(self.moratoria):
            found.extend(
                (("moratoria", i, "debt_ids", j), d)
                for j, d in enumerate(moratorium.debt_ids or ())
                if d not in known
            )
        if found:
            raise unknown_debts_error(type(self).__name__, found, sorted(known))
        return self


#: Most values one message's data may hold (an account record is a few dozen).
MAX_TEMPLATE_VALUES = 1000


class Template(_Input):
    """The message a contact carries: its text as written, or an approved template by id.

    Two ways, never both: ``text`` is judged as given (``id`` then only labels it); ``data``
    asks the engine to render the approved template ``id`` (``version``, or the highest in
    force) in ``language`` from the engine's template registry with these values, and to judge
    the message that will be sent (docs/templates.md).
    """

    id: NonBlankStr | None = None
    version: Annotated[StrictInt, Field(ge=1)] | None = Field(
        default=None, description="The approved version to render (with `data`)."
    )
    language: NonBlankStr = "en"
    purpose: Purpose = Field(
        default=Purpose.COLLECTION,
        description="With `data`, the registry's purpose applies; one stated must agree with it.",
    )
    text: str = ""
    data: dict[str, StrictStr | StrictInt | StrictFloat | None] | None = Field(
        default=None,
        max_length=MAX_TEMPLATE_VALUES,
        description="Values for the placeholders of the registered template `id` (`{}` for "
        "a template with none); the engine renders the message from its registry.",
    )

    @property
    def registered(self) -> bool:
        """Whether the message is to be rendered from the registry rather than given."""
        return self.data is not None

    @model_validator(mode="after")
    def _text_or_data(self) -> Template:
        if self.data is None:
            if self.version is not None:
                raise PydanticCustomError(
                    "template_version_without_data",
                    "version selects a registered template to render; give data (the "
                    "placeholder values, {} for none) with it, or leave version out",
                )
            return self
        if self.id is None:
            raise PydanticCustomError(
                "template_data_without_id",
                "data is rendered into the registered template named by id; give id",
            )
        if self.text:
            raise PydanticCustomError(
                "template_text_and_data",
                "give either text (the message as written) or data (values for the "
                "registered template), not both",
            )
        return self


class Contact(_Input):
    """A contact the tool proposes to make."""

    channel: Channel
    at: Instant
    consumer: Consumer
    debt_ids: list[NonBlankStr] = Field(min_length=1)
    to: NonBlankStr | None = Field(default=None, description="Phone number, e-mail or place used.")
    to_work: StrictBool | None = Field(
        default=None, description="Whether `to` is a work number/address; inferred when omitted."
    )
    recipient: Recipient = Recipient.CONSUMER
    third_party_id: NonBlankStr | None = None
    collector_type: CollectorType = CollectorType.THIRD_PARTY_COLLECTOR
    dial_method: DialMethod | None = Field(
        default=None,
        description="How a call, voicemail or text is placed; omitted: possibly automated.",
    )
    requested_by_consumer: StrictBool = Field(
        default=False,
        description="The consumer asked for this contact (e.g. a call-back at a time they "
        "named); caps that exclude requested contacts let it through.",
    )
    template: Template | None = None
    recorded: StrictBool | None = Field(
        default=None,
        description="Whether the call is recorded; omitted: not known, judged as recorded "
        "(fail closed), so the script must carry the recording disclosure where the law asks.",
    )

    @model_validator(mode="after")
    def _debts_known(self) -> Contact:
        known = {d.id for d in self.consumer.debts}
        missing = [(("debt_ids", j), d) for j, d in enumerate(self.debt_ids) if d not in known]
        if missing:
            raise unknown_debts_error(type(self).__name__, missing, sorted(known))
        check_third_party(type(self).__name__, self.recipient, self.third_party_id)
        return self


class ContactRecord(_Input):
    """A contact that already happened (or was attempted), by either side."""

    # Empty ``debt_ids``: the record does not know its debt (a dialer's call log often doesn't);
    # frequency caps and cooldowns count it against every debt of the consumer. A debt id the
    # consumer does not have is an input error (contactrules/history.py).

    channel: Channel
    at: Instant
    debt_ids: list[NonBlankStr] = Field(
        default_factory=list,
        description="Debts it was about; empty: not known, counted against every debt.",
    )
    outcome: Outcome
    initiated_by: Initiator = Initiator.COLLECTOR
    to: NonBlankStr | None = None
    to_work: StrictBool | None = None
    recipient: Recipient = Recipient.CONSUMER
    third_party_id: NonBlankStr | None = None
    purpose: Purpose | None = None
    dial_method: DialMethod | None = Field(
        default=None,
        description="How a call, voicemail or text was placed; omitted: possibly automated.",
    )
    text: str | None = Field(
        default=None,
        description="What a message said (an inbound SMS or e-mail): a reply such as STOP "
        "revokes consent to automated calls and texts (47 CFR 64.1200(a)(10)).",
    )
    requested_by_consumer: StrictBool = Field(
        default=False,
        description="The consumer asked for this contact; caps with `exclude_requested` do "
        "not count it.",
    )
