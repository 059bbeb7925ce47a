"""The e-mail adapter: raw RFC 822 bytes in, a normalised inbound message out."""

import re
from collections.abc import Collection
from email.parser import BytesHeaderParser
from email.policy import compat32

from django.conf import settings

from okienko.customers.choices import IdentityKind
from okienko.inboxes.email.parsing import (
    EmailAddress,
    MailKind,
    ParsedEmail,
    UnparseableEmail,
    message_ids,
    parse_email,
)
from okienko.inboxes.email.quotes import split_reply_html, split_reply_text
from okienko.inboxes.normalised import Contact, InboundMessage, UnprocessableInbound
from okienko.tickets.actions import AttachmentInput
from okienko.tickets.choices import Channel

# The token our outgoing subjects carry, "[#1234]"; a reply keeps it even without headers.
TICKET_TOKEN = re.compile(r"\[#(\d{1,12})\]")
BOUNCE_SUMMARY_CHARS = 2000


def ticket_number_in(subject: str) -> int | None:
    """The ticket number of the first ``[#n]`` token in a subject."""
    match = TICKET_TOKEN.search(subject)
    return int(match.group(1)) if match else None


def email_source_id(raw: bytes) -> str:
    """The Message-ID, read from the headers alone, to key the ledger before full parsing."""
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
        found = message_ids(str(headers.get("Message-ID", "") or ""))
    except Exception:  # noqa: BLE001  (any header damage just means "no id"; parsing reports it)
        return ""
    return found[0][:255] if found else ""


def _contact(address: EmailAddress) -> Contact:
    return Contact(kind=IdentityKind.EMAIL, address=address.address, name=address.name)


def _sender(parsed: ParsedEmail, own: Collection[str]) -> Contact | None:
    # A web form or relay sends from our own address on behalf of the customer in Reply-To.
    if parsed.sender is not None and parsed.sender.address in own and parsed.reply_to:
        return _contact(parsed.reply_to)
    return _contact(parsed.sender) if parsed.sender is not None else None


def _body(parsed: ParsedEmail) -> tuple[str, str, str]:
    """(visible text, visible HTML, what was cut as quoted history or signature)."""
    split = split_reply_text(parsed.text)
    html, quoted_html = split_reply_html(parsed.html) if parsed.html else ("", "")
    if not split.quoted and quoted_html:
        # The plain part did not show the quote (or there is none): trust the HTML cut.
        return split.reply, html, ""
    return split.reply, html, split.quoted


def normalise_email(raw: bytes, *, own_addresses: Collection[str]) -> InboundMessage:
    """Parse an e-mail and describe it for the pipeline; ``UnprocessableInbound`` if we can't."""
    try:
        parsed = parse_email(
            raw,
            max_message_bytes=settings.EMAIL_MAX_MESSAGE_BYTES,
            max_attachment_bytes=settings.MAX_ATTACHMENT_BYTES,
        )
    except UnparseableEmail as error:
        raise UnprocessableInbound(error.reason) from error
    own = {address.lower() for address in own_addresses}
    sender = _sender(parsed, own)
    text, html, quoted = _body(parsed)
    # Only Cc: the To line names the mailbox itself (under any of its aliases).
    copied = tuple(
        _contact(address)
        for address in parsed.cc
        if address.address not in own and (sender is None or address.address != sender.address)
    )
    is_bounce = parsed.kind == MailKind.BOUNCE
    return InboundMessage(
        channel=Channel.EMAIL,
        sender=sender,
        subject=parsed.subject,
        text=text,
        html=html,
        quoted_text=quoted,
        attachments=tuple(
            AttachmentInput(a.filename, a.content_type, a.content, a.content_id)
            for a in parsed.attachments
        ),
        external_id=parsed.message_id[:255],
        replies_to=(*parsed.in_reply_to, *reversed(parsed.references)),
        ticket_number=ticket_number_in(parsed.subject),
        copied=copied,
        is_automated=parsed.auto_submitted or parsed.kind == MailKind.LIST,
        is_bounce=is_bounce,
        bounced_ids=parsed.bounced_message_ids if is_bounce else (),
        bounce_summary=parsed.text[:BOUNCE_SUMMARY_CHARS] if is_bounce else "",
        sent_at=parsed.date,
    )
