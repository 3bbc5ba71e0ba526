"""The rule kinds: one module each, gathered in one explicit registry.

Adding a kind is one module (a pydantic model with ``check``/``next_ok``) plus one entry here;
the ruleset schema's discriminated union on ``kind`` is built from this table.
"""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field

from ..diagnostics import did_you_mean
from . import (
    automated_call,
    blackout,
    consent,
    consumer_flag,
    cooldown,
    frequency_cap,
    prohibited,
    template,
    time_window,
    validation_period,
)
from .base import Finding, RuleBase, When, render_message

__all__ = ["REGISTRY", "Finding", "RuleBase", "RuleSpec", "When", "get_kind", "render_message"]

REGISTRY: dict[str, type[RuleBase]] = {
    time_window.KIND: time_window.TimeWindow,
    blackout.KIND: blackout.Blackout,
    frequency_cap.KIND: frequency_cap.FrequencyCap,
    cooldown.KIND: cooldown.Cooldown,
    consumer_flag.KIND: consumer_flag.ConsumerFlag,
    consent.KIND: consent.ConsentRequired,
    template.KIND: template.TemplateRule,
    prohibited.KIND: prohibited.Prohibited,
    automated_call.KIND: automated_call.AutomatedCall,
    validation_period.KIND: validation_period.ValidationPeriodRule,
}

RuleSpec = Annotated[
    Union[  # noqa: UP007 - a Union over the registry's classes
        time_window.TimeWindow,
        blackout.Blackout,
        frequency_cap.FrequencyCap,
        cooldown.Cooldown,
        consumer_flag.ConsumerFlag,
        consent.ConsentRequired,
        template.TemplateRule,
        prohibited.Prohibited,
        automated_call.AutomatedCall,
        validation_period.ValidationPeriodRule,
    ],
    Field(discriminator="kind"),
]


def get_kind(name: str) -> type[RuleBase]:
    """The class for a kind name, or a ValueError that suggests the closest kind."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f'unknown rule kind "{name}"{did_you_mean(name, REGISTRY)}') from None
