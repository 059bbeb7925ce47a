"""Phase ``sla``: the SLA sweep over every open ticket's clocks, and the replay of one ticket.

One business calendar (Monday to Friday 08:00-16:00 in Europe/Warsaw, Polish public holidays)
and one policy for every ticket, with first-reply, next-reply and resolution targets per
priority, are saved through ``do_save_calendar`` and ``do_save_policy``. The seeded tickets were
bulk-inserted, not created through the actions, so they have no clocks: every unsolved ticket gets
its first-reply and resolution clocks here, written by ``bench.bulk.BulkWriter`` in batches as
the seed writes tickets; ``do_store_nearest_deadlines`` then puts each ticket's nearest running
deadline on it (``Ticket.sla_due_at``) in one statement, and PostgreSQL gets ``VACUUM ANALYZE``
of both tables afterwards.

The deadlines of running clocks are placed around the moment of the run, not replayed from the
seeded history: the seed spreads open tickets over a whole year, so every replayed clock would
long have breached. Deadlines fall from a week ago (overdue, and alerted by the sweeps that ran
then) to two weeks ahead. A ticket already answered has a completed first-reply clock; a pending
or on-hold ticket has a stopped resolution clock.

Measured, with ``do_sweep_sla(now=...)``:

* ``sweep_idle_s``: a sweep when nothing is newly due (the second of two; the first, which warms
  the caches, is ``sweep_idle_first_s``): the cost of the sweep every minute on a quiet install;
* ``sweep_due_s``: a sweep a minute later, when ``--due-share`` of the tickets (1 %: 10,000 at a
  million, a burst such as a sweep that has been down for a while) has just come due, half
  warnings and half breaches; ``alerts`` and ``alerts_per_s``;
* ``refresh_per_ticket_ms``: ``do_refresh_ticket_sla`` on ``--sample`` tickets created here
  through the actions (created, answered with the ticket put on pending, written to again by the
  customer; each action already replays the ticket once it commits, ``create_with_sla_per_s``);
  ``refresh_seeded_per_ticket_ms`` the same on as many bulk-seeded unsolved tickets, whose
  history is only their first message and their ``created`` event.

``claim_plans`` is the query plan of the statement that claims due clocks, for each alert.

The unsolved tickets most urgent first (``list_tickets_by_deadline``, what the inbox sorted by
deadline shows), a page of 50: ``deadline_list_ms`` for the first page, a deep page (a week
ahead in the deadlines) and a page among the tickets without a running deadline;
``deadline_list_plans`` the plans of the deep page's queries, one per status.

Saving the policy queues ``refresh_open_tickets`` for the Huey workers; no bench process runs
them. Run by ``python -m bench`` after the HTTP phase, so that the earlier phases measure an
install without SLA policies as before; by hand: ``python -m bench.sla --sample 100``.
"""

import argparse
import datetime
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bench.phase import emit, setup_django
from bench.progress import log
from bench.report import latency_summary
from bench.seed import BATCH_SIZE, MESSAGES, PRIORITY_WEIGHTS, SUBJECTS

OFFICE_HOURS = {str(weekday): [["08:00", "16:00"]] for weekday in range(5)}
WARN_PERCENT = 75
# Targets in minutes of business time, per priority.
FIRST_REPLY_MINUTES = {"urgent": 30, "high": 60, "normal": 240, "low": 480}
RESOLUTION_MINUTES = {"urgent": 240, "high": 480, "normal": 960, "low": 2400}
# The sweep runs every minute: the clocks that come due within one interval are one sweep's work.
SWEEP_INTERVAL = datetime.timedelta(minutes=1)
# Running deadlines are spread from a week before the run to two weeks after it.
OVERDUE_SECONDS = datetime.timedelta(days=7).total_seconds()
AHEAD_SECONDS = datetime.timedelta(days=14).total_seconds()
# How long after a warning or deadline the sweep that alerted it ran.
SWEEP_LAG = datetime.timedelta(seconds=30)
REQUESTER_POOL = 500
# The inbox's page.
DEADLINE_PAGE = 50
CLOCK_FIELDS = [
    "ticket",
    "metric",
    "cycle",
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
    "warned_at",
    "breached_at",
]


@dataclass(frozen=True)
class PolicyTargets:
    """What a bulk clock needs to know of the policy: its id and targets in seconds."""

    policy_id: int
    first_reply_seconds: dict[str, int]
    resolution_seconds: dict[str, int]


@dataclass
class DueSelection:
    """Picks exactly ``wanted`` of ``total`` running clocks to come due in the timed sweep
    (selection sampling: each clock is picked with the probability still needed)."""

    wanted: int
    total: int
    rng: random.Random
    seen: int = 0
    warnings: int = 0
    breaches: int = 0

    def next_alert(self) -> str:
        """``"warning"``, ``"breach"`` or ``""`` (not due) for the next running clock."""
        remaining = self.total - self.seen
        picked = self.warnings + self.breaches
        self.seen += 1
        if picked >= self.wanted or self.rng.random() * remaining >= self.wanted - picked:
            return ""
        if self.warnings <= self.breaches:
            self.warnings += 1
            return "warning"
        self.breaches += 1
        return "breach"


def _save_policy() -> PolicyTargets:
    from okienko.sla.actions import (
        CalendarInput,
        PolicyInput,
        TargetInput,
        do_save_calendar,
        do_save_policy,
    )
    from okienko.sla.choices import Metric

    calendar = do_save_calendar(
        data=CalendarInput(name="Biuro (bench)", hours=OFFICE_HOURS, is_default=True)
    )
    targets = []
    for priority, first_reply in FIRST_REPLY_MINUTES.items():
        targets.append(TargetInput(priority, Metric.FIRST_REPLY, first_reply))
        targets.append(TargetInput(priority, Metric.NEXT_REPLY, first_reply))
        targets.append(TargetInput(priority, Metric.RESOLUTION, RESOLUTION_MINUTES[priority]))
    policy = do_save_policy(
        data=PolicyInput(
            name="Wszyscy (bench)",
            targets=targets,
            calendar=calendar,
            warn_percent=WARN_PERCENT,
        )
    )
    return PolicyTargets(
        policy_id=policy.pk,
        first_reply_seconds={key: minutes * 60 for key, minutes in FIRST_REPLY_MINUTES.items()},
        resolution_seconds={key: minutes * 60 for key, minutes in RESOLUTION_MINUTES.items()},
    )


def _unsolved_tickets() -> Iterator[list[tuple[Any, ...]]]:
    """Every unsolved ticket as (id, status, priority, created_at, first_response_at), in
    batches in id order."""
    from okienko.tickets.choices import UNSOLVED_STATUSES
    from okienko.tickets.models import Ticket

    after_id = 0
    while True:
        rows = list(
            Ticket.objects.filter(pk__gt=after_id, status__in=UNSOLVED_STATUSES)
            .order_by("pk")
            .values_list("pk", "status", "priority", "created_at", "first_response_at")[:BATCH_SIZE]
        )
        if not rows:
            return
        yield rows
        after_id = rows[-1][0]


def _running_clock_count() -> int:
    """How many clocks ``_clock_rows`` will start running: a resolution clock on every new or
    open ticket, and a first-reply clock on those not answered yet."""
    from django.db.models import Count, Q

    from okienko.tickets.choices import Status
    from okienko.tickets.models import Ticket

    counts = Ticket.objects.filter(status__in=[Status.NEW, Status.OPEN]).aggregate(
        tickets=Count("pk"), unanswered=Count("pk", filter=Q(first_response_at__isnull=True))
    )
    return int(counts["tickets"]) + int(counts["unanswered"])


def _running(
    ticket_id: int,
    metric: str,
    target_seconds: int,
    created_at: datetime.datetime,
    alert: str,
    now: datetime.datetime,
    policy: PolicyTargets,
    rng: random.Random,
) -> tuple[Any, ...]:
    """A running clock; ``alert`` says whether its warning or deadline falls in the next sweep
    interval after ``now``, and every earlier warning and deadline was alerted already."""
    gap = datetime.timedelta(seconds=target_seconds * (100 - WARN_PERCENT) // 100)
    # (0, 1]: strictly after ``now``, at most one interval later.
    within_interval = SWEEP_INTERVAL * (1 - rng.random())
    if alert == "warning":
        warn_at = now + within_interval
        due_at = warn_at + gap
    elif alert == "breach":
        due_at = now + within_interval
        warn_at = due_at - gap
    else:
        next_sweep = now + SWEEP_INTERVAL
        while True:
            due_at = now + datetime.timedelta(seconds=rng.uniform(-OVERDUE_SECONDS, AHEAD_SECONDS))
            warn_at = due_at - gap
            # Anything but a warning or deadline in the interval the timed sweep covers.
            if not (now < due_at <= next_sweep or now < warn_at <= next_sweep):
                break
    warned_at = min(warn_at + SWEEP_LAG, now) if warn_at <= now else None
    breached_at = min(due_at + SWEEP_LAG, now) if due_at <= now else None
    return (
        ticket_id,
        metric,
        1,
        policy.policy_id,
        target_seconds,
        True,
        created_at,
        created_at,
        0,
        due_at,
        warn_at,
        None,
        "",
        None,
        warned_at,
        breached_at,
    )


def _paused(
    ticket_id: int,
    metric: str,
    target_seconds: int,
    created_at: datetime.datetime,
    policy: PolicyTargets,
    rng: random.Random,
) -> tuple[Any, ...]:
    """A clock stopped while the ticket waits on the customer or is on hold: no deadline."""
    elapsed = rng.randrange(target_seconds)
    warned = elapsed * 100 >= target_seconds * WARN_PERCENT
    warned_at = created_at + datetime.timedelta(seconds=elapsed) if warned else None
    return (
        ticket_id,
        metric,
        1,
        policy.policy_id,
        target_seconds,
        True,
        created_at,
        None,
        elapsed,
        None,
        None,
        None,
        "",
        None,
        warned_at,
        None,
    )


def _completed(
    ticket_id: int,
    metric: str,
    target_seconds: int,
    created_at: datetime.datetime,
    completed_at: datetime.datetime,
    policy: PolicyTargets,
) -> tuple[Any, ...]:
    """A clock stopped by the first reply; elapsed time is counted as plain time here."""
    elapsed = max(0, int((completed_at - created_at).total_seconds()))
    due_at = created_at + datetime.timedelta(seconds=target_seconds)
    warn_at = created_at + datetime.timedelta(seconds=target_seconds * WARN_PERCENT // 100)
    late_by = elapsed - target_seconds
    return (
        ticket_id,
        metric,
        1,
        policy.policy_id,
        target_seconds,
        True,
        created_at,
        None,
        elapsed,
        due_at,
        warn_at,
        completed_at,
        "breached" if late_by > 0 else "met",
        late_by,
        warn_at + SWEEP_LAG if elapsed * 100 >= target_seconds * WARN_PERCENT else None,
        due_at + SWEEP_LAG if late_by > 0 else None,
    )


def _clock_rows(
    tickets: list[tuple[Any, ...]],
    selection: DueSelection,
    now: datetime.datetime,
    policy: PolicyTargets,
    rng: random.Random,
) -> list[tuple[Any, ...]]:
    from okienko.sla.choices import Metric
    from okienko.tickets.choices import Status

    first_reply, resolution = Metric.FIRST_REPLY.value, Metric.RESOLUTION.value
    rows = []
    for ticket_id, status, priority, created_at, first_response_at in tickets:
        is_running = status in {Status.NEW, Status.OPEN}
        first_seconds = policy.first_reply_seconds[priority]
        resolution_seconds = policy.resolution_seconds[priority]
        if first_response_at is not None:
            # The seed answers its newest tickets up to ten hours after they came in.
            answered_at = min(first_response_at, now)
            rows.append(
                _completed(ticket_id, first_reply, first_seconds, created_at, answered_at, policy)
            )
        elif is_running:
            alert = selection.next_alert()
            rows.append(
                _running(ticket_id, first_reply, first_seconds, created_at, alert, now, policy, rng)
            )
        else:
            rows.append(_paused(ticket_id, first_reply, first_seconds, created_at, policy, rng))
        if is_running:
            alert = selection.next_alert()
            rows.append(
                _running(
                    ticket_id, resolution, resolution_seconds, created_at, alert, now, policy, rng
                )
            )
        else:
            rows.append(_paused(ticket_id, resolution, resolution_seconds, created_at, policy, rng))
    return rows


def _seed_clocks(
    policy: PolicyTargets, now: datetime.datetime, due_count: int, rng: random.Random
) -> tuple[int, int, DueSelection]:
    """Give every unsolved ticket its clocks; return the tickets, the clocks and which ones
    come due in the timed sweep."""
    from django.db import transaction

    from bench.bulk import BulkWriter
    from okienko.sla.models import Clock

    writer = BulkWriter(Clock, CLOCK_FIELDS)
    selection = DueSelection(wanted=due_count, total=_running_clock_count(), rng=rng)
    tickets = clocks = 0
    for batch in _unsolved_tickets():
        rows = _clock_rows(batch, selection, now, policy, rng)
        with transaction.atomic():
            writer.insert(rows)
        tickets += len(batch)
        clocks += len(rows)
        if tickets % (BATCH_SIZE * 20) == 0:
            log(f"sla: clocks for {tickets} unsolved tickets")
    return tickets, clocks, selection


def _analyze() -> float:
    """Planner statistics for the new clocks and deadlines (PostgreSQL), as the seed does for
    its tables."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE sla_clock")
        cursor.execute("VACUUM ANALYZE tickets_ticket")
    return time.monotonic() - started


def _deadline_pages(now: datetime.datetime) -> tuple[dict[str, float], list[list[str]]]:
    """Time three pages of the unsolved tickets most urgent first; the plans of the deep one."""
    from django.db import connection

    from okienko.accounts.models import Agent
    from okienko.tickets.choices import UNSOLVED_STATUSES
    from okienko.tickets.models import Ticket
    from okienko.tickets.selectors import DeadlineKey, TicketFilters, list_tickets_by_deadline

    admin = Agent.objects.filter(role="admin").first() or Agent.objects.first()
    undated = Ticket.objects.filter(status__in=UNSOLVED_STATUSES, sla_due_at__isnull=True)
    undated_count = undated.count()
    undated_ids = undated.order_by("pk").values_list("pk", flat=True)
    middle_id = undated_ids[undated_count // 2] if undated_count else 0
    cursors = {
        "first": None,
        "deep": DeadlineKey(now + datetime.timedelta(days=7), 0),
        "undated": DeadlineKey(None, middle_id),
    }
    filters = TicketFilters(statuses=UNSOLVED_STATUSES)
    timings = {}
    for name, after in cursors.items():
        started = time.perf_counter()
        list_tickets_by_deadline(admin, filters, after=after, limit=DEADLINE_PAGE)
        timings[name] = round((time.perf_counter() - started) * 1000, 2)
    captured: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        list_tickets_by_deadline(admin, filters, after=cursors["deep"], limit=DEADLINE_PAGE)
    plans = []
    with connection.cursor() as cursor:
        for sql, params in captured[: len(UNSOLVED_STATUSES)]:
            if connection.vendor == "postgresql":
                cursor.execute(f"EXPLAIN {sql}", params)
                plans.append([str(row[0]) for row in cursor.fetchall()])
            else:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plans.append([str(row[-1]) for row in cursor.fetchall()])
    return timings, plans


def _claim_plans(now: datetime.datetime, batch: int) -> dict[str, list[str]]:
    """The plan of the statement each alert's sweep claims due clocks with (not executed)."""
    from django.db import connection

    from okienko.sla.actions import _CLAIM_SQL

    moment = connection.ops.adapt_datetimefield_value(now)
    plans = {}
    with connection.cursor() as cursor:
        for alert, sql in _CLAIM_SQL.items():
            if connection.vendor == "postgresql":
                cursor.execute(f"EXPLAIN {sql}", [moment, moment, batch])
                plans[str(alert)] = [str(row[0]) for row in cursor.fetchall()]
            else:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", [moment, moment, batch])
                plans[str(alert)] = [str(row[-1]) for row in cursor.fetchall()]
    return plans


def _timed_sweep(now: datetime.datetime) -> tuple[float, int, int]:
    from okienko.sla.actions import do_sweep_sla

    started = time.perf_counter()
    result = do_sweep_sla(now=now)
    return time.perf_counter() - started, result.warnings, result.breaches


def _create_sample(count: int, rng: random.Random) -> tuple[list[int], float]:
    """Create ``count`` web-form tickets through the actions with a history to replay: created,
    answered and put on pending, then written to again by the customer (every second one).
    Return their ids and the creation rate."""
    from django.db.models import Max, Min
    from django.utils import timezone

    from okienko.accounts.choices import Role
    from okienko.accounts.models import Agent
    from okienko.customers.models import Customer
    from okienko.tickets.actions import do_add_customer_message, do_create_ticket, do_reply
    from okienko.tickets.choices import Channel, Status

    bounds = Customer.objects.aggregate(low=Min("pk"), high=Max("pk"))
    candidates = {rng.randint(bounds["low"], bounds["high"]) for _ in range(REQUESTER_POOL)}
    requesters = list(Customer.objects.filter(pk__in=candidates).select_related("tier"))
    agent = Agent.objects.filter(role=Role.AGENT, is_active=True).order_by("pk").first()
    if not requesters or agent is None:
        raise SystemExit("no customers or agents: run the seed phase first")
    now = timezone.now()
    priorities = rng.choices(list(PRIORITY_WEIGHTS), list(PRIORITY_WEIGHTS.values()), k=count)
    created = []
    log(f"sla: creating {count} tickets through do_create_ticket with the policy in place")
    started = time.monotonic()
    for number in range(count):
        requester = rng.choice(requesters)
        order = f"ZAM-S{number:06d}"
        ticket = do_create_ticket(
            subject=rng.choice(SUBJECTS).format(order=order),
            requester=requester,
            channel=Channel.WEB_FORM,
            text=rng.choice(MESSAGES).format(order=order, name=requester.name),
            priority=priorities[number],
            acting_user=None,
            at=now - datetime.timedelta(hours=rng.uniform(7, 48)),
        )
        created.append((ticket, ticket.created_at))
    seconds = time.monotonic() - started
    for ticket, created_at in created[::2]:
        replied_at = created_at + datetime.timedelta(minutes=rng.uniform(10, 180))
        do_reply(
            ticket=ticket,
            text="Dzień dobry, sprawdzamy zamówienie i wracamy z odpowiedzią.",
            status=Status.PENDING,
            acting_user=agent,
            at=replied_at,
        )
        do_add_customer_message(
            ticket=ticket,
            text="Dziękuję, czekam na informację.",
            at=replied_at + datetime.timedelta(minutes=rng.uniform(10, 180)),
        )
    return [ticket.pk for ticket, _ in created], count / seconds


def _bulk_clocked_sample(count: int, below_id: int, rng: random.Random) -> list[int]:
    """``count`` unsolved tickets at random among those whose clocks were bulk-written (every
    one with an id below ``below_id``): their history is their first message and ``created``
    event, a few from the ingest phase excepted."""
    from okienko.tickets.choices import UNSOLVED_STATUSES
    from okienko.tickets.models import Ticket

    unsolved = Ticket.objects.filter(pk__lt=below_id, status__in=UNSOLVED_STATUSES)
    chosen: set[int] = set()
    for _ in range(20):
        guesses = {rng.randrange(1, below_id) for _ in range(count * 4)}
        chosen |= set(unsolved.filter(pk__in=guesses).values_list("pk", flat=True))
        if len(chosen) >= count:
            break
    return rng.sample(sorted(chosen), min(count, len(chosen)))


def _refresh_ms(ticket_ids: list[int]) -> list[float]:
    from okienko.sla.actions import do_refresh_ticket_sla

    timings = []
    for ticket_id in ticket_ids:
        started = time.perf_counter()
        do_refresh_ticket_sla(ticket_id)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _summary(timings_ms: list[float]) -> dict[str, float]:
    mean = sum(timings_ms) / len(timings_ms) if timings_ms else 0.0
    return {"mean": round(mean, 2), **latency_summary(timings_ms)}


def measure_sla(*, sample: int, due_share: float, random_seed: int) -> dict[str, Any]:
    """Seed every open ticket's clocks, time the sweeps and the replay; return the results."""
    from django.db.models import Max
    from django.utils import timezone

    from okienko.sla.actions import do_store_nearest_deadlines
    from okienko.tickets.models import Ticket

    rng = random.Random(random_seed)
    policy = _save_policy()
    all_tickets = Ticket.objects.count()
    due_count = max(1, round(all_tickets * due_share))
    now = timezone.now()
    log(f"sla: clocks for every unsolved ticket, {due_count} due in the timed sweep")
    started = time.monotonic()
    open_tickets, clocks, selection = _seed_clocks(policy, now, due_count, rng)
    clock_seconds = time.monotonic() - started
    log(f"sla: {clocks} clocks on {open_tickets} unsolved tickets in {clock_seconds:.1f}s")
    started = time.monotonic()
    dated = do_store_nearest_deadlines()
    store_seconds = time.monotonic() - started
    log(f"sla: nearest deadline stored on {dated} tickets in {store_seconds:.1f}s")
    analyze_seconds = _analyze()
    deadline_list, deadline_plans = _deadline_pages(now)
    log(f"sla: unsolved tickets most urgent first, ms per page {deadline_list}")
    next_sweep = now + SWEEP_INTERVAL
    plans = _claim_plans(next_sweep, 1000)

    idle_first = _timed_sweep(now)
    idle = _timed_sweep(now)
    log(f"sla: idle sweeps {idle_first[0]:.3f}s, {idle[0]:.3f}s")
    due_seconds, warnings, breaches = _timed_sweep(next_sweep)
    alerts = warnings + breaches
    log(f"sla: sweep with {warnings} warnings and {breaches} breaches in {due_seconds:.2f}s")

    below_id = (Ticket.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    created_ids, create_rate = _create_sample(sample, rng)
    refresh = _refresh_ms(created_ids)
    refresh_seeded = _refresh_ms(_bulk_clocked_sample(sample, below_id, rng))
    log(
        f"sla: do_refresh_ticket_sla {_summary(refresh)['mean']} ms per created ticket, "
        f"{_summary(refresh_seeded)['mean']} ms per seeded ticket"
    )
    return {
        "open_tickets": open_tickets,
        "clocks": clocks,
        "clocks_per_s": round(clocks / clock_seconds, 1) if clock_seconds else 0.0,
        "dated_tickets": dated,
        "store_deadlines_s": round(store_seconds, 2),
        "analyze_seconds": round(analyze_seconds, 1),
        "sweep_idle_first_s": round(idle_first[0], 4),
        "sweep_idle_s": round(idle[0], 4),
        "sweep_idle_alerts": idle_first[1] + idle_first[2] + idle[1] + idle[2],
        "sweep_due_s": round(due_seconds, 3),
        "due_clocks": {"warnings": selection.warnings, "breaches": selection.breaches},
        "alerts": {"warnings": warnings, "breaches": breaches},
        "alerts_per_s": round(alerts / due_seconds, 1) if due_seconds else 0.0,
        "create_with_sla_per_s": round(create_rate, 1),
        "refresh_sample": len(refresh),
        "refresh_per_ticket_ms": _summary(refresh),
        "refresh_seeded_sample": len(refresh_seeded),
        "refresh_seeded_per_ticket_ms": _summary(refresh_seeded),
        "claim_plans": plans,
        "deadline_list_ms": deadline_list,
        "deadline_list_plans": deadline_plans,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sla", description=__doc__)
    parser.add_argument(
        "--sample", type=int, default=500, help="tickets replayed by do_refresh_ticket_sla"
    )
    parser.add_argument(
        "--due-share",
        type=float,
        default=0.01,
        help="clocks coming due in the timed sweep, as a share of all tickets",
    )
    parser.add_argument("--random-seed", type=int, default=13)
    options = parser.parse_args()
    setup_django()
    emit(
        measure_sla(
            sample=options.sample, due_share=options.due_share, random_seed=options.random_seed
        )
    )


if __name__ == "__main__":
    main()
