"""The content hash of a template: what an approval signs, computed, never typed.

Why computed: an approver signs off one exact text. A hash written into the file by hand could
be left unchanged when the body is edited; one computed from the body cannot. Why only these
fields: the hash covers what the consumer receives and what it means (id, version, language,
channel, purpose, body, placeholders), not the record around it (approver, dates,
jurisdictions, note), so re-dating an approval or adding a state keeps the hash, and any change
of a character of the body changes it.

The canonical form, so that anyone can reproduce the hash without this library: a JSON object
with exactly these keys, written with keys sorted, no whitespace between tokens, non-ASCII
characters written as themselves, and encoded as UTF-8::

    {"body": "…", "channel": "sms", "id": "…", "language": "es",
     "optional": ["…"], "purpose": "payment_reminder", "required": ["…"], "version": 1}

``optional`` and ``required`` are the placeholder names sorted (their order in the file means
nothing); ``body`` is the text exactly as YAML reads it (line breaks as ``\\n``). For these
values it is the RFC 8785 (JSON Canonicalization Scheme) form. The hash is ``sha256:`` and the
64 lower-case hex digits of SHA-256 over those bytes; in Python, ``json.dumps(obj,
sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")``.
"""

from __future__ import annotations

import hashlib
import json

from .model import MessageTemplate

__all__ = ["canonical_form", "content_hash"]


def canonical_form(template: MessageTemplate) -> bytes:
    """The bytes the hash is taken over (see the module's docstring)."""
    fields = {
        "body": template.body,
        "channel": template.channel.value,
        "id": template.id,
        "language": template.language,
        "optional": sorted(template.placeholders.optional),
        "purpose": template.purpose.value,
        "required": sorted(template.placeholders.required),
        "version": template.version,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def content_hash(template: MessageTemplate) -> str:
    """``sha256:`` and the hex digest of :func:`canonical_form`."""
    return "sha256:" + hashlib.sha256(canonical_form(template)).hexdigest()
