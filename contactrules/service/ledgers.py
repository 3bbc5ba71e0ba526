"""Each tenant's ledger, as a small pool of connections per worker process.

A :class:`~contactrules.ledger.Ledger` object serialises its calls (one connection), so one per
tenant would make every reservation of a worker wait for the one before it, although the ledger
only excludes writers for the *same consumer*. A pool of up to ``ledger_connections`` ledgers per
tenant lets reservations for different consumers run at once, each in a thread (the calls block
on the database), while the ledger's own lock keeps each consumer's check-and-record atomic
across every connection, worker and machine.

Ledgers are opened on first use, not at start: the service answers decisions (which need no
ledger) even while a database is down, and ``/readyz`` says which ledger cannot be reached. A
private in-memory SQLite ledger (``sqlite://:memory:``, for demos) is one connection, since each
connection to ``:memory:`` would be a database of its own.

The ledger judges with the engine of the request's snapshot: it is set on the ledger object
while the calling thread holds it exclusively, so a reload never changes the rules in the middle
of a reservation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

from ..engine import Engine
from ..ledger import Ledger, open_ledger

__all__ = ["LedgerPool", "LedgerPools", "in_memory"]

T = TypeVar("T")


def in_memory(url: str) -> bool:
    """Whether the URL names a private in-memory SQLite ledger (one per connection)."""
    return url in ("sqlite:", "sqlite://", "sqlite::memory:", "sqlite://:memory:")


class LedgerPool:
    """Up to ``size`` ledgers on one URL, lent to one thread at a time."""

    def __init__(self, url: str, size: int) -> None:
        self.url = url
        self.size = 1 if in_memory(url) else size
        self._idle: list[Ledger] = []
        self._lock = threading.Lock()
        self._limiter: CapacityLimiter | None = None

    def _borrow(self, engine: Engine) -> Ledger:
        with self._lock:
            if self._idle:
                ledger = self._idle.pop()
                ledger.engine = engine
                return ledger
        return open_ledger(self.url, engine)

    def _give_back(self, ledger: Ledger) -> None:
        with self._lock:
            self._idle.append(ledger)

    def call(self, engine: Engine, operation: Callable[[Ledger], T]) -> T:
        """Run ``operation`` on a ledger of the pool, in the calling thread."""
        ledger = self._borrow(engine)
        try:
            return operation(ledger)
        finally:
            self._give_back(ledger)

    async def run(self, engine: Engine, operation: Callable[[Ledger], T]) -> T:
        """Run ``operation`` in a worker thread, at most ``size`` at a time per pool."""
        if self._limiter is None:  # made inside the event loop, on first use
            self._limiter = CapacityLimiter(self.size)
        return await anyio.to_thread.run_sync(self.call, engine, operation, limiter=self._limiter)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for ledger in idle:
            ledger.close()


class LedgerPools:
    """One pool per ledger URL, made on first use."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pools: dict[str, LedgerPool] = {}
        self._lock = threading.Lock()

    def pool(self, url: str) -> LedgerPool:
        with self._lock:
            found = self._pools.get(url)
            if found is None:
                found = self._pools[url] = LedgerPool(url, self.size)
            return found

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()
