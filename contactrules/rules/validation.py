"""The validation period of a debt and whether a dispute stops collection (12 CFR 1006.34, .38).

The validation period starts when the collector provides the validation information and ends 30
days after the consumer receives it, receipt being assumed five days after sending, not counting
Saturdays, Sundays and the legal public holidays of 5 U.S.C. 6103(a) (1006.34(b)(5)). Days are
the consumer's local days; with several candidate zones (or none) every day the instant can be
counts, and the reading that keeps the period open longer is taken (fail closed, convention K4).
"""

from __future__ import annotations

import datetime as dt

from ..context import Context
from ..holiday_calendar import holiday_dates
from ..localtime import possible_local_dates
from ..models import Initiator, Outcome, Purpose, Recipient
from .legal_status import local_days

__all__ = [
    "RECEIPT_BUSINESS_DAYS",
    "VALIDATION_PERIOD_DAYS",
    "dispute_stops_collection",
    "in_validation_period",
    "receipt_day",
    "validation_period_end",
    "validation_sent_at",
]

#: Days after receipt that the validation period lasts (12 CFR 1006.34(b)(5)).
VALIDATION_PERIOD_DAYS = 30
#: Business days after sending at which receipt may be assumed (12 CFR 1006.34(b)(5)).
RECEIPT_BUSINESS_DAYS = 5
_PROVIDED = frozenset({Outcome.DELIVERED, Outcome.CONVERSATION, Outcome.VOICEMAIL, Outcome.PENDING})


def validation_sent_at(ctx: Context, debt_id: str) -> dt.datetime | None:
    """When the validation information about a debt was provided, as of the judged instant.

    ``Debt.validation_notice_at`` if given, else the latest history record before the judged
    instant with purpose ``validation_notice`` sent by the collector to the consumer about that
    debt. The latest one: a period that starts later ends later (the stricter reading).
    """
    given = ctx.debts[debt_id].validation_notice_at
    if given is not None:
        return given if given <= ctx.at else None
    latest: dt.datetime | None = None
    for record in ctx.prior():
        if (
            record.purpose is Purpose.VALIDATION_NOTICE
            and record.initiated_by is Initiator.COLLECTOR
            and record.recipient in (Recipient.CONSUMER, Recipient.ESTATE_REPRESENTATIVE)
            and debt_id in record.debt_ids
            and record.outcome in _PROVIDED
        ):
            latest = record.at
    return latest


def _is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in holiday_dates("US", None, day.year)


def receipt_day(sent_day: dt.date) -> dt.date:
    """The day receipt may be assumed: five business days after the day of sending."""
    day = sent_day
    counted = 0
    while counted < RECEIPT_BUSINESS_DAYS:
        day += dt.timedelta(days=1)
        if _is_business_day(day):
            counted += 1
    return day


def _latest_local_day(ctx: Context, instant: dt.datetime) -> dt.date:
    if ctx.zones:
        return max(instant.astimezone(zone).date() for _name, zone in ctx.zones)
    return max(possible_local_dates(instant))


def validation_period_end(ctx: Context, debt_id: str) -> dt.date | None:
    """The last local day of the debt's validation period, or None if no notice is known."""
    sent = validation_sent_at(ctx, debt_id)
    if sent is None:
        return None
    receipt = receipt_day(_latest_local_day(ctx, sent))
    return receipt + dt.timedelta(days=VALIDATION_PERIOD_DAYS)


def in_validation_period(ctx: Context, debt_id: str) -> dt.date | None:
    """The period's last day if the judged instant can fall on or before it, else None."""
    end = validation_period_end(ctx, debt_id)
    if end is None or local_days(ctx)[0] > end:
        return None
    return end


def dispute_stops_collection(ctx: Context, debt_id: str) -> bool:
    """A dispute that stops collection of the debt at the judged instant (1006.38(d)(2)).

    The input flag ``dispute_pending_verification`` says so outright. Otherwise a dispute at
    ``disputed_at`` stops collection if it was in writing, was timely (on or before the last day
    of the validation period; with no known notice it counts as timely, fail closed), and no
    verification was sent by the judged instant.
    """
    debt = ctx.debts[debt_id]
    if debt.dispute_pending_verification:
        return True
    disputed = debt.disputed_at
    if disputed is None or disputed > ctx.at or not debt.dispute_in_writing:
        return False
    if debt.verification_sent_at is not None and debt.verification_sent_at <= ctx.at:
        return False
    end = validation_period_end(ctx.at_time(disputed), debt_id)
    if end is None:
        end = validation_period_end(ctx, debt_id)
    if end is None:
        return True
    earliest = (
        min(disputed.astimezone(zone).date() for _name, zone in ctx.zones)
        if ctx.zones
        else min(possible_local_dates(disputed))
    )
    return earliest <= end
