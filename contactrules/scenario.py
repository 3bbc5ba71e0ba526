"""The ``contactrules evaluate`` input document: one consumer, their history, proposed contacts.

Other tools generate this file (YAML or JSON), so it has a JSON Schema
(``contactrules schema input``) and the same strictness as the Python models.
"""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from .models import (
    Channel,
    CollectorType,
    Consumer,
    Contact,
    ContactRecord,
    Recipient,
    Template,
)

__all__ = ["ProposedContact", "Scenario"]


class ProposedContact(BaseModel):
    """A :class:`~contactrules.models.Contact` without the consumer, who is given once."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str | None = Field(default=None, description="Shown in the output only.")
    channel: Channel
    at: AwareDatetime
    debt_ids: list[str] = Field(min_length=1)
    to: str | None = None
    to_work: bool | None = None
    recipient: Recipient = Recipient.CONSUMER
    third_party_id: str | None = None
    collector_type: CollectorType = CollectorType.THIRD_PARTY_COLLECTOR
    template: Template | None = None

    def for_consumer(self, consumer: Consumer) -> Contact:
        fields = {k: v for k, v in self if k != "label"}
        return Contact.model_validate({**fields, "consumer": consumer})


class Scenario(BaseModel):
    """One consumer, what already happened, and the contacts to judge."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    description: str | None = None
    consumer: Consumer
    history: list[ContactRecord] = Field(default_factory=list)
    contacts: list[ProposedContact] = Field(min_length=1)
