"""Inbound e-mail from providers' webhooks (Mailgun, Postmark, SendGrid, ... via django-anymail).

Anymail verifies the call (basic auth, the provider's signature) and normalises the message;
this receiver writes it to the ledger. Should that fail, the webhook answers 500 and the
provider retries later: the message is never acknowledged before it is stored.
"""

from typing import Any

from anymail.signals import AnymailInboundEvent

from okienko.inboxes.actions import do_record_email


def record_provider_inbound(
    sender: Any, event: AnymailInboundEvent, esp_name: str, **_: Any
) -> None:
    """Anymail's ``inbound`` signal: one received message, into the ledger."""
    message = event.message
    if message is None:
        return
    recipients = [message.envelope_recipient or ""]
    recipients += [address.addr_spec for address in (*message.to, *message.cc)]
    do_record_email(
        raw=message.as_bytes(),
        recipients=[recipient for recipient in recipients if recipient],
        external_id=f"{esp_name}:{event.event_id}" if event.event_id else "",
    )
