"""Personal data in the ledger: identifiers stored keyed-hashed, and what erasure leaves.

Why keyed hashes: a consumer's id is what links every table of the ledger to a person. With an
operator's key (given to the ledger, never stored in it), the ledger stores
``hmac-sha256:<hex>`` of each consumer id and third-party id instead: the same person always
gets the same pseudonym, so counts, cooldowns and replay work exactly as before (rules compare
these ids only for equality, and are given the pseudonyms too), but reading the database no
longer tells whose records they are. Whoever holds the key computes a pseudonym from an id to
look a consumer up; nobody can go the other way. Only consumer and third-party ids are
replaced: phone numbers, e-mail addresses, places and debt ids are facts the rules read (a
number's area code gives a time zone, a debt id matches a cease request) and are kept, until
the consumer's data is erased.

The ledger stores a check value of the key (an HMAC of a fixed text, from which the key cannot
be recovered when it is long and random) so that a worker started with another key, or none, is
refused instead of splitting every consumer's history in two (which would let caps be exceeded).

Erasure (:meth:`~.base.Ledger.erase_consumer`) replaces what identifies a consumer with
:data:`ERASED` and keeps only what the audit chain needs; :func:`redact_decision` is what is left
of a decision.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

from ..models import Contact, ContactRecord

__all__ = [
    "ERASED",
    "ERASED_CONTACT",
    "ERASED_TEXT",
    "IDENTIFIER_KEY_ENV",
    "MIN_KEY_BYTES",
    "PLAIN",
    "PSEUDONYM_PREFIX",
    "Identifiers",
    "identifier_key_from_env",
    "redact_decision",
    "redact_reasons",
]

IDENTIFIER_KEY_ENV = "CONTACTRULES_IDENTIFIER_KEY"
"""The environment variable the command line reads the operator's key from."""

MIN_KEY_BYTES = 32
"""A shorter key could be guessed from the check value the ledger keeps."""

PSEUDONYM_PREFIX = "hmac-sha256:"
PLAIN = "plain"
"""The ``identifiers`` setting of a ledger that stores ids as given."""

ERASED = "[erased]"
"""What an erased consumer id becomes, in every table."""

ERASED_TEXT = "[erased]"
"""What an erased reason's message becomes (its facts are emptied)."""

ERASED_CONTACT: dict[str, Any] = {"erased": True}
"""What a decision's stored contact becomes when its consumer's data is erased."""

_CHECK_TEXT = b"contactrules ledger: identifier key check"


def identifier_key_from_env(name: str = IDENTIFIER_KEY_ENV) -> str | None:
    """The operator's key from the environment, or None when the variable is unset or empty."""
    value = os.environ.get(name, "")
    return value or None


class Identifiers:
    """How one ledger object stores identifiers: as given, or keyed-hashed with ``key``.

    ``key`` must already be checked (at least :data:`MIN_KEY_BYTES` bytes); the ledger does that.
    """

    def __init__(self, key: bytes | None) -> None:
        self._key = key

    @property
    def keyed(self) -> bool:
        return self._key is not None

    def setting(self) -> str:
        """The value of the ledger's ``identifiers`` setting for this key (or ``plain``)."""
        if self._key is None:
            return PLAIN
        check = hmac.new(self._key, _CHECK_TEXT, hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + check

    def _hash(self, kind: str, value: str) -> str:
        assert self._key is not None
        message = kind.encode() + b"\x00" + value.encode("utf-8")
        return PSEUDONYM_PREFIX + hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def consumer(self, consumer_id: str) -> str:
        """The consumer id as the ledger stores it."""
        return consumer_id if self._key is None else self._hash("consumer", consumer_id)

    def third_party(self, third_party_id: str | None) -> str | None:
        """A third party's id as the ledger stores it."""
        if self._key is None or third_party_id is None:
            return third_party_id
        return self._hash("third_party", third_party_id)

    def contact(self, contact: Contact) -> Contact:
        """The contact as the ledger judges and stores it (the same object when not keyed)."""
        if self._key is None:
            return contact
        consumer = contact.consumer.model_copy(update={"id": self.consumer(contact.consumer.id)})
        return contact.model_copy(
            update={
                "consumer": consumer,
                "third_party_id": self.third_party(contact.third_party_id),
            }
        )

    def record(self, record: ContactRecord) -> ContactRecord:
        """A record as the ledger stores it."""
        if self._key is None or record.third_party_id is None:
            return record
        return record.model_copy(update={"third_party_id": self.third_party(record.third_party_id)})


def redact_reasons(reasons: list[Any]) -> list[Any]:
    """Reasons (or grounds) without their messages and facts, which may name a phone number or
    an e-mail address; rule ids, citations and zones are kept."""
    redacted: list[Any] = []
    for reason in reasons:
        if isinstance(reason, dict):
            reason = {**reason, "message": ERASED_TEXT}
            if "facts" in reason:
                reason["facts"] = {}
        redacted.append(reason)
    return redacted


def redact_decision(decision: dict[str, Any]) -> dict[str, Any]:
    """A logged decision without personal data: the verdict, rule ids, citations, zones and
    times stay; messages and facts go."""
    redacted = dict(decision)
    for key in ("reasons", "warnings", "grounds"):
        if isinstance(redacted.get(key), list):
            redacted[key] = redact_reasons(redacted[key])
    return redacted
