"""``validation_period``: demand wording while the consumer may still dispute the debt.

What it does
    While a debt of the contact is in its validation period (from the day the validation
    information was provided through 30 days after its assumed receipt, see
    :mod:`.validation`), the message must not contain a ``forbidden`` phrase, such as a demand
    to pay at once, that would overshadow the consumer's right to dispute. It is a template
    rule in every other respect (phrases match whole words, ignoring case and punctuation),
    and its finding names the period's last day in the fact ``period_ends``. Outside the
    period, or for a debt whose validation notice is not known, the rule does not apply.
    ``require_template`` defaults to false here: a call with no script is not judged.

Regulatory basis
    12 CFR 1006.38(b); 15 U.S.C. 1692g(b); 12 CFR 1006.34(b)(5) (the validation period).

Options
    ``forbidden`` (phrase groups, as for ``template``), and every other ``template`` option.

Example
    .. code-block:: yaml

        - id: US-FED-REGF-1006.38b-OVERSHADOWING
          kind: validation_period
          channels: [call, voicemail, sms, email, letter, visit, social_dm]
          when: {purposes: [collection, payment_reminder]}
          forbidden:
            - name: a demand for immediate payment
              phrases: {en: [pay now, immediately]}
          severity: warn
          citation: 12 CFR 1006.38(b)

    PASS: "Pay now" 40 days after the notice. FAIL (warn): "Pay now" a week after the notice.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import StrictBool

from ..context import Context
from .base import Finding, NextTime
from .template import TemplateRule
from .validation import in_validation_period

__all__ = ["KIND", "ValidationPeriodRule"]

KIND = "validation_period"


class ValidationPeriodRule(TemplateRule):
    KIND: ClassVar[str] = KIND
    # The period does end, but the wording is what must change; no later time is offered.
    NEXT_TIME: ClassVar[NextTime] = "never"
    FACTS: ClassVar[tuple[str, ...]] = (*TemplateRule.FACTS, "debt_ids", "period_ends")

    kind: Literal["validation_period"]  # type: ignore[assignment]
    require_template: StrictBool = False

    def _periods(self, ctx: Context) -> dict[str, dt.date]:
        found: dict[str, dt.date] = {}
        for debt_id in ctx.contact.debt_ids:
            end = in_validation_period(ctx, debt_id)
            if end is not None:
                found[debt_id] = end
        return found

    def instant_independent(self, ctx: Context) -> bool:
        """The validation period ends (and a notice on file starts one), so the instant counts."""
        return False

    def check(self, ctx: Context) -> Finding | None:
        periods = self._periods(ctx)
        if not periods:
            return None
        finding = super().check(ctx)
        if finding is None:
            return None
        ends = max(periods.values()).isoformat()
        ids = list(periods)
        return Finding(
            f"{finding.message}, during the validation period of debt(s) {', '.join(ids)}, "
            f"which ends on {ends}: a demand may overshadow the consumer's right to dispute",
            {**finding.facts, "debt_ids": ids, "period_ends": ends},
            finding.zone,
        )
