"""Inbound e-mail from providers' webhooks (Mailgun, Postmark, SendGrid, ... via django-anymail).

Anymail verifies the call (basic auth, the provider's signature) and normalises the message;
this receiver writes it to the ledger. Should that fail, the webhook answers 500 and the
provider retries later: the message is never acknowledged before it is stored.
"""

from typing import Any

from anymail.inbound import AnymailInboundMessage
from anymail.signals import AnymailInboundEvent

from okienko.inboxes.actions import RawInbound, do_get_default_inbox, do_record_inbound
from okienko.inboxes.choices import InboxKind
from okienko.inboxes.email.adapter import email_source_id
from okienko.inboxes.models import Inbox
from okienko.inboxes.selectors import email_inbox_for


def _inbox(message: AnymailInboundMessage) -> Inbox:
    recipients = [message.envelope_recipient or ""]
    recipients += [address.addr_spec for address in (*message.to, *message.cc)]
    for recipient in recipients:
        inbox = email_inbox_for(recipient) if recipient else None
        if inbox is not None:
            return inbox
    return do_get_default_inbox(InboxKind.EMAIL)


def record_provider_inbound(
    sender: Any, event: AnymailInboundEvent, esp_name: str, **_: Any
) -> None:
    """Anymail's ``inbound`` signal: one received message, into the ledger."""
    message = event.message
    if message is None:
        return
    raw = message.as_bytes()
    external_id = email_source_id(raw) or (f"{esp_name}:{event.event_id}" if event.event_id else "")
    do_record_inbound(inbox=_inbox(message), entries=[RawInbound(raw, external_id)])
