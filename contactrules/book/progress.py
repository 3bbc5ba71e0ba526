"""What the screen tells the person running it: a progress line on a terminal, a summary at
the end (allowed and denied per channel, the top deny reasons, bad rows).

The progress line is drawn only on a terminal (``isatty``) and at most a few times a second,
so piping stderr to a log records the summary, not thousands of carriage returns.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO

import pyarrow as pa

__all__ = ["Progress", "Summary"]

#: Deny reasons listed in the summary.
TOP_REASONS = 5


@dataclass
class Summary:
    """Counts over the whole screen, added up chunk by chunk."""

    accounts: int = 0
    decisions: int = 0
    allowed: Counter[str] = field(default_factory=Counter)
    denied: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    bad_rows: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, decisions: pa.RecordBatch, accounts: int) -> None:
        self.accounts += accounts
        self.decisions += decisions.num_rows
        channels = decisions.column("channel").to_pylist()
        allowed = decisions.column("allowed").to_pylist()
        rule_ids = decisions.column("rule_ids").to_pylist()
        for channel, ok, ids in zip(channels, allowed, rule_ids, strict=True):
            if ok:
                self.allowed[channel] += 1
            else:
                self.denied[channel] += 1
                self.reasons.update(set(ids or ()))

    def lines(self) -> list[str]:
        rate = self.accounts / self.seconds if self.seconds > 0 else 0.0
        out = [
            f"screened {self.accounts:,} accounts, {self.decisions:,} decisions in "
            f"{self.seconds:.1f} s ({rate:,.0f} accounts/s)"
        ]
        for channel in sorted(set(self.allowed) | set(self.denied)):
            out.append(
                f"  {channel}: {self.allowed[channel]:,} allowed, {self.denied[channel]:,} denied"
            )
        if self.reasons:
            out.append("top deny reasons (decisions denied by each):")
            out.extend(
                f"  {count:>10,}  {rule_id}"
                for rule_id, count in self.reasons.most_common(TOP_REASONS)
            )
        if self.bad_rows:
            total = sum(self.bad_rows.values())
            detail = ", ".join(f"{code} {n:,}" for code, n in self.bad_rows.most_common())
            out.append(f"bad rows: {total:,} ({detail})")
        return out


class Progress:
    """A one-line progress display: accounts done, rate, and the time left when it is known."""

    def __init__(self, stream: TextIO, total: int | None, enabled: bool | None = None) -> None:
        self.stream = stream
        self.total = total
        self.enabled = stream.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self._shown = 0.0
        self._width = 0

    def update(self, accounts: int, fraction: float | None = None) -> None:
        """``fraction``: share of the input read, for the time left when no total is known."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._shown < 0.25:
            return
        self._shown = now
        elapsed = now - self.started
        rate = accounts / elapsed if elapsed > 0 else 0.0
        done = accounts / self.total if self.total else fraction
        text = f"screening: {accounts:,}"
        if self.total:
            text += f"/{self.total:,}"
        text += f" accounts, {rate:,.0f}/s"
        if done and 0 < done <= 1:
            text += f", {done:.0%}, ETA {_duration(elapsed * (1 - done) / done)}"
        self._width = max(self._width, len(text))
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
