"""A whole screen: read the book, cut it into chunks, judge them (here or in worker processes),
write the decisions, count, and report the bad rows.

Workers receive columns: each chunk goes to a worker as Arrow tables (pickled as Arrow
buffers, a few microseconds per row) and comes back as an Arrow record batch of decisions, so
no pydantic object crosses a process boundary. Each worker gets the engine once, when it
starts. At most ``2 × processes`` chunks are in flight, so memory stays flat when the workers
are slower than the reader; decisions are written in the order of the input.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TextIO

from ..engine import Engine
from ..models import Channel, CollectorType, DialMethod
from .batches import CHUNK_ACCOUNTS, chunks
from .judge import Chunk, ChunkResult, Settings, judge_chunk
from .problems import BadRow, FileInfo
from .progress import Progress, Summary
from .read import Source, open_source
from .write import DecisionWriter, OutputFormat

__all__ = ["Outcome", "ScreenOptions", "screen_files"]


@dataclass(frozen=True)
class ScreenOptions:
    at: dt.datetime
    channels: tuple[Channel | str, ...]
    out: str
    fmt: OutputFormat
    dial_method: DialMethod | str | None = None
    collector_type: CollectorType | str = CollectorType.THIRD_PARTY_COLLECTOR
    processes: int = 1
    strict: bool = False
    sort: bool = False
    chunk_accounts: int = CHUNK_ACCOUNTS

    def __post_init__(self) -> None:
        """Channels and the dial method may be given as their text (``"call"``)."""
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError("the screening instant must be timezone-aware")
        if not self.channels:
            raise ValueError("screen at least one channel")
        channels = tuple(dict.fromkeys(Channel(c) for c in self.channels))
        object.__setattr__(self, "channels", channels)
        if self.dial_method is not None:
            object.__setattr__(self, "dial_method", DialMethod(self.dial_method))
        object.__setattr__(self, "collector_type", CollectorType(self.collector_type))


@dataclass
class Outcome:
    """How the screen went: the counts, every bad row, and whether the file was written."""

    summary: Summary
    problems: list[BadRow] = field(default_factory=list)
    written: bool = False


def screen_files(
    engine: Engine,
    accounts_path: str,
    history_path: str,
    options: ScreenOptions,
    *,
    progress_stream: TextIO | None = None,
    on_problem: Callable[[BadRow], None] | None = None,
    progress_always: bool = False,
) -> Outcome:
    """Screen the book in the two files and write the decisions file (see docs/screening.md).

    Raises :class:`~contactrules.diagnostics.RulesetError` for a file that cannot be read or
    is not sorted (without ``sort``); nothing is written then. Bad rows are passed to
    ``on_problem`` as they are found and returned in the outcome. The progress line goes to
    ``progress_stream`` when it is a terminal (always with ``progress_always``; never without
    a stream).
    """
    started = time.monotonic()
    accounts = open_source(accounts_path, "accounts")
    history = open_source(history_path, "history")
    context: AbstractContextManager[list[tuple[Source, Source]]]
    if options.sort:
        from .sort import sorted_sources  # only a screen that asks for it pays for the spill

        context = sorted_sources(accounts, history)
    else:
        context = _as_is(accounts, history)
    settings = Settings(
        at=options.at,
        channels=tuple(Channel(c) for c in options.channels),
        accounts=FileInfo(accounts.path, accounts.text_cells, accounts.columns),
        history=FileInfo(history.path, history.text_cells, history.columns),
        dial_method=None if options.dial_method is None else DialMethod(options.dial_method),
        collector_type=CollectorType(options.collector_type),
    )
    outcome = Outcome(Summary())
    progress = Progress(
        progress_stream or sys.stderr,
        accounts.total_rows,
        enabled=False if progress_stream is None else (True if progress_always else None),
    )
    writer = DecisionWriter(options.out, options.fmt, options.at.tzinfo or dt.timezone.utc)
    keep = False
    try:
        with context as pairs:
            parts = (
                chunk
                for left, right in pairs
                for chunk in chunks(
                    left, right, settings.accounts, settings.history, options.chunk_accounts
                )
            )
            for result in _judged(engine, settings, parts, options.processes):
                writer.write(result.decisions)
                outcome.summary.add(result.decisions, result.accounts)
                for problem in result.problems:
                    outcome.problems.append(problem)
                    outcome.summary.bad_rows[problem.code] += 1
                    if on_problem is not None:
                        on_problem(problem)
                progress.update(outcome.summary.accounts)
        keep = not (options.strict and outcome.problems)
    finally:
        progress.finish()
        writer.close(keep)
    outcome.written = keep
    outcome.summary.seconds = time.monotonic() - started
    return outcome


class _as_is:
    """The sources as given (already sorted): nothing to set up or clean."""

    def __init__(self, accounts: Source, history: Source) -> None:
        self.pairs = [(accounts, history)]

    def __enter__(self) -> list[tuple[Source, Source]]:
        return self.pairs

    def __exit__(self, *_: object) -> None:
        return None


def _judged(
    engine: Engine, settings: Settings, parts: Iterator[Chunk], processes: int
) -> Iterator[ChunkResult]:
    if processes <= 1:
        for chunk in parts:
            yield judge_chunk(engine, settings, chunk)
        return
    # Imported here: a one-process screen (and every start-up) never pays for the pool.
    from concurrent.futures import ProcessPoolExecutor

    window: deque[Future[ChunkResult]] = deque()
    with ProcessPoolExecutor(
        max_workers=processes, initializer=_init_worker, initargs=(engine, settings)
    ) as pool:
        for chunk in parts:
            window.append(pool.submit(_judge_in_worker, chunk))
            if len(window) >= 2 * processes:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


_WORKER: tuple[Engine, Settings] | None = None


def _init_worker(engine: Engine, settings: Settings) -> None:
    global _WORKER
    _WORKER = (engine, settings)


def _judge_in_worker(chunk: Chunk) -> ChunkResult:
    assert _WORKER is not None, "worker not initialised"
    return judge_chunk(_WORKER[0], _WORKER[1], chunk)
