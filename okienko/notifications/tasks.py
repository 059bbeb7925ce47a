"""Subscribers that turn ticket happenings into notifications, and the tasks that deliver them."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from okienko.core import realtime
from okienko.core.events import DomainEvent
from okienko.notifications.actions import (
    NotificationInput,
    do_notify,
    do_purge_read_notifications,
    do_send_notification_email,
)
from okienko.notifications.choices import NotificationKind
from okienko.notifications.selectors import (
    assignee_of,
    live_summaries,
    mentioned_agents,
    sla_alert_notifications,
)
from okienko.tickets.choices import AuthorKind
from okienko.tickets.selectors import message_by_id, ticket_audiences

MENTION_EXCERPT = 200


def notify_new_assignee(event: DomainEvent) -> None:
    if event.payload["field"] != "assignee":
        return
    assignee_id = assignee_of(event.payload["ticket_id"])
    if assignee_id is not None:
        do_notify(
            [
                NotificationInput(
                    assignee_id,
                    NotificationKind.ASSIGNED,
                    ticket_id=event.payload["ticket_id"],
                    actor_id=event.payload.get("actor_id"),
                )
            ]
        )


def notify_about_messages(events: list[DomainEvent]) -> None:
    """A customer's reply tells the assignee; an agent's message tells whom it @mentions. The
    assignees of a batch's replies (a batch of inbound mail) are read in one query."""
    replied = [
        event.payload["ticket_id"]
        for event in events
        if event.payload["author_kind"] == AuthorKind.CUSTOMER and event.payload["is_public"]
    ]
    assignees = {
        audience.ticket_id: audience.assignee_id
        for audience in (ticket_audiences(sorted(set(replied))) if replied else [])
        if audience.assignee_id is not None
    }
    items = [
        NotificationInput(assignees[ticket_id], NotificationKind.CUSTOMER_REPLIED, ticket_id)
        for ticket_id in replied
        if ticket_id in assignees
    ]
    for event in events:
        if event.payload["author_kind"] == AuthorKind.AGENT:
            items.extend(_mentions(event.payload["ticket_id"], event.payload["message_id"]))
    if items:
        do_notify(items)


def _mentions(ticket_id: int, message_id: int) -> list[NotificationInput]:
    message = message_by_id(message_id)
    if message is None:
        return []
    return [
        NotificationInput(
            agent_id,
            NotificationKind.MENTIONED,
            ticket_id=ticket_id,
            actor_id=message.author_agent_id,
            detail=message.text[:MENTION_EXCERPT],
        )
        for agent_id in mentioned_agents(message.text, ticket_id)
    ]


def notify_sla_alerts(event: DomainEvent) -> None:
    """A batch of SLA warnings or breaches: each assignee hears of each of their tickets; the
    supervisors who answer for unassigned tickets hear of a few one by one, of many at once."""
    kind = (
        NotificationKind.SLA_BREACHED
        if event.name == "sla.breaches"
        else NotificationKind.SLA_WARNING
    )
    do_notify(sla_alert_notifications(kind, event.payload["alerts"]))


def deliver_notifications(event: DomainEvent) -> None:
    """Push new notifications to the agents' open pages; queue the e-mails."""
    summaries = live_summaries(event.payload["shown"])
    realtime.send_all(
        [
            (realtime.agent_group(agent_id), {"type": "notification", **summary})
            for agent_id, summary in summaries.items()
        ]
    )
    for agent_id, notification_ids in event.payload["emailed"].items():
        send_notification_email(agent_id, notification_ids)


def announce_unread_count(event: DomainEvent) -> None:
    """Another tab marked notifications read: every page of the agent shows the new count."""
    agent_id = event.payload["agent_id"]
    summary = live_summaries({agent_id: []}).get(agent_id)
    if summary is not None:
        realtime.send(realtime.agent_group(agent_id), {"type": "notification", **summary})


@db_task(retries=5, retry_delay=60)
def send_notification_email(agent_id: int, notification_ids: list[int]) -> bool:
    return do_send_notification_email(agent_id, notification_ids)


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_read_notifications() -> int:
    return do_purge_read_notifications()
