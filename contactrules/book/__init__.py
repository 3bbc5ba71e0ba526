"""Screening a whole book from files: accounts and history as Parquet, Arrow IPC or CSV.

``contactrules screen`` (:mod:`contactrules.cli.screen`) and :func:`screen_files` read the
columnar format of docs/screening.md in batches, join accounts and history by consumer id as a
stream, judge each account on each channel with the engine, and write one decision row per
account and channel. Needs the ``screen`` extra (pyarrow); ``import contactrules`` does not
import this package, so the library starts as fast without it.
"""

from __future__ import annotations

from .read import BookError
from .run import Outcome, ScreenOptions, screen_files

__all__ = ["BookError", "Outcome", "ScreenOptions", "screen_files"]
