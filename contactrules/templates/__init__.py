"""Message templates: approved texts in a registry beside the rulesets, and their rendering.

A collector sends the same reminder in English and Spanish, by text and by voicemail. Each text
is approved once, by name and date, and must reach the consumer exactly as approved with only
the account's values filled in. So the texts live in YAML registries (``*.templates.yaml``,
docs/templates.md) that the same officers edit and check as rulesets, each text carries a
content hash computed from it, and rendering fills ``{{ name }}`` placeholders and nothing else.

Modules, one job each: :mod:`.model` (the file format), :mod:`.language` (language codes),
:mod:`.syntax` (the placeholder scanner), :mod:`.content_hash` (the canonical form and hash),
:mod:`.checks` (problems between keys and entries), :mod:`.registry` (files → registry),
:mod:`.render` (values → message), :mod:`.language_id` (whether a text reads as its declared
language) and :mod:`.sms` (a text message's encoding and segments); those two are imported
where used, not here, so that importing contactrules does not load them.
"""

from __future__ import annotations

from .content_hash import canonical_form, content_hash
from .model import MessageTemplate, Placeholders, RegistryFile
from .registry import LoadedTemplate, Registry, check_paths, load_registry
from .render import MAX_RENDERED_CHARS, render

__all__ = [
    "MAX_RENDERED_CHARS",
    "LoadedTemplate",
    "MessageTemplate",
    "Placeholders",
    "Registry",
    "RegistryFile",
    "canonical_form",
    "check_paths",
    "content_hash",
    "load_registry",
    "render",
]
