"""What every rule kind shares: the YAML fields common to all rules and the evaluation contract.

A rule kind is a frozen pydantic model (its YAML fields, unknown keys refused) with:
``check(ctx)`` (abstract) returns ``None`` when the contact passes or a :class:`Finding` with the
facts used; ``NEXT_TIME`` says whether the kind can name a later time at all, and a ``"computed"``
kind's ``next_ok(ctx)`` returns the earliest instant after ``ctx.at`` at which this rule alone
would pass with the same history, or ``None`` when no time will do. A ``"never"`` kind inherits
the ``next_ok`` that always answers ``None``. Both are enforced when the class is defined, so a
kind that forgets to say fails at import rather than by denying without a next time.
"""

from __future__ import annotations

import datetime as dt
import string
from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    WithJsonSchema,
    field_validator,
)

from ..context import ContactShape, Context
from ..localtime import possible_local_dates
from ..models import Channel, CollectorType, Purpose, Recipient
from .linting import LintScope, RuleLint, common_lints
from .validation import dispute_stops_collection

__all__ = [
    "COMMON_FACTS",
    "NEXT_TIMES",
    "Finding",
    "NextTime",
    "RuleBase",
    "When",
    "earliest_passing",
    "render_message",
]

COMMON_FACTS = ("rule_id", "channel", "citation")
#: How far back a later instant's local date can be from this instant's (see
#: ``RuleBase.applicability_settled``).
_DATE_SLACK = dt.timedelta(days=2)
RULE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"

#: How a kind answers "when could this contact go ahead?": ``computed`` kinds override
#: ``next_ok`` (it may still answer ``None`` in a given case, e.g. a required event never sent);
#: ``never`` kinds name no later time, because waiting is not what lifts them (a flag stays until
#: it is lifted, wrong wording stays wrong), and keep the base ``next_ok``, which answers ``None``.
#: The engine then reports that no later time helps: a deny with no next time, never an allow.
NextTime = Literal["computed", "never"]
NEXT_TIMES: dict[NextTime, str] = {
    "computed": "computed; the earliest later instant at which this rule alone would pass, "
    "when one exists",
    "never": "never; this kind names no later time (waiting is not what lifts it), so a denial "
    "it causes has no next allowed time",
}

#: A phone type (``PhoneType``) or ``unknown``: what ``when: phone_types`` matches.
ContactPhoneType = Literal["home", "mobile", "work", "other", "unknown"]


def _when_language(value: str) -> str:
    """A language code as templates write it (``es``), or ``unknown``."""
    if value == "unknown":
        return value
    from ..templates.language import check_language  # the templates package imports rules

    return check_language(value)


#: What ``when: languages`` lists: primary language subtags, and ``unknown``.
WhenLanguage = Annotated[
    StrictStr,
    AfterValidator(_when_language),
    WithJsonSchema({"type": "string", "pattern": "^([a-z]{2,3}|unknown)$"}),
]


@dataclass(frozen=True)
class Finding:
    """Why a rule failed: a default message and the facts a regulator would ask for."""

    message: str
    facts: dict[str, Any] = field(default_factory=dict)
    zone: str | None = None


class _RuleModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class When(_RuleModel):
    """A closed set of conditions on the contact; a rule whose condition fails does not apply.

    Conditions are field matchers checked by the schema, never expressions run as code.
    """

    recipients: list[Recipient] | None = Field(
        default=None,
        description="Who is contacted; consumer covers the estate's representative too.",
    )
    to_work: StrictBool | None = Field(
        default=None, description="Contact to a work number/address."
    )
    phone_types: list[ContactPhoneType] | None = Field(
        default=None,
        description=(
            "Type of the number contacted: the type of the consumer's phone whose number is `to`"
            " (home, mobile, work, other; `to_work: true` makes it work), or unknown when `to` is"
            " missing or not among the consumer's phones. List unknown wherever the rule must"
            " also hold for numbers of unknown type (fail closed)."
        ),
    )
    languages: list[WhenLanguage] | None = Field(
        default=None,
        description=(
            "The consumer's preferred language (`language`), read as its primary subtag (es-MX"
            " and ES are es), or unknown when none is stated or it is no language code. List"
            " unknown wherever the rule must also hold for consumers whose language is not"
            " known (fail closed)."
        ),
    )
    collector_types: list[CollectorType] | None = None
    purposes: list[Purpose] | None = Field(
        default=None, description="Template purposes (no template counts as collection)."
    )
    debt_time_barred: StrictBool | None = None
    dispute_pending: StrictBool | None = None
    initial_communication: StrictBool | None = None
    initial_written_communication: StrictBool | None = Field(
        default=None, description="A written message before which none was sent about the debt."
    )
    recorded: StrictBool | None = Field(
        default=None,
        description="Whether the contact is recorded; a contact that does not say counts as "
        "recorded (fail closed), so `recorded: false` matches only `recorded: false`.",
    )

    @cached_property
    def instant_free(self) -> bool:
        """No condition that the judged instant decides: disputes, initial communications and
        the history before the instant all change with it; time-barred debts and recording
        do not."""
        return (
            self.dispute_pending is None
            and self.initial_communication is None
            and self.initial_written_communication is None
        )

    @cached_property
    def is_static(self) -> bool:
        """Only conditions that the contact's shape decides (see :meth:`static_matches`)."""
        return (
            self.debt_time_barred is None
            and self.dispute_pending is None
            and self.initial_communication is None
            and self.initial_written_communication is None
            and self.recorded is None
        )

    def static_matches(self, shape: ContactShape) -> bool:
        """The conditions that depend only on who, how and why (cacheable per shape)."""
        if self.recipients is not None and not _listed(shape.recipient, self.recipients):
            return False
        if self.to_work is not None and shape.to_work is not self.to_work:
            return False
        if self.phone_types is not None and shape.phone_type not in self.phone_types:
            return False
        if self.languages is not None and shape.language not in self.languages:
            return False
        if self.collector_types is not None and shape.collector_type not in self.collector_types:
            return False
        return self.purposes is None or shape.purpose in self.purposes

    def matches(self, ctx: Context) -> bool:
        return self.static_matches(ctx.shape) and self.dynamic_matches(ctx)

    def dynamic_matches(self, ctx: Context) -> bool:
        """The conditions that need the debts or the history."""
        if self.is_static:
            return True
        contact = ctx.contact
        if self.debt_time_barred is not None:
            barred = any(ctx.debts[d].time_barred for d in contact.debt_ids)
            if barred is not self.debt_time_barred:
                return False
        if self.recorded is not None and (contact.recorded is not False) is not self.recorded:
            return False
        if self.dispute_pending is not None:
            pending = any(dispute_stops_collection(ctx, d) for d in contact.debt_ids)
            if pending is not self.dispute_pending:
                return False
        if (
            self.initial_written_communication is not None
            and ctx.is_initial_written_communication() is not self.initial_written_communication
        ):
            return False
        return (
            self.initial_communication is None
            or ctx.is_initial_communication() is self.initial_communication
        )


def _listed(recipient: Recipient, listed: list[Recipient]) -> bool:
    """Whether a ``recipients:`` list covers who the contact reaches.

    ``consumer`` covers the estate's representative too: after a death the executor,
    administrator or personal representative is "the consumer" (12 CFR 1006.6(a)(4)), and a
    rule written for the consumer that skipped them would allow what it denies the consumer.
    """
    if recipient in listed:
        return True
    return recipient is Recipient.ESTATE_REPRESENTATIVE and Recipient.CONSUMER in listed


class RuleBase(_RuleModel):
    """Fields every rule has, whatever its kind."""

    KIND: ClassVar[str] = ""
    #: Declared by every kind in its own class body (see ``NextTime``); checked at definition.
    NEXT_TIME: ClassVar[NextTime]
    FACTS: ClassVar[tuple[str, ...]] = ()
    #: Whether the kind reads the consumer's local time (hours, local dates, local calendar
    #: days). With no candidate zone such a rule cannot be judged and the engine denies for it
    #: (``CONTACTRULES-NO-ZONE``); every other rule is judged as usual.
    LOCAL_TIME: ClassVar[bool] = False

    id: str = Field(
        pattern=RULE_ID_PATTERN, description="Stable id, e.g. US-FED-REGF-1006.6b1i-HOURS."
    )
    title: str | None = None
    citation: str = Field(
        min_length=1, description="The legal source, e.g. 12 CFR 1006.6(b)(1)(i)."
    )
    message: str | None = Field(
        default=None, description="Plain explanation; {placeholders} name facts of the rule kind."
    )
    channels: list[Channel] = Field(min_length=1)
    when: When = Field(default_factory=When)
    unless_purposes: list[Purpose] = Field(
        default_factory=list, description="Template purposes the rule does not apply to."
    )
    effective_from: dt.date | None = None
    effective_until: dt.date | None = Field(
        default=None, description="Last day in force (inclusive)."
    )
    severity: Literal["deny", "warn"] = "deny"
    confidence: Literal["primary", "secondary", "unconfirmed", "convention", "policy"] = "primary"
    note: str | None = None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Refuse a kind that does not say whether a later time can lift it.

        Left implicit, a kind that forgot ``next_ok`` silently denied with no next time; a kind
        that declared ``never`` but overrode ``next_ok`` would have docs that contradict it.
        Only classes that name their own ``KIND`` are kinds; helpers between them are not.
        """
        super().__pydantic_init_subclass__(**kwargs)
        if "KIND" not in vars(cls) or not cls.KIND:
            return
        declared = vars(cls).get("NEXT_TIME")
        if declared not in NEXT_TIMES:
            raise TypeError(
                f"rule kind {cls.KIND!r} ({cls.__name__}) must declare "
                f"NEXT_TIME: ClassVar[NextTime] as one of {', '.join(NEXT_TIMES)}"
            )
        computes = cls.next_ok is not RuleBase.next_ok
        if computes != (declared == "computed"):
            raise TypeError(
                f"rule kind {cls.KIND!r} ({cls.__name__}) declares NEXT_TIME = {declared!r} but "
                + ("overrides next_ok" if computes else "does not override next_ok")
            )
        if (
            "instant_independent" not in vars(cls)
            and cls.instant_independent is not RuleBase.instant_independent
        ):
            raise TypeError(
                f"rule kind {cls.KIND!r} ({cls.__name__}) inherits instant_independent from "
                "another kind; it must declare its own (what holds for the parent's verdict "
                "need not hold for its own)"
            )

    @field_validator("citation")
    @classmethod
    def _citation_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a rule must cite its legal source")
        return value.strip()

    @property
    def needs_local_time(self) -> bool:
        """Whether this rule needs the consumer's local time (see ``LOCAL_TIME``)."""
        return self.LOCAL_TIME

    def needs_local_time_for(self, ctx: Context) -> bool:
        """Whether judging this contact needs local time; a kind may know it does not (a flag
        read on the clock when the consumer set no such flag)."""
        return self.needs_local_time

    # --- applicability ------------------------------------------------------------------
    def in_force(self, ctx: Context) -> bool:
        """In force on the local date in some candidate zone.

        With no zone the local date is unknown; the rule is then in force if it is on any date
        the instant can be somewhere on Earth (it can only deny, so that is the safe reading).
        """
        if self.effective_from is None and self.effective_until is None:
            return True
        days = (
            [ctx.local(name, zone).date() for name, zone in ctx.zones]
            if ctx.zones
            else possible_local_dates(ctx.at)
        )
        for day in days:
            if self.effective_from is not None and day < self.effective_from:
                continue
            if self.effective_until is not None and day > self.effective_until:
                continue
            return True
        return False

    def static_applies(self, shape: ContactShape) -> bool:
        """Whether the rule can apply to contacts of this shape at all (cached by the engine)."""
        if shape.channel not in self.channels:
            return False
        if self.unless_purposes and shape.purpose in self.unless_purposes:
            return False
        return self.when.static_matches(shape)

    def dynamic_applies(self, ctx: Context) -> bool:
        """The part of applicability that depends on debts, history and the instant."""
        return self.when.dynamic_matches(ctx) and self.in_force(ctx)

    def applies(self, ctx: Context) -> bool:
        return self.static_applies(ctx.shape) and self.dynamic_applies(ctx)

    @cached_property
    def _applicability_fixed(self) -> bool | None:
        """``applicability_settled`` where no instant is needed to know it: None when the
        effective dates must be compared with the instant's local dates."""
        cls = type(self)
        if cls.dynamic_applies is not RuleBase.dynamic_applies or (
            cls.in_force is not RuleBase.in_force
        ):
            return False
        if not self.when.instant_free:
            return False
        if self.effective_from is None and self.effective_until is None:
            return True
        return None

    def applicability_settled(self, ctx: Context) -> bool:
        """Whether ``dynamic_applies`` answers at every instant after ``ctx.at`` as at ``ctx.at``.

        The search for the next allowed time then asks it once rather than at each candidate.
        True when no ``when`` condition reads the instant and the effective dates cannot change
        the answer from here on: a later instant's local date is at most two days before this
        one's (an offset is under a day either way, and clocks may be set back across
        midnight), so a rule in force from a day at least two days before every candidate local
        date stays in force, and one whose last day is more than two days before it never comes
        back. Only for dates well inside the calendar (the engine does not ask near its end).
        """
        fixed = self._applicability_fixed
        if fixed is not None:
            return fixed
        days = (
            [ctx.local(name, zone).date() for name, zone in ctx.zones]
            if ctx.zones
            else possible_local_dates(ctx.at)
        )
        earliest = min(days) - _DATE_SLACK
        if self.effective_until is not None and earliest > self.effective_until:
            return True  # past its last day for good
        return self.effective_until is None and (
            self.effective_from is None or earliest >= self.effective_from
        )

    def instant_independent(self, ctx: Context) -> bool:
        """Whether this rule's verdict on this contact (applies or not, passes or not, and that
        judging it does not raise) is at every instant after ``ctx.at`` what it is at ``ctx.at``.

        The search for the next allowed time does not judge such a rule again once it passed
        (only in the fast evaluator; the reference judges every rule at every candidate), so a
        kind says True only when nothing it reads changes with the instant: not the local time
        or date, the history before the instant, consents (which start, expire and are
        revoked), dated flags, stays, moratoria or validation periods; and its applicability is
        settled (``applicability_settled``). False, the default, is always safe. A kind that
        extends another must declare its own (enforced when the class is defined).
        """
        return False

    # --- evaluation (overridden by each kind) -------------------------------------------
    @abstractmethod
    def check(self, ctx: Context) -> Finding | None:
        """None when the contact passes, else why not; every kind must say (no default pass)."""

    def passes(self, ctx: Context) -> bool:
        """Whether the rule lets the contact through (kinds may answer faster than ``check``)."""
        return self.check(ctx) is None

    def ground(self, ctx: Context) -> Finding | None:
        """What the contact passed on, asked only after ``check(ctx)`` passed; None by default.

        A kind that passes on evidence (a consent, a safe harbor, an exemption) names the one
        it relied on, so an allowed contact can be defended as precisely as a deny. Read for
        the decision's ``grounds`` only, never to decide: the engine skips a ground that raises.
        """
        return None

    def next_ok(self, ctx: Context) -> dt.datetime | None:
        """For ``NEXT_TIME = "never"`` kinds: no later time helps (a flag such as cease stays
        until it is lifted). ``"computed"`` kinds override this."""
        return None

    def looser_than(self, parent: RuleBase) -> str | None:
        """Why this rule allows something ``parent`` (same kind) denies, or None.

        Used by ``check`` on rulesets that ``extend`` another: a layer may only tighten. Kinds
        without a natural order (flags, templates) never count as looser.
        """
        return None

    def comparable_with(self, parent: RuleBase) -> bool:
        """Same kind, shared channels and the same conditions: a like-for-like comparison."""
        return (
            parent.KIND == self.KIND
            and bool(set(parent.channels) & set(self.channels))
            and parent.when == self.when
        )

    def placeholders(self) -> tuple[str, ...]:
        return (*COMMON_FACTS, *self.FACTS)

    # --- lint for `contactrules check` (kinds extend it) ------------------------------------
    def lint(self, scope: LintScope) -> Iterator[RuleLint]:
        """Problems this rule shows on its own, above all settings that make it never deny.

        A kind adds its own checks by overriding this and yielding from ``super().lint(scope)``
        first; each problem names the offending field by its YAML path inside the rule, so that
        ``check`` can print where it is written.
        """
        yield from common_lints(self, scope)


#: A fact shown in a message lists at most this many items and this many characters; the
#: facts themselves keep what the rule recorded (rules bound their own lists).
MAX_SHOWN_ITEMS = 10
MAX_SHOWN_CHARS = 300


def shown(value: object) -> str:
    """A fact as it reads in a message: lists as "a, b, c and 7 more", long text cut short."""
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(map(str, value)) if isinstance(value, (set, frozenset)) else value
        text = ", ".join(str(v) for v in list(items)[:MAX_SHOWN_ITEMS])
        if len(value) > MAX_SHOWN_ITEMS:
            text += f" and {len(value) - MAX_SHOWN_ITEMS} more"
    else:
        text = str(value)
    if len(text) > MAX_SHOWN_CHARS:
        text = text[: MAX_SHOWN_CHARS - 1] + "…"
    return text


def render_message(template: str, values: dict[str, Any]) -> str:
    """Fill ``{name}`` placeholders from facts; anything else is left as written.

    Only bare names are substituted: attribute and index lookups (``{a.b}``, ``{a[0]}``) are
    never evaluated, so a message cannot reach into objects.
    """
    out: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return template
    for literal, name, _spec, _conv in parsed:
        out.append(literal)
        if name is None:
            continue
        if name.isidentifier() and name in values:
            out.append(shown(values[name]))
        else:
            out.append("{" + name + "}")
    return "".join(out)


def earliest_passing(
    ctx: Context,
    candidates: Iterable[dt.datetime],
    passes: Callable[[Context], bool],
    *,
    ordered: StrictBool = False,
) -> dt.datetime | None:
    """The first candidate instant after ``ctx.at`` (in time order) at which ``passes`` holds.

    Rules whose answer changes only at known boundaries (window edges, local midnights) list
    those boundaries as candidates; checking each in order gives the exact earliest instant.
    ``ordered`` candidates (already ascending) are consumed lazily, stopping at the first pass.
    """
    stream = candidates if ordered else sorted(set(candidates))
    previous: dt.datetime | None = None
    for instant in stream:
        if instant <= ctx.at or instant == previous:
            continue
        previous = instant
        if passes(ctx.at_time(instant)):
            return instant
    return None
