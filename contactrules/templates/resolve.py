"""A contact that names an approved template → the message that will be sent, or why none.

Why the engine renders rather than trusting text it is given: the rules judge words, and the
words a consumer receives are the approved text with the account's values in it. A
limited-content voicemail whose ``{{ callback_phone }}`` holds the balance, or an opt-out slot
left empty, can only be caught in the rendered message. So a contact may carry ``template.id``
and ``template.data`` instead of text; the engine picks the approved version, renders it, and
the template rules read the result.

Everything that stops a message from being resolved is a deny with its reason (fail closed),
never a message judged without its text: no registry loaded, an unknown id, version or
language, a text not in force on the consumer's local date (on every date the contact falls on
in the consumer's candidate zones), a channel or purpose that is not the template's, a
consumer outside the template's jurisdictions, or a required value missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..decision import Reason, TemplateUse, engine_reason
from ..diagnostics import RulesetError
from ..localtime import ZoneRef, local_dates
from ..location.candidates import JurisdictionKey, consumer_jurisdictions
from ..models import Contact, Template
from .registry import LoadedTemplate, Registry
from .render import render

__all__ = [
    "UNRESOLVED_RULE_ID",
    "Resolution",
    "covers",
    "resolve_template",
]

UNRESOLVED_RULE_ID = "CONTACTRULES-TEMPLATE-UNRESOLVED"
CITATION = (
    "contactrules fail-closed policy: a message is judged as it will be sent (docs/templates.md)"
)


@dataclass(frozen=True, slots=True)
class Resolution:
    """The contact with its message rendered, and which approved text it is; or the reason why
    it could not be resolved (then ``contact`` is the one given)."""

    contact: Contact
    use: TemplateUse | None = None
    loaded: LoadedTemplate | None = None
    problem: Reason | None = None


def covers(jurisdictions: Iterable[str], where: JurisdictionKey) -> bool:
    """Whether a template written for ``US`` or ``US-NY`` may be sent to a consumer located at
    ``where`` (country, subdivision, city): a country covers all of it, a subdivision itself."""
    country, subdivision, _city = where
    for code in jurisdictions:
        own_country, _, own_subdivision = code.partition("-")
        if own_country == country and (not own_subdivision or own_subdivision == subdivision):
            return True
    return False


def _problem(contact: Contact, message: str, **facts: object) -> Resolution:
    template = contact.template
    assert template is not None
    reason = engine_reason(
        UNRESOLVED_RULE_ID,
        f"the message cannot be resolved: {message}; the contact is denied rather than "
        "judged without its text",
        CITATION,
        template_id=template.id,
        version=template.version,
        language=template.language,
        **facts,
    )
    return Resolution(contact, problem=reason)


def resolve_template(
    contact: Contact, registry: Registry | None, zones: Sequence[ZoneRef]
) -> Resolution:
    """Render the registered template a contact names (see the module docstring)."""
    template = contact.template
    if template is None or not template.registered:
        return Resolution(contact)
    assert template.id is not None and template.data is not None  # the model guarantees them
    if registry is None:
        return _problem(
            contact,
            f'it names the registered template "{template.id}" but no template registry is '
            "loaded (give the engine one: Engine.default(templates=...) or --templates PATH)",
        )
    dates = local_dates(contact.at, zones)
    chosen: LoadedTemplate | None = None
    for day in dates:
        try:
            picked = registry.select(
                template.id, template.language.lower(), version=template.version, on=day
            )
        except RulesetError as error:
            return _problem(contact, "; ".join(d.message for d in error.diagnostics), on=str(day))
        if chosen is not None and picked is not chosen:
            return _problem(
                contact,
                f"the consumer's local date may be {dates[0]} or {dates[-1]}, and a different "
                f"version of {template.id} is in force on each ({chosen.spec.label}, "
                f"{picked.spec.label}); name the version to send",
                dates=[str(d) for d in dates],
            )
        chosen = picked
    assert chosen is not None  # local_dates is never empty
    spec = chosen.spec
    if spec.channel is not contact.channel:
        return _problem(
            contact,
            f"{spec.label} is approved for {spec.channel.value}, not for a {contact.channel.value}",
        )
    if "purpose" in template.model_fields_set and template.purpose is not spec.purpose:
        return _problem(
            contact,
            f"the contact says its purpose is {template.purpose.value}, but {spec.label} is "
            f"approved as {spec.purpose.value}",
        )
    places = consumer_jurisdictions(contact)
    outside = sorted(
        "-".join(part for part in where[:2] if part)
        for where in places
        if not covers(spec.jurisdictions, where)
    )
    if not places or outside:
        located = ", ".join(outside) if places else "not known (no address or phone country)"
        return _problem(
            contact,
            f"{spec.label} may be sent in {', '.join(spec.jurisdictions)}; the consumer's "
            f"location is {located}",
            jurisdictions=list(spec.jurisdictions),
        )
    try:
        text = render(spec, template.data, source="<template data>")
    except RulesetError as error:
        return _problem(contact, "; ".join(d.message for d in error.diagnostics))
    # Built without validation on purpose: a rendered template keeps its data (so rules can
    # tell it came from the registry) beside its text, which an input may not give together.
    rendered = Template.model_construct(
        id=spec.id,
        version=spec.version,
        language=spec.language,
        purpose=spec.purpose,
        text=text,
        data=template.data,
    )
    use = TemplateUse(
        id=spec.id,
        version=spec.version,
        language=spec.language,
        content_hash=chosen.content_hash,
        purpose=spec.purpose.value,
    )
    return Resolution(contact.model_copy(update={"template": rendered}), use, chosen)
