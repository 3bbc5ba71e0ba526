"""How long a text message is on the air: its encoding and how many SMS segments it takes.

Why: a text longer than one SMS is sent as several segments, each billed, and joined again by
the phone; a collector (or its ruleset) may cap them, and an officer approving a template
should see what a text costs. Two things decide the count, as 3GPP TS 23.038 and 23.040
define them:

- The encoding. A text written entirely in the GSM 7-bit default alphabet (:data:`GSM7_BASIC`)
  and its extension table (:data:`GSM7_EXTENSION`, whose characters take an escape and so
  count 2) is sent as GSM-7, counted in septets. Any other character (``á``, ``ç``, a curly
  quote ``’``, an emoji, Chinese) switches the whole text to UCS-2, counted in UTF-16 code
  units (a character beyond U+FFFF, such as most emoji, counts 2).
- The segments. One segment carries 160 septets or 70 UCS-2 units. A longer text is
  concatenated: each part gives 7 septets (6 octets) to the header that joins the parts, so it
  carries 153 septets or 67 units, and a part never ends inside an escape pair or a surrogate
  pair (the pair moves whole to the next part).

National language shift tables (23.038, annex A), which some networks use to send Spanish or
Portuguese accents in GSM-7, are not counted: such a text counts as UCS-2 here, which is never
fewer segments, so the count is an upper bound and a limit on it errs on the side of refusing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "PART_UNITS",
    "SINGLE_UNITS",
    "Encoding",
    "SmsLength",
    "encoding_of",
    "sms_length",
]

Encoding = Literal["GSM-7", "UCS-2"]

GSM7_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The GSM 7-bit default alphabet (23.038, 6.2.1), each character one septet. The escape code
0x1B is not a character of a text, so it is not here."""

GSM7_EXTENSION: frozenset[str] = frozenset("\f^{}\\[~]|€")
"""The default alphabet's extension table (23.038, 6.2.1.1): each is sent as the escape code and
a second septet, so it counts 2."""

SINGLE_UNITS: dict[Encoding, int] = {"GSM-7": 160, "UCS-2": 70}
"""What one segment carries, a message that needs no concatenation."""

PART_UNITS: dict[Encoding, int] = {"GSM-7": 153, "UCS-2": 67}
"""What each part of a concatenated message carries (the rest is its header)."""


def _gsm_weight(char: str) -> int:
    return 1 if char in GSM7_BASIC else 2


def _ucs2_weight(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def encoding_of(text: str) -> Encoding:
    """GSM-7 when every character is in the default alphabet or its extension, else UCS-2."""
    for char in text:
        if char not in GSM7_BASIC and char not in GSM7_EXTENSION:
            return "UCS-2"
    return "GSM-7"


@dataclass(frozen=True)
class SmsLength:
    """A text's encoding, its length in that encoding's units, and the segments it takes."""

    encoding: Encoding
    units: int
    """Septets (GSM-7) or UTF-16 code units (UCS-2)."""
    segments: int

    def describe(self) -> str:
        """``GSM-7, 163 septets, 2 segments``."""
        unit = "septets" if self.encoding == "GSM-7" else "UCS-2 units"
        plural = "segment" if self.segments == 1 else "segments"
        return f"{self.encoding}, {self.units} {unit}, {self.segments} {plural}"


def sms_length(text: str) -> SmsLength:
    """The encoding, units and segment count of ``text`` sent as one SMS message.

    An empty text takes one segment, as an empty message does.
    """
    encoding = encoding_of(text)
    weight = _gsm_weight if encoding == "GSM-7" else _ucs2_weight
    weights = [weight(char) for char in text]
    units = sum(weights)
    if units <= SINGLE_UNITS[encoding]:
        return SmsLength(encoding, units, 1)
    part = PART_UNITS[encoding]
    segments, used = 1, 0
    for size in weights:  # a pair that does not fit moves whole to the next part
        if used + size > part:
            segments += 1
            used = 0
        used += size
    return SmsLength(encoding, units, segments)
