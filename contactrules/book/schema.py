"""The columnar book: the Arrow schemas of the accounts and history files, and the CSV layout.

One row per account (a consumer with its debts, addresses, phones, flags…) and one row per
history record, joined by ``consumer_id``. The columns are the fields of
:class:`~contactrules.models.Consumer` and :class:`~contactrules.models.ContactRecord` under
the same names, so the scenario format (docs/input-format.md) and the book say the same thing
the same way: nested values are Arrow lists and structs in Parquet and Arrow IPC, and JSON text
in the same column of a CSV file (docs/screening.md).

Only ``consumer_id`` is required in the accounts file, and ``consumer_id``, ``channel``,
``at`` and ``outcome`` in the history file; other columns may be left out (every value then
takes its default, as an omitted key does). A column that is not listed here is an error: a
misspelt ``cease_debt_id`` must not vanish silently.

Importing this module imports pyarrow (the ``screen`` extra): ``import contactrules`` does not.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

__all__ = [
    "ACCOUNT_COLUMNS",
    "ACCOUNT_NESTED",
    "ACCOUNT_REQUIRED",
    "ACCOUNT_SCHEMA",
    "DECISION_SCHEMA",
    "HISTORY_BOOLEANS",
    "HISTORY_COLUMNS",
    "HISTORY_NESTED",
    "HISTORY_REQUIRED",
    "HISTORY_SCHEMA",
    "ROW",
]

#: The column the readers add to every batch: the row's 1-based place in its file.
ROW = "__row__"

_INSTANT = pa.timestamp("us", tz="UTC")
_IDS = pa.list_(pa.string())

_ADDRESS = pa.struct(
    [
        ("country", pa.string()),
        ("subdivision", pa.string()),
        ("city", pa.string()),
        ("postal_code", pa.string()),
        ("kind", pa.string()),
        ("zone", pa.string()),
    ]
)
_PHONE = pa.struct(
    [
        ("number", pa.string()),
        ("type", pa.string()),
        ("zone", pa.string()),
        ("reassigned_check_at", _INSTANT),
        ("reassigned_reported_on", pa.date32()),
    ]
)
_EMAIL = pa.struct(
    [
        ("address", pa.string()),
        ("employer_provided", pa.bool_()),
        ("source", pa.string()),
        ("notice_sent_at", _INSTANT),
    ]
)
_DEBT = pa.struct(
    [
        ("id", pa.string()),
        ("time_barred", pa.bool_()),
        ("dispute_pending_verification", pa.bool_()),
        ("incurred_on", pa.date32()),
        ("creditor", pa.string()),
        ("initial_communication_at", _INSTANT),
        ("particular_debt", pa.string()),
        ("payment_arrangement_kept", pa.bool_()),
        ("validation_notice_at", _INSTANT),
        ("disputed_at", _INSTANT),
        ("dispute_in_writing", pa.bool_()),
        ("verification_sent_at", _INSTANT),
    ]
)
_OPT_OUT = pa.struct([("channel", pa.string()), ("address", pa.string()), ("at", _INSTANT)])
_INCONVENIENT = pa.struct(
    [("days", _IDS), ("start", pa.string()), ("end", pa.string()), ("channels", _IDS)]
)
_FLAGS = pa.struct(
    [
        ("cease_debt_ids", _IDS),
        ("attorney_debt_ids", _IDS),
        ("opt_outs", pa.list_(_OPT_OUT)),
        ("inconvenient_times", pa.list_(_INCONVENIENT)),
        ("inconvenient_places", _IDS),
        ("employer_prohibits_contact", pa.bool_()),
    ]
)
_CONSENT = pa.struct(
    [
        ("scope", pa.string()),
        ("source", pa.string()),
        ("granted_at", _INSTANT),
        ("expires_at", _INSTANT),
        ("revoked_at", _INSTANT),
        ("channel", pa.string()),
        ("address", pa.string()),
        ("debt_ids", _IDS),
        ("start", pa.string()),
        ("end", pa.string()),
        ("place", pa.string()),
    ]
)
_BANKRUPTCY = pa.struct(
    [
        ("filed_on", pa.date32()),
        ("chapter", pa.int32()),
        ("debt_ids", _IDS),
        ("stay_ended_on", pa.date32()),
        ("stay_end_reason", pa.string()),
        ("discharged_debt_ids", _IDS),
    ]
)
_MORATORIUM = pa.struct(
    [
        ("kind", pa.string()),
        ("started_on", pa.date32()),
        ("ended_on", pa.date32()),
        ("debt_ids", _IDS),
    ]
)

ACCOUNT_SCHEMA = pa.schema(
    [
        pa.field("consumer_id", pa.string(), nullable=False),
        ("language", pa.string()),
        ("deceased_on", pa.date32()),
        ("addresses", pa.list_(_ADDRESS)),
        ("phones", pa.list_(_PHONE)),
        ("emails", pa.list_(_EMAIL)),
        ("zones", _IDS),
        ("debts", pa.list_(_DEBT)),
        ("flags", _FLAGS),
        ("consents", pa.list_(_CONSENT)),
        ("bankruptcies", pa.list_(_BANKRUPTCY)),
        ("moratoria", pa.list_(_MORATORIUM)),
        # Where the screened contact would go: a call, voicemail or text to `to_phone`, an
        # e-mail to `to_email`. Left out, the destination is not named and rules about a
        # particular number judge it as the kind that denies (fail closed).
        ("to_phone", pa.string()),
        ("to_email", pa.string()),
    ]
)
"""The accounts file: one row per consumer. Instants may also be ISO 8601 text with an offset,
and any timestamp type with a time zone is read; a timestamp without one is refused."""

HISTORY_SCHEMA = pa.schema(
    [
        pa.field("consumer_id", pa.string(), nullable=False),
        pa.field("channel", pa.string(), nullable=False),
        pa.field("at", _INSTANT, nullable=False),
        ("debt_ids", _IDS),
        pa.field("outcome", pa.string(), nullable=False),
        ("initiated_by", pa.string()),
        ("to", pa.string()),
        ("to_work", pa.bool_()),
        ("recipient", pa.string()),
        ("third_party_id", pa.string()),
        ("purpose", pa.string()),
        ("dial_method", pa.string()),
        ("text", pa.string()),
        ("requested_by_consumer", pa.bool_()),
    ]
)
"""The history file: one row per past contact, the fields of ``ContactRecord``."""

ACCOUNT_COLUMNS = tuple(ACCOUNT_SCHEMA.names)
HISTORY_COLUMNS = tuple(HISTORY_SCHEMA.names)
ACCOUNT_REQUIRED = ("consumer_id",)
HISTORY_REQUIRED = ("consumer_id", "channel", "at", "outcome")


def _nested(schema: pa.Schema) -> frozenset[str]:
    return frozenset(
        f.name for f in schema if pa.types.is_list(f.type) or pa.types.is_struct(f.type)
    )


#: Columns whose CSV cells are JSON text (lists and structs in Parquet).
ACCOUNT_NESTED = _nested(ACCOUNT_SCHEMA)
HISTORY_NESTED = _nested(HISTORY_SCHEMA)
#: Columns whose CSV cells are ``true`` or ``false``.
HISTORY_BOOLEANS = frozenset(f.name for f in HISTORY_SCHEMA if pa.types.is_boolean(f.type))

DECISION_SCHEMA = pa.schema(
    [
        pa.field("consumer_id", pa.string(), nullable=False),
        pa.field("channel", pa.string(), nullable=False),
        pa.field("allowed", pa.bool_(), nullable=False),
        ("next_allowed_at", _INSTANT),
        ("next_allowed_note", pa.string()),
        ("rule_ids", _IDS),
        ("citations", _IDS),
        ("binding_zone", pa.string()),
        ("zones", _IDS),
        pa.field("fingerprint", pa.string(), nullable=False),
    ]
)
"""One row per account and channel: the decisions file."""


def describe(schema: pa.Schema) -> list[dict[str, Any]]:
    """The schema as plain rows (name, Arrow type, required) for docs and ``--help``."""
    return [{"name": f.name, "type": str(f.type), "required": not f.nullable} for f in schema]
