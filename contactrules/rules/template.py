"""``template``: the message must carry required disclosures and no prohibited wording.

What it does
    Checks the proposed contact's template text in the template's language. Each ``required``
    group must be met (any one of its phrases present); no ``forbidden`` phrase may appear.
    Phrases match whole words, ignoring case, punctuation and spacing, so "Reply STOP to opt
    out." contains "reply stop". There are no regular expressions, so nothing can backtrack.
    Fails closed: no template where one is required, or a language the ruleset has no phrases
    for, is a deny that says so. ``language_must_match`` denies a template that is not in the
    consumer's preferred language; ``max_length`` bounds the text. ``require_phone_number``
    denies a message with no telephone number in it (a limited-content message must give one to
    call back); it counts digits rather than matching a pattern, for the same reason. A deny for
    forbidden wording lists every phrase found in the fact ``found``.

Regulatory basis
    12 CFR 1006.6(e) (opt-out notice in electronic messages); 1006.18(e) and 15 U.S.C. 1692e(11)
    (mini-Miranda); 1006.2(j) (limited-content message, which must give a telephone number to
    reply to); 1006.26(b) (time-barred debts); 15 U.S.C. 1692d(2) and 12 CFR 1006.14(d)
    (obscene or profane language).

Options
    ``required`` and ``forbidden``: lists of ``{name, phrases: {LANG: [..], any: [..]}}``;
    ``require_template`` (default true); ``language_must_match``; ``max_length``;
    ``require_phone_number`` (default false).

Example
    .. code-block:: yaml

        - id: US-FED-REGF-1006.6e-EOPTOUT-NOTICE
          kind: template
          channels: [sms, email, social_dm]
          required:
            - name: opt-out instructions
              phrases: {en: ["reply stop", "unsubscribe"], es: ["responda stop"]}
          citation: 12 CFR 1006.6(e)

    PASS: "…Reply STOP to opt out." FAIL: a text with no opt-out instructions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from ..context import ContactShape, Context
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


class TemplateRule(RuleBase):
    KIND: ClassVar[str] = KIND
    NEXT_TIME: ClassVar[NextTime] = "never"  # the content is wrong at any hour
    FACTS: ClassVar[tuple[str, ...]] = ("problem", "language", "template_id", "found")

    kind: Literal["template"]
    required: list[PhraseGroup] = Field(default_factory=list)
    forbidden: list[PhraseGroup] = Field(default_factory=list)
    require_template: StrictBool = True
    language_must_match: StrictBool = False
    max_length: int | None = Field(default=None, ge=1)
    require_phone_number: StrictBool = Field(
        default=False,
        description="Deny a message that gives no telephone number (10 to 15 digits, joined only "
        "by spaces, hyphens, dots, slashes, parentheses or a plus sign), such as a "
        "limited-content message's call-back number (12 CFR 1006.2(j)).",
    )

    def lint(self, scope: LintScope) -> Iterator[RuleLint]:
        """A rule that checks nothing, or a forbidden group with no phrases, never denies."""
        yield from super().lint(scope)
        checks = (
            self.required,
            self.forbidden,
            self.language_must_match,
            self.max_length,
            self.require_phone_number,
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

    def check(self, ctx: Context) -> Finding | None:
        template = ctx.contact.template
        if template is None:
            if not self.require_template:
                return None
            return self._finding(
                ctx, f"a {ctx.channel.value} needs its message text to be checked; none given", None
            )
        language = template.language.lower()
        preferred = ctx.contact.consumer.language
        if self.language_must_match and preferred and preferred.lower() != language:
            return self._finding(
                ctx, f"the template is in {language} but the consumer prefers {preferred}", language
            )
        if self.max_length is not None and len(template.text) > self.max_length:
            return self._finding(
                ctx,
                f"the message is {len(template.text)} characters; the limit is {self.max_length}",
                language,
            )
        text = normalize_text(template.text)
        for group, required in (
            *((g, True) for g in self.required),
            *((g, False) for g in self.forbidden),
        ):
            phrases = group.for_language(language)
            if phrases is None:
                return self._finding(
                    ctx,
                    f'no phrases for "{group.name}" in language {language}; the ruleset '
                    "cannot verify the message",
                    language,
                )
            found = [p for p in phrases if normalize_text(p) in text]
            if required and not found:
                return self._finding(ctx, f"the message lacks the {group.name}", language)
            if not required and found:
                quoted = ", ".join(f'"{phrase}"' for phrase in found)
                return self._finding(
                    ctx, f"the message contains {group.name}: {quoted}", language, found
                )
        if self.require_phone_number and not contains_phone_number(template.text):
            return self._finding(ctx, "the message gives no telephone number to reply to", language)
        return None
