from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from okienko.core.events import DomainEvent
from okienko.integrations.actions import do_send_webhook
from okienko.integrations.selectors import due_webhook_ids


def send_queued_webhook(event: DomainEvent) -> None:
    send_webhook(event.payload["delivery_id"])


@db_task()
def send_webhook(delivery_id: int) -> str:
    return do_send_webhook(delivery_id).status


@db_periodic_task(crontab(minute="*"))
@lock_task("webhook-retries")
def retry_due_webhooks() -> int:
    """Deliveries whose retry time has come (and any a crashed sender left claimed)."""
    ids = due_webhook_ids()
    for delivery_id in ids:
        do_send_webhook(delivery_id)
    return len(ids)
