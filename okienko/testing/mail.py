"""E-mails built for tests, the way mail clients write them."""

import itertools
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

_sequence = itertools.count(1)


def make_email(
    *,
    sender: str = "Jan Kowalski <jan.kowalski@poczta.example>",
    to: str = "Sklep <pomoc@sklep.example>",
    subject: str = "Gdzie jest moja paczka?",
    text: str = "Dzień dobry,\nzamówienie ZAM/2026/123 nie dotarło.\n\nPozdrawiam,\nJan",
    html: str = "",
    message_id: str = "",
    in_reply_to: str = "",
    references: str = "",
    cc: str = "",
    headers: dict[str, str] | None = None,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
    charset: str = "utf-8",
) -> bytes:
    """Raw RFC 822 bytes of a message; ``attachments`` are (filename, content type, bytes)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(
        idstring=str(next(_sequence)), domain="poczta.example"
    )
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text, charset=charset)
    if html:
        message.add_alternative(html, subtype="html", charset=charset)
    for filename, content_type, content in attachments:
        maintype, subtype = content_type.split("/", 1)
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()
