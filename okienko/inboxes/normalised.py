"""What every channel adapter turns its raw payload into; the pipeline reads only this."""

import datetime
from dataclasses import dataclass

from okienko.tickets.actions import AttachmentInput


class UnprocessableInbound(Exception):
    """The payload cannot become a message; the ledger item is quarantined with ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Contact:
    """Someone on the conversation, by the identity kind and address their channel uses."""

    kind: str
    address: str
    name: str = ""


@dataclass(frozen=True)
class InboundMessage:
    """A normalised inbound contact: who wrote, what, and how it relates to earlier messages."""

    channel: str
    sender: Contact | None
    subject: str
    text: str
    html: str = ""
    # What the adapter removed from the visible text (quoted history, signature).
    quoted_text: str = ""
    attachments: tuple[AttachmentInput, ...] = ()
    # The source's id of this message and of the earlier messages it answers.
    external_id: str = ""
    replies_to: tuple[str, ...] = ()
    # A ticket number the customer quoted (the "[#123]" token of an e-mail subject).
    ticket_number: int | None = None
    copied: tuple[Contact, ...] = ()
    # Sent by a machine (out-of-office, mailing list): never answered, never reopens a ticket.
    is_automated: bool = False
    # A delivery failure report, with the ids of our messages that could not be delivered.
    is_bounce: bool = False
    bounced_ids: tuple[str, ...] = ()
    bounce_summary: str = ""
    sent_at: datetime.datetime | None = None
