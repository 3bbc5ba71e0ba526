"""The root of every exception contactrules raises: :class:`ContactrulesError`.

Why one root: a dialer or CRM that embeds the library wants one ``except`` clause between "the
library refused this input or could not do its job" and its own bugs. Every exception class the
package defines derives from :class:`ContactrulesError`, directly or through one of the middle
classes below, and keeps any built-in base it had (``ValueError``, ``KeyError``) so that code
catching those goes on working::

    ContactrulesError
    ├── InputError                 bad input: the caller can fix it
    │   ├── RulesetError           ruleset, scenario or case files with located diagnostics
    │   ├── UnknownZoneError       (also ValueError) a name that is not an IANA time zone
    │   ├── UnknownCalendarError   (also ValueError) a holiday calendar the data does not know
    │   └── AuditFileError         (also ValueError) an exported audit line cannot be read back
    └── LedgerError                the shared contact ledger cannot be used as asked
        ├── SchemaTooNewError      the database was written by a newer contactrules
        ├── UnknownRecordError     (also KeyError) no contact record has this id
        ├── IdempotencyConflictError  an idempotency key already names another contact
        ├── ConnectionLostError    the database connection could not be restored in time
        ├── ReadOnlyLedgerError    a write to a ledger opened (or served) read-only
        └── IdentifierKeyError     the identifier key is missing or not the ledger's

The ledger's classes are exported from :mod:`contactrules.ledger`, the others from the package.

A decision that *denies* is not an exception: the engine fails closed and says why in the
decision's reasons (see docs/codes.md). Exceptions are for input that cannot be judged at all.

This module imports nothing from the package, so any module may derive from these classes.
"""

from __future__ import annotations

__all__ = ["ContactrulesError", "InputError"]


class ContactrulesError(Exception):
    """Base class of every exception contactrules raises; catch it to catch them all."""


class InputError(ContactrulesError):
    """Input the library cannot use: a file, a value or a name the caller can correct."""
