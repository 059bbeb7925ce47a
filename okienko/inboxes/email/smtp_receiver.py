"""The built-in SMTP/LMTP receiver: an MTA delivers to it, it answers 250 only once the message
is in the inbound ledger (and 451, "try again later", when it could not be stored)."""

import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from okienko.inboxes.actions import do_record_email

logger = logging.getLogger(__name__)

STORED = "250 2.0.0 Message stored"
TRY_LATER = "451 4.3.0 The message could not be stored, please try again later"


def record_delivery(raw: bytes, recipients: list[str]) -> None:
    """Store a delivered message (from the receiver's thread, on a fresh connection)."""
    close_old_connections()
    try:
        do_record_email(raw=raw, recipients=recipients)
    finally:
        close_old_connections()


class LedgerHandler:
    """aiosmtpd handler: every accepted message is durably in the ledger before we say so."""

    def __init__(self, *, lmtp: bool) -> None:
        self.lmtp = lmtp

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        try:
            await sync_to_async(record_delivery)(content, list(envelope.rcpt_tos))
        except Exception:
            logger.exception("could not record a message from %s", envelope.mail_from)
            return TRY_LATER
        # LMTP answers once per recipient.
        return "\r\n".join([STORED] * len(envelope.rcpt_tos)) if self.lmtp else STORED


class _LmtpController(Controller):
    def factory(self) -> Any:
        return LMTP(self.handler, **self.SMTP_kwargs)


def receiver(*, host: str, port: int, lmtp: bool = False) -> Controller:
    """A receiver ready to ``start()``; messages above the size limit are refused (552)."""
    controller_class = _LmtpController if lmtp else Controller
    return controller_class(
        LedgerHandler(lmtp=lmtp),
        hostname=host,
        port=port,
        data_size_limit=settings.EMAIL_MAX_MESSAGE_BYTES,
        decode_data=False,
    )
