"""Fan-out of ticket changes to the open workspace pages that show them.

Only ticket ids travel over the WebSocket; a page that hears of a change fetches it again over
HTTP, through the same permission checks as any other request. Each id goes to the groups of the
people allowed to see the ticket (its team or everyone when it has none, its assignee, admins and
supervisors). Those groups reach every page that may show the ticket; the watchers' own group
(``ticket.<id>``) is told too of a single change, which may have taken the ticket out of their
reach (another team, another assignee), so the open page learns it at once.
"""

from collections import defaultdict

from okienko.core import realtime
from okienko.core.events import DomainEvent
from okienko.tickets.selectors import TicketAudience, ticket_audiences

TICKET_EVENTS = (
    "ticket.created",
    "ticket.updated",
    "ticket.message_added",
    "ticket.escalated",
    "ticket.merged",
)
# SLA alerts come in bursts of thousands: their batch events cost one query per batch.
BATCH_EVENTS = ("sla.warnings", "sla.breaches")


def _changed_ticket_ids(event: DomainEvent) -> list[int]:
    payload = event.payload
    if event.name == "ticket.merged":
        return [payload["source_id"], payload["target_id"]]
    if event.name in BATCH_EVENTS:
        return list(payload["ticket_ids"])
    return [payload["ticket_id"]]


def _audiences(ticket_ids: set[int], events: list[DomainEvent]) -> list[TicketAudience]:
    """Who may see the changed tickets. A new ticket's event names its team and assignee, so a
    burst of creations costs no query; a ticket changed in any other way is read as it is now."""
    created = {
        event.payload["ticket_id"]: TicketAudience(
            event.payload["ticket_id"], event.payload["team_id"], event.payload["assignee_id"]
        )
        for event in events
        if event.name == "ticket.created"
    }
    for event in events:
        if event.name != "ticket.created":
            for ticket_id in _changed_ticket_ids(event):
                created.pop(ticket_id, None)
    to_read = sorted(ticket_ids - created.keys())
    return [*created.values(), *(ticket_audiences(to_read) if to_read else [])]


def announce_ticket_changes(events: list[DomainEvent]) -> None:
    """Subscriber of ticket events: one message per group that should hear of them (for a
    batch of events, one message per group for all of them)."""
    if not realtime.anyone_may_listen():
        return
    changed: set[int] = set()
    # An SLA batch changes no ticket's audience; its thousands of watcher groups would only
    # repeat what the team groups carry.
    watched: set[int] = set()
    for event in events:
        ticket_ids = _changed_ticket_ids(event)
        changed.update(ticket_ids)
        if event.name not in BATCH_EVENTS:
            watched.update(ticket_ids)
    groups: dict[str, set[int]] = defaultdict(set)
    for audience in _audiences(changed, events):
        ticket_id = audience.ticket_id
        if ticket_id in watched:
            groups[realtime.ticket_group(ticket_id)].add(ticket_id)
        for group in realtime.audience_groups(audience.team_id, audience.assignee_id):
            groups[group].add(ticket_id)
    realtime.send_all(
        [
            (group, {"type": "tickets.changed", "ticket_ids": sorted(ticket_ids)})
            for group, ticket_ids in groups.items()
        ]
    )
