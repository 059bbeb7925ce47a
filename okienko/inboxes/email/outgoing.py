"""Outgoing e-mail: what a reply looks like on the wire, and how it reaches the SMTP server."""

import re
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formataddr
from typing import Any

from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend
from django.utils.html import escape, linebreaks

from okienko.inboxes.email.oauth import log_in_with_token
from okienko.inboxes.models import ConnectionSecurity, EmailAccount

REPLY_PREFIX = re.compile(r"^\s*(re|odp)\s*:", re.IGNORECASE)
# How many earlier ids a References header carries: the first and the latest ones matter.
MAX_REFERENCES = 20
SMTP_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class OutgoingAttachment:
    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class OutgoingEmail:
    """Everything an outgoing reply carries; built from the ticket, sent by ``send``."""

    from_name: str
    from_address: str
    to: Sequence[str]
    cc: Sequence[str]
    subject: str
    text: str
    html: str
    message_id: str
    in_reply_to: str = ""
    references: Sequence[str] = ()
    attachments: Sequence[OutgoingAttachment] = ()
    # Acknowledgements and other automatic mail say so (RFC 3834), so autoresponders keep quiet.
    is_automatic: bool = False
    ticket_number: int | None = None


def reply_subject(subject: str, ticket_number: int) -> str:
    """ "Re: <subject> [#n]": the token lets a reply find its ticket without any headers."""
    token = f"[#{ticket_number}]"
    subject = subject if REPLY_PREFIX.match(subject) else f"Re: {subject}"
    return subject if token in subject else f"{subject} {token}"


def references(thread_ids: Sequence[str]) -> list[str]:
    """The thread's ids for References: the first one and the latest ones."""
    if len(thread_ids) <= MAX_REFERENCES:
        return list(thread_ids)
    return [thread_ids[0], *thread_ids[-(MAX_REFERENCES - 1) :]]


def html_body(text: str) -> str:
    return linebreaks(escape(text))


class OAuth2EmailBackend(EmailBackend):
    """Django's SMTP backend logging in with SASL XOAUTH2 and the mailbox's OAuth2 access
    token, refreshed as for IMAP (``log_in_with_token``).

    Raises ``TokenRefreshError`` when the provider gives no new token.
    """

    def __init__(self, *, account: EmailAccount, **kwargs: Any) -> None:
        # Empty, not None (which means the installation's EMAIL_HOST_USER): the base class
        # would log in with them (AUTH PLAIN/LOGIN).
        super().__init__(username="", password="", **kwargs)
        self.account = account

    def open(self) -> bool | None:
        opened = super().open()
        if not opened:
            return opened
        try:
            log_in_with_token(
                self.account, self._authenticate, refused=smtplib.SMTPAuthenticationError
            )
        except BaseException:
            self.close()
            raise
        return opened

    def _authenticate(self, token: str) -> None:
        assert self.connection is not None  # noqa: S101  (opened just before)
        user = self.account.smtp_username or self.account.imap_username
        # AUTH needs the EHLO (after STARTTLS, a fresh one) that ``login`` would have sent.
        self.connection.ehlo_or_helo_if_needed()
        self.connection.auth(
            "XOAUTH2", lambda challenge=None: xoauth2_response(user, token, challenge)
        )


def xoauth2_response(user: str, token: str, challenge: bytes | None = None) -> str:
    """The client's SASL XOAUTH2 message; after a refusal (the server's challenge carries its
    reason) an empty answer, so the server ends the exchange with its error code."""
    if challenge is not None:
        return ""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def connection_for(account: EmailAccount | None) -> BaseEmailBackend:
    """The inbox's own SMTP server, or the installation's default mail settings."""
    if account is None or not account.smtp_host:
        return get_connection()
    server: dict[str, Any] = {
        "host": account.smtp_host,
        "port": account.smtp_port,
        "use_tls": account.smtp_security == ConnectionSecurity.STARTTLS,
        "use_ssl": account.smtp_security == ConnectionSecurity.TLS,
        "timeout": SMTP_TIMEOUT_SECONDS,
        "fail_silently": False,
    }
    if account.uses_oauth_token:
        return OAuth2EmailBackend(account=account, **server)
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        username=account.smtp_username or None,
        password=account.smtp_password or None,
        **server,
    )


def build(outgoing: OutgoingEmail, connection: BaseEmailBackend) -> EmailMultiAlternatives:
    headers = {"Message-ID": f"<{outgoing.message_id}>"}
    if outgoing.in_reply_to:
        headers["In-Reply-To"] = f"<{outgoing.in_reply_to}>"
    if outgoing.references:
        headers["References"] = " ".join(f"<{ref}>" for ref in outgoing.references)
    if outgoing.is_automatic:
        headers["Auto-Submitted"] = "auto-replied"
    if outgoing.ticket_number is not None:
        headers["X-Okienko-Ticket"] = str(outgoing.ticket_number)
    email = EmailMultiAlternatives(
        subject=outgoing.subject,
        body=outgoing.text,
        from_email=formataddr((outgoing.from_name, outgoing.from_address)),
        to=list(outgoing.to),
        cc=list(outgoing.cc),
        headers=headers,
        connection=connection,
    )
    email.attach_alternative(outgoing.html, "text/html")
    for attachment in outgoing.attachments:
        email.attach(attachment.filename, attachment.content, attachment.content_type)
    return email


def send(outgoing: OutgoingEmail, account: EmailAccount | None) -> None:
    """Hand the message to the SMTP server; raises on any refusal or connection error."""
    build(outgoing, connection_for(account)).send(fail_silently=False)
