"""Reads for SLA: calendars, policies, which policy a ticket falls under and its clocks."""

import datetime
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Min, QuerySet
from django.utils import timezone

from okienko.core.errors import NotFound
from okienko.core.persistence import is_remembered, remember_related
from okienko.core.reloaded import ReloadedOnChange
from okienko.customers.models import Customer
from okienko.sla.calendar import DEFAULT_CALENDAR, BusinessCalendar, WorkingHours
from okienko.sla.choices import Metric
from okienko.sla.clocks import ELAPSED_TIME, ClockState, Happening, Step, Target, replay
from okienko.sla.matching import TicketFacts, matches
from okienko.sla.models import Calendar, Clock, Policy
from okienko.tickets.choices import AuthorKind
from okienko.tickets.models import Ticket
from okienko.tickets.selectors import TicketHistory, ticket_history

# Which inbox a ticket came in through; the inboxes app registers it (it depends on us, not we
# on it), and without it the "inbox" condition never matches.
_inbox_of_ticket: list[Callable[[int], int | None]] = []


def register_inbox_lookup(lookup: Callable[[int], int | None]) -> None:
    _inbox_of_ticket[:] = [lookup]


def calendars() -> QuerySet[Calendar]:
    return Calendar.objects.all()


def access_calendar(calendar_id: int) -> Calendar:
    try:
        return Calendar.objects.get(pk=calendar_id)
    except Calendar.DoesNotExist as error:
        raise NotFound(f"Calendar {calendar_id} not found") from error


def policies() -> QuerySet[Policy]:
    return Policy.objects.select_related("calendar").prefetch_related("targets")


def access_policy(policy_id: int) -> Policy:
    try:
        return policies().get(pk=policy_id)
    except Policy.DoesNotExist as error:
        raise NotFound(f"Policy {policy_id} not found") from error


def _time(text: str) -> datetime.time:
    try:
        return datetime.time.fromisoformat(text)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{text!r} is not a time like 08:00") from error


def _intervals(pairs: Sequence[Sequence[str]]) -> list[tuple[datetime.time, datetime.time]]:
    if not isinstance(pairs, list) or not all(
        isinstance(pair, list | tuple) and len(pair) == 2 for pair in pairs
    ):
        raise ValueError("opening hours are lists of [start, end] pairs")
    return [(_time(start), _time(end)) for start, end in pairs]


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{text!r} is not a date like 2026-12-31") from error


# The arithmetic of calendars by their settings: one object per calendar keeps the days it
# worked out (``BusinessCalendar._days``) for every clock of every page.
_arithmetic: dict[str, BusinessCalendar] = {}
MAX_CALENDARS_KEPT = 64


def business_calendar(calendar: Calendar | None) -> BusinessCalendar:
    """The arithmetic of ``calendar``; ValueError when its data is not a valid calendar."""
    if calendar is None:
        return DEFAULT_CALENDAR
    settings = [
        calendar.time_zone,
        calendar.country,
        calendar.hours,
        calendar.closed_days,
        calendar.open_days,
    ]
    key = json.dumps(settings, sort_keys=True, default=str)
    known = _arithmetic.get(key)
    if known is None:
        if len(_arithmetic) >= MAX_CALENDARS_KEPT:
            _arithmetic.clear()
        known = _arithmetic[key] = _arithmetic_of(calendar)
    return known


def _arithmetic_of(calendar: Calendar) -> BusinessCalendar:
    if not isinstance(calendar.hours, dict):
        raise ValueError("opening hours are an object of weekday: [[start, end], ...]")
    hours = {}
    for weekday, pairs in calendar.hours.items():
        if not str(weekday).isdigit():
            raise ValueError(f"weekday {weekday!r} is not 0 (Monday) to 6 (Sunday)")
        hours[int(weekday)] = _intervals(pairs)
    return BusinessCalendar(
        time_zone=calendar.time_zone,
        hours=WorkingHours(hours),
        country=calendar.country or None,
        extra_closed_days=frozenset(_date(day["date"]) for day in calendar.closed_days),
        extra_open_days={
            _date(day["date"]): _intervals(day["hours"]) for day in calendar.open_days
        },
    )


def default_calendar() -> Calendar | None:
    return Calendar.objects.filter(is_default=True).first()


def _facts(history: TicketHistory, *, with_inbox: bool) -> TicketFacts:
    """The ticket's facts; the inbox costs a query, so it is read only when a policy asks."""
    ticket = history.ticket
    requester: Customer = ticket.requester
    organisation = requester.organisation
    # B2B customers are served as their organisation: its tier, when set, wins.
    tier = organisation.tier if organisation and organisation.tier else requester.tier
    return TicketFacts(
        channel=ticket.channel,
        priority=ticket.priority,
        tier=tier.slug,
        organisation=requester.organisation_id,
        categories=history.category_path,
        tags=history.tag_names,
        inbox=_inbox_of_ticket[0](ticket.pk) if with_inbox and _inbox_of_ticket else None,
    )


@dataclass(frozen=True)
class ActivePolicy:
    """An active policy with its targets and its calendar's arithmetic, ready to replay."""

    policy: Policy
    calendar: BusinessCalendar


def _policies_version() -> object:
    """Which policies are active and when they and their calendars last changed: a change made
    past the actions (the Django admin) is seen too."""
    return tuple(
        Policy.objects.filter(is_active=True).values_list(
            "pk", "updated_at", "calendar_id", "calendar__updated_at"
        )
    )


def _loaded_policies() -> list[ActivePolicy]:
    return [
        ActivePolicy(policy, business_calendar(policy.calendar))
        for policy in policies().filter(is_active=True)
    ]


_active_policies = ReloadedOnChange(version=_policies_version, load=_loaded_policies)


def active_policies() -> list[ActivePolicy]:
    """The active policies in order, each with its calendar's arithmetic."""
    return _active_policies.get()


def forget_policies() -> None:
    """Read the policies afresh next time (tests: a rolled-back test's policies are gone)."""
    _active_policies.forget()


def forget_policies_on_change() -> None:
    _active_policies.forget_on_change()


def matching_policy(facts: TicketFacts, active: Sequence[ActivePolicy]) -> ActivePolicy | None:
    """The first of the active policies, in order, whose conditions the ticket meets."""
    for candidate in active:
        if matches(candidate.policy.conditions, facts):
            return candidate
    return None


def _steps(history: TicketHistory) -> list[Step]:
    messages = [
        Step(
            at,
            Happening.AGENT_REPLY if author == AuthorKind.AGENT else Happening.CUSTOMER_MESSAGE,
        )
        for at, author in history.public_messages
        if author in (AuthorKind.AGENT, AuthorKind.CUSTOMER)
    ]
    statuses = [Step(at, Happening.STATUS, status) for at, status in history.status_changes]
    # A message and the status change it caused share their moment: the message comes first.
    return sorted([*messages, *statuses], key=lambda step: (step.at, step.happening == "status"))


@dataclass(frozen=True)
class TicketClocks:
    """The policy a ticket falls under and its clocks as its history stands."""

    policy: Policy | None
    calendar: Calendar | None
    states: list[ClockState]


def replayed_clocks(ticket_id: int) -> TicketClocks:
    """Recompute a ticket's clocks from its history under the policy matching it now."""
    active = active_policies()
    if not active:
        # An install without SLA policies pays one query, not a read of the whole history.
        return TicketClocks(policy=None, calendar=None, states=[])
    history = ticket_history(ticket_id)
    with_inbox = any("inbox" in candidate.policy.conditions for candidate in active)
    matched = matching_policy(_facts(history, with_inbox=with_inbox), active)
    if matched is None:
        return TicketClocks(policy=None, calendar=None, states=[])
    policy = matched.policy
    targets = {
        Metric(target.metric): Target(target.minutes * 60, target.business_hours)
        for target in policy.targets.all()
        if target.priority == history.ticket.priority
    }
    states = replay(
        created_at=history.ticket.created_at,
        initial_status=history.initial_status,
        steps=_steps(history),
        targets=targets,
        calendar=matched.calendar,
        warn_percent=policy.warn_percent,
    )
    return TicketClocks(policy=policy, calendar=policy.calendar, states=states)


def first_reply_due(ticket_id: int) -> datetime.datetime | None:
    """When the customer may expect the first answer, as the SLA stands now."""
    for state in replayed_clocks(ticket_id).states:
        if state.metric == Metric.FIRST_REPLY and state.completed_at is None:
            return state.due_at
    return None


@dataclass(frozen=True)
class ClockView:
    """A clock as an agent or the API reads it: with the time left right now."""

    clock: Clock
    remaining_seconds: int | None
    is_paused: bool

    @property
    def is_running(self) -> bool:
        return self.clock.completed_at is None and not self.is_paused


@dataclass(frozen=True)
class TicketSla:
    policy: Policy | None
    calendar_name: str
    clocks: list[ClockView]

    @property
    def next_due(self) -> ClockView | None:
        running = [view for view in self.clocks if view.is_running and view.clock.due_at]
        return min(running, key=lambda view: view.clock.due_at, default=None)  # type: ignore[arg-type,return-value]


def _remaining(clock: Clock, calendar: BusinessCalendar, now: datetime.datetime) -> int | None:
    """Time left to the target (negative: overdue), counted the way the target counts time."""
    if clock.completed_at is not None:
        return None
    measure = calendar if clock.business_hours else ELAPSED_TIME
    elapsed = datetime.timedelta(seconds=clock.elapsed_seconds)
    if clock.running_since is not None:
        elapsed += measure.between(clock.running_since, now)
    return clock.target_seconds - int(elapsed.total_seconds())


def _clock_views(clocks: Sequence[Clock], now: datetime.datetime) -> TicketSla:
    policy = clocks[0].policy if clocks else None
    calendar = policy.calendar if policy else None
    arithmetic = business_calendar(calendar)
    views = [
        ClockView(
            clock=clock,
            remaining_seconds=_remaining(clock, arithmetic, now),
            is_paused=clock.completed_at is None and clock.running_since is None,
        )
        for clock in sorted(clocks, key=lambda clock: (clock.started_at, clock.metric, clock.cycle))
    ]
    return TicketSla(policy=policy, calendar_name=calendar.name if calendar else "", clocks=views)


def _clocks_of(ticket_ids: Sequence[int]) -> QuerySet[Clock]:
    # Unordered (``_clock_views`` sorts them): the model's ordering by ticket follows the
    # ticket's own and joined the tickets table to every read of clocks.
    return Clock.objects.filter(ticket_id__in=ticket_ids).order_by()


def ticket_sla(ticket_id: int, *, now: datetime.datetime | None = None) -> TicketSla:
    """The stored clocks of a ticket with the time left on each."""
    clocks = list(_clocks_of([ticket_id]).select_related("policy__calendar"))
    return _clock_views(clocks, now or timezone.now())


def attach_sla(tickets: Sequence[Ticket]) -> None:
    """Load the clocks of a page of tickets in one query, for ``sla_of`` to read.

    As ``prefetch_related_objects`` would, but without pointing each clock back at its ticket:
    those reference cycles kept every page of tickets listed, with all it holds, in memory until
    a full collection (~240 kB a request of the API's ticket list)."""
    pending = [ticket for ticket in tickets if not is_remembered(ticket, "sla_clocks")]
    if not pending:
        return
    found = list(_clocks_of([ticket.pk for ticket in pending]))
    _share_policies(found)
    clocks: dict[int, list[Clock]] = defaultdict(list)
    for clock in found:
        clocks[clock.ticket_id].append(clock)
    for ticket in pending:
        remember_related(ticket, "sla_clocks", clocks[ticket.pk])


def _share_policies(clocks: Sequence[Clock]) -> None:
    """Point ``clocks`` at their policies with calendars, each read once: joined to every clock,
    a page's few policies were two model instances and their JSON parsed again per clock."""
    policy_ids = {clock.policy_id for clock in clocks if clock.policy_id is not None}
    if not policy_ids:
        return
    found = Policy.objects.select_related("calendar").in_bulk(policy_ids)
    for clock in clocks:
        if clock.policy_id is not None:
            clock.policy = found.get(clock.policy_id)


def sla_of(ticket: Ticket, *, now: datetime.datetime | None = None) -> TicketSla:
    """A ticket's SLA from its clocks (prefetched by ``attach_sla`` for a list)."""
    return _clock_views(list(ticket.sla_clocks.all()), now or timezone.now())


def next_deadlines(ticket_ids: Sequence[int]) -> dict[int, datetime.datetime]:
    """The nearest deadline of each ticket's running clocks, for a page of the inbox."""
    rows = (
        Clock.objects.filter(
            ticket_id__in=ticket_ids, completed_at__isnull=True, running_since__isnull=False
        )
        .values("ticket_id")
        .annotate(due=Min("due_at"))
    )
    return {row["ticket_id"]: row["due"] for row in rows if row["due"] is not None}


@dataclass(frozen=True)
class ReplyPromise:
    """What someone contacting us now may honestly be told about the first human answer: whether
    business time counts now, when it starts again if not, and when the first reply is due by the
    SLA policy such a contact falls under (None without a first-reply target)."""

    is_open: bool
    opens_at: datetime.datetime | None
    due_at: datetime.datetime | None


def reply_promise(facts: TicketFacts, *, now: datetime.datetime) -> ReplyPromise:
    """The promise for a contact with ``facts`` arriving ``now``, from the policy it would fall
    under (its calendar and first-reply target) or else the default calendar."""
    matched = matching_policy(facts, active_policies())
    calendar = matched.calendar if matched else business_calendar(default_calendar())
    due_at = None
    if matched is not None:
        for target in matched.policy.targets.all():
            if target.metric == Metric.FIRST_REPLY and target.priority == facts.priority:
                duration = datetime.timedelta(minutes=target.minutes)
                due_at = calendar.add(now, duration) if target.business_hours else now + duration
    is_open = calendar.is_open(now)
    return ReplyPromise(
        is_open=is_open, opens_at=None if is_open else calendar.next_opening(now), due_at=due_at
    )
