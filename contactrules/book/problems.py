"""Bad rows: a row of the book that cannot be used, located by file, row and column.

A bad row never stops the screen (unless ``--strict``) and is never silent: it is reported,
and the account it belongs to, when it can be told, is denied with
``CONTACTRULES-INVALID-ROWS`` (its history is partial, so no count can be trusted). A row
that cannot be tied to an account (no consumer id, or an id no account has) is reported only.

Plain values, no pyarrow: they travel back from worker processes and Spark executors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import codes
from ..diagnostics import Diagnostic, Location

__all__ = ["BadRow", "FileInfo", "loc_text"]


@dataclass(frozen=True)
class FileInfo:
    """What a bad row needs to say where it is: the file, its format and column order."""

    path: str
    csv: bool
    columns: tuple[str, ...]

    def line(self, row: int | None) -> int:
        """The row's line: in a CSV file the header is line 1; otherwise the 1-based row."""
        if row is None:
            return 0
        return row + 1 if self.csv else row

    def col(self, column: str | None) -> int:
        if column is None or column not in self.columns:
            return 0
        return self.columns.index(column) + 1


@dataclass(frozen=True)
class BadRow:
    """One problem with one row; ``row`` is its 1-based place among the file's data rows."""

    path: str
    row: int | None
    column: str | None
    code: str
    message: str
    consumer_id: str | None = None
    line: int = 0
    col: int = 0

    @classmethod
    def at(
        cls,
        info: FileInfo,
        row: int | None,
        column: str | None,
        code: str,
        message: str,
        consumer_id: str | None = None,
    ) -> BadRow:
        top = None if column is None else column.split(".", 1)[0].split("[", 1)[0]
        return cls(
            info.path,
            row,
            column,
            code,
            message,
            consumer_id,
            info.line(row),
            info.col(top),
        )

    def diagnostic(self) -> Diagnostic:
        where = f"column {self.column}: " if self.column else ""
        who = f" (consumer {self.consumer_id})" if self.consumer_id is not None else ""
        row = f"row {self.row}{who}: " if self.row is not None else (who[1:] + ": " if who else "")
        return Diagnostic(
            Location(self.path, self.line, self.col),
            self.code,
            f"{row}{where}{self.message}",
            "warning",
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message": self.message,
            "consumer_id": self.consumer_id,
        }


def loc_text(loc: tuple[int | str, ...]) -> str:
    """A pydantic location as a column path: ``("phones", 0, "number")`` → ``phones[0].number``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


#: The codes of bad rows, for the summary (each is also in contactrules/codes.py).
BAD_ROW_CODES = (
    codes.SCREEN_INVALID_VALUE.code,
    codes.SCREEN_MISSING_CONSUMER_ID.code,
    codes.SCREEN_UNKNOWN_CONSUMER.code,
    codes.SCREEN_DUPLICATE_ACCOUNT.code,
    codes.SCREEN_UNKNOWN_DEBT.code,
    codes.SCREEN_NO_DEBTS.code,
)
