"""Secret tokens kept only as digests: API tokens and the single-use links sent by e-mail."""

import hashlib
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.mail import EmailMessage
from django.db.models import Model, QuerySet
from django.utils import timezone, translation


def token_digest(raw_token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is as safe as a slow one and keeps auth cheap.
    return hashlib.sha256(raw_token.encode()).hexdigest()


def send_link_token(link: QuerySet[Any], send: Callable[[str], None]) -> bool:
    """Make a token for the single-use link that ``link`` selects (one row with ``token_digest``
    and ``sent_at``, filtered to a link that may still be sent), keep only its digest and
    ``send`` the token itself (in an e-mail); so the token reaches neither the database nor
    the task queue.

    Safe to run twice: a link that has a token already is not sent again (False). If sending
    fails the digest is dropped again, so a retry sends a fresh token.
    """
    token = secrets.token_urlsafe(32)
    digest = token_digest(token)
    claimed = link.filter(token_digest__isnull=True).update(
        token_digest=digest, sent_at=timezone.now()
    )
    if not claimed:
        return False
    try:
        send(token)
    except Exception:
        link.model.objects.filter(token_digest=digest).update(token_digest=None, sent_at=None)
        raise
    return True


Link = TypeVar("Link", bound=Model)


def send_link_email(
    links: QuerySet[Link],
    link_id: int,
    *,
    language: Callable[[Link], str],
    email: Callable[[Link, str], EmailMessage],
) -> bool:
    """E-mail the single-use link ``link_id`` among ``links`` (selecting what ``email`` reads)
    with a token made now, in the ``language`` of its recipient; only a link not sent yet and
    still usable (see ``send_link_token``)."""

    def send(token: str) -> None:
        link = links.get(pk=link_id)
        with translation.override(language(link)):
            email(link, token).send()

    unsent = links.filter(pk=link_id, used_at__isnull=True, expires_at__gt=timezone.now())
    return send_link_token(unsent, send)
