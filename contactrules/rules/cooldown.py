"""``cooldown``: no contact for some local calendar days after a triggering event.

What it does
    Denies a contact when a record matching ``after`` (e.g. a telephone conversation, whoever
    started it) about the same debt and with the same person falls within the last ``days``
    local calendar days, the event's own date being day 1 (K2). A conversation on Monday
    2 June blocks 2–8 June; the next call may be made on Monday 9 June.

Regulatory basis
    12 CFR 1006.14(b)(2)(i)(B) ("The date of the telephone conversation is the first day of the
    seven-consecutive-day period"); comments 14(b)(2)(i)-1.ii and 14(b)(4)-1.ii.

Options
    ``after``: a record filter (``channels``, ``outcomes``, ``initiated_by``); ``days``;
    ``per`` (``debt``/``consumer``); ``exclude_consented``/``consent_days`` as in frequency_cap.

Example
    .. code-block:: yaml

        - id: US-FED-REGF-1006.14b2iB-CALL-COOLDOWN
          kind: cooldown
          channels: [call, voicemail]
          after: {channels: [call], outcomes: [conversation], initiated_by: [collector, consumer]}
          days: 7
          citation: 12 CFR 1006.14(b)(2)(i)(B)

    PASS: a call eight local days after a conversation. FAIL: a call six days after the
    consumer phoned in and talked about the debt.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field, StrictBool

from ..context import Context, local_day_start
from ..models import ContactRecord
from .base import Finding, RuleBase
from .counting import RecordFilter, consented_record, debt_keys

__all__ = ["KIND", "Cooldown"]

KIND = "cooldown"


class Cooldown(RuleBase):
    KIND: ClassVar[str] = KIND
    FACTS: ClassVar[tuple[str, ...]] = ("event_at", "zone", "debt_id", "blocked_through")

    kind: Literal["cooldown"]
    after: RecordFilter
    days: int = Field(
        ge=1, description="Local calendar days blocked, the event's date being day 1."
    )
    per: Literal["debt", "consumer"] = "debt"
    exclude_consented: StrictBool = False
    consent_days: int = Field(default=7, ge=1)

    def _latest_block(
        self, ctx: Context
    ) -> tuple[dt.datetime, ContactRecord, str, str | None, dt.date] | None:
        """When the block lifts (latest over zones and events), and the event that sets it."""
        worst: tuple[dt.datetime, ContactRecord, str, str | None, dt.date] | None = None
        for name, zone in ctx.zones:
            if self.exclude_consented and consented_record(ctx, ctx.at, zone, self.consent_days):
                return None
            today = ctx.local(name, zone).date()
            since = local_day_start(today - dt.timedelta(days=self.days - 1), zone)
            keys = debt_keys(ctx, self.per)
            for record in self.after.window(ctx, self.channels, since):
                debt = next((k for k in keys if k is None or k in record.debt_ids), "")
                if debt == "":
                    continue
                last = record.at.astimezone(zone).date() + dt.timedelta(days=self.days - 1)
                lifts = local_day_start(last + dt.timedelta(days=1), zone)
                if worst is None or lifts > worst[0]:
                    worst = (lifts, record, name, debt, last)
        return worst

    def _finding(
        self, block: tuple[dt.datetime, ContactRecord, str, str | None, dt.date]
    ) -> Finding:
        _lifts, record, name, debt, last = block
        subject = f" about debt {debt}" if debt else ""
        blocked = ", ".join(c.value for c in self.channels)
        event_day = last - dt.timedelta(days=self.days - 1)
        return Finding(
            message=(
                f"a {record.channel.value} ({record.outcome.value}){subject} on "
                f"{event_day.isoformat()} blocks {blocked}"
                f" through {last.isoformat()} ({name}, day 1 = the event's date)"
            ),
            facts={
                "event_at": record.at.isoformat(),
                "zone": name,
                "debt_id": debt,
                "blocked_through": last.isoformat(),
            },
            zone=name,
        )

    def looser_than(self, parent: RuleBase) -> str | None:
        if not isinstance(parent, Cooldown) or parent.after != self.after:
            return None
        if self.days < parent.days:
            return f"blocks {self.days} day(s) where {parent.id} blocks {parent.days}"
        return None

    def check(self, ctx: Context) -> Finding | None:
        block = self._latest_block(ctx)
        return None if block is None else self._finding(block)

    def passes(self, ctx: Context) -> bool:
        return self._latest_block(ctx) is None

    def next_ok(self, ctx: Context) -> dt.datetime | None:
        block = self._latest_block(ctx)
        return None if block is None else block[0]
