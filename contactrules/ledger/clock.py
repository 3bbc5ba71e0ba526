"""The clock-skew guard: a contact proposed too far in the future is refused, not booked.

Why: caps count the contacts of a window that ends at the proposed instant. A worker whose clock
runs a day fast proposes "now" a day ahead; if the ledger booked it, that worker could book the
week's seven calls "today" and every worker with a correct clock would then be denied, or,
worse, contacts would be recorded that never happened when they say. So the ledger compares
each proposed instant with its own clock (the database server's clock for PostgreSQL, shared by
every worker; the machine's for SQLite) and refuses one that lies further ahead than a
tolerance, with a reason that names both clocks, instead of booking the future.

Contacts proposed for the past are not refused: a worker whose clock runs slow is already kept
from slipping a contact in before ones reserved later (see :mod:`.base`). A shop that reserves
ahead on purpose (letters printed tomorrow) sets a tolerance that covers it, or ``None``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..decision import Decision, engine_reason

__all__ = ["CLOCK_SKEW_RULE", "DEFAULT_MAX_CLOCK_SKEW", "skew_decision"]

DEFAULT_MAX_CLOCK_SKEW = dt.timedelta(minutes=5)
"""How far ahead of the ledger's clock a proposed instant may lie (NTP keeps clocks within
milliseconds; five minutes covers a badly kept one and a slow network)."""

CLOCK_SKEW_RULE = "CONTACTRULES-CLOCK-SKEW"
_CITATION = "contactrules ledger clock-skew guard (see docs/ledger.md#clock-skew)"


def skew_decision(own: Decision, ledger_now: dt.datetime, tolerance: dt.timedelta) -> Decision:
    """Deny ``own`` (the engine's verdict on the contact) because its instant is too far ahead.

    The engine's verdict is kept by the ledger as the contact's own verdict (for replay); the
    answer is a deny with one engine reason whose facts give both clocks and the tolerance.
    """
    ahead = own.at - ledger_now
    reason = engine_reason(
        CLOCK_SKEW_RULE,
        f"the contact is proposed for {own.at.isoformat()}, {_span(ahead)} ahead of the "
        f"ledger's clock ({ledger_now.isoformat()}), beyond the {_span(tolerance)} tolerated; "
        "it was not recorded: check the clock of the machine that proposed it (NTP), or "
        "propose the ledger's current time",
        _CITATION,
        ledger_time=ledger_now.isoformat(),
        proposed_time=own.at.isoformat(),
        ahead_seconds=round(ahead.total_seconds(), 6),
        tolerance_seconds=tolerance.total_seconds(),
    )
    return dataclasses.replace(
        own,
        allowed=False,
        reasons=(reason,),
        binding_zone=None,
        next_allowed_at=None,
        next_allowed_note=(
            "no instant is promised for a contact proposed ahead of the ledger's clock; "
            "propose it again with a correct clock"
        ),
    )


def _span(delta: dt.timedelta) -> str:
    seconds = delta.total_seconds()
    if abs(seconds) >= 3600:
        return f"{seconds / 3600:.1f} h"
    if abs(seconds) >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.3f} s"
