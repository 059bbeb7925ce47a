"""The web chat's adapter: a visitor's message as the ledger keeps it, and its normalised form.

The consumer writes the message to the ledger as JSON (the same bytes for a resend of the same
client message id, so a resend finds the first copy); the pipeline reads it back here.
"""

import base64
import binascii
import json
from dataclasses import dataclass

from okienko.customers.choices import IdentityKind
from okienko.inboxes.normalised import Contact, InboundMessage, UnprocessableInbound
from okienko.tickets.actions import AttachmentInput
from okienko.tickets.choices import Channel

SUBJECT_WORDS = 10
SUBJECT_LENGTH = 120


@dataclass(frozen=True)
class VisitorMessage:
    """What a visitor sent: text and files, under the id their browser gave it."""

    conversation_id: int
    client_id: str
    text: str
    attachments: tuple[AttachmentInput, ...] = ()


def source_id(conversation_id: int, client_id: str) -> str:
    """The ledger's and the message's external id: one per message a browser sent."""
    return f"chat:{conversation_id}:{client_id}"


def visitor_address(conversation_id: int) -> str:
    """The chat identity's address of the conversation's visitor."""
    return f"conversation-{conversation_id}"


def encode(message: VisitorMessage, *, visitor_name: str, ticket_id: int | None) -> bytes:
    """The ledger bytes of ``message``: deterministic, so a resend has the same digest."""
    payload = {
        "conversation": message.conversation_id,
        "client_id": message.client_id,
        "name": visitor_name,
        "ticket": ticket_id,
        "text": message.text,
        "files": [
            {
                "name": attachment.filename,
                "type": attachment.content_type,
                "data": base64.b64encode(attachment.content).decode("ascii"),
            }
            for attachment in message.attachments
        ],
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()


def subject_of(text: str, fallback: str) -> str:
    """A ticket subject from the first words of a chat's first message."""
    words = text.split()
    if not words:
        return fallback
    subject = " ".join(words[:SUBJECT_WORDS])
    if len(words) > SUBJECT_WORDS or len(subject) > SUBJECT_LENGTH:
        subject = subject[:SUBJECT_LENGTH].rstrip() + "…"
    return subject


def normalise_chat(raw: bytes, *, fallback_subject: str) -> InboundMessage:
    """The pipeline's view of a recorded chat message; the conversation's current ticket is
    the one it continues."""
    try:
        payload = json.loads(raw)
        conversation_id = int(payload["conversation"])
        client_id = str(payload["client_id"])
        files = tuple(
            AttachmentInput(
                filename=str(file["name"]),
                content_type=str(file["type"]),
                content=base64.b64decode(file["data"], validate=True),
            )
            for file in payload["files"]
        )
        ticket = payload["ticket"]
        text = str(payload["text"])
        name = str(payload["name"])
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise UnprocessableInbound(f"not a chat message: {error}") from error
    return InboundMessage(
        channel=Channel.CHAT,
        sender=Contact(IdentityKind.CHAT, visitor_address(conversation_id), name),
        subject=subject_of(text, fallback_subject),
        text=text,
        attachments=files,
        external_id=source_id(conversation_id, client_id),
        ticket_number=int(ticket) if ticket is not None else None,
    )
