from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import TaskLockedException

from okienko.core.events import DomainEvent
from okienko.inboxes.actions import (
    WAITING_FOR_ITS_TASK,
    do_fetch_email,
    do_process_inbound,
    do_queue_email_delivery,
    do_send_delivery,
)
from okienko.inboxes.chat.actions import do_purge_email_links, do_send_email_link
from okienko.inboxes.email.imap import FetchResult
from okienko.inboxes.models import EmailAccount
from okienko.inboxes.selectors import (
    delivery_to_send,
    due_delivery_ids,
    email_account,
    fetching_accounts,
    inbound_items,
    pending_item_ids,
)
from okienko.tickets.choices import AuthorKind
from okienko.tickets.selectors import outbound_message

# Items the sweep queues again at a time; younger than WAITING_FOR_ITS_TASK they are left to
# the task queued when they arrived.
SWEEP_BATCH = 500


# Items one task processes together: what each would look up is read once for them all.
PROCESSING_BATCH = 50


@db_task(retries=3, retry_delay=15)
def process_inbound(item_ids: list[int]) -> list[str]:
    """Process ledger items together, in the order they were recorded; items gone are nothing
    to do, finished ones stay as they are. Returns the status of each item found."""
    return [item.status for item in do_process_inbound(items=inbound_items(item_ids))]


def _queue_processing(item_ids: list[int]) -> None:
    ordered = sorted(item_ids)
    for start in range(0, len(ordered), PROCESSING_BATCH):
        process_inbound(ordered[start : start + PROCESSING_BATCH])


@db_periodic_task(crontab(minute="*"))
def requeue_pending_inbound() -> int:
    """Queue items still waiting (their task was lost in a crash or failed transiently)."""
    item_ids = pending_item_ids(
        received_before=timezone.now() - WAITING_FOR_ITS_TASK, limit=SWEEP_BATCH
    )
    _queue_processing(item_ids)
    return len(item_ids)


def queue_processing(events: list[DomainEvent]) -> None:
    """Items recorded together (an IMAP fetch's batch) are processed together."""
    _queue_processing([event.payload["item_id"] for event in events])


@db_task(retries=2, retry_delay=30)
def send_chat_email_link(link_id: int) -> None:
    do_send_email_link(link_id=link_id)


def queue_chat_email_link(event: DomainEvent) -> None:
    send_chat_email_link(event.payload["link_id"])


@db_periodic_task(crontab(minute="23", hour="*"))
def purge_chat_email_links() -> int:
    return do_purge_email_links()


@db_task(retries=2, retry_delay=30)
def send_delivery(delivery_id: int) -> str:
    delivery = delivery_to_send(delivery_id)
    if delivery is None:
        return "gone"
    return do_send_delivery(delivery=delivery).status


@db_periodic_task(crontab(minute="*"))
def send_due_deliveries() -> int:
    """Send deliveries waiting for a retry, or whose task was lost."""
    delivery_ids = due_delivery_ids(now=timezone.now(), limit=SWEEP_BATCH)
    for delivery_id in delivery_ids:
        send_delivery(delivery_id)
    return len(delivery_ids)


def queue_email_reply(event: DomainEvent) -> None:
    """A public reply or acknowledgement was added to a ticket: e-mail it if that is its way."""
    if not event.payload["is_public"]:
        return
    if event.payload["author_kind"] not in {AuthorKind.AGENT, AuthorKind.SYSTEM}:
        return
    message = outbound_message(event.payload["message_id"])
    if message is not None:
        do_queue_email_delivery(message=message)


def queue_sending(event: DomainEvent) -> None:
    send_delivery(event.payload["delivery_id"])


def fetch_email_exclusively(account: EmailAccount) -> FetchResult | None:
    """Fetch the mailbox unless a fetch of it is running (the poll's or an IDLE watcher's);
    None when it did not fetch (that, or a failure kept on the account)."""
    try:
        with HUEY.lock_task(f"fetch-email-{account.pk}"):
            return do_fetch_email(account=account)
    except TaskLockedException:
        return None


@db_task()
def fetch_email(account_id: int) -> int:
    """Fetch one mailbox; a fetch of the same mailbox still running makes this one a no-op."""
    account = email_account(account_id)
    if account is None:
        return 0
    result = fetch_email_exclusively(account)
    return result.fetched if result else 0


@db_periodic_task(crontab(minute="*"))
def fetch_all_email() -> int:
    """Poll every mailbox once a minute."""
    account_ids = list(fetching_accounts().values_list("id", flat=True))
    for account_id in account_ids:
        fetch_email(account_id)
    return len(account_ids)
