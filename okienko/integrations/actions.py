"""Outbound webhooks: queue, sign, send, retry with backoff, give up visibly."""

import datetime
import hashlib
import hmac
import json
from typing import Any

import httpx
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from okienko.core.events import publish_on_commit
from okienko.core.retry import next_attempt_after
from okienko.integrations.choices import WebhookStatus
from okienko.integrations.models import WebhookDelivery

# Long enough for one POST with its timeout; a crashed sender's claim expires after it.
SEND_LEASE = datetime.timedelta(minutes=2)
SIGNATURE_HEADER = "X-Okienko-Signature"
TIMESTAMP_HEADER = "X-Okienko-Timestamp"


def signature(body: bytes, timestamp: str, secret: str) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``<timestamp>.<body>``: a receiver checks it with
    the shared secret and refuses old timestamps, so a captured request cannot be replayed."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def do_queue_webhook(
    *, url: str, event: str, payload: dict[str, Any], ticket_id: int | None = None, rule: str = ""
) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(
        url=url,
        event=event,
        payload=payload,
        ticket_id=ticket_id,
        rule=rule,
        created_at=timezone.now(),
    )
    publish_on_commit("webhook.queued", delivery_id=delivery.pk)
    return delivery


def do_send_webhook(delivery_id: int) -> WebhookDelivery:
    """POST a queued delivery if it is due; on an error or a non-2xx answer retry later."""
    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookStatus.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(next_attempt_at=now + SEND_LEASE, attempts=F("attempts") + 1)
    )
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    if not claimed:
        return delivery
    body = json.dumps(
        {"event": delivery.event, "delivery": delivery.pk, **delivery.payload},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Okienko-Webhook/1",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(body, timestamp, settings.WEBHOOK_SECRET),
    }
    try:
        response = httpx.post(
            delivery.url, content=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
        )
    except httpx.HTTPError as error:
        _failed(delivery, None, f"{type(error).__name__}: {error}")
    else:
        if response.is_success:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=WebhookStatus.SENT,
                sent_at=timezone.now(),
                next_attempt_at=None,
                response_status=response.status_code,
                error="",
            )
        else:
            _failed(delivery, response.status_code, f"HTTP {response.status_code}")
    delivery.refresh_from_db()
    return delivery


def _failed(delivery: WebhookDelivery, response_status: int | None, error: str) -> None:
    retry_at = next_attempt_after(delivery.attempts, timezone.now())
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookStatus.QUEUED if retry_at else WebhookStatus.FAILED,
        next_attempt_at=retry_at,
        response_status=response_status,
        error=error[:2000],
    )
