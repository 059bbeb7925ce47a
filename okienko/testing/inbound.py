"""Inbound contacts for tests, recorded and processed the way the channels do it."""

import hashlib
from typing import Any

from okienko.customers.models import Customer
from okienko.inboxes.actions import (
    RawInbound,
    do_get_default_inbox,
    do_process_inbound,
    do_record_inbound,
)
from okienko.inboxes.choices import InboundOutcome, InboundStatus, InboxKind
from okienko.inboxes.email.adapter import email_source_id
from okienko.inboxes.models import InboundItem, Inbox
from okienko.testing.factories import make_ticket
from okienko.tickets.choices import Channel
from okienko.tickets.models import Ticket


def record_email(
    raw: bytes, inbox: Inbox | None = None, *, external_id: str | None = None
) -> tuple[InboundItem, bool]:
    """Write a raw e-mail to the ledger of ``inbox`` (default: the default e-mail inbox), keyed
    by its Message-ID unless ``external_id`` is given; returns the item and whether it is new."""
    inbox = inbox or do_get_default_inbox(InboxKind.EMAIL)
    key = email_source_id(raw) if external_id is None else external_id
    [recorded] = do_record_inbound(inbox=inbox, entries=[RawInbound(raw, key)], notify=False)
    return recorded


def receive_email(raw: bytes, inbox: Inbox | None = None) -> InboundItem:
    """Record and process a raw e-mail; the item ends processed or quarantined."""
    item, _created = record_email(raw, inbox)
    [processed] = do_process_inbound(items=[item])
    return processed


def make_chat_ticket(
    *, inbox: Inbox, text: str, requester: Customer | None = None, **fields: Any
) -> Ticket:
    """A web-chat ticket whose first message came in through ``inbox``'s ledger."""
    ticket = make_ticket(channel=Channel.CHAT, text=text, requester=requester, **fields)
    message = ticket.messages.get()
    raw = text.encode()
    InboundItem.objects.create(
        inbox=inbox,
        external_id=f"chat-{message.pk}",
        digest=hashlib.sha256(raw).hexdigest(),
        raw=raw,
        status=InboundStatus.PROCESSED,
        outcome=InboundOutcome.TICKET_CREATED,
        message=message,
        received_at=message.created_at,
        processed_at=message.created_at,
    )
    return ticket
