"""What a collection tool tells the engine: the consumer, the proposed contact and the history.

Every model forbids unknown keys (a misspelt ``opted_out`` must not silently vanish) and every
instant must carry its time zone: a naive datetime could be read in the server's zone, which is
exactly the 9:05 pm call the library exists to prevent.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    model_validator,
)

from .clock import ClockTime

__all__ = [
    "Address",
    "AddressKind",
    "Channel",
    "CollectorType",
    "Consent",
    "ConsentScope",
    "ConsentSource",
    "Consumer",
    "ConsumerFlags",
    "Contact",
    "ContactRecord",
    "Debt",
    "EmailAddress",
    "InconvenientTime",
    "Initiator",
    "OptOut",
    "Outcome",
    "Phone",
    "PhoneType",
    "Place",
    "Purpose",
    "Recipient",
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
    make a decision stricter (fail closed).
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
    THIRD_PARTY = "third_party"
    CONSUMER_ATTORNEY = "consumer_attorney"
    CREDIT_REPORTING_AGENCY = "credit_reporting_agency"
    CREDITOR = "creditor"
    CREDITOR_ATTORNEY = "creditor_attorney"
    COLLECTOR_ATTORNEY = "collector_attorney"


class CollectorType(str, Enum):
    """FDCPA/Reg F bind third-party collectors; several state laws bind creditors too (K7)."""

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


class ConsentSource(str, Enum):
    DIRECT = "direct"
    CREDITOR = "creditor"
    COURT = "court"


def _country_code(value: str) -> str:
    if len(value) != 2 or not value.isalpha():
        raise ValueError(f'"{value}" is not a two-letter ISO 3166 country code such as "US"')
    return value.upper()


CountryCode = Annotated[str, AfterValidator(_country_code)]


class _Input(BaseModel):
    # defer_build: validators are built on first use, so importing the library stays cheap.
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False, defer_build=True)


class Address(_Input):
    country: CountryCode
    subdivision: str | None = Field(
        default=None, description="ISO 3166-2 suffix: a US state (MA), AU state (VIC), CA province."
    )
    city: str | None = None
    postal_code: str | None = None
    kind: AddressKind = AddressKind.HOME
    zone: str | None = Field(default=None, description="IANA zone if known exactly.")


class Phone(_Input):
    number: str = Field(description="E.164 (+16175550100) or with a country code.")
    type: PhoneType = PhoneType.MOBILE
    zone: str | None = Field(default=None, description="IANA zone if known exactly.")


class EmailAddress(_Input):
    address: str
    employer_provided: StrictBool = False


class Debt(_Input):
    id: str
    time_barred: StrictBool = False
    dispute_pending_verification: StrictBool = False


class OptOut(_Input):
    """A request not to use a medium (12 CFR 1006.14(h)); ``address`` narrows it to one number."""

    channel: Channel
    address: str | None = None
    at: AwareDatetime | None = None


class InconvenientTime(_Input):
    """A time the consumer said is inconvenient (12 CFR 1006.6(b)(1)), in their local time."""

    days: list[Weekday] = Field(default_factory=lambda: list(Weekday))
    start: ClockTime
    end: ClockTime
    channels: list[Channel] | None = None


class Consent(_Input):
    scope: ConsentScope
    source: ConsentSource = ConsentSource.DIRECT
    granted_at: AwareDatetime
    expires_at: AwareDatetime | None = None
    revoked_at: AwareDatetime | None = None
    channel: Channel | None = None
    address: str | None = None
    debt_ids: list[str] | None = None
    start: ClockTime | None = None
    end: ClockTime | None = None
    place: Place | None = None

    def active_at(self, when: dt.datetime) -> bool:
        if when < self.granted_at:
            return False
        if self.revoked_at is not None and when >= self.revoked_at:
            return False
        return self.expires_at is None or when < self.expires_at


class ConsumerFlags(_Input):
    cease_debt_ids: list[str] = Field(
        default_factory=list, description="Debts for which the consumer asked in writing to cease."
    )
    attorney_debt_ids: list[str] = Field(
        default_factory=list, description="Debts for which the consumer is known to have a lawyer."
    )
    opt_outs: list[OptOut] = Field(default_factory=list)
    inconvenient_times: list[InconvenientTime] = Field(default_factory=list)
    inconvenient_places: list[Place] = Field(default_factory=list)
    employer_prohibits_contact: StrictBool = False


class Consumer(_Input):
    id: str
    addresses: list[Address] = Field(default_factory=list)
    phones: list[Phone] = Field(default_factory=list)
    emails: list[EmailAddress] = Field(default_factory=list)
    zones: list[str] = Field(default_factory=list, description="Extra candidate IANA zones.")
    language: str | None = Field(default=None, description="Preferred language, e.g. en, es.")
    debts: list[Debt] = Field(default_factory=list)
    flags: ConsumerFlags = Field(default_factory=ConsumerFlags)
    consents: list[Consent] = Field(default_factory=list)


class Template(_Input):
    id: str | None = None
    language: str = "en"
    purpose: Purpose = Purpose.COLLECTION
    text: str = ""


class Contact(_Input):
    """A contact the tool proposes to make."""

    channel: Channel
    at: AwareDatetime
    consumer: Consumer
    debt_ids: list[str] = Field(min_length=1)
    to: str | None = Field(default=None, description="Phone number, e-mail or place used.")
    to_work: StrictBool | None = Field(
        default=None, description="Whether `to` is a work number/address; inferred when omitted."
    )
    recipient: Recipient = Recipient.CONSUMER
    third_party_id: str | None = None
    collector_type: CollectorType = CollectorType.THIRD_PARTY_COLLECTOR
    template: Template | None = None

    @model_validator(mode="after")
    def _debts_known(self) -> Contact:
        known = {d.id for d in self.consumer.debts}
        missing = [d for d in self.debt_ids if d not in known]
        if missing:
            raise ValueError(
                f"debt_ids {missing} are not among the consumer's debts {sorted(known)}"
            )
        if self.recipient is Recipient.THIRD_PARTY and not self.third_party_id:
            raise ValueError("a contact with a third party needs third_party_id")
        return self


class ContactRecord(_Input):
    """A contact that already happened (or was attempted), by either side."""

    channel: Channel
    at: AwareDatetime
    debt_ids: list[str] = Field(default_factory=list)
    outcome: Outcome
    initiated_by: Initiator = Initiator.COLLECTOR
    to: str | None = None
    to_work: StrictBool | None = None
    recipient: Recipient = Recipient.CONSUMER
    third_party_id: str | None = None
    purpose: Purpose | None = None
