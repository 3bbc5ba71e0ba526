"""``template``: the message must carry required disclosures and no prohibited wording.

What it does
    Checks the proposed contact's template text in the template's language (for a template
    sent by id, the message rendered from the registry). Each ``required`` group must be met
    (any one of its phrases present), and each required ``disclosure`` from the disclosure
    library must be carried by its substance: every element, by one of its forms in the
    message's language, in one sentence and not negated (docs/disclosures.md). No
    ``forbidden`` phrase may appear, except inside a disclosure that a rule applying to the
    message requires (a state's time-barred notice speaks of suits; it is never a threat).
    Phrases match whole words, ignoring case, punctuation and spacing, so "Reply STOP to opt
    out." contains "reply stop". There are no regular expressions, so nothing can backtrack.
    Fails closed: no template where one is required, or a language the ruleset has no phrases
    for, is a deny that says so. ``language_must_match`` denies a template that is not in the
    consumer's preferred language; with ``language_fallback`` a listed language is accepted
    when the template registry has no approved version of that template in the preferred
    language (known only for a template sent by id). ``max_length`` bounds the text.
    ``require_phone_number`` denies a message with no telephone number in it (a limited-content
    message must give one to call back); it counts digits rather than matching a pattern, for
    the same reason. A deny for forbidden wording lists every phrase found in the fact
    ``found``. ``language_verified`` denies a message whose text is identified, with
    confidence, as another language than its template declares (the phrases are looked up by
    the declared language, so an English text labelled ``es`` would otherwise pass English
    checks unread); a text too short to identify, or in a language the identifier does not
    know, is not denied for it (docs/template-language.md). ``max_sms_segments`` denies a text
    message (channel ``sms``) that takes more SMS segments than that, counted on the text as
    sent: GSM-7 or UCS-2, 160/70 characters in one segment, 153/67 per part of a longer one.

Regulatory basis
    12 CFR 1006.6(e) (opt-out notice in electronic messages); 1006.18(e) and 15 U.S.C. 1692e(11)
    (mini-Miranda); 1006.2(j) (limited-content message, which must give a telephone number to
    reply to); 1006.26(b) (time-barred debts); 15 U.S.C. 1692d(2) and 12 CFR 1006.14(d)
    (obscene or profane language).

Options
    ``required``: a list of ``{name, phrases: {LANG: [..], any: [..]}}`` or ``{disclosure:
    ID}``; ``forbidden``: a list of ``{name, phrases: …}``; ``require_template`` (default
    true); ``language_must_match``; ``language_fallback``; ``max_length``;
    ``require_phone_number`` (default false); ``language_verified`` (default false);
    ``max_sms_segments``.

Example
    .. code-block:: yaml

        - id: US-FED-REGF-1006.6e-EOPTOUT-NOTICE
          kind: template
          channels: [sms, email, social_dm]
          required:
            - disclosure: US-FED-1006.6e-OPT-OUT
          citation: 12 CFR 1006.6(e)

    PASS: "…Reply STOP to opt out." FAIL: a text with no opt-out instructions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    Tag,
    field_validator,
)

from ..context import UNKNOWN_LANGUAGE, ContactShape, Context
from ..disclosures.requirement import DisclosureRequirement
from ..disclosures.substance import Span, Tokens, masked_text, tokenize
from ..localtime import local_dates
from ..models import Channel
from .base import Finding, NextTime, RuleBase
from .linting import DEAD_CONDITION, NEVER_DENIES, LintScope, RuleLint, verb

__all__ = ["KIND", "PhraseGroup", "TemplateRule", "contains_phone_number", "normalize_text"]

KIND = "template"
ANY_LANGUAGE = "any"
_NON_WORD = re.compile(r"[^\w]+")
#: Characters that may join the digits of one written telephone number: "+1 (800) 555-0100".
_PHONE_JOINERS = frozenset(" -.()/+\u00a0")
#: Fewest and most digits of a telephone number: a ten-digit North American number with its area
#: code at least, an international (E.164) number at most.
PHONE_MIN_DIGITS = 10
PHONE_MAX_DIGITS = 15


@lru_cache(maxsize=8192)
def normalize_text(text: str) -> str:
    """Lower-case words separated by single spaces, padded, for whole-word phrase matching."""
    return " " + " ".join(_NON_WORD.sub(" ", text.casefold()).split()) + " "


def contains_phone_number(text: str) -> bool:
    """Whether the text writes a telephone number: 10 to 15 digits joined only by spaces,
    hyphens, dots, slashes, parentheses or a plus sign, found in one linear pass (no pattern, so
    nothing can backtrack). Vanity numbers written in letters ("1-800-FLOWERS") do not count."""
    digits = 0
    for char in (*text, "\n"):
        if char.isascii() and char.isdigit():
            digits += 1
        elif char in _PHONE_JOINERS and digits:
            continue
        else:
            if PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS:
                return True
            digits = 0
    return False


class PhraseGroup(BaseModel):
    """Phrases that say the same thing, per language (``any`` applies to every language)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    phrases: dict[str, list[str]] = Field(min_length=1)

    def for_language(self, language: str) -> list[str] | None:
        own = self.phrases.get(language.lower())
        common = self.phrases.get(ANY_LANGUAGE)
        if own is None and common is None:
            return None
        return [*(own or []), *(common or [])]


def _requirement_tag(value: object) -> str:
    """``{disclosure: ID}`` names a library entry; anything else is a phrase group."""
    if isinstance(value, DisclosureRequirement) or (
        isinstance(value, dict) and "disclosure" in value
    ):
        return "disclosure"
    return "phrases"


Requirement = Annotated[
    Annotated[PhraseGroup, Tag("phrases")] | Annotated[DisclosureRequirement, Tag("disclosure")],
    Discriminator(_requirement_tag),
]
"""One thing a message must say: a phrase group, or a disclosure from the library."""


class TemplateRule(RuleBase):
    KIND: ClassVar[str] = KIND
    NEXT_TIME: ClassVar[NextTime] = "never"  # the content is wrong at any hour
    FACTS: ClassVar[tuple[str, ...]] = (
        "problem",
        "language",
        "template_id",
        "found",
        "detected_language",
        "confidence",
        "sms_encoding",
        "sms_segments",
    )

    kind: Literal["template"]
    required: list[Requirement] = Field(default_factory=list)
    forbidden: list[PhraseGroup] = Field(default_factory=list)
    require_template: StrictBool = True
    language_must_match: StrictBool = False
    language_fallback: list[str] = Field(
        default_factory=list,
        description="With language_must_match: languages accepted when the template registry "
        "has no approved version of the template in the consumer's preferred language.",
    )
    max_length: int | None = Field(default=None, ge=1)
    require_phone_number: StrictBool = Field(
        default=False,
        description="Deny a message that gives no telephone number (10 to 15 digits, joined only "
        "by spaces, hyphens, dots, slashes, parentheses or a plus sign), such as a "
        "limited-content message's call-back number (12 CFR 1006.2(j)).",
    )
    language_verified: StrictBool = Field(
        default=False,
        description="Deny a message whose text is identified, with confidence, as another "
        "language than the template's (texts of fewer than 20 letters, or in a language the "
        "identifier does not know, are not denied for it).",
    )
    max_sms_segments: int | None = Field(
        default=None,
        ge=1,
        description="Deny a text message (channel sms) that takes more SMS segments than this "
        "(GSM-7 or UCS-2, counted on the text as sent).",
    )

    @field_validator("language_fallback")
    @classmethod
    def _fallback_languages(cls, value: list[str]) -> list[str]:
        from ..templates.language import check_language  # the templates package loads rules

        return [check_language(code) for code in value]

    def lint(self, scope: LintScope) -> Iterator[RuleLint]:
        """A rule that checks nothing, or a forbidden group with no phrases, never denies."""
        yield from super().lint(scope)
        checks = (
            self.required,
            self.forbidden,
            self.language_must_match,
            self.max_length,
            self.require_phone_number,
            self.language_verified,
            self.max_sms_segments,
        )
        if not self.require_template and not any(checks):
            yield RuleLint(
                ("require_template",),
                NEVER_DENIES,
                f'rule "{self.id}" requires no template and checks no phrase, language or '
                f"length, so it never {verb(self)}; add what the message must (not) say",
            )
        for index, group in enumerate(self.forbidden):
            for language, phrases in group.phrases.items():
                if not phrases:
                    yield RuleLint(
                        ("forbidden", index, "phrases", language),
                        DEAD_CONDITION,
                        f'forbidden "{group.name}" has no phrases for language "{language}", so '
                        "no message in it ever contains them; list the phrases, or remove the key",
                    )
        if self.max_sms_segments is not None and Channel.SMS not in self.channels:
            yield RuleLint(
                ("max_sms_segments",),
                DEAD_CONDITION,
                f'rule "{self.id}" limits SMS segments but does not apply to the sms channel, '
                "so the limit never applies; add sms to channels, or remove the key",
            )

    @property
    def disclosure_requirements(self) -> tuple[DisclosureRequirement, ...]:
        """The library disclosures the rule requires."""
        return tuple(r for r in self.required if isinstance(r, DisclosureRequirement))

    @property
    def requires_disclosures(self) -> bool:
        """Whether the rule names library disclosures (which shield words from forbidden lists)."""
        return bool(self.disclosure_requirements)

    def static_applies(self, shape: ContactShape) -> bool:
        # No text and none required: nothing to check, so skip the (history-scanning) conditions.
        if not shape.has_template and not self.require_template:
            return False
        return super().static_applies(shape)

    def instant_independent(self, ctx: Context) -> bool:
        """The text, its language and the consumer's language do not change with the hour."""
        return self.applicability_settled(ctx)

    def _finding(
        self,
        ctx: Context,
        problem: str,
        language: str | None,
        found: list[str] | None = None,
    ) -> Finding:
        template = ctx.contact.template
        return Finding(
            problem,
            {
                "problem": problem,
                "language": language,
                "template_id": template.id if template else None,
                "found": found,
            },
        )

    def _language_refusal(self, ctx: Context, language: str, preferred: str) -> str | None:
        """Why a message not in the consumer's preferred language is refused, or ``None`` when
        a fallback language is allowed because no approved text in that language exists."""
        refusal = f"the template is in {language} but the consumer prefers {preferred}"
        if language not in self.language_fallback:
            return refusal
        template = ctx.contact.template
        assert template is not None
        exists = preferred_version_exists(ctx, template.id, preferred)
        if exists is None:
            return (
                f"{refusal}; {language} is allowed only when no approved {preferred} version "
                "exists, which cannot be verified for a message not sent from the template "
                "registry by id"
            )
        if exists:
            return f"{refusal}, and an approved {preferred} version of {template.id} is in force"
        return None

    def _sms_finding(self, ctx: Context, text: str, language: str) -> Finding | None:
        """More SMS segments than ``max_sms_segments`` allows (:mod:`..templates.sms`)."""
        from ..templates.sms import sms_length  # the templates package imports the rules

        length = sms_length(text)
        if self.max_sms_segments is None or length.segments <= self.max_sms_segments:
            return None
        finding = self._finding(
            ctx,
            f"the text message takes {length.segments} SMS segments ({length.describe()}); "
            f"the limit is {self.max_sms_segments}",
            language,
        )
        facts = {**finding.facts, "sms_encoding": length.encoding, "sms_segments": length.segments}
        return Finding(finding.message, facts, finding.zone)

    def _language_finding(self, ctx: Context, text: str, language: str) -> Finding | None:
        """A text identified, with confidence, as another language than declared
        (:mod:`..templates.language_id`); the declared code is read as a primary subtag."""
        from ..templates.language import normalise_language  # (see _sms_finding)
        from ..templates.language_id import verify_language

        declared = normalise_language(language) or language
        found = verify_language(text, declared)
        if not found.mismatch:
            return None
        finding = self._finding(
            ctx,
            f"the message {found.describe()}, but its template says {declared}; its wording was "
            f"checked against the {declared} phrases, so it cannot be verified",
            language,
        )
        facts = {
            **finding.facts,
            "detected_language": found.detected,
            "confidence": round(found.confidence, 3),
        }
        return Finding(finding.message, facts, finding.zone)

    def check(self, ctx: Context) -> Finding | None:
        template = ctx.contact.template
        if template is None:
            if not self.require_template:
                return None
            return self._finding(
                ctx, f"a {ctx.channel.value} needs its message text to be checked; none given", None
            )
        language = template.language.lower()
        stated = ctx.contact.consumer.language
        if self.language_must_match and stated:
            # es-MX, ES and spa are all es; a value that is no language code is compared as
            # written, so it matches no template (fail closed) and the reason shows it.
            preferred = ctx.shape.language
            if preferred == UNKNOWN_LANGUAGE:
                preferred = stated.strip().lower()
            if preferred != language:
                refused = self._language_refusal(ctx, language, preferred)
                if refused is not None:
                    return self._finding(ctx, refused, language)
        if self.max_length is not None and len(template.text) > self.max_length:
            return self._finding(
                ctx,
                f"the message is {len(template.text)} characters; the limit is {self.max_length}",
                language,
            )
        if self.max_sms_segments is not None and ctx.channel is Channel.SMS:
            too_long = self._sms_finding(ctx, template.text, language)
            if too_long is not None:
                return too_long
        if self.language_verified:
            misread = self._language_finding(ctx, template.text, language)
            if misread is not None:
                return misread
        tokens = tokenize(template.text)
        text = normalize_text(template.text)
        for requirement in self.required:
            if isinstance(requirement, DisclosureRequirement):
                missing = requirement.missing(language, tokens)
                if missing is None:
                    return self._finding(
                        ctx,
                        f'the disclosure library has no {language} forms of "{requirement.name}"'
                        "; the ruleset cannot verify the message",
                        language,
                    )
                if missing:
                    return self._finding(
                        ctx,
                        f"the message does not carry {requirement.disclosure}: it lacks the "
                        f"element {missing[0]!r}",
                        language,
                    )
                continue
            phrases = requirement.for_language(language)
            if phrases is None:
                return self._finding(ctx, _no_phrases(requirement, language), language)
            if not any(normalize_text(p) in text for p in phrases):
                return self._finding(ctx, f"the message lacks the {requirement.name}", language)
        shielded: str | None = None
        for group in self.forbidden:
            phrases = group.for_language(language)
            if phrases is None:
                return self._finding(ctx, _no_phrases(group, language), language)
            if any(normalize_text(p) in text for p in phrases):
                # What a rule requires of this message is never read for forbidden words (a
                # state's time-barred notice speaks of suits; California's rights notice of
                # arrest). Worked out only when a forbidden phrase appears at all.
                if shielded is None:
                    shielded = masked_text(tokens, _mandated_spans(ctx, language, tokens))
                found = [p for p in phrases if normalize_text(p) in shielded]
                if found:
                    quoted = ", ".join(f'"{phrase}"' for phrase in found)
                    return self._finding(
                        ctx, f"the message contains {group.name}: {quoted}", language, found
                    )
        if self.require_phone_number and not contains_phone_number(template.text):
            return self._finding(ctx, "the message gives no telephone number to reply to", language)
        return None


def _no_phrases(group: PhraseGroup, language: str) -> str:
    return (
        f'no phrases for "{group.name}" in language {language}; the ruleset cannot verify the '
        "message"
    )


def _mandated_spans(ctx: Context, language: str, tokens: Tokens) -> list[Span]:
    """Where the message carries a disclosure that a rule applying to it requires."""
    spans: list[Span] = []
    for rule in ctx.disclosure_rules:
        if not isinstance(rule, TemplateRule):
            continue
        try:
            applies = rule.applies(ctx)
        except Exception:  # a rule that cannot say shields nothing (stricter)
            continue
        if not applies:
            continue
        for requirement in rule.disclosure_requirements:
            spans.extend(requirement.spans(language, tokens))
    return spans


def preferred_version_exists(ctx: Context, template_id: str | None, preferred: str) -> bool | None:
    """Whether the registry holds a version of ``template_id`` in ``preferred`` for this channel,
    in force on every local date of the contact; ``None`` when that cannot be known (no
    registry, no id, or an id the registry does not have)."""
    registry = ctx.templates
    if registry is None or template_id is None:
        return None
    same = [t for t in registry.templates if t.spec.id == template_id]
    if not same:
        return None
    dates = local_dates(ctx.contact.at, ctx.zones)
    return any(
        t.spec.language == preferred
        and t.spec.channel is ctx.channel
        and all(t.in_effect(day) for day in dates)
        for t in same
    )
