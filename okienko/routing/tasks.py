from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from okienko.core.events import DomainEvent
from okienko.routing.actions import do_escalate_after_breaches, do_mark_idle_agents, do_route_ticket

# Changes after which an unassigned ticket may need an agent.
ROUTING_FIELDS = frozenset({"team", "assignee", "status"})


@db_periodic_task(crontab(minute="*"))
@lock_task("routing-idle-agents")
def mark_idle_agents() -> int:
    return do_mark_idle_agents()


def route_after_ticket_change(event: DomainEvent) -> None:
    if event.name == "ticket.updated" and event.payload["field"] not in ROUTING_FIELDS:
        return
    do_route_ticket(event.payload["ticket_id"])


def escalate_after_breaches(event: DomainEvent) -> None:
    do_escalate_after_breaches(event.payload["ticket_ids"])
