"""``consumer_flag``: deny while the consumer (or debt) carries a flag that bars the contact.

What it does
    Looks at one flag of the consumer's record:

    - ``cease``: the consumer asked in writing to stop about this debt (12 CFR 1006.6(c)).
    - ``attorney``: the consumer is represented by a lawyer for this debt (1006.6(b)(2)).
    - ``employer_prohibits``: contact at work while the employer prohibits it (1006.6(b)(3)).
    - ``inconvenient_place``: a place the consumer called inconvenient (1006.6(b)(1)(ii)).
    - ``inconvenient_time``: a local time range the consumer called inconvenient (1006.6(b)(1)).
    - ``medium_opt_out``: the consumer asked not to be contacted through this medium, or at this
      address or number (1006.14(h)); voicemail shares the telephone medium with calls.
    - ``dispute_pending``: a written dispute awaits verification (15 U.S.C. 1692g(b)): the
      debt's ``dispute_pending_verification``, or a timely written ``disputed_at`` with no
      ``verification_sent_at`` yet (see :mod:`.validation`).
    - ``payment_arrangement``: a payment arrangement for the debt is being kept (ACCC/ASIC
      guideline Part 2 s 15); ``consumer_initiated_reply`` lets the collector answer the debtor.
    - ``bankruptcy_stay``: a pre-petition debt while the automatic stay holds (11 U.S.C.
      362(a)(6), 362(c)); see :mod:`.legal_status` for how days and debts are read.
    - ``bankruptcy_discharge``: a debt discharged in bankruptcy (11 U.S.C. 524(a)(2)).
    - ``deceased``: the consumer died; only the estate's representative is "the consumer"
      (12 CFR 1006.6(a)(4)): a contact reaching ``estate_representative`` passes.
    - ``breathing_space``: a debt of the contact is under a Breathing Space moratorium (England
      and Wales, SI 2020/1311 reg. 11); ``next_ok`` is the day after its last day, or None for
      a mental health crisis moratorium with no end given. A standard moratorium with no end
      given lasts ``standard_moratorium_days`` (which the rule must set: the Regulations say
      60 days) after the day it started.

    ``consent_exception`` lifts the flag with an active direct consent (scope ``time`` for
    times, ``place`` for places and work, 1006.6(b)(4)). ``consumer_initiated_reply`` allows one
    reply through the same medium after the consumer reached out through it that same local day
    (comment 6(b)(1)-2; 1006.14(h)(2)) and no collector contact through it since. For a place the
    consumer must have reached out *from that place* (the record's ``to`` or ``to_work`` shows
    it): a call from the mobile does not open the work number. For an opt-out of one address the
    consumer must have written from that address.
    ``next_ok`` is never for flags that stay until lifted, and the end of the range for times.

Regulatory basis
    12 CFR 1006.6(a)(4), (b)-(c), 1006.14(h); 15 U.S.C. 1692c, 1692g(b); 11 U.S.C. 362(a)(6),
    524(a)(2); SI 2020/1311 reg. 11.

Options
    ``flag`` (one of the above), ``consent_exception``, ``consumer_initiated_reply``,
    ``standard_moratorium_days`` (``breathing_space`` only, and required there).

Example
    .. code-block:: yaml

        - id: US-FED-REGF-1006.6c-CEASE
          kind: consumer_flag
          flag: cease
          channels: [call, voicemail, sms, email, letter, visit, social_dm]
          unless_purposes: [termination_notice, remedy_notice]
          citation: 12 CFR 1006.6(c)

    PASS: a letter saying collection is terminated. FAIL: any collection call about the debt.
"""

from __future__ import annotations

import datetime as dt
import heapq
from bisect import bisect_right
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, StrictBool, model_validator

from ..context import Context, channel_medium
from ..localtime import clock_seconds, days_from, local_day_start, local_instant
from ..location.addresses import same_address
from ..models import (
    Channel,
    ConsentScope,
    Debt,
    InconvenientTime,
    Initiator,
    PhoneType,
    Place,
    Recipient,
    Weekday,
)
from ..records import Record
from .base import Finding, NextTime, RuleBase, earliest_passing
from .legal_status import (
    death_day,
    discharged_debts,
    moratorium_holds,
    moratorium_last_day,
    stayed_debts,
)
from .validation import dispute_stops_collection

__all__ = ["KIND", "ConsumerFlag"]

KIND = "consumer_flag"
FlagName = Literal[
    "cease",
    "attorney",
    "employer_prohibits",
    "inconvenient_place",
    "inconvenient_time",
    "medium_opt_out",
    "dispute_pending",
    "payment_arrangement",
    "bankruptcy_stay",
    "bankruptcy_discharge",
    "deceased",
    "breathing_space",
]
_WEEKDAYS = tuple(Weekday)
SEARCH_DAYS = 9
#: Flags read from undated facts (debt ids, places, the employer's word, an arrangement kept).
_UNDATED_FLAGS = frozenset(
    {"cease", "attorney", "employer_prohibits", "inconvenient_place", "payment_arrangement"}
)
#: The westmost offset on Earth: a local day has begun everywhere once it begins here.
_WESTMOST = dt.timezone(dt.timedelta(hours=-12))


class ConsumerFlag(RuleBase):
    KIND: ClassVar[str] = KIND
    # The end of a designated time or moratorium; other flags: None:
    NEXT_TIME: ClassVar[NextTime] = "computed"
    FACTS: ClassVar[tuple[str, ...]] = ("flag", "debt_ids", "detail", "zone")

    kind: Literal["consumer_flag"]
    flag: FlagName
    consent_exception: StrictBool = False
    consumer_initiated_reply: StrictBool = False
    standard_moratorium_days: int | None = Field(
        default=None,
        ge=1,
        description="flag breathing_space: how many days after its first day a standard "
        "moratorium with no end given lasts (60 in SI 2020/1311); required there, refused "
        "elsewhere.",
    )

    @model_validator(mode="after")
    def _moratorium_days_with_breathing_space(self) -> ConsumerFlag:
        if (self.flag == "breathing_space") is not (self.standard_moratorium_days is not None):
            raise ValueError(
                "standard_moratorium_days goes with flag breathing_space, and that flag needs "
                "it: say how long a standard moratorium with no end given lasts"
            )
        return self

    @property
    def needs_local_time(self) -> bool:
        """Only inconvenient *times* are read on the local clock; the other flags are not."""
        return self.flag == "inconvenient_time"

    def needs_local_time_for(self, ctx: Context) -> bool:
        return self.needs_local_time and bool(_designations(ctx))

    # --- one check per flag ---------------------------------------------------------------
    def _cease(self, ctx: Context) -> Finding | None:
        hit = [d for d in ctx.contact.debt_ids if d in ctx.contact.consumer.flags.cease_debt_ids]
        if not hit:
            return None
        return Finding(
            f"the consumer asked in writing to cease communication about debt(s) {', '.join(hit)}",
            {"flag": "cease", "debt_ids": hit},
        )

    def _attorney(self, ctx: Context) -> Finding | None:
        flags = ctx.contact.consumer.flags
        hit = [d for d in ctx.contact.debt_ids if d in flags.attorney_debt_ids]
        if not hit:
            return None
        return Finding(
            f"the consumer is represented by an attorney for debt(s) {', '.join(hit)}; "
            "communicate with the attorney",
            {"flag": "attorney", "debt_ids": hit},
        )

    def _employer(self, ctx: Context) -> Finding | None:
        if not (ctx.contact.consumer.flags.employer_prohibits_contact and ctx.to_work):
            return None
        return Finding(
            "the consumer's employer prohibits this contact at the place of employment",
            {"flag": "employer_prohibits", "detail": ctx.contact.to},
        )

    def _place(self, ctx: Context) -> Finding | None:
        places = ctx.contact.consumer.flags.inconvenient_places
        place = _contact_place(ctx)
        if place is None or place not in places:
            return None
        return Finding(
            f"the consumer said contact at {place.value} is inconvenient",
            {"flag": "inconvenient_place", "detail": place.value},
        )

    def _time(self, ctx: Context) -> Finding | None:
        if self._time_passes(ctx):
            return None
        for name, zone in ctx.zones:
            local = ctx.local(name, zone)
            secs = local.hour * 3600 + local.minute * 60 + local.second
            day = _WEEKDAYS[local.weekday()]
            for item in _designations(ctx):
                if day not in item.days:
                    continue
                if clock_seconds(item.start) <= secs < clock_seconds(item.end):
                    return Finding(
                        f"the consumer said {item.start}–{item.end} on {day.value} is "
                        f"inconvenient; it is {local:%H:%M} in {name}",
                        {
                            "flag": "inconvenient_time",
                            "detail": f"{day.value} {item.start}-{item.end}",
                            "zone": name,
                        },
                        zone=name,
                    )
        return None

    def _time_passes(self, ctx: Context) -> bool:
        """No designated range holds the local time in any zone (a bisection per zone)."""
        table = _blocked_spans(ctx)
        if not any(table):
            return True
        for name, zone in ctx.zones:
            local = ctx.local(name, zone)
            spans = table[local.weekday()]
            if spans:
                secs = local.hour * 3600 + local.minute * 60 + local.second
                at = bisect_right(spans, (secs, 86401)) - 1
                if at >= 0 and spans[at][0] <= secs < spans[at][1]:
                    return False
        return True

    def _opt_out(self, ctx: Context) -> Finding | None:
        medium = channel_medium(ctx.channel)
        for opt in ctx.contact.consumer.flags.opt_outs:
            if channel_medium(opt.channel) is not medium:
                continue
            if opt.address is not None and not same_address(opt.address, ctx.contact.to):
                continue
            if opt.at is not None and opt.at > ctx.at:
                continue
            where = f" at {opt.address}" if opt.address else ""
            return Finding(
                f"the consumer opted out of {medium.value}{where}",
                {"flag": "medium_opt_out", "detail": f"{medium.value}{where}"},
            )
        return None

    def _dispute(self, ctx: Context) -> Finding | None:
        hit = [d for d in ctx.contact.debt_ids if dispute_stops_collection(ctx, d)]
        if not hit:
            return None
        return Finding(
            f"debt(s) {', '.join(hit)} are disputed in writing and verification has not been "
            "sent; no time helps until verification_sent_at is recorded",
            {"flag": "dispute_pending", "debt_ids": hit},
        )

    def _arrangement(self, ctx: Context) -> Finding | None:
        hit = [d for d in ctx.contact.debt_ids if ctx.debts[d].payment_arrangement_kept]
        if not hit:
            return None
        return Finding(
            f"a payment arrangement for debt(s) {', '.join(hit)} is in place and being kept",
            {"flag": "payment_arrangement", "debt_ids": hit},
        )

    def _stay(self, ctx: Context) -> Finding | None:
        stayed = stayed_debts(ctx)
        if not stayed:
            return None
        ids = list(dict.fromkeys(s.debt_id for s in stayed))
        filed = min(s.filed_on for s in stayed).isoformat()
        return Finding(
            f"a bankruptcy petition filed on {filed} stays collection of debt(s) "
            f"{', '.join(ids)}; no time helps while the stay holds: communicate with the "
            "debtor's bankruptcy attorney, or record the day the stay ended",
            {"flag": "bankruptcy_stay", "debt_ids": ids, "detail": f"filed {filed}"},
        )

    def _discharge(self, ctx: Context) -> Finding | None:
        hit = discharged_debts(ctx)
        if not hit:
            return None
        return Finding(
            f"debt(s) {', '.join(hit)} were discharged in bankruptcy and can never be "
            "collected from the debtor",
            {"flag": "bankruptcy_discharge", "debt_ids": hit},
        )

    def _deceased(self, ctx: Context) -> Finding | None:
        if ctx.contact.recipient is Recipient.ESTATE_REPRESENTATIVE:
            return None  # "the consumer" after a death (12 CFR 1006.6(a)(4))
        died = death_day(ctx)
        if died is None:
            return None
        return Finding(
            f"the consumer died on {died.isoformat()}; only the executor, administrator or "
            "personal representative of the estate may be contacted as the consumer "
            "(recipient estate_representative); anyone else is a third party",
            {"flag": "deceased", "detail": f"died {died.isoformat()}"},
        )

    def _breathing_space(self, ctx: Context) -> Finding | None:
        holds = moratorium_holds(ctx, self.standard_moratorium_days or 0)
        if not holds:
            return None
        ids = list(dict.fromkeys(d for hold in holds for d in hold.debt_ids))
        kinds = ", ".join(
            f"{hold.kind.value.replace('_', ' ')} from {hold.started_on.isoformat()}"
            + (f" through {hold.last_day.isoformat()}" if hold.last_day else ", end not known")
            for hold in holds
        )
        return Finding(
            f"debt(s) {', '.join(ids)} are under a Breathing Space moratorium ({kinds}); no "
            "contact may request or demand payment of them: write to the debt adviser instead",
            {"flag": "breathing_space", "debt_ids": ids, "detail": kinds},
        )

    _CHECKS: ClassVar[dict[str, Callable[[ConsumerFlag, Context], Finding | None]]] = {
        "cease": _cease,
        "attorney": _attorney,
        "employer_prohibits": _employer,
        "inconvenient_place": _place,
        "inconvenient_time": _time,
        "medium_opt_out": _opt_out,
        "dispute_pending": _dispute,
        "payment_arrangement": _arrangement,
        "bankruptcy_stay": _stay,
        "bankruptcy_discharge": _discharge,
        "deceased": _deceased,
        "breathing_space": _breathing_space,
    }

    # --- exceptions -----------------------------------------------------------------------
    def _excepted(self, ctx: Context) -> bool:
        if self.consent_exception:
            scope = ConsentScope.TIME if self.flag == "inconvenient_time" else ConsentScope.PLACE
            if any(True for _ in ctx.consents(scope)):
                return True
        if not self.consumer_initiated_reply:
            return False
        if self.flag == "medium_opt_out":
            # The reply exception covers contact the consumer starts *after* opting out; with
            # no time on the opt-out that cannot be shown, so it does not apply (fail closed).
            # An opt-out of one address is lifted only by contact from that address.
            since = self._latest_opt_out(ctx)
            if since is None:
                return False
            address = ctx.contact.to if self._address_opt_out(ctx) else None
            return _reply_allowed(ctx, after=since, address=address)
        if self.flag == "inconvenient_place":
            # A reply "at that place" (comment 6(b)(1)-2): the consumer must have reached out
            # from the place the reply goes to, not merely through the same medium.
            place = _contact_place(ctx)
            return place is not None and _reply_allowed(ctx, place=place)
        return _reply_allowed(ctx)

    def _address_opt_out(self, ctx: Context) -> bool:
        medium = channel_medium(ctx.channel)
        return any(
            opt.address is not None
            and channel_medium(opt.channel) is medium
            and same_address(opt.address, ctx.contact.to)
            for opt in ctx.contact.consumer.flags.opt_outs
        )

    def _latest_opt_out(self, ctx: Context) -> dt.datetime | None:
        medium = channel_medium(ctx.channel)
        times = []
        for opt in ctx.contact.consumer.flags.opt_outs:
            if channel_medium(opt.channel) is not medium:
                continue
            if opt.address is not None and not same_address(opt.address, ctx.contact.to):
                continue
            if opt.at is None:
                return None
            times.append(opt.at)
        return max(times) if times else None

    def check(self, ctx: Context) -> Finding | None:
        finding = self._CHECKS[self.flag](self, ctx)
        if finding is None or self._excepted(ctx):
            return None
        return finding

    def instant_independent(self, ctx: Context) -> bool:
        """When the flag's own facts carry no date that a later instant can cross (or the
        consumer has none of them) and no exception is needed, since consents start and end and
        a reply depends on the day's history."""
        if not self.applicability_settled(ctx):
            return False
        if self._undated_without_exceptions:
            return True
        if not self._finding_settled(ctx):
            return False
        if self.consent_exception or self.consumer_initiated_reply:
            return self._CHECKS[self.flag](self, ctx) is None
        return True

    @cached_property
    def _undated_without_exceptions(self) -> bool:
        """Settled whatever the consumer's record says: known from the rule alone."""
        return self.flag in _UNDATED_FLAGS and not (
            self.consent_exception or self.consumer_initiated_reply
        )

    def _finding_settled(self, ctx: Context) -> bool:
        """Whether what the flag finds (before exceptions) is the same at every later instant."""
        consumer = ctx.contact.consumer
        flag = self.flag
        if flag in _UNDATED_FLAGS:
            return True
        if flag == "inconvenient_time":  # no range for this channel: never inconvenient
            return not consumer.flags.inconvenient_times or not _designations(ctx)
        if flag == "medium_opt_out":
            return all(opt.at is None or opt.at <= ctx.at for opt in consumer.flags.opt_outs)
        if flag == "dispute_pending":
            return all(_dispute_settled(ctx.debts[d]) for d in ctx.contact.debt_ids)
        if flag in ("bankruptcy_stay", "bankruptcy_discharge"):
            return not consumer.bankruptcies
        if flag == "deceased":
            return consumer.deceased_on is None or (
                ctx.contact.recipient is Recipient.ESTATE_REPRESENTATIVE
            )
        if flag == "breathing_space":
            return not consumer.moratoria
        return False

    def passes(self, ctx: Context) -> bool:
        if self.flag == "inconvenient_time" and self._time_passes(ctx):
            return True
        return self.check(ctx) is None

    def next_ok(self, ctx: Context) -> dt.datetime | None:
        """For times: the first midnight or end of a designated range after which no zone is
        inside one (ranges are merged first, so many overlapping ones cost one candidate)."""
        if self.flag == "breathing_space":
            return self._moratorium_end(ctx)
        if self.flag != "inconvenient_time":
            return None
        table = _blocked_spans(ctx)
        candidates: list[Iterator[dt.datetime]] = []
        for name, zone in ctx.zones:
            first = ctx.local(name, zone).date()
            candidates.append(_range_ends(first, zone, table))
        return earliest_passing(ctx, heapq.merge(*candidates), self.passes, ordered=True)

    def _moratorium_end(self, ctx: Context) -> dt.datetime | None:
        """The first local midnight after the last day of a moratorium at which none holds;
        None while one with no known end holds. With no candidate zone, the instant that day
        begins everywhere on Earth (UTC-12)."""
        days = self.standard_moratorium_days or 0
        if any(hold.last_day is None for hold in moratorium_holds(ctx, days)):
            return None
        candidates: list[dt.datetime] = []
        for moratorium in ctx.contact.consumer.moratoria:
            last = moratorium_last_day(moratorium, days)
            if last is None or last >= dt.date.max:
                continue  # no end known, or none the calendar can hold
            day = last + dt.timedelta(days=1)
            if ctx.zones:
                candidates.extend(local_day_start(day, zone) for _name, zone in ctx.zones)
            else:
                candidates.append(dt.datetime.combine(day, dt.time(), _WESTMOST))
        return earliest_passing(ctx, candidates, self.passes)


def _dispute_settled(debt: Debt) -> bool:
    """A debt whose dispute status no instant changes: flagged pending outright, or with no
    written dispute on file (a dated one starts, is verified and ages against the period)."""
    pending = debt.dispute_pending_verification
    return pending or debt.disputed_at is None or not debt.dispute_in_writing


def _designations(ctx: Context) -> tuple[InconvenientTime, ...]:
    """The consumer's inconvenient times that concern this contact's channel."""
    channel = ctx.channel
    return tuple(
        item
        for item in ctx.contact.consumer.flags.inconvenient_times
        if item.channels is None or channel in item.channels
    )


def _blocked_spans(ctx: Context) -> tuple[list[tuple[int, int]], ...]:
    """Per weekday (Monday first), the designated ranges merged and sorted, once per evaluation."""

    def build() -> tuple[list[tuple[int, int]], ...]:
        table: list[list[tuple[int, int]]] = [[] for _ in _WEEKDAYS]
        for item in _designations(ctx):
            span = (clock_seconds(item.start), clock_seconds(item.end))
            for day in item.days:
                table[_WEEKDAYS.index(day)].append(span)
        return tuple(_merged(spans) for spans in table)

    return ctx.memo("consumer_flag.inconvenient_times", build)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if lo >= hi:
            continue
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _range_ends(
    first: dt.date, zone: ZoneInfo, table: tuple[list[tuple[int, int]], ...]
) -> Iterator[dt.datetime]:
    """Local midnights and ends of merged designated ranges in one zone, in time order."""
    for day in days_from(first, 0, SEARCH_DAYS):
        edges = [local_day_start(day, zone)]
        edges.extend(local_instant(day, hi, zone) for _lo, hi in table[day.weekday()])
        yield from sorted(edges)


def _record_place(ctx: Context, record: Record) -> Place | None:
    """The place a past contact was at, as far as the record shows (None: not known)."""
    consumer = ctx.contact.consumer
    target = record.to
    work = record.to_work
    if work is None and target is not None:
        work = any(
            same_address(p.number, target) and p.type is PhoneType.WORK for p in consumer.phones
        ) or any(same_address(e.address, target) and e.employer_provided for e in consumer.emails)
    if work:
        return Place.WORK
    if target is not None and any(
        same_address(p.number, target) and p.type is PhoneType.HOME for p in consumer.phones
    ):
        return Place.HOME
    return None


def _contact_place(ctx: Context) -> Place | None:
    if ctx.to_work:
        return Place.WORK
    if ctx.channel is Channel.VISIT:
        return Place.HOME
    for phone in ctx.contact.consumer.phones:
        if same_address(phone.number, ctx.contact.to) and phone.type is PhoneType.HOME:
            return Place.HOME
    return None


def _reply_allowed(
    ctx: Context,
    after: dt.datetime | None = None,
    place: Place | None = None,
    address: str | None = None,
) -> bool:
    """One reply through the medium the consumer used, on the same local day, not yet given.

    ``after``: only contact the consumer started strictly after this instant counts.
    ``place``/``address``: only contact the consumer started from that place or address counts
    (a record that does not show where it came from does not).
    """
    medium = channel_medium(ctx.channel)
    last_inbound = None
    for record in ctx.prior():
        if after is not None and record.at <= after:
            continue
        if channel_medium(record.channel) is not medium:
            continue
        if record.initiated_by is Initiator.CONSUMER:
            if place is not None and _record_place(ctx, record) is not place:
                continue
            if address is not None and not same_address(record.to, address):
                continue
            last_inbound = record
        elif last_inbound is not None:
            last_inbound = None  # the collector already replied through this medium
    if last_inbound is None:
        return False
    return any(
        last_inbound.at.astimezone(zone).date() == ctx.local(name, zone).date()
        for name, zone in ctx.zones
    )
