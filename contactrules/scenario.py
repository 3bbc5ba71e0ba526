"""The ``contactrules evaluate`` input document: one consumer, their history, proposed contacts.

Other tools generate this file (YAML or JSON), so it has a JSON Schema
(``contactrules schema input``) and the same strictness as the Python models. The file holds the
consumer and the history together, so here a history record naming a debt the consumer does not
have is a validation error located at the id (the engine denies it for programmatic callers).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from .history import unknown_record_debts
from .models import (
    Channel,
    CollectorType,
    Consumer,
    Contact,
    ContactRecord,
    DialMethod,
    Instant,
    NonBlankStr,
    Recipient,
    Template,
    check_third_party,
    unknown_debts_error,
)

__all__ = ["ProposedContact", "Scenario"]


class ProposedContact(BaseModel):
    """A :class:`~contactrules.models.Contact` without the consumer, who is given once."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str | None = Field(default=None, description="Shown in the output only.")
    channel: Channel
    at: Instant
    debt_ids: list[NonBlankStr] = Field(min_length=1)
    to: NonBlankStr | None = None
    to_work: StrictBool | None = None
    recipient: Recipient = Recipient.CONSUMER
    third_party_id: NonBlankStr | None = None
    collector_type: CollectorType = CollectorType.THIRD_PARTY_COLLECTOR
    dial_method: DialMethod | None = None
    requested_by_consumer: StrictBool = False
    template: Template | None = None
    recorded: StrictBool | None = None

    @model_validator(mode="after")
    def _third_party_named(self) -> ProposedContact:
        check_third_party(type(self).__name__, self.recipient, self.third_party_id)
        return self

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

    @model_validator(mode="after")
    def _history_debts_known(self) -> Scenario:
        """Records name only the consumer's debts (located at the id).

        A proposed contact's debts are checked when it becomes a :class:`Contact`, one contact
        at a time, so one bad contact does not stop the others from being judged.
        """
        unknown = unknown_record_debts(self.consumer, self.history)
        if unknown:
            raise unknown_debts_error(
                type(self).__name__,
                ((("history", *u.loc), u.debt_id) for u in unknown),
                sorted(d.id for d in self.consumer.debts),
            )
        return self
