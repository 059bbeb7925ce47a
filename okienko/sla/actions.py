"""Writes for SLA: calendars and policies, each ticket's clocks, and the sweep that alerts."""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from django.db import connection, transaction
from django.db.models import OuterRef, ProtectedError, Subquery
from django.utils import timezone

from okienko.core.errors import Conflict, InvalidInput
from okienko.core.events import publish_on_commit
from okienko.core.persistence import save_unique
from okienko.sla.choices import Alert, Metric, Outcome
from okienko.sla.clocks import ClockState
from okienko.sla.matching import normalise_conditions
from okienko.sla.models import Calendar, Clock, Policy, PolicyTarget
from okienko.sla.selectors import (
    business_calendar,
    default_calendar,
    forget_policies,
    forget_policies_on_change,
    replayed_clocks,
)
from okienko.tickets.actions import SlaEvent, do_record_sla_events
from okienko.tickets.choices import EventKind, Priority
from okienko.tickets.models import Ticket
from okienko.tickets.selectors import unsolved_ticket_ids

# A target of a year is the most any promise to a customer plausibly means.
MAX_TARGET_MINUTES = 366 * 24 * 60


@dataclass(frozen=True)
class CalendarInput:
    name: str
    time_zone: str = "Europe/Warsaw"
    country: str = "PL"
    hours: dict[str, list[list[str]]] = field(default_factory=dict)
    closed_days: list[dict[str, Any]] = field(default_factory=list)
    open_days: list[dict[str, Any]] = field(default_factory=list)
    is_default: bool = False


def validate_calendar(calendar: Calendar) -> None:
    """InvalidInput unless ``calendar``'s data makes a calendar that is open at some time."""
    try:
        for day in calendar.closed_days:
            if not isinstance(day, dict) or "date" not in day:
                raise ValueError('closed days are objects {"date": "YYYY-MM-DD", "name": ...}')
        for day in calendar.open_days:
            if not isinstance(day, dict) or not {"date", "hours"} <= day.keys():
                raise ValueError('extra working days are objects {"date": ..., "hours": [...]}')
        arithmetic = business_calendar(calendar)
    except ZoneInfoNotFoundError as error:
        raise InvalidInput(
            f"Unknown time zone {calendar.time_zone!r}", errors={"time_zone": ["unknown"]}
        ) from error
    except (ValueError, TypeError, AttributeError) as error:
        raise InvalidInput(
            f"Invalid calendar: {error}", errors={"calendar": [str(error)]}
        ) from error
    if not arithmetic.hours.is_ever_open and not arithmetic.extra_open_days:
        raise InvalidInput("A calendar must be open at some time", errors={"hours": ["empty"]})


@transaction.atomic
def do_save_calendar(*, data: CalendarInput, calendar: Calendar | None = None) -> Calendar:
    """Create a calendar, or replace ``calendar``'s settings; a new default replaces the old one.
    Open tickets whose policy counts on it get their deadlines recomputed."""
    calendar = calendar or Calendar()
    calendar.name = data.name.strip()
    if not calendar.name:
        raise InvalidInput("A calendar needs a name", errors={"name": ["empty"]})
    calendar.time_zone = data.time_zone
    calendar.country = data.country.strip().upper()
    calendar.hours = data.hours
    calendar.closed_days = data.closed_days
    calendar.open_days = data.open_days
    calendar.is_default = data.is_default
    validate_calendar(calendar)
    if data.is_default:
        Calendar.objects.exclude(pk=calendar.pk).filter(is_default=True).update(is_default=False)
    save_unique(calendar, taken=f"A calendar named {calendar.name!r} already exists")
    _schedule_recompute()
    return calendar


@transaction.atomic
def do_delete_calendar(*, calendar: Calendar) -> None:
    try:
        calendar.delete()
    except ProtectedError as error:
        raise Conflict("Policies still count time on this calendar; change them first") from error
    _schedule_recompute()


@dataclass(frozen=True)
class TargetInput:
    priority: str
    metric: str
    minutes: int
    business_hours: bool = True


@dataclass(frozen=True)
class PolicyInput:
    name: str
    targets: Sequence[TargetInput]
    conditions: dict[str, Any] = field(default_factory=dict)
    calendar: Calendar | None = None
    position: int = 0
    is_active: bool = True
    warn_percent: int = 75
    description: str = ""


def _validated_targets(targets: Sequence[TargetInput]) -> None:
    errors: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    for index, target in enumerate(targets):
        where = f"targets[{index}]"
        if target.priority not in Priority.values:
            errors[where] = [f"priority must be one of {', '.join(Priority.values)}"]
        elif target.metric not in Metric.values:
            errors[where] = [f"metric must be one of {', '.join(Metric.values)}"]
        elif not 1 <= target.minutes <= MAX_TARGET_MINUTES:
            errors[where] = [f"minutes must be 1 to {MAX_TARGET_MINUTES}"]
        elif (target.priority, target.metric) in seen:
            errors[where] = ["a second target for the same priority and metric"]
        seen.add((target.priority, target.metric))
    if errors:
        raise InvalidInput("Invalid SLA targets", errors=errors)


@transaction.atomic
def do_save_policy(*, data: PolicyInput, policy: Policy | None = None) -> Policy:
    """Create a policy, or replace ``policy``'s settings and targets; open tickets are then
    matched again and their deadlines recomputed."""
    name = data.name.strip()
    if not name:
        raise InvalidInput("A policy needs a name", errors={"name": ["empty"]})
    if not 1 <= data.warn_percent <= 99:
        raise InvalidInput("Warn between 1 and 99 % of the target", errors={"warn_percent": []})
    _validated_targets(data.targets)
    policy = policy or Policy()
    policy.name = name
    policy.description = data.description
    policy.position = data.position
    policy.is_active = data.is_active
    policy.conditions = normalise_conditions(data.conditions)
    calendar = data.calendar or default_calendar()
    if calendar is None:
        raise InvalidInput("Choose the calendar the policy counts on", errors={"calendar": []})
    policy.calendar = calendar
    policy.warn_percent = data.warn_percent
    save_unique(policy, taken=f"A policy named {name!r} already exists")
    policy.targets.all().delete()
    PolicyTarget.objects.bulk_create(
        PolicyTarget(
            policy=policy,
            priority=target.priority,
            metric=target.metric,
            minutes=target.minutes,
            business_hours=target.business_hours,
        )
        for target in data.targets
    )
    _schedule_recompute()
    return policy


@transaction.atomic
def do_delete_policy(*, policy: Policy) -> None:
    policy.delete()
    _schedule_recompute()


def _schedule_recompute() -> None:
    forget_policies_on_change()
    publish_on_commit("sla.policies_changed")


# What a replay sets on a clock; the alerts (warned/breached) belong to the sweep.
REPLAYED_FIELDS = (
    "policy",
    "target_seconds",
    "business_hours",
    "started_at",
    "running_since",
    "elapsed_seconds",
    "due_at",
    "warn_at",
    "completed_at",
    "outcome",
    "late_by_seconds",
)


def _replayed_values(clock: Clock) -> tuple[object, ...]:
    return tuple(
        clock.policy_id if name == "policy" else getattr(clock, name) for name in REPLAYED_FIELDS
    )


def do_refresh_tickets_sla(
    ticket_ids: Sequence[int], *, at: datetime.datetime | None = None
) -> dict[int, list[Clock]]:
    """Replay each ticket's history under the policy matching it now and store its clocks, and
    the nearest deadline of the running ones on the ticket (``Ticket.sla_due_at``); returns the
    clocks by ticket.

    Alerts already raised stay raised (the sweep owns them); a clock the new policy no longer
    has is dropped; a change of policy is written into the ticket's history, dated ``at``.

    One transaction for all, and what can be is written for all at once: one read of the
    stored clocks, one insert of the new ones, one update per deadline (a batch of inbound
    mail on an install without policies costs two statements, not two per ticket).
    """
    replays = {ticket_id: replayed_clocks(ticket_id) for ticket_id in ticket_ids}
    refreshed: dict[int, list[Clock]] = {}
    with transaction.atomic():
        stored: dict[int, dict[tuple[str, int], Clock]] = defaultdict(dict)
        for stored_clock in Clock.objects.select_for_update().filter(ticket_id__in=list(replays)):
            stored[stored_clock.ticket_id][(stored_clock.metric, stored_clock.cycle)] = stored_clock
        dropped: list[int] = []
        policy_events: list[SlaEvent] = []
        for ticket_id, replayed in replays.items():
            existing = stored[ticket_id]
            old_policy_id = next((clock.policy_id for clock in existing.values()), None)
            clocks = []
            for state in replayed.states:
                kept = existing.pop((state.metric, state.cycle), None) or Clock(
                    ticket_id=ticket_id, metric=state.metric, cycle=state.cycle
                )
                clocks.append(_replayed_clock(kept, replayed.policy, state))
            refreshed[ticket_id] = clocks
            dropped.extend(clock.pk for clock in existing.values())
            policy = replayed.policy
            new_policy_id = policy.pk if policy else None
            if new_policy_id != old_policy_id and (existing or clocks):
                policy_events.append(
                    SlaEvent(
                        ticket_id=ticket_id,
                        kind=EventKind.SLA_POLICY,
                        field="sla_policy",
                        old=old_policy_id,
                        new={"id": policy.pk, "name": policy.name} if policy else None,
                        at=at or timezone.now(),
                    )
                )
        Clock.objects.bulk_create(
            [clock for clocks in refreshed.values() for clock in clocks if clock.pk is None]
        )
        if dropped:
            Clock.objects.filter(pk__in=dropped).delete()
        _store_nearest_deadlines(
            {ticket_id: _nearest_deadline(clocks) for ticket_id, clocks in refreshed.items()}
        )
        if policy_events:
            do_record_sla_events(policy_events)
    return refreshed


def do_refresh_ticket_sla(ticket_id: int, *, at: datetime.datetime | None = None) -> list[Clock]:
    """``do_refresh_tickets_sla`` for one ticket; returns its clocks."""
    return do_refresh_tickets_sla([ticket_id], at=at)[ticket_id]


def _replayed_clock(clock: Clock, policy: Policy | None, state: ClockState) -> Clock:
    """``clock`` set to the replayed ``state``; saved at once when it is stored and changed."""
    before = _replayed_values(clock)
    late_by = state.late_by_seconds
    clock.policy = policy
    clock.target_seconds = state.target_seconds
    clock.business_hours = state.business_hours
    clock.started_at = state.started_at
    clock.running_since = state.running_since
    clock.elapsed_seconds = state.elapsed_seconds
    clock.due_at = state.due_at
    clock.warn_at = state.warn_at
    clock.completed_at = state.completed_at
    clock.late_by_seconds = late_by
    if late_by is None:
        clock.outcome = ""
    elif late_by > 0 or clock.breached_at is not None:
        clock.outcome = Outcome.BREACHED
    else:
        clock.outcome = Outcome.MET
    if clock.pk is not None and _replayed_values(clock) != before:
        # One plain UPDATE per changed clock: a change moves one or two of a ticket's
        # clocks, and bulk_update's CASE expressions cost more than they save here.
        clock.save(update_fields=REPLAYED_FIELDS)
    return clock


def _nearest_deadline(clocks: Sequence[Clock]) -> datetime.datetime | None:
    """The deadline a ticket is listed by: the nearest of its running clocks (not stopped, not
    paused); what ``selectors.next_deadlines`` reads from the clocks."""
    running = [
        clock.due_at
        for clock in clocks
        if clock.completed_at is None and clock.running_since is not None and clock.due_at
    ]
    return min(running, default=None)


def _store_nearest_deadlines(deadlines: dict[int, datetime.datetime | None]) -> None:
    # Conditional updates: a replay that changes nothing writes nothing. Tickets sharing a
    # deadline (none, mostly) take one statement.
    by_deadline: dict[datetime.datetime | None, list[int]] = defaultdict(list)
    for ticket_id, due_at in deadlines.items():
        by_deadline[due_at].append(ticket_id)
    for due_at, ticket_ids in by_deadline.items():
        Ticket.objects.filter(pk__in=ticket_ids).exclude(sla_due_at=due_at).update(
            sla_due_at=due_at
        )


def do_store_nearest_deadlines() -> int:
    """Set ``Ticket.sla_due_at`` of every ticket from its stored clocks in one statement, for
    clocks written in bulk rather than by ``do_refresh_ticket_sla`` (the benchmark's seed);
    returns how many tickets it wrote."""
    running = Clock.objects.filter(
        completed_at__isnull=True, running_since__isnull=False, due_at__isnull=False
    )
    nearest = running.filter(ticket_id=OuterRef("pk")).order_by("due_at").values("due_at")[:1]
    with_deadline = Ticket.objects.filter(pk__in=running.values("ticket_id"))
    changed = with_deadline.update(sla_due_at=Subquery(nearest))
    stale = Ticket.objects.filter(sla_due_at__isnull=False).exclude(
        pk__in=running.values("ticket_id")
    )
    return changed + stale.update(sla_due_at=None)


def do_refresh_open_tickets(*, after_id: int = 0, batch: int = 500) -> int | None:
    """Refresh the clocks of the next ``batch`` unsolved tickets after ``after_id``; returns the
    last id done, or None when there are no more (callers loop, a task per batch)."""
    # Policies changed, maybe in another process within the last second: read them afresh.
    forget_policies()
    ids = unsolved_ticket_ids(after_id=after_id, limit=batch)
    do_refresh_tickets_sla(ids)
    return ids[-1] if ids else None


@dataclass(frozen=True)
class SweepResult:
    warnings: int
    breaches: int


def _claim_sql(mark: str, due: str) -> str:
    # One statement picks the due clocks (through the partial index) and marks them, so two
    # sweeps running at once never alert the same clock twice.
    return f"""
        UPDATE sla_clock SET {mark} = %s
        WHERE id IN (
            SELECT id FROM sla_clock
            WHERE completed_at IS NULL AND {mark} IS NULL AND {due} <= %s
            ORDER BY {due} LIMIT %s
        ) AND {mark} IS NULL
        RETURNING ticket_id, metric, cycle, due_at
    """  # noqa: S608 - column names are constants of this module


_CLAIM_SQL = {
    Alert.WARNING: _claim_sql("warned_at", "warn_at"),
    Alert.BREACHED: _claim_sql("breached_at", "due_at"),
}
_ALERT_EVENT = {Alert.WARNING: EventKind.SLA_WARNING, Alert.BREACHED: EventKind.SLA_BREACHED}
_BATCH_EVENT = {Alert.WARNING: "sla.warnings", Alert.BREACHED: "sla.breaches"}


def _claim(alert: Alert, now: datetime.datetime, limit: int) -> list[SlaEvent]:
    with connection.cursor() as cursor:
        moment = connection.ops.adapt_datetimefield_value(now)
        cursor.execute(_CLAIM_SQL[alert], [moment, moment, limit])
        rows = cursor.fetchall()
    return [
        SlaEvent(
            ticket_id=ticket_id,
            kind=_ALERT_EVENT[alert],
            field=metric,
            old=None,
            new={"cycle": cycle, "due_at": _isoformat(due_at)},
            at=now,
        )
        for ticket_id, metric, cycle, due_at in rows
    ]


def _isoformat(value: datetime.datetime | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite hands RETURNING timestamps back as naive UTC text
        value = datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC)
    return value.isoformat()


def do_sweep_sla(*, now: datetime.datetime | None = None, batch: int = 1000) -> SweepResult:
    """Raise every warning and breach that has come due, each exactly once, in batches of one
    transaction each; the alerts land in the tickets' histories and are published."""
    now = now or timezone.now()
    counts = {Alert.WARNING: 0, Alert.BREACHED: 0}
    for alert in (Alert.WARNING, Alert.BREACHED):
        while True:
            with transaction.atomic():
                events = _claim(alert, now, batch)
                do_record_sla_events(events)
                if events:
                    # One event per batch too, for work done set-wise (escalation per team,
                    # notifications, live pages).
                    ticket_ids = sorted({event.ticket_id for event in events})
                    alerts = [(event.ticket_id, event.field) for event in events]
                    publish_on_commit(_BATCH_EVENT[alert], ticket_ids=ticket_ids, alerts=alerts)
            counts[alert] += len(events)
            if len(events) < batch:
                break
    return SweepResult(warnings=counts[Alert.WARNING], breaches=counts[Alert.BREACHED])
