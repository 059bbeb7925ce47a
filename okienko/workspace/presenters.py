"""How domain records read to an agent: labels for history entries, no business rules."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from okienko.tickets.choices import AuthorKind, EventKind, Priority, Status
from okienko.tickets.models import TicketEvent

FIELD_LABELS: dict[str, Promise] = {
    "subject": _("Subject"),
    "status": _("Status"),
    "priority": _("Priority"),
    "assignee": _("Assignee"),
    "team": _("Team"),
    "category": _("Category"),
    "tags": _("Tags"),
    "custom_fields": _("Custom fields"),
    "merged_into": _("Merged into"),
    "requester": _("Requester"),
}
_VALUE_LABELS: dict[str, Any] = {"status": Status, "priority": Priority}
EMPTY = "—"


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a ticket's history as the agent reads it."""

    event: TicketEvent
    actor: str
    summary: str
    old: str = ""
    new: str = ""

    @property
    def is_change(self) -> bool:
        return bool(self.old or self.new)


def _value(field: str, value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if field in _VALUE_LABELS and value in _VALUE_LABELS[field].values:
        return str(_VALUE_LABELS[field](value).label)
    if isinstance(value, dict) and "name" in value:
        return str(value["name"])
    if isinstance(value, dict):
        return ", ".join(f"{key}: {item}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _actor(event: TicketEvent) -> str:
    if event.actor_agent is not None:
        name = event.actor_agent.name
    else:
        name = str(AuthorKind(event.actor_kind).label)
    return f"{name} ({event.rule})" if event.rule else name


def _summary(event: TicketEvent) -> str:
    if event.kind == EventKind.FIELD_CHANGED:
        return str(FIELD_LABELS.get(event.field, event.field))
    if event.kind == EventKind.CREATED:
        return str(_("Ticket created"))
    if event.kind == EventKind.MESSAGE_ADDED:
        is_public = isinstance(event.new_value, dict) and event.new_value.get("is_public", True)
        if not is_public:
            return str(_("Internal note added"))
        if event.actor_kind == AuthorKind.CUSTOMER:
            return str(_("Customer message received"))
        return str(_("Reply sent"))
    return str(EventKind(event.kind).label)


def history(events: Iterable[TicketEvent]) -> Iterator[HistoryEntry]:
    """The ticket's events, newest last, with translated field names and values."""
    for event in events:
        changes = event.kind == EventKind.FIELD_CHANGED
        yield HistoryEntry(
            event=event,
            actor=_actor(event),
            summary=_summary(event),
            old=_value(event.field, event.old_value) if changes else "",
            new=_value(event.field, event.new_value) if changes else "",
        )
