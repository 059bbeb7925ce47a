from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from okienko.automation.actions import do_follow_renamed_tag, do_run_time_rules, do_run_triggers
from okienko.automation.choices import TriggerEvent
from okienko.core.events import DomainEvent
from okienko.tickets.choices import AuthorKind

_EVENTS = {
    "ticket.created": TriggerEvent.TICKET_CREATED,
    "ticket.updated": TriggerEvent.TICKET_UPDATED,
    "ticket.sla_warning": TriggerEvent.SLA_WARNING,
    "ticket.sla_breached": TriggerEvent.SLA_BREACHED,
    "ticket.csat_received": TriggerEvent.CSAT_RECEIVED,
}
_MESSAGES = {
    AuthorKind.CUSTOMER: TriggerEvent.CUSTOMER_MESSAGE,
    AuthorKind.AGENT: TriggerEvent.AGENT_MESSAGE,
}


@db_periodic_task(crontab(minute="*"))
@lock_task("automation-time-rules")
def run_time_rules() -> int:
    return do_run_time_rules()


def run_triggers(event: DomainEvent) -> None:
    """Triggers run right after the change commits, in the same thread, so the agent's next
    page already shows what they did."""
    if event.name == "ticket.message_added":
        if not event.payload["is_public"] or event.payload["author_kind"] not in _MESSAGES:
            return
        trigger_event = _MESSAGES[event.payload["author_kind"]]
    else:
        trigger_event = _EVENTS[event.name]
    do_run_triggers(event=trigger_event, ticket_id=event.payload["ticket_id"])


def follow_renamed_tag(event: DomainEvent) -> None:
    """Rules and macros follow a renamed or merged tag as soon as the change commits."""
    do_follow_renamed_tag(old=event.payload["old"], new=event.payload["new"])
