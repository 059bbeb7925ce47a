from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from okienko.core.events import DomainEvent
from okienko.sla.actions import (
    do_refresh_open_tickets,
    do_refresh_tickets_sla,
    do_sweep_sla,
)
from okienko.sla.selectors import active_policies
from okienko.tickets.selectors import unsolved_ticket_ids_of_customer

# Fields of a ticket that decide its policy or move its clocks.
SLA_FIELDS = frozenset({"status", "priority", "category", "tags", "requester", "channel"})
CUSTOMER_SLA_FIELDS = frozenset({"tier", "organisation"})


@db_periodic_task(crontab(minute="*"))
@lock_task("sla-sweep")
def sweep_sla() -> dict[str, int]:
    result = do_sweep_sla()
    return {"warnings": result.warnings, "breaches": result.breaches}


@db_task(retries=3, retry_delay=30)
def refresh_open_tickets(after_id: int = 0) -> None:
    """Recompute every unsolved ticket's clocks after the policies changed, a batch per task."""
    last_id = do_refresh_open_tickets(after_id=after_id)
    if last_id is not None:
        refresh_open_tickets(last_id)


TICKET_EVENTS = ("ticket.created", "ticket.updated", "ticket.message_added", "ticket.merged")


def refresh_after_ticket_changes(events: list[DomainEvent]) -> None:
    """Deadlines follow the ticket at once, so the page the agent lands on shows them; each
    ticket of a batch once, the batch in one transaction."""
    ticket_ids: dict[int, None] = {}  # ordered, each once
    for event in events:
        payload = event.payload
        if event.name == "ticket.updated" and payload["field"] not in SLA_FIELDS:
            continue
        if event.name == "ticket.message_added" and not payload["is_public"]:
            continue
        if event.name == "ticket.merged":
            ticket_ids.update(dict.fromkeys((payload["source_id"], payload["target_id"])))
        else:
            ticket_ids[payload["ticket_id"]] = None
    if not active_policies():
        # Without policies a ticket created in this batch has no clocks to store or to clear.
        for event in events:
            if event.name == "ticket.created":
                ticket_ids.pop(event.payload["ticket_id"], None)
    if ticket_ids:
        do_refresh_tickets_sla(list(ticket_ids))


def refresh_after_customer_change(event: DomainEvent) -> None:
    """A new tier or organisation may put the customer's open tickets under another policy."""
    if CUSTOMER_SLA_FIELDS.isdisjoint(event.payload["fields"]):
        return
    do_refresh_tickets_sla(unsolved_ticket_ids_of_customer(event.payload["customer_id"]))


def refresh_after_policy_change(event: DomainEvent) -> None:
    refresh_open_tickets()
