"""Secret tokens kept only as digests: API tokens and the single-use links sent by e-mail."""

import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone


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
