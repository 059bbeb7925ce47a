"""Tell the customers' open request pages that their request changed in a way they can see.

Only the ticket id travels over the WebSocket, to the request's own portal group; the page
fetches itself again over HTTP through the portal's permission checks. Internal notes and
changes a customer never sees (priority, team, tags...) send nothing, so not even their timing
reaches a customer.
"""

from okienko.core import realtime
from okienko.core.events import DomainEvent

# What the request page shows: its status, who handles it, its subject and category; a change
# of requester or a merge may take the request out of a customer's reach.
CUSTOMER_VISIBLE_FIELDS = frozenset(
    {"status", "assignee", "subject", "category", "requester", "merged_into"}
)
EVENTS = ("ticket.message_added", "ticket.updated", "ticket.merged")


def _changed_ticket_ids(event: DomainEvent) -> list[int]:
    payload = event.payload
    if event.name == "ticket.merged":
        return [payload["source_id"], payload["target_id"]]
    if event.name == "ticket.message_added" and not payload.get("is_public"):
        return []
    if event.name == "ticket.updated" and payload.get("field") not in CUSTOMER_VISIBLE_FIELDS:
        return []
    return [payload["ticket_id"]]


def announce_to_customers(events: list[DomainEvent]) -> None:
    """Subscriber of ticket events: one message to each changed request's portal group (for a
    batch of events, one send for all of them)."""
    changed = {ticket_id for event in events for ticket_id in _changed_ticket_ids(event)}
    realtime.send_all(
        [
            (
                realtime.portal_ticket_group(ticket_id),
                {"type": "request.changed", "ticket_id": ticket_id},
            )
            for ticket_id in sorted(changed)
        ]
    )
