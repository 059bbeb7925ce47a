"""A real SMTP server (aiosmtpd) on a free local port that keeps what it receives."""

import base64
import binascii
import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class MailCatcher:
    """Accepts every message, or refuses them all with ``refuse_with`` (e.g. "451 Try later")."""

    received: list[ReceivedMail] = field(default_factory=list)
    refuse_with: str = ""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refuse_with:
            return self.refuse_with
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)  # noqa: S101  (the default policy's class)
        self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@dataclass
class OAuth2MailCatcher(MailCatcher):
    """A catcher whose server takes mail only after SASL XOAUTH2 with a token it knows, as
    Gmail's and Microsoft 365's SMTP servers do.

    ``tokens`` maps an access token to its user; ``logins`` keeps every token tried, in order.
    """

    tokens: dict[str, str] = field(default_factory=dict)
    logins: list[str] = field(default_factory=list)

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:  # noqa: N802
        initial = args[1].encode() if len(args) > 1 else await server.challenge_auth("")
        if not isinstance(initial, bytes):  # the client aborted
            return AuthResult(success=False, handled=True)
        try:
            parts = base64.b64decode(initial, validate=True).decode().split("\x01")
        except (binascii.Error, UnicodeDecodeError):
            return AuthResult(success=False, handled=False)
        fields = dict(part.split("=", 1) for part in parts if "=" in part)
        token = fields.get("auth", "").removeprefix("Bearer ")
        self.logins.append(token)
        if self.tokens.get(token) != fields.get("user"):
            # The provider's way: a challenge with the reason, answered empty, then 535.
            await server.challenge_auth('{"status":"401","schemes":"Bearer"}')
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=fields["user"])

    async def handle_MAIL(  # noqa: N802
        self, server: SMTP, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        # aiosmtpd's own auth_required warns when TLS is not required too (loopback here).
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def smtp_server(oauth2_tokens: dict[str, str] | None = None) -> Iterator[tuple[MailCatcher, int]]:
    """Run an SMTP server on 127.0.0.1; yields its catcher and port.

    With ``oauth2_tokens`` (access token -> user; a dict the test may add to) it takes mail
    only after an XOAUTH2 login with one of them.
    """
    port = free_port()
    if oauth2_tokens is None:
        catcher = MailCatcher()
        controller = Controller(catcher, hostname="127.0.0.1", port=port)
    else:
        catcher = OAuth2MailCatcher(tokens=oauth2_tokens)
        controller = Controller(
            catcher,
            hostname="127.0.0.1",
            port=port,
            # Loopback in tests; providers require TLS, which the client side does not change.
            auth_require_tls=False,
            auth_exclude_mechanism=["LOGIN", "PLAIN"],
        )
    controller.start()
    try:
        yield catcher, port
    finally:
        controller.stop()
