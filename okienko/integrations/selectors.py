"""Reads for outbound webhooks."""

from django.utils import timezone

from okienko.integrations.choices import WebhookStatus
from okienko.integrations.models import WebhookDelivery


def due_webhook_ids(*, limit: int = 100) -> list[int]:
    now = timezone.now()
    return list(
        WebhookDelivery.objects.filter(status=WebhookStatus.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
