from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from okienko.accounts.selectors import any_agent
from okienko.core.events import DomainEvent
from okienko.routing.actions import (
    do_escalate_after_breaches,
    do_mark_idle_agents,
    do_route_ticket,
    do_set_presence,
)
from okienko.routing.choices import Presence
from okienko.routing.selectors import waits_for_agent

# Changes after which an unassigned ticket may need an agent.
ROUTING_FIELDS = frozenset({"team", "assignee", "status"})


@db_periodic_task(crontab(minute="*"))
@lock_task("routing-idle-agents")
def mark_idle_agents() -> int:
    return do_mark_idle_agents()


def route_after_ticket_change(event: DomainEvent) -> None:
    payload = event.payload
    if event.name == "ticket.updated" and payload["field"] not in ROUTING_FIELDS:
        return
    if event.name == "ticket.created" and not waits_for_agent(
        team_id=payload["team_id"], assignee_id=payload["assignee_id"], status=payload["status"]
    ):
        return
    do_route_ticket(payload["ticket_id"])


def escalate_after_breaches(event: DomainEvent) -> None:
    do_escalate_after_breaches(event.payload["ticket_ids"])


def offline_when_deactivated(event: DomainEvent) -> None:
    """A deactivated agent takes no tickets: offline, their open tickets go to colleagues."""
    agent = any_agent(event.payload["agent_id"])
    if agent is not None:
        do_set_presence(agent=agent, presence=Presence.OFFLINE)
