"""How domain records read to an agent: labels for history entries, no business rules."""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from okienko.ai.choices import HandOffReason
from okienko.sla.choices import Metric, Outcome
from okienko.sla.selectors import ClockView, TicketSla
from okienko.tickets.choices import AuthorKind, EscalationLevel, EventKind, Priority, Status
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
    if (
        event.kind in (EventKind.SLA_WARNING, EventKind.SLA_BREACHED)
        and event.field in Metric.values
    ):
        return f"{EventKind(event.kind).label}: {Metric(event.field).label}"
    if event.kind == EventKind.ESCALATED and event.new_value in EscalationLevel.values:
        return f"{EventKind(event.kind).label}: {EscalationLevel(event.new_value).label}"
    if event.kind == EventKind.HANDED_OFF and isinstance(event.new_value, dict):
        reason = str(event.new_value.get("reason", ""))
        label = HandOffReason(reason).label if reason in HandOffReason.values else reason
        return f"{EventKind(event.kind).label}: {label}"
    if event.kind == EventKind.SLA_POLICY:
        policy = event.new_value["name"] if isinstance(event.new_value, dict) else EMPTY
        return f"{EventKind(event.kind).label}: {policy}"
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


def duration(seconds: int) -> str:
    """A span an agent reads at a glance: "2 d 3 h", "4 h 15 min", "4 h", "25 min", "40 s"."""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours and minutes:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if hours:
        return _("%(hours)d h") % {"hours": hours}
    if minutes:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(seconds)d s") % {"seconds": secs}


class DeadlineState:
    """How close a deadline is, as a CSS modifier: sla-ok, sla-near, sla-over, sla-paused."""

    OK = "ok"
    NEAR = "near"
    OVER = "over"
    PAUSED = "paused"


@dataclass(frozen=True)
class Deadline:
    """One SLA target as the inbox and the ticket page show it."""

    metric: str
    state: str
    # "2 h 15 min left", "1 h overdue", "paused, 3 h left", "met, 20 min early", ...
    summary: str
    due_at: datetime.datetime | None
    target: str
    counts: str


def _deadline(view: ClockView, now: datetime.datetime) -> Deadline:
    clock = view.clock
    remaining = view.remaining_seconds
    if clock.completed_at is not None:
        late = clock.late_by_seconds or 0
        if clock.outcome == Outcome.BREACHED:
            state, summary = (
                DeadlineState.OVER,
                _("breached, %(late)s late") % {"late": duration(max(late, 0))},
            )
        else:
            state, summary = DeadlineState.OK, _("met, %(early)s early") % {"early": duration(late)}
    elif view.is_paused:
        state = (
            DeadlineState.OVER if remaining is not None and remaining < 0 else DeadlineState.PAUSED
        )
        summary = _("paused, %(left)s left") % {"left": duration(remaining or 0)}
    elif remaining is not None and remaining < 0:
        state, summary = DeadlineState.OVER, _("%(late)s overdue") % {"late": duration(remaining)}
    elif clock.breached_at is not None:
        # The sweep that raised the breach is the authority, whatever this server's clock says.
        state, summary = DeadlineState.OVER, str(_("overdue"))
    else:
        near = clock.warned_at is not None or (clock.warn_at is not None and clock.warn_at <= now)
        state = DeadlineState.NEAR if near else DeadlineState.OK
        summary = _("%(left)s left") % {"left": duration(remaining or 0)}
    return Deadline(
        metric=str(Metric(clock.metric).label),
        state=state,
        summary=str(summary),
        due_at=clock.due_at,
        target=duration(clock.target_seconds),
        counts=str(_("in business hours") if clock.business_hours else _("round the clock")),
    )


def deadlines(sla: TicketSla, now: datetime.datetime) -> list[Deadline]:
    """Every target of the ticket, oldest first, for the ticket page."""
    return [_deadline(view, now) for view in sla.clocks]


def next_deadline(sla: TicketSla, now: datetime.datetime) -> Deadline | None:
    """What the inbox shows: the nearest running deadline, else a paused one."""
    view = sla.next_due or next((v for v in sla.clocks if v.clock.completed_at is None), None)
    return _deadline(view, now) if view else None
