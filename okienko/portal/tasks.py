"""Tasks of the customer portal: sending sign-in links and forgetting old ones."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from okienko.core.events import DomainEvent
from okienko.portal.actions import do_purge_sign_in_links, do_send_sign_in_link


@db_task(retries=2, retry_delay=30)
def send_sign_in_link(link_id: int) -> None:
    do_send_sign_in_link(link_id=link_id)


def queue_sign_in_link(event: DomainEvent) -> None:
    send_sign_in_link(event.payload["link_id"])


@db_periodic_task(crontab(minute="17", hour="*"))
def purge_sign_in_links() -> None:
    do_purge_sign_in_links()
