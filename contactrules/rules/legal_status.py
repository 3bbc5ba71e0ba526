"""The consumer's legal status on the day of a contact: bankruptcy stays, discharges, death,
Breathing Space moratoria.

The input gives these as calendar days (a petition's filing day, the day the stay ended, the
date of death). A contact is an instant; its local day depends on where the consumer is. With
several candidate zones, or none, the contact counts as on *every* local day it can be on, so a
status that starts or ends that day is read the stricter way (fail closed, convention K4).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..context import Context
from ..localtime import possible_local_dates
from ..models import Bankruptcy, Moratorium, MoratoriumKind, StayEndReason

__all__ = [
    "MoratoriumHold",
    "StayedDebt",
    "death_day",
    "discharged_debts",
    "local_days",
    "moratorium_holds",
    "moratorium_last_day",
    "stayed_debts",
]


@dataclass(frozen=True)
class StayedDebt:
    """A debt of the contact that a petition reaches, and the petition's filing day."""

    debt_id: str
    filed_on: dt.date


def local_days(ctx: Context) -> tuple[dt.date, dt.date]:
    """The earliest and latest local day the judged instant can be for this consumer."""
    days = (
        [ctx.local(name, zone).date() for name, zone in ctx.zones]
        if ctx.zones
        else list(possible_local_dates(ctx.at))
    )
    return min(days), max(days)


def _pre_petition(ctx: Context, debt_id: str, petition: Bankruptcy) -> bool:
    """A claim that "arose before the commencement of the case" (11 U.S.C. 362(a)(6)).

    Fail closed: a debt without ``incurred_on``, or incurred on the filing day itself (the hour
    of the petition is not known), is pre-petition.
    """
    if petition.debt_ids is not None and debt_id not in petition.debt_ids:
        return False
    incurred = ctx.debts[debt_id].incurred_on
    return incurred is None or incurred <= petition.filed_on


def stayed_debts(ctx: Context) -> list[StayedDebt]:
    """The contact's debts under an automatic stay on the contact's day (362(a)(6), 362(c)).

    The stay holds from the filing day through ``stay_ended_on`` (both days included: the hour
    is not known), or with no end day for as long as the input says nothing more.
    """
    first, last = local_days(ctx)
    found: list[StayedDebt] = []
    for petition in ctx.contact.consumer.bankruptcies:
        if last < petition.filed_on:
            continue
        if petition.stay_ended_on is not None and first > petition.stay_ended_on:
            continue
        for debt_id in ctx.contact.debt_ids:
            if _pre_petition(ctx, debt_id, petition):
                found.append(StayedDebt(debt_id, petition.filed_on))
    return found


def discharged_debts(ctx: Context) -> list[str]:
    """The contact's debts discharged on or before the contact's day (11 U.S.C. 524(a)(2)).

    A discharge with no ``discharged_debt_ids`` discharged every pre-petition debt the petition
    concerns (fail closed); an empty list says it discharged none of them.
    """
    _first, last = local_days(ctx)
    found: list[str] = []
    for petition in ctx.contact.consumer.bankruptcies:
        if petition.stay_end_reason is not StayEndReason.DISCHARGE:
            continue
        if petition.stay_ended_on is None or last < petition.stay_ended_on:
            continue
        for debt_id in ctx.contact.debt_ids:
            if debt_id in found or not _pre_petition(ctx, debt_id, petition):
                continue
            listed = petition.discharged_debt_ids
            if listed is None or debt_id in listed:
                found.append(debt_id)
    return found


def death_day(ctx: Context) -> dt.date | None:
    """The consumer's date of death, if the contact's day can be on or after it."""
    died = ctx.contact.consumer.deceased_on
    if died is None or local_days(ctx)[1] < died:
        return None
    return died


@dataclass(frozen=True)
class MoratoriumHold:
    """A moratorium in force on the contact's day, the contact's debts it covers, and its last
    day (None: not known, as for a mental health crisis moratorium with no end given)."""

    kind: MoratoriumKind
    debt_ids: tuple[str, ...]
    started_on: dt.date
    last_day: dt.date | None


def moratorium_last_day(moratorium: Moratorium, standard_days: int) -> dt.date | None:
    """The last day of a moratorium: ``ended_on`` when given; for a standard moratorium
    ``standard_days`` after the day it started (that day counted as in it, fail closed); for
    a mental health crisis moratorium with no end given, not known."""
    if moratorium.ended_on is not None:
        return moratorium.ended_on
    if moratorium.kind is MoratoriumKind.STANDARD:
        if (dt.date.max - moratorium.started_on).days <= standard_days:
            return dt.date.max
        return moratorium.started_on + dt.timedelta(days=standard_days)
    return None


def moratorium_holds(ctx: Context, standard_days: int) -> list[MoratoriumHold]:
    """The moratoria covering a debt of the contact on the contact's day (SI 2020/1311).

    With several candidate zones the contact counts as on every day it can be on, so a
    moratorium that starts or ends that day holds (K4).
    """
    first, last = local_days(ctx)
    found: list[MoratoriumHold] = []
    for moratorium in ctx.contact.consumer.moratoria:
        end = moratorium_last_day(moratorium, standard_days)
        if last < moratorium.started_on or (end is not None and first > end):
            continue
        covered = moratorium.debt_ids
        ids = tuple(d for d in ctx.contact.debt_ids if covered is None or d in covered)
        if ids:
            found.append(MoratoriumHold(moratorium.kind, ids, moratorium.started_on, end))
    return found
