"""The US federal ruleset (rulesets/us/federal.yaml) judged against the law it encodes.

Every case cites its legal source (Regulation F, the FDCPA, and the conventions of
docs/conventions.md, K1–K10) and says which federal rule it is about; each rule has at least one
deny case asserting that exact rule id and one allow case on the other side of the boundary, and a
test derived from the loaded engine fails when a rule has no deny case. Cases that assert the
correct legal behaviour where the engine currently gets it wrong are strict xfails, with the bug
in their reason.

Reference week: Monday 2026-06-01 to Monday 2026-06-08. The default consumer lives in Chicago,
Illinois (America/Chicago; no state ruleset), and every table case is judged by the federal
ruleset alone, so state layers added later cannot change these expectations.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contactrules import (
    Address,
    Channel,
    Consent,
    ConsentScope,
    ConsentSource,
    Consumer,
    ContactRecord,
    Debt,
    Decision,
    EmailAddress,
    Engine,
    InconvenientTime,
    Initiator,
    OptOut,
    Outcome,
    Phone,
    PhoneType,
    Place,
    Purpose,
    Recipient,
    Template,
)
from contactrules.models import Contact

FEDERAL = "us-federal"
PREFIX = "US-FED-"

CHI = ZoneInfo("America/Chicago")
NYC = ZoneInfo("America/New_York")
LAX = ZoneInfo("America/Los_Angeles")
DEN = ZoneInfo("America/Denver")

MOBILE = "+13125550111"
MOBILE_2 = "+13125550122"
WORK_PHONE = "+13125550177"
HOME_EMAIL = "pat@example.com"
WORK_EMAIL = "pat@employer.example"
EASTERN_MOBILE = "+12125550143"  # New York area code 212
MOUNTAIN_LANDLINE = "+13035550120"  # Denver area code 303

# Rule ids, spelt once.
HOURS = "US-FED-REGF-1006.6b1i-HOURS"
INCONVENIENT_TIME = "US-FED-REGF-1006.6b1-KNOWN-INCONVENIENT"
INCONVENIENT_PLACE = "US-FED-REGF-1006.6b1ii-INCONVENIENT-PLACE"
ATTORNEY = "US-FED-REGF-1006.6b2-ATTORNEY"
WORKPLACE = "US-FED-REGF-1006.6b3-WORKPLACE"
CEASE = "US-FED-REGF-1006.6c-CEASE"
THIRD_PARTY = "US-FED-REGF-1006.6d-THIRD-PARTY"
LOCATION_ONCE = "US-FED-REGF-1006.10-LOCATION-ONCE"
LOCATION_CONTENT = "US-FED-REGF-1006.10-LOCATION-CONTENT"
SEVEN_IN_SEVEN = "US-FED-REGF-1006.14b2iA-CALL-7IN7"
COOLDOWN = "US-FED-REGF-1006.14b2iB-CALL-COOLDOWN"
MEDIUM_OPT_OUT = "US-FED-REGF-1006.14h-MEDIUM-OPTOUT"
MEDIUM_OPT_OUT_OTHER = "US-FED-REGF-1006.14h-MEDIUM-OPTOUT-NONELECTRONIC"
ONE_CONFIRMATION = "US-FED-REGF-1006.14h2i-ONE-CONFIRMATION"
MM_INITIAL_WRITTEN = "US-FED-REGF-1006.18e1-MINI-MIRANDA-INITIAL-WRITTEN"
LCM_VOICEMAIL_ONLY = "US-FED-REGF-1006.2j-LCM-VOICEMAIL-ONLY"
EOPTOUT_NOTICE = "US-FED-REGF-1006.6e-EOPTOUT-NOTICE"
WORK_EMAIL_RULE = "US-FED-REGF-1006.22f3-WORK-EMAIL"
SOCIAL_PUBLIC = "US-FED-REGF-1006.22f4-SOCIAL-PUBLIC"
MM_INITIAL = "US-FED-REGF-1006.18e1-MINI-MIRANDA-INITIAL"
MM_SUBSEQUENT = "US-FED-REGF-1006.18e2-MINI-MIRANDA-SUBSEQUENT"
VOICEMAIL_TEXT = "US-FED-REGF-1006.2j-VOICEMAIL-TEXT"
LCM = "US-FED-REGF-1006.2j-LCM"
TIME_BARRED = "US-FED-REGF-1006.26b-TIME-BARRED"
FALSE_THREATS = "US-FED-FDCPA-1692e-FALSE-THREATS"
DISPUTE = "US-FED-FDCPA-1692g-DISPUTE-PENDING"
CONFIRMATION_CONTENT = "US-FED-REGF-1006.14h2i-CONFIRMATION-CONTENT"
LCM_REQUIRED_PARTS = "US-FED-REGF-1006.2j-LCM-REQUIRED-PARTS"
PROFANITY = "US-FED-FDCPA-1692d2-PROFANITY"
LANGUAGE_VERIFIED = "US-FED-CONTENT-LANGUAGE-VERIFIED"

# Message texts. DISCLOSED satisfies both 1006.18(e)(1) and (e)(2), so a case about another rule
# does not depend on whether its contact is the initial communication.
MINI_MIRANDA = (
    "This is an attempt to collect a debt and any information obtained will be used for that "
    "purpose."
)
FROM_COLLECTOR = "This communication is from a debt collector."
DISCLOSED = f"{MINI_MIRANDA} {FROM_COLLECTOR}"
OPT_OUT_EN = "Reply STOP to opt out."
ELECTRONIC = f"{DISCLOSED} {OPT_OUT_EN}"
ES_DISCLOSED = (
    "Este es un intento de cobrar una deuda y cualquier información obtenida será utilizada "
    "para ese propósito. Este mensaje es de un cobrador de deudas."
)
ES_ELECTRONIC = f"{ES_DISCLOSED} Responda STOP para darse de baja."
LCM_TEXT = "Hi, this is Jordan Lee from Acme Services. Please call me back at 800-555-0100."
LOCATION_TEXT = "Hello, this is Jordan Lee. I am confirming contact information for Pat Doe."
CONFIRMATION_TEXT = "We received your request: no more texts to this number. Reply STOP anytime."


def jun(day: int, hour: int, minute: int = 0, second: int = 0, zone: ZoneInfo = CHI) -> dt.datetime:
    """An aware instant in June 2026 (2026-06-01 is a Monday), local to ``zone``."""
    return dt.datetime(2026, 6, day, hour, minute, second, tzinfo=zone)


# --- builders ---------------------------------------------------------------------------------

# The default consumer of the table, on top of conftest's Chicago consumer.
BASE_CONSUMER: dict[str, Any] = {
    "id": "C-PAT",
    "phones": [
        Phone(number=MOBILE, type=PhoneType.MOBILE),
        Phone(number=MOBILE_2, type=PhoneType.MOBILE),
        Phone(number=WORK_PHONE, type=PhoneType.WORK),
    ],
    "emails": [
        EmailAddress(address=HOME_EMAIL),
        EmailAddress(address=WORK_EMAIL, employer_provided=True),
    ],
    "debts": (
        "D1",
        "D2",
        "D3",
        Debt(id="OLD", time_barred=True),
        Debt(id="DISPUTED", dispute_pending_verification=True),
    ),
}
MULTIZONE_I: dict[str, Any] = {  # comment 6(b)(1)(i)-1, example (i)
    "addresses": [Address(country="US", subdivision="CA", city="Los Angeles")],
    "phones": [Phone(number=EASTERN_MOBILE, type=PhoneType.MOBILE)],
}
MULTIZONE_II: dict[str, Any] = {  # comment 6(b)(1)(i)-1, example (ii)
    "addresses": [],
    "phones": [
        Phone(number=EASTERN_MOBILE, type=PhoneType.MOBILE),
        Phone(number=MOUNTAIN_LANDLINE, type=PhoneType.HOME),
    ],
}


def tpl(text: str, purpose: Purpose = Purpose.COLLECTION, language: str = "en") -> Template:
    return Template(text=text, purpose=purpose, language=language)


def contact(
    channel: Channel, at: dt.datetime, debts: tuple[str, ...] = ("D1",), **kw: Any
) -> dict[str, Any]:
    return {"channel": channel, "at": at, "debt_ids": list(debts), **kw}


def call(
    at: dt.datetime, debts: tuple[str, ...] = ("D1",), to: str | None = MOBILE, **kw: Any
) -> dict[str, Any]:
    return contact(Channel.CALL, at, debts, to=to, **kw)


def voicemail(
    at: dt.datetime,
    text: str = LCM_TEXT,
    purpose: Purpose = Purpose.LIMITED_CONTENT_MESSAGE,
    debts: tuple[str, ...] = ("D1",),
    to: str = MOBILE,
    language: str = "en",
) -> dict[str, Any]:
    return contact(Channel.VOICEMAIL, at, debts, to=to, template=tpl(text, purpose, language))


def sms(
    at: dt.datetime,
    text: str = ELECTRONIC,
    debts: tuple[str, ...] = ("D1",),
    to: str = MOBILE,
    purpose: Purpose = Purpose.COLLECTION,
    language: str = "en",
) -> dict[str, Any]:
    return contact(Channel.SMS, at, debts, to=to, template=tpl(text, purpose, language))


def email(
    at: dt.datetime,
    text: str = ELECTRONIC,
    debts: tuple[str, ...] = ("D1",),
    to: str = HOME_EMAIL,
    language: str = "en",
) -> dict[str, Any]:
    return contact(Channel.EMAIL, at, debts, to=to, template=tpl(text, language=language))


def letter(
    at: dt.datetime,
    text: str = DISCLOSED,
    debts: tuple[str, ...] = ("D1",),
    purpose: Purpose = Purpose.COLLECTION,
    language: str = "en",
) -> dict[str, Any]:
    return contact(Channel.LETTER, at, debts, template=tpl(text, purpose, language))


def third_party_call(
    at: dt.datetime,
    person: str = "neighbour-1",
    text: str | None = LOCATION_TEXT,
    purpose: Purpose = Purpose.LOCATION_INQUIRY,
    language: str = "en",
    debts: tuple[str, ...] = ("D1",),
) -> dict[str, Any]:
    template = None if text is None else tpl(text, purpose, language)
    return contact(
        Channel.CALL,
        at,
        debts,
        recipient=Recipient.THIRD_PARTY,
        third_party_id=person,
        template=template,
    )


def rec(
    channel: Channel,
    at: dt.datetime,
    debts: tuple[str, ...] = ("D1",),
    outcome: Outcome = Outcome.NO_ANSWER,
    **kw: Any,
) -> ContactRecord:
    return ContactRecord(channel=channel, at=at, debt_ids=list(debts), outcome=outcome, **kw)


def daily_calls(
    debts: tuple[str, ...],
    days: range,
    hour: int = 9,
    outcome: Outcome = Outcome.NO_ANSWER,
    **kw: Any,
) -> tuple[ContactRecord, ...]:
    """One call per local day of June 2026 about ``debts``."""
    return tuple(rec(Channel.CALL, jun(d, hour), debts, outcome, **kw) for d in days)


def prior_letter(debts: tuple[str, ...] = ("D1",)) -> tuple[ContactRecord, ...]:
    """An earlier delivered letter: later contacts about these debts are not initial."""
    return (rec(Channel.LETTER, jun(1, 10) - dt.timedelta(days=30), debts, Outcome.DELIVERED),)


def consent(
    scope: ConsentScope,
    granted_at: dt.datetime,
    source: ConsentSource = ConsentSource.DIRECT,
    **kw: Any,
) -> Consent:
    return Consent(scope=scope, source=source, granted_at=granted_at, **kw)


# --- the table --------------------------------------------------------------------------------


class _Unchecked:
    def __repr__(self) -> str:
        return "<unchecked>"


UNCHECKED: Any = _Unchecked()


@dataclass(frozen=True)
class Case:
    """One contact, its history and what the law says about it.

    ``rule``: the federal rule the case is about (for a deny, that exact id must be among the
    reasons; ``None`` only for xfail cases whose correct outcome no current rule expresses).
    ``reasons``: the exact set of reason ids expected for a deny (default: just ``rule``).
    ``next_at``: the exact ``next_allowed_at`` expected (``None`` = no later time helps).
    ``facts``: entries that must be in the facts of ``rule``'s reason.
    """

    name: str
    rule: str | None
    source: str
    allowed: bool
    contact: dict[str, Any]
    consumer: dict[str, Any] = field(default_factory=dict)
    history: tuple[ContactRecord, ...] = ()
    reasons: frozenset[str] | None = None
    next_at: Any = UNCHECKED
    facts: dict[str, Any] = field(default_factory=dict)
    #: The firing side of a rule of severity warn: the contact is allowed, with the warning.
    warning: bool = False

    @property
    def id(self) -> str:
        rule = (self.rule or "ANY-RULE").removeprefix(PREFIX)
        side = "allow" if self.allowed else "deny"
        return f"{rule}:{side}:{re.sub(r'[^a-z0-9]+', '-', self.name.lower()).strip('-')}"


def case(*args: Any, xfail: str | None = None, **kwargs: Any) -> Any:
    c = Case(*args, **kwargs)
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(c, id=c.id, marks=marks)


def deny(name: str, rule: str | None, source: str, contact: dict[str, Any], **kw: Any) -> Any:
    return case(name, rule, source, False, contact, **kw)


def allow(name: str, rule: str, source: str, contact: dict[str, Any], **kw: Any) -> Any:
    return case(name, rule, source, True, contact, **kw)


def warn(name: str, rule: str, source: str, contact: dict[str, Any], **kw: Any) -> Any:
    """The firing side of a warning rule: allowed, with that rule among the warnings."""
    return case(name, rule, source, False, contact, warning=True, **kw)


SRC_HOURS = "12 CFR 1006.6(b)(1)(i); 15 U.S.C. 1692c(a)(1); K1"
SRC_CONSENT = "12 CFR 1006.6(b)(4)(i) (prior consent given directly to the debt collector)"
INCONVENIENT_LUNCH = {
    "flags": {
        "inconvenient_times": [
            InconvenientTime(days=["mon", "tue", "wed", "thu", "fri"], start="12:00", end="13:30")
        ]
    }
}

HOURS_CASES = [
    allow(
        "call at 08:00:00 local",
        HOURS,
        "12 CFR 1006.6(b)(1)(i): only a time before 8:00 a.m. is inconvenient; K1",
        call(jun(2, 8)),
    ),
    deny(
        "call at 07:59:59 local",
        HOURS,
        SRC_HOURS,
        call(jun(2, 7, 59, 59)),
        next_at=jun(2, 8),
        facts={"zone": "America/Chicago"},
    ),
    allow("call at 20:59:59 local", HOURS, SRC_HOURS, call(jun(2, 20, 59, 59))),
    deny(
        "call at 21:00:00 local",
        HOURS,
        "15 U.S.C. 1692c(a)(1) (before 9 o'clock postmeridian); K1 half-open window",
        call(jun(2, 21)),
        next_at=jun(3, 8),
    ),
    deny(
        "e-mail sent at 07:59 is judged when sent",
        HOURS,
        "Reg F commentary: an electronic communication occurs when sent (comment 6(b)(1)(i)-2)",
        email(jun(2, 7, 59)),
        next_at=jun(2, 8),
    ),
    deny(
        "text on Saturday 22:00 opens Sunday 08:00",
        HOURS,
        "12 CFR 1006.6(b)(1)(i): every day of the week, no Sunday rule",
        sms(jun(6, 22)),
        next_at=jun(7, 8),
    ),
    allow(
        "call on Sunday mid-morning",
        HOURS,
        "12 CFR 1006.6(b)(1)(i); FTC: Sunday not presumptively inconvenient",
        call(jun(7, 10)),
    ),
    allow(
        "letter posted at 23:00",
        HOURS,
        "K5: postal letters are not subject to hour windows",
        letter(jun(2, 23)),
    ),
    allow(
        "call at 21:30 inside a direct consent to 21:00-22:00",
        HOURS,
        SRC_CONSENT,
        call(jun(2, 21, 30)),
        consumer={"consents": [consent(ConsentScope.TIME, jun(1, 10), start="21:00", end="22:00")]},
    ),
    deny(
        "call at 21:30 with consent given to the creditor only",
        HOURS,
        SRC_CONSENT,
        call(jun(2, 21, 30)),
        next_at=jun(3, 8),
        consumer={
            "consents": [
                consent(
                    ConsentScope.TIME,
                    jun(1, 10),
                    ConsentSource.CREDITOR,
                    start="21:00",
                    end="22:00",
                )
            ]
        },
    ),
]

INCONVENIENT_CASES = [
    deny(
        "call inside the designated lunch hour",
        INCONVENIENT_TIME,
        "12 CFR 1006.6(b)(1)(i); comment 6(b)(1)-1",
        call(jun(2, 12, 30)),
        consumer=INCONVENIENT_LUNCH,
        next_at=jun(2, 13, 30),
    ),
    allow(
        "call at the end of the designated range",
        INCONVENIENT_TIME,
        "12 CFR 1006.6(b)(1)(i); K1 half-open ranges",
        call(jun(2, 13, 30)),
        consumer=INCONVENIENT_LUNCH,
    ),
    allow(
        "call on Saturday at lunch when only weekdays were designated",
        INCONVENIENT_TIME,
        "comment 6(b)(1)-1 (the designation as the consumer made it)",
        call(jun(6, 12, 30)),
        consumer=INCONVENIENT_LUNCH,
    ),
    allow(
        "one reply after the consumer called at that time",
        INCONVENIENT_TIME,
        "comment 6(b)(1)-2 (respond once, at that time, through the same medium)",
        call(jun(2, 12, 30)),
        consumer=INCONVENIENT_LUNCH,
        history=(rec(Channel.CALL, jun(2, 12, 10), initiated_by=Initiator.CONSUMER),),
    ),
    deny(
        "a second reply in the designated range",
        INCONVENIENT_TIME,
        "comment 6(b)(1)-2 (respond once; afterwards the designation stands)",
        call(jun(2, 12, 45)),
        consumer=INCONVENIENT_LUNCH,
        next_at=jun(2, 13, 30),
        history=(
            rec(Channel.CALL, jun(2, 12, 10), initiated_by=Initiator.CONSUMER),
            rec(Channel.CALL, jun(2, 12, 30)),
        ),
    ),
    deny(
        "a reply on a later day in the designated range",
        INCONVENIENT_TIME,
        "comment 6(b)(1)-2 (respond at that time); ruleset convention: the same local day",
        call(jun(3, 12, 30)),
        consumer=INCONVENIENT_LUNCH,
        next_at=jun(3, 13, 30),
        history=(rec(Channel.CALL, jun(2, 12, 10), initiated_by=Initiator.CONSUMER),),
    ),
    deny(
        "a reply by telephone to the consumer's e-mail",
        INCONVENIENT_TIME,
        "comment 6(b)(1)-2 (through the same medium)",
        call(jun(2, 12, 30)),
        consumer=INCONVENIENT_LUNCH,
        next_at=jun(2, 13, 30),
        history=(
            rec(
                Channel.EMAIL,
                jun(2, 12, 10),
                outcome=Outcome.DELIVERED,
                initiated_by=Initiator.CONSUMER,
                to=HOME_EMAIL,
            ),
        ),
    ),
    deny(
        "call to the work number the consumer called inconvenient",
        INCONVENIENT_PLACE,
        "12 CFR 1006.6(b)(1)(ii); comment 6(b)(1)-1",
        call(jun(2, 10), to=WORK_PHONE),
        consumer={"flags": {"inconvenient_places": [Place.WORK]}},
        next_at=None,
    ),
    allow(
        "call to the mobile of a consumer who called work inconvenient",
        INCONVENIENT_PLACE,
        "12 CFR 1006.6(b)(1)(ii)",
        call(jun(2, 10), to=MOBILE),
        consumer={"flags": {"inconvenient_places": [Place.WORK]}},
    ),
    allow(
        "call to work with direct consent to that place",
        INCONVENIENT_PLACE,
        SRC_CONSENT,
        call(jun(2, 10), to=WORK_PHONE),
        consumer={
            "flags": {"inconvenient_places": [Place.WORK]},
            "consents": [consent(ConsentScope.PLACE, jun(1, 10), place=Place.WORK)],
        },
    ),
]

SRC_ATTORNEY = "12 CFR 1006.6(b)(2); 15 U.S.C. 1692c(a)(2)"
SRC_WORKPLACE = "12 CFR 1006.6(b)(3); 15 U.S.C. 1692c(a)(3)"
SRC_CEASE = "12 CFR 1006.6(c); 15 U.S.C. 1692c(c)"
ATTORNEY_D1 = {"flags": {"attorney_debt_ids": ["D1"]}}
EMPLOYER_PROHIBITS = {"flags": {"employer_prohibits_contact": True}}
CEASE_D1 = {"flags": {"cease_debt_ids": ["D1"]}}

ATTORNEY_WORK_CEASE_CASES = [
    deny(
        "call to a consumer represented by an attorney for the debt",
        ATTORNEY,
        SRC_ATTORNEY,
        call(jun(2, 10)),
        consumer=ATTORNEY_D1,
        next_at=None,
        facts={"debt_ids": ["D1"]},
    ),
    deny(
        "e-mail to a consumer represented by an attorney",
        ATTORNEY,
        f"{SRC_ATTORNEY} (communicate or attempt, any medium)",
        email(jun(2, 10)),
        consumer=ATTORNEY_D1,
        next_at=None,
    ),
    allow(
        "call to the consumer's attorney",
        ATTORNEY,
        "12 CFR 1006.6(b)(2); 1006.6(d)(1)(ii) (the attorney is not a third party)",
        call(jun(2, 10), to=None, recipient=Recipient.CONSUMER_ATTORNEY),
        consumer=ATTORNEY_D1,
    ),
    allow(
        "call about another debt the attorney does not handle",
        ATTORNEY,
        "15 U.S.C. 1692c(a)(2) (represented with respect to such debt)",
        call(jun(2, 10), debts=("D2",)),
        consumer=ATTORNEY_D1,
    ),
    deny(
        "call to work when the employer prohibits it",
        WORKPLACE,
        SRC_WORKPLACE,
        call(jun(2, 10), to=WORK_PHONE),
        consumer=EMPLOYER_PROHIBITS,
        next_at=None,
    ),
    allow(
        "call to the mobile when the employer prohibits work contact",
        WORKPLACE,
        SRC_WORKPLACE,
        call(jun(2, 10), to=MOBILE),
        consumer=EMPLOYER_PROHIBITS,
    ),
    allow(
        "call to work with direct consent to that place",
        WORKPLACE,
        f"{SRC_CONSENT}; 15 U.S.C. 1692c(a)",
        call(jun(2, 10), to=WORK_PHONE),
        consumer={
            **EMPLOYER_PROHIBITS,
            "consents": [consent(ConsentScope.PLACE, jun(1, 10), place=Place.WORK)],
        },
    ),
    deny(
        "collection call after a written cease request",
        CEASE,
        SRC_CEASE,
        call(jun(2, 10)),
        consumer=CEASE_D1,
        next_at=None,
        facts={"debt_ids": ["D1"]},
    ),
    deny(
        "collection letter after a written cease request",
        CEASE,
        SRC_CEASE,
        letter(jun(2, 10)),
        consumer=CEASE_D1,
        next_at=None,
    ),
    allow(
        "letter advising that collection is terminated",
        CEASE,
        "12 CFR 1006.6(c)(2)(i); 15 U.S.C. 1692c(c)(1)",
        letter(
            jun(2, 10),
            f"{DISCLOSED} We have ended collection of this account.",
            purpose=Purpose.TERMINATION_NOTICE,
        ),
        consumer=CEASE_D1,
    ),
    allow(
        "letter notifying a remedy the collector ordinarily invokes",
        CEASE,
        "12 CFR 1006.6(c)(2)(ii)-(iii); 15 U.S.C. 1692c(c)(2)-(3)",
        letter(
            jun(2, 10),
            f"{DISCLOSED} We may report this account to credit bureaus.",
            purpose=Purpose.REMEDY_NOTICE,
        ),
        consumer=CEASE_D1,
    ),
    allow(
        "call about a debt the cease request does not cover",
        CEASE,
        "12 CFR 1006.6(c)(1) (with respect to that debt)",
        call(jun(2, 10), debts=("D2",)),
        consumer=CEASE_D1,
    ),
]

SRC_THIRD = "12 CFR 1006.6(d)(1); 15 U.S.C. 1692c(b)"
SRC_ONCE = "12 CFR 1006.10(b)(3); 15 U.S.C. 1692b(3) (not more than once)"
FIRST_INQUIRY = (  # more than seven days earlier, so that person's own cooldown is over
    rec(
        Channel.CALL,
        jun(1, 10) - dt.timedelta(days=12),
        outcome=Outcome.CONVERSATION,
        recipient=Recipient.THIRD_PARTY,
        third_party_id="neighbour-1",
        purpose=Purpose.LOCATION_INQUIRY,
    ),
)

THIRD_PARTY_CASES = [
    deny(
        "collection call to a neighbour",
        THIRD_PARTY,
        SRC_THIRD,
        third_party_call(
            jun(2, 10), text="Please ask Pat to call Acme Services.", purpose=Purpose.COLLECTION
        ),
        next_at=None,
    ),
    deny(
        "neighbour call with unknown words",
        THIRD_PARTY,
        f"{SRC_THIRD}; LOCATION-CONTENT fails closed without the text",
        third_party_call(jun(2, 10), text=None),
        next_at=None,
        reasons=frozenset({THIRD_PARTY, LOCATION_CONTENT}),
    ),
    allow(
        "first location inquiry with a neighbour",
        THIRD_PARTY,
        "12 CFR 1006.10(b); 15 U.S.C. 1692b",
        third_party_call(jun(2, 10)),
    ),
    deny(
        "second location inquiry with the same neighbour",
        LOCATION_ONCE,
        SRC_ONCE,
        third_party_call(jun(2, 10)),
        history=FIRST_INQUIRY,
        next_at=None,
        facts={"count": 1, "max": 1},
    ),
    allow(
        "first location inquiry with another neighbour",
        LOCATION_ONCE,
        SRC_ONCE,
        third_party_call(jun(2, 10), person="neighbour-2"),
        history=FIRST_INQUIRY,
    ),
    allow(
        "location inquiry after an unanswered call to that person",
        LOCATION_ONCE,
        "12 CFR 1006.10(b)(3) (communicate more than once; an unanswered call is not one)",
        third_party_call(jun(2, 10)),
        history=(
            rec(
                Channel.CALL,
                jun(1, 10),
                recipient=Recipient.THIRD_PARTY,
                third_party_id="neighbour-1",
                purpose=Purpose.LOCATION_INQUIRY,
            ),
        ),
    ),
    deny(
        "location inquiry that says the consumer owes a debt",
        LOCATION_CONTENT,
        "12 CFR 1006.10(b)(2); 15 U.S.C. 1692b(2)",
        third_party_call(jun(2, 10), text="Pat owes a debt to our client. Where does Pat live?"),
    ),
    deny(
        "Spanish location inquiry that mentions the debt",
        LOCATION_CONTENT,
        "12 CFR 1006.10(b)(2), (b)(5); 15 U.S.C. 1692b(2), (5)",
        third_party_call(jun(2, 10), text="Pat tiene una deuda con nosotros.", language="es"),
    ),
    allow(
        "location inquiry that only confirms contact information",
        LOCATION_CONTENT,
        "12 CFR 1006.10(b)(1)-(2); 15 U.S.C. 1692b(1)",
        third_party_call(jun(3, 10)),
    ),
    deny(
        "location inquiry while an attorney represents the consumer",
        None,
        "12 CFR 1006.10(b)(6); 15 U.S.C. 1692b(6) (no one but the attorney)",
        third_party_call(jun(2, 10)),
        consumer=ATTORNEY_D1,
    ),
]

SRC_7IN7 = "12 CFR 1006.14(b)(2)(i)(A); K2 (dates D-6 ... D)"
SRC_PER_DEBT = "12 CFR 1006.14(b)(4); comment 14(b)(4)-2.i (21 calls about three debts)"
SEVEN_DAYS = range(1, 8)  # Monday 1 June ... Sunday 7 June
THREE_DEBTS_X7 = (
    *daily_calls(("D1",), SEVEN_DAYS, hour=9),
    *daily_calls(("D2",), SEVEN_DAYS, hour=10),
    *daily_calls(("D3",), SEVEN_DAYS, hour=11),
)


def _seventh_about(debt: str) -> Any:
    others = [d for d in ("D1", "D2", "D3") if d != debt]
    history = (
        *daily_calls((others[0],), SEVEN_DAYS, hour=9),
        *daily_calls((others[1],), SEVEN_DAYS, hour=10),
        *daily_calls((debt,), range(1, 7), hour=11),
    )
    return allow(
        f"7th call about {debt} after 20 calls about three debts",
        SEVEN_IN_SEVEN,
        SRC_PER_DEBT,
        call(jun(7, 12), debts=(debt,)),
        history=history,
    )


def _calls_with_consent_on(day: dt.datetime, source: ConsentSource) -> dict[str, Any]:
    return {"consents": [consent(ConsentScope.CALL_FREQUENCY, day, source)]}


SRC_CONSENTED = "12 CFR 1006.14(b)(3)(i) (within 7 days of direct consent, consent date = day 1)"

FREQUENCY_CASES = [
    allow(
        "7th call in seven days",
        SEVEN_IN_SEVEN,
        "12 CFR 1006.14(b)(2)(i)(A) (more than seven is presumed a violation)",
        call(jun(7, 10)),
        history=daily_calls(("D1",), range(1, 7)),
    ),
    deny(
        "8th call in seven days",
        SEVEN_IN_SEVEN,
        SRC_7IN7,
        call(jun(7, 10)),
        history=daily_calls(("D1",), SEVEN_DAYS),
        next_at=jun(8, 8),
        facts={"count": 7, "max": 7, "debt_id": "D1", "window_start": "2026-06-01"},
    ),
    allow(
        "8th call on the day the oldest call leaves the window",
        SEVEN_IN_SEVEN,
        SRC_7IN7,
        call(jun(8, 8)),
        history=daily_calls(("D1",), SEVEN_DAYS),
    ),
    allow(
        "busy signal is not counted",
        SEVEN_IN_SEVEN,
        "12 CFR 1006.14(b)(3)(ii); comment 14(b)(3)(ii)-1 (busy signal, not in service)",
        call(jun(7, 10)),
        history=(
            rec(Channel.CALL, jun(1, 9), outcome=Outcome.NOT_CONNECTED),
            *daily_calls(("D1",), range(2, 8)),
        ),
    ),
    deny(
        "a call that reached voicemail is counted",
        SEVEN_IN_SEVEN,
        "comment 14(b)(3)(ii)-1 (a call that reaches voicemail is connected)",
        call(jun(7, 10)),
        next_at=jun(8, 8),
        facts={"count": 7},
        history=(
            rec(Channel.CALL, jun(1, 9), outcome=Outcome.VOICEMAIL),
            *daily_calls(("D1",), range(2, 8)),
        ),
    ),
    deny(
        "a limited-content voicemail after seven calls",
        SEVEN_IN_SEVEN,
        "12 CFR 1006.14(b)(2); LCM left by a placed call counts (Mac Murray & Shuster, secondary)",
        voicemail(jun(7, 10)),
        history=daily_calls(("D1",), SEVEN_DAYS),
        next_at=jun(8, 8),
    ),
    *(_seventh_about(d) for d in ("D1", "D2", "D3")),
    deny(
        "8th call about one of three debts called 7 times each",
        SEVEN_IN_SEVEN,
        SRC_PER_DEBT,
        call(jun(7, 12), debts=("D2",)),
        history=THREE_DEBTS_X7,
        next_at=jun(8, 8),
        facts={"count": 7, "debt_id": "D2"},
    ),
    deny(
        "a call about two debts counts against each",
        SEVEN_IN_SEVEN,
        "comment 14(b)(4)-1.i (a call about several debts counts for each)",
        call(jun(7, 12), debts=("D2",)),
        history=daily_calls(("D1", "D2"), SEVEN_DAYS),
        facts={"count": 7, "debt_id": "D2"},
    ),
    allow(
        "a debt not named in seven two-debt calls has its own count",
        SEVEN_IN_SEVEN,
        "12 CFR 1006.14(b)(4) (particular debt)",
        call(jun(7, 12), debts=("D3",)),
        history=daily_calls(("D1", "D2"), SEVEN_DAYS),
    ),
    allow(
        "calls within seven days of direct consent are not counted",
        SEVEN_IN_SEVEN,
        SRC_CONSENTED,
        call(jun(7, 10)),
        history=daily_calls(("D1",), SEVEN_DAYS),
        consumer=_calls_with_consent_on(jun(3, 8, 30), ConsentSource.DIRECT),
    ),
    deny(
        "consent given to the creditor does not exclude calls",
        SEVEN_IN_SEVEN,
        "12 CFR 1006.14(b)(3)(i) (consent given directly to the debt collector)",
        call(jun(7, 10)),
        history=daily_calls(("D1",), SEVEN_DAYS),
        consumer=_calls_with_consent_on(jun(3, 8, 30), ConsentSource.CREDITOR),
    ),
    allow(
        "consent 7 days before the oldest call still excludes it",
        SEVEN_IN_SEVEN,
        SRC_CONSENTED,
        call(jun(7, 10)),
        history=daily_calls(("D1",), SEVEN_DAYS),
        consumer=_calls_with_consent_on(
            dt.datetime(2026, 5, 26, 12, tzinfo=CHI), ConsentSource.DIRECT
        ),
    ),
    deny(
        "consent 8 days before the oldest call excludes nothing",
        SEVEN_IN_SEVEN,
        SRC_CONSENTED,
        call(jun(7, 10)),
        history=daily_calls(("D1",), SEVEN_DAYS),
        consumer=_calls_with_consent_on(
            dt.datetime(2026, 5, 25, 12, tzinfo=CHI), ConsentSource.DIRECT
        ),
        facts={"count": 7},
    ),
    allow(
        "calls the consumer placed are not counted",
        SEVEN_IN_SEVEN,
        "12 CFR 1006.14(b)(2)(i) (calls the debt collector places)",
        call(jun(7, 10)),
        history=daily_calls(("D1",), SEVEN_DAYS, initiated_by=Initiator.CONSUMER),
    ),
    allow(
        "calls to a third party do not count for the consumer",
        SEVEN_IN_SEVEN,
        "comment 14(b)(2)(i)-1.iii (per particular person)",
        call(jun(7, 10)),
        history=daily_calls(
            ("D1",), SEVEN_DAYS, recipient=Recipient.THIRD_PARTY, third_party_id="neighbour-1"
        ),
    ),
    deny(
        "8th call to the same third party",
        SEVEN_IN_SEVEN,
        "12 CFR 1006.14(b)(2)(i)(A) (to a particular person); comment 14(b)(2)(i)-1.iii",
        third_party_call(jun(7, 10)),
        next_at=jun(8, 8),
        history=daily_calls(
            ("D1",), SEVEN_DAYS, recipient=Recipient.THIRD_PARTY, third_party_id="neighbour-1"
        ),
    ),
    allow(
        "calls to the consumer's attorney do not count",
        SEVEN_IN_SEVEN,
        "12 CFR 1006.14(b)(3)(iii)",
        call(jun(7, 10)),
        history=daily_calls(("D1",), SEVEN_DAYS, recipient=Recipient.CONSUMER_ATTORNEY),
    ),
]

SRC_COOLDOWN = "12 CFR 1006.14(b)(2)(i)(B) (the date of the conversation is the first day); K2"
CONSUMER_CALLED_MONDAY = (
    rec(Channel.CALL, jun(1, 15), outcome=Outcome.CONVERSATION, initiated_by=Initiator.CONSUMER),
)

COOLDOWN_CASES = [
    deny(
        "call the day after the consumer phoned in and talked",
        COOLDOWN,
        f"{SRC_COOLDOWN}; comment 14(b)(2)(i)-1.ii (whoever initiated it)",
        call(jun(2, 10)),
        history=CONSUMER_CALLED_MONDAY,
        next_at=jun(8, 8),
        facts={"debt_id": "D1", "blocked_through": "2026-06-07"},
    ),
    deny(
        "call on day 7 at 20:59:59",
        COOLDOWN,
        SRC_COOLDOWN,
        call(jun(7, 20, 59, 59)),
        history=CONSUMER_CALLED_MONDAY,
        next_at=jun(8, 8),
    ),
    allow(
        "call on day 8 at window opening",
        COOLDOWN,
        SRC_COOLDOWN,
        call(jun(8, 8)),
        history=CONSUMER_CALLED_MONDAY,
    ),
    deny(
        "a collector-initiated conversation also starts it",
        COOLDOWN,
        SRC_COOLDOWN,
        call(jun(3, 10)),
        next_at=jun(8, 8),
        history=(rec(Channel.CALL, jun(1, 15), outcome=Outcome.CONVERSATION),),
    ),
    deny(
        "a limited-content voicemail during the cooldown",
        COOLDOWN,
        "12 CFR 1006.14(b)(2)(i)(B) (telephone calls placed; voicemail is left by a call)",
        voicemail(jun(3, 10)),
        history=CONSUMER_CALLED_MONDAY,
        next_at=jun(8, 8),
    ),
    deny(
        "a later conversation restarts the seven days",
        COOLDOWN,
        SRC_COOLDOWN,
        call(jun(4, 10)),
        next_at=jun(10, 8),
        facts={"blocked_through": "2026-06-09"},
        history=(
            *CONSUMER_CALLED_MONDAY,
            rec(
                Channel.CALL,
                jun(3, 11),
                outcome=Outcome.CONVERSATION,
                initiated_by=Initiator.CONSUMER,
            ),
        ),
    ),
    allow(
        "call about another debt during the cooldown",
        COOLDOWN,
        "12 CFR 1006.14(b)(4) (particular debt)",
        call(jun(3, 10), debts=("D2",)),
        history=CONSUMER_CALLED_MONDAY,
    ),
    deny(
        "a conversation about two debts starts it for each",
        COOLDOWN,
        "comment 14(b)(4)-1.ii (a conversation about several debts, whoever raised them)",
        call(jun(3, 10), debts=("D2",)),
        next_at=jun(8, 8),
        facts={"debt_id": "D2"},
        history=(
            rec(
                Channel.CALL,
                jun(1, 15),
                ("D1", "D2"),
                Outcome.CONVERSATION,
                initiated_by=Initiator.CONSUMER,
            ),
        ),
    ),
    allow(
        "an e-mail from the consumer is not a telephone conversation",
        COOLDOWN,
        "12 CFR 1006.14(b)(2)(i)(B) (telephone conversation)",
        call(jun(3, 10)),
        history=(
            rec(
                Channel.EMAIL,
                jun(1, 15),
                outcome=Outcome.DELIVERED,
                initiated_by=Initiator.CONSUMER,
                to=HOME_EMAIL,
            ),
        ),
    ),
    deny(
        "K4 counts the days in the zone that gives the later answer",
        COOLDOWN,
        "12 CFR 1006.14(b)(2)(i)(B); K4 (day counting uses the later candidate zone)",
        call(jun(8, 12, zone=NYC), to=EASTERN_MOBILE),
        consumer=MULTIZONE_I,
        # 00:30 Eastern on Tuesday 2 June is still Monday 1 June in Los Angeles.
        history=(
            rec(
                Channel.CALL,
                jun(2, 0, 30, zone=NYC),
                outcome=Outcome.CONVERSATION,
                initiated_by=Initiator.CONSUMER,
            ),
        ),
        next_at=jun(9, 11, zone=NYC),
        facts={"zone": "America/New_York", "blocked_through": "2026-06-08"},
    ),
]

SRC_OPTOUT = "12 CFR 1006.14(h)(1)"
SMS_OPTED_OUT = {"flags": {"opt_outs": [OptOut(channel=Channel.SMS, address=MOBILE)]}}
STOP_AT_10 = {"flags": {"opt_outs": [OptOut(channel=Channel.SMS, address=MOBILE, at=jun(2, 10))]}}
INBOUND_TEXT_WED = rec(
    Channel.SMS, jun(3, 10), outcome=Outcome.DELIVERED, initiated_by=Initiator.CONSUMER, to=MOBILE
)

OPT_OUT_CASES = [
    deny(
        "text to a number that opted out of texts",
        MEDIUM_OPT_OUT,
        SRC_OPTOUT,
        sms(jun(2, 10)),
        consumer=SMS_OPTED_OUT,
        next_at=None,
    ),
    allow(
        "e-mail after a text opt-out",
        MEDIUM_OPT_OUT,
        "12 CFR 1006.14(h)(1) (the medium the consumer asked not to use)",
        email(jun(2, 10)),
        consumer=SMS_OPTED_OUT,
    ),
    allow(
        "text to another number after a number-specific opt-out",
        MEDIUM_OPT_OUT,
        "12 CFR 1006.14(h); CFPB FAQ via Stroock (opt-outs are number specific)",
        sms(jun(2, 10), to=MOBILE_2),
        consumer=SMS_OPTED_OUT,
    ),
    deny(
        "voicemail after a telephone opt-out",
        MEDIUM_OPT_OUT_OTHER,
        "12 CFR 1006.14(h)(1); a voicemail is left by a telephone call (same medium)",
        voicemail(jun(2, 10)),
        next_at=None,
        consumer={"flags": {"opt_outs": [OptOut(channel=Channel.CALL)]}},
    ),
    allow(
        "a letter after a telephone opt-out",
        MEDIUM_OPT_OUT_OTHER,
        "12 CFR 1006.14(h)(1) (only the medium the consumer asked not to use)",
        letter(jun(2, 10), DISCLOSED),
        consumer={"flags": {"opt_outs": [OptOut(channel=Channel.CALL)]}},
    ),
    allow(
        "the one confirmation of a text opt-out",
        MEDIUM_OPT_OUT,
        "12 CFR 1006.14(h)(2)(i)",
        sms(jun(2, 10, 1), CONFIRMATION_TEXT, purpose=Purpose.OPT_OUT_CONFIRMATION),
        consumer=STOP_AT_10,
    ),
    allow(
        "one reply to a text the consumer sent after opting out",
        MEDIUM_OPT_OUT,
        "12 CFR 1006.14(h)(2)(ii) (respond once through the medium the person used)",
        sms(jun(3, 10, 5)),
        consumer=STOP_AT_10,
        history=(INBOUND_TEXT_WED,),
    ),
    deny(
        "a second reply to that text",
        MEDIUM_OPT_OUT,
        "12 CFR 1006.14(h)(2)(ii) (once)",
        sms(jun(3, 10, 20)),
        consumer=STOP_AT_10,
        next_at=None,
        history=(
            INBOUND_TEXT_WED,
            rec(Channel.SMS, jun(3, 10, 5), outcome=Outcome.DELIVERED, to=MOBILE),
        ),
    ),
    deny(
        "collection text right after the consumer texted STOP",
        MEDIUM_OPT_OUT,
        "12 CFR 1006.14(h)(1); (h)(2)(ii) covers contact initiated after the opt-out only",
        sms(jun(2, 10, 5)),
        consumer=STOP_AT_10,
        history=(
            rec(
                Channel.SMS,
                jun(2, 10),
                outcome=Outcome.DELIVERED,
                initiated_by=Initiator.CONSUMER,
                to=MOBILE,
            ),
        ),
    ),
    allow(
        "the first opt-out confirmation",
        ONE_CONFIRMATION,
        "12 CFR 1006.14(h)(2)(i)",
        sms(jun(2, 10, 1), CONFIRMATION_TEXT, purpose=Purpose.OPT_OUT_CONFIRMATION),
        consumer=STOP_AT_10,
    ),
    deny(
        "a second opt-out confirmation",
        ONE_CONFIRMATION,
        "12 CFR 1006.14(h)(2)(i) (may reply once to confirm the opt-out)",
        sms(jun(3, 10), CONFIRMATION_TEXT, purpose=Purpose.OPT_OUT_CONFIRMATION),
        consumer=STOP_AT_10,
        history=(
            rec(
                Channel.SMS,
                jun(2, 10, 1),
                outcome=Outcome.DELIVERED,
                to=MOBILE,
                purpose=Purpose.OPT_OUT_CONFIRMATION,
            ),
        ),
    ),
    deny(
        "e-mail to an opted-out address written in other letter case",
        MEDIUM_OPT_OUT,
        "12 CFR 1006.14(h)(1) (an e-mail address is case-insensitive in practice)",
        email(jun(2, 10), to=HOME_EMAIL),
        consumer={
            "flags": {"opt_outs": [OptOut(channel=Channel.EMAIL, address="Pat@Example.com")]}
        },
    ),
    deny(
        "text without opt-out instructions",
        EOPTOUT_NOTICE,
        "12 CFR 1006.6(e)",
        sms(jun(2, 10), DISCLOSED),
        next_at=None,
    ),
    allow(
        "text with English opt-out instructions",
        EOPTOUT_NOTICE,
        "12 CFR 1006.6(e)",
        sms(jun(2, 10), ELECTRONIC),
    ),
    deny(
        "Spanish text without Spanish opt-out instructions",
        EOPTOUT_NOTICE,
        "12 CFR 1006.6(e) (clear and conspicuous, in the message's language)",
        sms(jun(2, 10), ES_DISCLOSED, language="es"),
    ),
    allow(
        "Spanish text with Spanish opt-out instructions",
        EOPTOUT_NOTICE,
        "12 CFR 1006.6(e); 12 CFR 1006.18(e)(1)",
        sms(jun(2, 10), ES_ELECTRONIC, language="es"),
    ),
    allow(
        "Spanish e-mail with a Spanish unsubscribe link",
        EOPTOUT_NOTICE,
        "12 CFR 1006.6(e) (a footer link is a reasonable method)",
        email(jun(2, 10), f"{ES_DISCLOSED} Haga clic aquí para darse de baja.", language="es"),
    ),
    deny(
        "e-mail without an unsubscribe method",
        EOPTOUT_NOTICE,
        "12 CFR 1006.6(e)",
        email(jun(2, 10), DISCLOSED),
    ),
    allow(
        "e-mail with an unsubscribe link",
        EOPTOUT_NOTICE,
        "12 CFR 1006.6(e) (a footer link is a reasonable method)",
        email(jun(2, 10), f"{DISCLOSED} Click here to unsubscribe."),
    ),
    deny(
        "private social-media message without opt-out instructions",
        EOPTOUT_NOTICE,
        "12 CFR 1006.6(e) (other electronic media)",
        contact(Channel.SOCIAL_DM, jun(2, 10), template=tpl(DISCLOSED)),
    ),
]

SRC_WORK_EMAIL = "12 CFR 1006.22(f)(3); comment 22(f)(3)-1; 1006.6(d)(4)(i)"

ELECTRONIC_PLACE_CASES = [
    deny(
        "e-mail to an employer-provided address",
        WORK_EMAIL_RULE,
        SRC_WORK_EMAIL,
        email(jun(2, 10), to=WORK_EMAIL),
        next_at=None,
        facts={"to": WORK_EMAIL},
    ),
    allow(
        "e-mail to a work address the consumer wrote from",
        WORK_EMAIL_RULE,
        "12 CFR 1006.22(f)(3); 1006.6(d)(4)(i)(A) (the consumer used the address)",
        email(jun(2, 10), to=WORK_EMAIL),
        history=(
            rec(
                Channel.EMAIL,
                jun(1, 10),
                outcome=Outcome.DELIVERED,
                initiated_by=Initiator.CONSUMER,
                to=WORK_EMAIL,
            ),
        ),
    ),
    allow(
        "e-mail to a work address with direct consent",
        WORK_EMAIL_RULE,
        "12 CFR 1006.22(f)(3); 1006.6(d)(4)(i)(B) (prior consent given directly)",
        email(jun(2, 10), to=WORK_EMAIL),
        consumer={
            "consents": [
                consent(ConsentScope.CHANNEL, jun(1, 10), channel=Channel.EMAIL, address=WORK_EMAIL)
            ]
        },
    ),
    deny(
        "e-mail to a work address with consent given to the creditor",
        WORK_EMAIL_RULE,
        "12 CFR 1006.22(f)(3); 1006.6(d)(4)(i)(B) (directly to the debt collector)",
        email(jun(2, 10), to=WORK_EMAIL),
        consumer={
            "consents": [
                consent(
                    ConsentScope.CHANNEL,
                    jun(1, 10),
                    ConsentSource.CREDITOR,
                    channel=Channel.EMAIL,
                    address=WORK_EMAIL,
                )
            ]
        },
    ),
    deny(
        "e-mail to the work address after the consumer wrote from home",
        WORK_EMAIL_RULE,
        "12 CFR 1006.6(d)(4)(i)(A) (the consumer used that address)",
        email(jun(2, 10), to=WORK_EMAIL),
        history=(
            rec(
                Channel.EMAIL,
                jun(1, 10),
                outcome=Outcome.DELIVERED,
                initiated_by=Initiator.CONSUMER,
                to=HOME_EMAIL,
            ),
        ),
    ),
    allow(
        "e-mail to a personal address",
        WORK_EMAIL_RULE,
        "12 CFR 1006.22(f)(3) (employer-provided addresses only)",
        email(jun(2, 10)),
    ),
    deny(
        "post on public social media",
        SOCIAL_PUBLIC,
        "12 CFR 1006.22(f)(4)",
        contact(Channel.SOCIAL_PUBLIC, jun(2, 10), template=tpl(ELECTRONIC)),
        next_at=None,
    ),
    deny(
        "public post even with direct consent to the medium",
        SOCIAL_PUBLIC,
        "12 CFR 1006.22(f)(4) (no consent exception)",
        contact(Channel.SOCIAL_PUBLIC, jun(2, 10), template=tpl(ELECTRONIC)),
        next_at=None,
        consumer={
            "consents": [consent(ConsentScope.CHANNEL, jun(1, 10), channel=Channel.SOCIAL_PUBLIC)]
        },
    ),
    allow(
        "private social-media message with disclosures and opt-out",
        SOCIAL_PUBLIC,
        "12 CFR 1006.22(f)(4) (private messages allowed); 1006.6(e)",
        contact(Channel.SOCIAL_DM, jun(2, 10), template=tpl(ELECTRONIC)),
    ),
]

SRC_MM1 = "12 CFR 1006.18(e)(1); 15 U.S.C. 1692e(11)"
SRC_MM2 = "12 CFR 1006.18(e)(2); 15 U.S.C. 1692e(11)"

CONTENT_CASES = [
    deny(
        "first letter without the mini-Miranda",
        MM_INITIAL,
        SRC_MM1,
        letter(jun(2, 10), "Please pay your balance."),
    ),
    allow(
        "first letter with the mini-Miranda", MM_INITIAL, SRC_MM1, letter(jun(2, 10), MINI_MIRANDA)
    ),
    deny(
        "letter after only an unanswered call and a limited-content voicemail",
        MM_INITIAL,
        f"{SRC_MM1}; comments 2(b)-1.ii, 2(d)-2 (an LCM is an attempt, not a communication)",
        letter(jun(2, 10), FROM_COLLECTOR),
        history=(
            rec(Channel.CALL, jun(1, 9)),
            rec(
                Channel.VOICEMAIL,
                jun(1, 10),
                outcome=Outcome.VOICEMAIL,
                purpose=Purpose.LIMITED_CONTENT_MESSAGE,
            ),
        ),
    ),
    deny(
        "first letter about a debt after letters about another debt",
        MM_INITIAL,
        f"{SRC_MM1} (initial communication in connection with that debt)",
        letter(jun(2, 10), FROM_COLLECTOR, debts=("D1",)),
        history=prior_letter(("D2",)),
    ),
    deny(
        "first written communication after an oral initial one lacks the full disclosure",
        MM_INITIAL_WRITTEN,
        "12 CFR 1006.18(e)(1); 15 U.S.C. 1692e(11) (repeat in the initial written "
        "communication when the initial one was oral)",
        letter(jun(2, 10), FROM_COLLECTOR),
        history=(rec(Channel.CALL, jun(1, 10), outcome=Outcome.CONVERSATION),),
    ),
    allow(
        "first written communication after an oral one, with the full disclosure",
        MM_INITIAL_WRITTEN,
        "12 CFR 1006.18(e)(1)",
        letter(jun(2, 10), DISCLOSED),
        history=(rec(Channel.CALL, jun(1, 10), outcome=Outcome.CONVERSATION),),
    ),
    allow(
        "a limited-content voicemail is not another medium's message",
        LCM_VOICEMAIL_ONLY,
        "12 CFR 1006.2(j)",
        voicemail(jun(2, 10), LCM_TEXT, purpose=Purpose.LIMITED_CONTENT_MESSAGE),
    ),
    deny(
        "a text labelled limited-content message with debt details",
        LCM_VOICEMAIL_ONLY,
        "12 CFR 1006.2(j) (an LCM is a voicemail only); 1006.18(e)(1)",
        sms(
            jun(2, 10),
            f"Your past due balance is $500. {OPT_OUT_EN}",
            purpose=Purpose.LIMITED_CONTENT_MESSAGE,
        ),
    ),
    deny(
        "later letter that does not say it is from a debt collector",
        MM_SUBSEQUENT,
        SRC_MM2,
        letter(jun(2, 10), "Please pay your balance."),
        history=prior_letter(),
    ),
    allow(
        "later letter that says it is from a debt collector",
        MM_SUBSEQUENT,
        SRC_MM2,
        letter(jun(2, 10), f"{FROM_COLLECTOR} Please pay your balance."),
        history=prior_letter(),
    ),
    deny(
        "later Spanish text without the Spanish statement",
        MM_SUBSEQUENT,
        f"{SRC_MM2} (in the message's language)",
        sms(
            jun(2, 10), "Por favor pague su saldo. Responda STOP para darse de baja.", language="es"
        ),
        history=prior_letter(),
    ),
    deny(
        "voicemail whose words are unknown",
        VOICEMAIL_TEXT,
        "12 CFR 1006.2(j); 1006.18(e) (neither an LCM nor the disclosures can be verified)",
        contact(Channel.VOICEMAIL, jun(2, 10), to=MOBILE),
        next_at=None,
    ),
    allow(
        "voicemail that is a full communication with the disclosures",
        VOICEMAIL_TEXT,
        "12 CFR 1006.18(e)(1) (a voicemail with debt content must carry the disclosure)",
        voicemail(jun(2, 10), DISCLOSED, purpose=Purpose.COLLECTION),
    ),
    deny(
        "limited-content message that mentions a past-due balance",
        LCM,
        "12 CFR 1006.2(j); comment 2(d)-2",
        voicemail(jun(2, 10), f"{LCM_TEXT} It is about your past due balance."),
    ),
    deny(
        "Spanish limited-content message that mentions the debt",
        LCM,
        "12 CFR 1006.2(j); comment 2(d)-2",
        voicemail(
            jun(2, 10),
            "Hola, habla Jordan Lee sobre su deuda. Llame al 800-555-0100.",
            language="es",
        ),
    ),
    allow(
        "limited-content message with only the permitted content",
        LCM,
        "12 CFR 1006.2(j) (business name, request to reply, natural person, phone number)",
        voicemail(jun(2, 10), LCM_TEXT),
    ),
    deny(
        "threat of suit on a time-barred debt",
        TIME_BARRED,
        "12 CFR 1006.26(b)",
        letter(jun(2, 10), f"{FROM_COLLECTOR} Pay now or we will sue you.", debts=("OLD",)),
        history=prior_letter(("OLD",)),
        next_at=None,
    ),
    deny(
        "Spanish threat of a lawsuit on a time-barred debt",
        TIME_BARRED,
        "12 CFR 1006.26(b)",
        letter(
            jun(2, 10),
            "Este mensaje es de un cobrador de deudas. Presentaremos una demanda.",
            debts=("OLD",),
            language="es",
        ),
        history=prior_letter(("OLD",)),
    ),
    allow(
        "the same threat on a debt that is not time-barred",
        TIME_BARRED,
        "12 CFR 1006.26(b) (time-barred debts only)",
        letter(jun(2, 10), f"{FROM_COLLECTOR} Pay now or we will sue you.", debts=("D1",)),
        history=prior_letter(("D1",)),
    ),
    allow(
        "a time-barred debt letter without litigation language",
        TIME_BARRED,
        "12 CFR 1006.26(b)",
        letter(jun(2, 10), f"{FROM_COLLECTOR} You may pay any amount you choose.", debts=("OLD",)),
        history=prior_letter(("OLD",)),
    ),
    deny(
        "threat of arrest",
        FALSE_THREATS,
        "15 U.S.C. 1692e(4); 12 CFR 1006.18(c)(1)",
        letter(jun(2, 10), f"{FROM_COLLECTOR} Pay or you could be arrested."),
        history=prior_letter(),
        next_at=None,
    ),
    deny(
        "Spanish threat of jail",
        FALSE_THREATS,
        "15 U.S.C. 1692e(4); 12 CFR 1006.18(c)(1)",
        letter(
            jun(2, 10),
            "Este mensaje es de un cobrador de deudas. Puede ir a la cárcel.",
            language="es",
        ),
        history=prior_letter(),
    ),
    allow(
        "a payment request without threats",
        FALSE_THREATS,
        "15 U.S.C. 1692e(4)",
        letter(jun(2, 10), f"{FROM_COLLECTOR} Please pay by June 30."),
        history=prior_letter(),
    ),
    # --- review fixes: confirmation, mini-Miranda wordings, LCM parts, time-barred, profanity
    allow(
        "the opt-out confirmation without opt-out instructions",
        EOPTOUT_NOTICE,
        "12 CFR 1006.14(h)(2)(i) (the confirmation contains nothing but the confirmation)",
        sms(
            jun(2, 10),
            "We received your request: no more texts to this number.",
            purpose=Purpose.OPT_OUT_CONFIRMATION,
        ),
    ),
    deny(
        "an opt-out confirmation that mentions the balance",
        CONFIRMATION_CONTENT,
        "12 CFR 1006.14(h)(2)(i)",
        sms(
            jun(2, 10),
            "No more texts to this number. Your balance is still due.",
            purpose=Purpose.OPT_OUT_CONFIRMATION,
        ),
        facts={"found": ["balance"]},
    ),
    allow(
        "an opt-out confirmation with nothing else",
        CONFIRMATION_CONTENT,
        "12 CFR 1006.14(h)(2)(i)",
        sms(jun(2, 10), CONFIRMATION_TEXT, purpose=Purpose.OPT_OUT_CONFIRMATION),
    ),
    allow(
        "the initial disclosure worded as an attempt by a debt collector",
        MM_INITIAL,
        "12 CFR 1006.18(e)(1) (the substance, not one wording)",
        letter(
            jun(2, 10),
            "This is an attempt by a debt collector to collect a debt. Any information obtained "
            "will be used for that purpose.",
        ),
    ),
    allow(
        "a later letter from a named debt collector",
        MM_SUBSEQUENT,
        "12 CFR 1006.18(e)(2) (disclose that the communication is from a debt collector)",
        letter(jun(2, 10), "Acme Services, a debt collector, asks you to call us."),
        history=prior_letter(),
    ),
    deny(
        "limited-content message with no call-back number",
        LCM_REQUIRED_PARTS,
        "12 CFR 1006.2(j) (a telephone number the consumer can use to reply)",
        voicemail(jun(2, 10), "Hi, this is Jordan Lee from Acme Services. Please call me back."),
    ),
    deny(
        "limited-content message with no request to reply",
        LCM_REQUIRED_PARTS,
        "12 CFR 1006.2(j) (a request that the consumer reply)",
        voicemail(jun(2, 10), "Hi, this is Jordan Lee from Acme Services, 800-555-0100."),
    ),
    allow(
        "limited-content message with every required part",
        LCM_REQUIRED_PARTS,
        "12 CFR 1006.2(j)",
        voicemail(jun(2, 10), LCM_TEXT),
    ),
    allow(
        "a state time-barred notice saying the consumer will not be sued",
        TIME_BARRED,
        "12 CFR 1006.26(b); Cal. Civ. Code 1788.14(d) requires the notice (wording unconfirmed)",
        letter(
            jun(2, 10),
            f"{FROM_COLLECTOR} The law limits how long you can be sued on a debt. Because of the "
            "age of your debt, Acme Bank will not sue you for it.",
            debts=("OLD",),
        ),
        history=prior_letter(("OLD",)),
    ),
    deny(
        "profane language in a letter, the words found in the facts",
        PROFANITY,
        "15 U.S.C. 1692d(2); 12 CFR 1006.14(d)",
        letter(jun(2, 10), f"{FROM_COLLECTOR} Pay this bullshit bill, you bastard."),
        history=prior_letter(),
        next_at=None,
        facts={"found": ["bullshit", "bastard"]},
    ),
    allow(
        "a letter without obscene or profane language",
        PROFANITY,
        "15 U.S.C. 1692d(2)",
        letter(jun(2, 10), f"{FROM_COLLECTOR} Please pay by June 30."),
        history=prior_letter(),
    ),
    deny(
        "English profanity labelled Spanish is denied for its language, not passed unread",
        LANGUAGE_VERIFIED,
        "15 U.S.C. 1692d(2); 12 CFR 1006.14(d), 1006.18(e)(2) (phrases looked up by language)",
        letter(jun(2, 10), f"{FROM_COLLECTOR} Pay this bullshit bill, you bastard.", language="es"),
        history=prior_letter(),
        reasons=frozenset({LANGUAGE_VERIFIED, MM_SUBSEQUENT}),
        next_at=None,
        facts={"detected_language": "en"},
    ),
    allow(
        "a Spanish letter labelled Spanish",
        LANGUAGE_VERIFIED,
        "12 CFR 1006.18(e)(2); 15 U.S.C. 1692e(11)",
        letter(jun(2, 10), ES_DISCLOSED, language="es"),
        history=prior_letter(),
    ),
    deny(
        "collection call about a disputed debt before verification",
        DISPUTE,
        "15 U.S.C. 1692g(b); 12 CFR 1006.38(d)(2)",
        call(jun(2, 10), debts=("DISPUTED",)),
        next_at=None,
        facts={"debt_ids": ["DISPUTED"]},
    ),
    allow(
        "sending the verification of the disputed debt",
        DISPUTE,
        "15 U.S.C. 1692g(b) (collection resumes once verification is mailed)",
        letter(
            jun(2, 10),
            f"{FROM_COLLECTOR} Here is the verification you requested.",
            debts=("DISPUTED",),
            purpose=Purpose.VALIDATION_NOTICE,
        ),
        history=prior_letter(("DISPUTED",)),
    ),
    allow(
        "call about an undisputed debt",
        DISPUTE,
        "15 U.S.C. 1692g(b) (suspends collection of the disputed debt)",
        call(jun(2, 10), debts=("D1",)),
    ),
]

DECEASED = "US-FED-REGF-1006.6a4-DECEASED"
SRC_DECEASED = "12 CFR 1006.6(a)(4); comment 6(a)(4)-1"
DIED_MAY_15 = {"deceased_on": dt.date(2026, 5, 15)}
DECEASED_CASES = [
    deny(
        "call to the consumer after the date of death",
        DECEASED,
        SRC_DECEASED,
        call(jun(2, 10), template=tpl(DISCLOSED)),
        consumer=DIED_MAY_15,
        next_at=None,
        facts={"flag": "deceased"},
    ),
    allow(
        "call to the estate's personal representative",
        DECEASED,
        f"{SRC_DECEASED} (a person with authority to pay the estate's debts)",
        call(jun(2, 10), template=tpl(DISCLOSED), recipient=Recipient.ESTATE_REPRESENTATIVE),
        consumer=DIED_MAY_15,
    ),
    allow(
        "call to the consumer the day before the date of death",
        DECEASED,
        '12 CFR 1006.6(a)(4) ("if the consumer is deceased")',
        call(jun(2, 10), template=tpl(DISCLOSED)),
        consumer={"deceased_on": dt.date(2026, 6, 3)},
    ),
]

# --- validation period, disputes, e-mail and text safe harbors (B4, B7) -----------------------
OVERSHADOWING = "US-FED-REGF-1006.38b-OVERSHADOWING"
EMAIL_BASIS = "US-FED-REGF-1006.6d4-EMAIL-BASIS"
TEXT_BASIS = "US-FED-REGF-1006.6d5-TEXT-BASIS"
# Sent Wednesday 20 May 2026: receipt assumed Thursday 28 May (Memorial Day skipped), so the
# validation period ends Saturday 27 June (12 CFR 1006.34(b)(5)).
NOTICE_MAY_20 = dt.datetime(2026, 5, 20, 10, tzinfo=CHI)
NOTICED = {"debts": (Debt(id="D1", validation_notice_at=NOTICE_MAY_20),)}
WRITTEN_DISPUTE = {
    "debts": (Debt(id="D1", validation_notice_at=NOTICE_MAY_20, disputed_at=jun(1, 10)),)
}
DEMAND = f"{DISCLOSED} Pay now to settle your balance."
VALIDATION_CASES = [
    deny(
        "call after a timely written dispute, before verification",
        DISPUTE,
        "12 CFR 1006.38(d)(2); 15 U.S.C. 1692g(b)",
        call(jun(2, 10), template=tpl(DISCLOSED)),
        consumer=WRITTEN_DISPUTE,
        next_at=None,
        facts={"flag": "dispute_pending", "debt_ids": ["D1"]},
    ),
    allow(
        "call once verification was sent",
        DISPUTE,
        "12 CFR 1006.38(d)(2)(i) (until the collector provides verification)",
        call(jun(2, 10), template=tpl(DISCLOSED)),
        consumer={
            "debts": (
                Debt(
                    id="D1",
                    validation_notice_at=NOTICE_MAY_20,
                    disputed_at=jun(1, 10),
                    verification_sent_at=jun(1, 15),
                ),
            )
        },
    ),
    warn(
        "a demand to pay now during the validation period",
        OVERSHADOWING,
        "12 CFR 1006.38(b); 12 CFR 1006.34(b)(5)",
        letter(jun(2, 10), DEMAND),
        consumer=NOTICED,
        facts={"period_ends": "2026-06-27", "debt_ids": ["D1"]},
    ),
    allow(
        "the same demand the day after the validation period",
        OVERSHADOWING,
        '12 CFR 1006.38(b) ("during the validation period"); 12 CFR 1006.34(b)(5)',
        letter(jun(28, 10), DEMAND),
        consumer=NOTICED,
    ),
    warn(
        "e-mail to an address the consumer never used or consented to",
        EMAIL_BASIS,
        "12 CFR 1006.6(d)(3)-(4)",
        email(jun(2, 10)),
        facts={"to": HOME_EMAIL},
    ),
    allow(
        "e-mail to an address the consumer wrote from",
        EMAIL_BASIS,
        "12 CFR 1006.6(d)(4)(i)(A)",
        email(jun(2, 10)),
        history=(
            rec(
                Channel.EMAIL,
                jun(1, 10),
                outcome=Outcome.DELIVERED,
                initiated_by=Initiator.CONSUMER,
                to=HOME_EMAIL,
            ),
        ),
    ),
    warn(
        "a text to a number the consumer has not used in 60 days, with no reassigned check",
        TEXT_BASIS,
        "12 CFR 1006.6(d)(5)",
        sms(jun(2, 10)),
        history=(
            rec(
                Channel.SMS,
                jun(1, 10) - dt.timedelta(days=70),
                outcome=Outcome.DELIVERED,
                initiated_by=Initiator.CONSUMER,
                to=MOBILE,
            ),
        ),
    ),
    allow(
        "a text to a number the consumer texted from last week",
        TEXT_BASIS,
        "12 CFR 1006.6(d)(5)",
        sms(jun(2, 10)),
        history=(
            rec(
                Channel.SMS,
                jun(1, 10) - dt.timedelta(days=7),
                outcome=Outcome.DELIVERED,
                initiated_by=Initiator.CONSUMER,
                to=MOBILE,
            ),
        ),
    ),
]

PARAMS = [
    *VALIDATION_CASES,
    *HOURS_CASES,
    *INCONVENIENT_CASES,
    *ATTORNEY_WORK_CEASE_CASES,
    *THIRD_PARTY_CASES,
    *DECEASED_CASES,
    *FREQUENCY_CASES,
    *COOLDOWN_CASES,
    *OPT_OUT_CASES,
    *ELECTRONIC_PLACE_CASES,
    *CONTENT_CASES,
]
ALL_CASES: list[Case] = [p.values[0] for p in PARAMS]
PASSING_CASES: list[Case] = [p.values[0] for p in PARAMS if not p.marks]


# --- fixtures and helpers -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def federal(engine: Engine) -> Engine:
    """The federal ruleset alone, from the bundled rulesets."""
    return engine.subset([FEDERAL])


def build(case: Case, make_consumer: Callable[..., Consumer]) -> Contact:
    consumer = make_consumer(**{**BASE_CONSUMER, **case.consumer})
    return Contact(consumer=consumer, **case.contact)


def rule_ids(decision: Decision) -> list[str]:
    return sorted(r.rule_id for r in decision.reasons)


# --- the table test -----------------------------------------------------------------------------


@pytest.mark.parametrize("case", PARAMS)
def test_federal_rule(case: Case, federal: Engine, make_consumer: Callable[..., Consumer]) -> None:
    contact_ = build(case, make_consumer)
    decision = federal.evaluate(contact_, case.history)
    got = rule_ids(decision)
    where = f"{case.name} (per {case.source}): reasons {got}"

    warned = {r.rule_id: r for r in decision.warnings}
    if case.warning:
        assert decision.allowed and got == [] and case.rule in warned, f"{where}; {warned}"
        for key, value in case.facts.items():
            assert warned[case.rule].facts.get(key) == value, f"{where}; fact {key}"
        return
    assert decision.allowed is case.allowed, where
    if case.allowed:
        assert got == [], where
        assert decision.next_allowed_at == contact_.at, where
        assert case.rule not in warned, f"{where}; warned by {case.rule}"
    elif case.rule is not None:
        expected = case.reasons if case.reasons is not None else frozenset({case.rule})
        assert set(got) == set(expected), where
        reason = next(r for r in decision.reasons if r.rule_id == case.rule)
        found = federal.rule(case.rule)
        assert found is not None, where
        assert reason.citation == found[0].citation, where
        assert reason.ruleset == FEDERAL, where
        for key, value in case.facts.items():
            assert reason.facts.get(key) == value, f"{where}; fact {key}: {reason.facts}"
    if case.next_at is not UNCHECKED:
        assert decision.next_allowed_at == case.next_at, (
            f"{where}; next_allowed_at {decision.next_allowed_at} != {case.next_at}"
        )


# --- coverage of the ruleset --------------------------------------------------------------------


def test_every_federal_rule_has_a_deny_and_an_allow_case(engine: Engine) -> None:
    """A rule added to federal.yaml without cases here fails this test."""
    federal_sets = [rs for rs in engine.rulesets if rs.id == FEDERAL]
    assert len(federal_sets) == 1, "the bundled rulesets must hold exactly one us-federal"
    ids = {rule.id for rule in federal_sets[0].spec.rules}
    assert ids, "us-federal has no rules"
    denied = {c.rule for c in PASSING_CASES if not c.allowed}
    allowed = {c.rule for c in PASSING_CASES if c.allowed}
    assert ids - denied == set(), "federal rules without a deny case"
    assert ids - allowed == set(), "federal rules without an allow case"
    unknown = {c.rule for c in ALL_CASES if c.rule is not None} - ids
    assert unknown == set(), "cases name rules that are not in us-federal"


def test_case_ids_are_unique_and_cite_a_source() -> None:
    ids = [c.id for c in ALL_CASES]
    assert len(ids) == len(set(ids))
    for c in ALL_CASES:
        assert re.search(r"CFR|U\.S\.C\.|comment|K[1-7]|FAQ", c.source), c.id


def test_federal_rules_bind_in_the_default_stack(
    engine: Engine, make_consumer: Callable[..., Consumer]
) -> None:
    """K6: the federal ruleset is part of what Engine.default() applies to a US consumer."""
    contact_ = Contact(
        channel=Channel.CALL, at=jun(2, 21), consumer=make_consumer(), debt_ids=["D1"], to=MOBILE
    )
    decision = engine.evaluate(contact_)
    assert FEDERAL in decision.rulesets
    assert HOURS in rule_ids(decision)
    assert decision.fingerprint == engine.fingerprint
    assert decision.zones == ("America/Chicago",)


# --- comment 6(b)(1)(i)-1: the official multi-zone examples ------------------------------------

SRC_EX_I = "comment 6(b)(1)(i)-1, example (i): after 11:00 Eastern (8:00 Pacific), before 21:00"
SRC_EX_II = "comment 6(b)(1)(i)-1, example (ii): after 10:00 Eastern (8:00 Mountain), before 21:00"
EX_I_ZONES = {"America/New_York", "America/Los_Angeles"}
EX_II_ZONES = {"America/New_York", "America/Denver"}

# One official example per row: consumer, zones, the call's instant, allowed, next allowed
# instant; then the zone that binds and the source.
# fmt: off
MULTIZONE_EXAMPLES = [
    pytest.param(MULTIZONE_I,  EX_I_ZONES,  jun(2, 10, 59, 59, NYC), False, jun(2, 11, 0, 0, NYC),
                 "America/Los_Angeles", SRC_EX_I,  id="i-10:59:59-ET-denied"),
    pytest.param(MULTIZONE_I,  EX_I_ZONES,  jun(2, 11, 0, 0, NYC),   True,  None,
                 None,                  SRC_EX_I,  id="i-11:00-ET-allowed"),
    pytest.param(MULTIZONE_I,  EX_I_ZONES,  jun(2, 8, 0, 0, LAX),    True,  None,
                 None,                  SRC_EX_I,  id="i-08:00-PT-allowed"),
    pytest.param(MULTIZONE_I,  EX_I_ZONES,  jun(2, 20, 59, 59, NYC), True,  None,
                 None,                  SRC_EX_I,  id="i-20:59:59-ET-allowed"),
    pytest.param(MULTIZONE_I,  EX_I_ZONES,  jun(2, 18, 0, 0, LAX),   False, jun(3, 8, 0, 0, LAX),
                 "America/New_York",    SRC_EX_I,  id="i-18:00-PT-denied"),
    pytest.param(MULTIZONE_II, EX_II_ZONES, jun(2, 9, 59, 59, NYC),  False, jun(2, 10, 0, 0, NYC),
                 "America/Denver",      SRC_EX_II, id="ii-09:59:59-ET-denied"),
    pytest.param(MULTIZONE_II, EX_II_ZONES, jun(2, 10, 0, 0, NYC),   True,  None,
                 None,                  SRC_EX_II, id="ii-10:00-ET-allowed"),
    pytest.param(MULTIZONE_II, EX_II_ZONES, jun(2, 20, 59, 59, NYC), True,  None,
                 None,                  SRC_EX_II, id="ii-20:59:59-ET-allowed"),
    pytest.param(MULTIZONE_II, EX_II_ZONES, jun(2, 19, 0, 0, DEN),   False, jun(3, 10, 0, 0, NYC),
                 "America/New_York",    SRC_EX_II, id="ii-19:00-MT-denied"),
]
# fmt: on


@pytest.mark.parametrize(
    ("consumer", "zones", "at", "allowed", "next_at", "binding", "source"), MULTIZONE_EXAMPLES
)
def test_official_multizone_examples(
    federal: Engine,
    make_consumer: Callable[..., Consumer],
    consumer: dict[str, Any],
    zones: set[str],
    at: dt.datetime,
    allowed: bool,
    next_at: dt.datetime | None,
    binding: str | None,
    source: str,
) -> None:
    contact_ = Contact(
        channel=Channel.CALL,
        at=at,
        consumer=make_consumer(**consumer),
        debt_ids=["D1"],
        to=EASTERN_MOBILE,
    )
    decision = federal.evaluate(contact_)
    where = f"{source}: {rule_ids(decision)} at {at.isoformat()}"
    assert set(decision.zones) == zones, where
    assert decision.allowed is allowed, where
    if allowed:
        assert decision.next_allowed_at == at, where
    else:
        assert rule_ids(decision) == [HOURS], where
        assert decision.binding_zone == binding, where
        assert decision.next_allowed_at == next_at, where
        assert next_at is not None, where
        # The opening instant itself must pass: exact, not merely "some later time".
        reopened = federal.evaluate(contact_.model_copy(update={"at": next_at}))
        assert reopened.allowed, where
        just_before = federal.evaluate(
            contact_.model_copy(update={"at": next_at - dt.timedelta(seconds=1)})
        )
        assert not just_before.allowed, where


# --- the cooldown, day by day -------------------------------------------------------------------


@pytest.mark.parametrize(
    "at",
    [
        jun(1, 15, 1),
        jun(2, 8),
        jun(3, 12),
        jun(4, 20, 59, 59),
        jun(5, 9),
        jun(6, 9),
        jun(7, 8),
        jun(7, 20, 59, 59),
    ],
    ids=lambda at: at.strftime("%a-%d-%H:%M:%S"),
)
def test_cooldown_after_consumer_call_blocks_through_sunday(
    federal: Engine, make_consumer: Callable[..., Consumer], at: dt.datetime
) -> None:
    """12 CFR 1006.14(b)(2)(i)(B), comment 14(b)(2)(i)-1.ii, K2: a consumer's inbound
    conversation on Monday 2026-06-01 (day 1) blocks calls through Sunday 2026-06-07."""
    contact_ = Contact(
        channel=Channel.CALL,
        at=at,
        consumer=make_consumer(**BASE_CONSUMER),
        debt_ids=["D1"],
        to=MOBILE,
    )
    decision = federal.evaluate(contact_, CONSUMER_CALLED_MONDAY)
    assert rule_ids(decision) == [COOLDOWN]
    assert decision.next_allowed_at == jun(8, 8)
    assert decision.next_allowed_at.utcoffset() == dt.timedelta(hours=-5)
    assert federal.evaluate(
        contact_.model_copy(update={"at": decision.next_allowed_at}), CONSUMER_CALLED_MONDAY
    ).allowed


def test_cooldown_lifts_at_monday_opening_not_midnight(
    federal: Engine, make_consumer: Callable[..., Consumer]
) -> None:
    """On day 8 the cooldown is over; 07:59:59 is denied by the hours rule alone (K1, K2)."""
    contact_ = Contact(
        channel=Channel.CALL,
        at=jun(8, 7, 59, 59),
        consumer=make_consumer(**BASE_CONSUMER),
        debt_ids=["D1"],
        to=MOBILE,
    )
    decision = federal.evaluate(contact_, CONSUMER_CALLED_MONDAY)
    assert rule_ids(decision) == [HOURS]
    assert decision.next_allowed_at == jun(8, 8)


# --- daylight saving time -----------------------------------------------------------------------

SPRING_FORWARD = dt.date(2026, 3, 8)  # second Sunday of March 2026: 02:00 CST -> 03:00 CDT


@pytest.mark.parametrize(
    ("wall", "allowed"),
    [(dt.time(7, 30), False), (dt.time(7, 59, 59), False), (dt.time(8, 0), True)],
    ids=["07:30-denied", "07:59:59-denied", "08:00-allowed"],
)
def test_spring_forward_day_uses_the_new_offset(
    federal: Engine, make_consumer: Callable[..., Consumer], wall: dt.time, allowed: bool
) -> None:
    """12 CFR 1006.6(b)(1)(i) (local time at the consumer's location); K1 on the DST day."""
    at = dt.datetime.combine(SPRING_FORWARD, wall, tzinfo=CHI)
    assert at.utcoffset() == dt.timedelta(hours=-5)  # already daylight time
    contact_ = Contact(
        channel=Channel.CALL,
        at=at,
        consumer=make_consumer(**BASE_CONSUMER),
        debt_ids=["D1"],
        to=MOBILE,
    )
    decision = federal.evaluate(contact_)
    assert decision.allowed is allowed, rule_ids(decision)
    if not allowed:
        assert rule_ids(decision) == [HOURS]
        expected = dt.datetime.combine(SPRING_FORWARD, dt.time(8, 0), tzinfo=CHI)
        assert decision.next_allowed_at == expected
        assert decision.next_allowed_at.astimezone(CHI).strftime("%H:%M %Z") == "08:00 CDT"
