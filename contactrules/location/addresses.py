"""Phone numbers and e-mail addresses compared as destinations, whatever way they are written.

A cap or an opt-out counts contacts to one destination; "+1 (312) 555-0177" and "+13125550177"
are the same number, and e-mail addresses compare without case.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["address_key", "same_address"]


@lru_cache(maxsize=65536)
def address_key(address: str) -> str:
    """A comparable form of a phone number or e-mail address.

    E-mail addresses compare without case; phone numbers as E.164 when they parse (so
    "+1 (312) 555-0177" and "+13125550177" are the same number); anything else as written.
    """
    text = address.strip()
    if "@" in text:
        return text.casefold()
    try:
        import phonenumbers

        parsed = phonenumbers.parse(text, None)
    except Exception:  # not a number phonenumbers can read: compare the text itself
        return text
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def same_address(first: str | None, second: str | None) -> bool:
    """Whether two addresses or numbers name the same destination (None matches nothing)."""
    if first is None or second is None:
        return False
    return first == second or address_key(first) == address_key(second)
