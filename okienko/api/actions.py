"""Writes of the API's own bookkeeping: remembered responses for idempotent retries."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from okienko.accounts.models import Agent
from okienko.api.models import IdempotencyRecord


def do_remember_response(
    *, agent: Agent, key: str, fingerprint: str, status_code: int, body: Any
) -> IdempotencyRecord:
    """Keep the response to a create request, to replay it when the request is retried."""
    return IdempotencyRecord.objects.create(
        agent=agent, key=key, fingerprint=fingerprint, status_code=status_code, body=body
    )


def do_purge_expired_idempotency_records() -> int:
    """Forget responses older than the key lifetime; returns how many were deleted."""
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
