"""SLA on tickets: policies matched, clocks stored from the ticket's history, the sweep's alerts."""

import datetime
import gc
import importlib
import threading
import weakref
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from okienko.core.errors import Conflict, InvalidInput
from okienko.customers.actions import do_update_customer
from okienko.customers.selectors import tier_by_slug
from okienko.sla.actions import (
    CalendarInput,
    PolicyInput,
    TargetInput,
    do_delete_calendar,
    do_delete_policy,
    do_refresh_ticket_sla,
    do_refresh_tickets_sla,
    do_save_calendar,
    do_save_policy,
    do_store_nearest_deadlines,
    do_sweep_sla,
)
from okienko.sla.choices import Metric, Outcome
from okienko.sla.models import Clock
from okienko.sla.selectors import (
    attach_sla,
    business_calendar,
    first_reply_due,
    next_deadlines,
    sla_of,
    ticket_sla,
)
from okienko.testing.factories import make_agent, make_category, make_customer, make_ticket
from okienko.tickets.actions import do_change_priority, do_change_status, do_reply
from okienko.tickets.choices import EventKind
from okienko.tickets.models import Ticket, TicketEvent

WARSAW = ZoneInfo("Europe/Warsaw")
OFFICE = {str(day): [["08:00", "16:00"]] for day in range(5)}


def warsaw(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=WARSAW)


MONDAY_9 = warsaw(2026, 11, 16, 9)
HOUR = timedelta(hours=1)


def targets(first: int, resolution: int | None = None, *, business=True, priority="normal"):
    result = [TargetInput(priority, Metric.FIRST_REPLY, first, business)]
    if resolution:
        result.append(TargetInput(priority, Metric.RESOLUTION, resolution, business))
    return result


@pytest.fixture
def office(db):
    return do_save_calendar(data=CalendarInput(name="Biuro", hours=OFFICE, is_default=True))


@pytest.fixture
def policies(office):
    """The seed examples: premium first, chat in 2 minutes, B2B 8 h, everyone else 4 h."""
    return [
        do_save_policy(
            data=PolicyInput(
                name="Premium", conditions={"tier": ["premium"]}, targets=targets(15), position=1
            )
        ),
        do_save_policy(
            data=PolicyInput(
                name="Czat",
                conditions={"channel": ["chat"]},
                targets=targets(2, business=False),
                position=2,
            )
        ),
        do_save_policy(
            data=PolicyInput(
                name="B2B", conditions={"tier": ["business"]}, targets=targets(8 * 60), position=3
            )
        ),
        do_save_policy(
            data=PolicyInput(name="Wszyscy", targets=targets(4 * 60, 16 * 60), position=4)
        ),
    ]


def clock(ticket, metric=Metric.FIRST_REPLY, cycle=1) -> Clock:
    return Clock.objects.get(ticket=ticket, metric=metric, cycle=cycle)


def test_a_new_ticket_gets_the_first_matching_policy_deadlines(policies, live):
    ticket = live(make_ticket, at=MONDAY_9)
    first = clock(ticket)
    assert first.policy.name == "Wszyscy"
    assert first.due_at == warsaw(2026, 11, 16, 13)
    assert first.warn_at == warsaw(2026, 11, 16, 12)
    assert clock(ticket, Metric.RESOLUTION).due_at == warsaw(2026, 11, 18, 9)
    history = TicketEvent.objects.get(ticket=ticket, kind=EventKind.SLA_POLICY)
    assert history.new_value == {"id": policies[3].pk, "name": "Wszyscy"}
    assert history.actor_kind == "system"


def test_tickets_refreshed_together_get_each_its_own_policy_and_deadline(policies):
    premium = make_customer(tier=tier_by_slug("premium"))
    vip = make_ticket(requester=premium, channel="chat", at=MONDAY_9)
    chat = make_ticket(channel="chat", at=MONDAY_9)
    plain = make_ticket(at=MONDAY_9)

    refreshed = do_refresh_tickets_sla([vip.pk, chat.pk, plain.pk])

    assert [refreshed[t.pk][0].policy.name for t in (vip, chat, plain)] == [
        "Premium",
        "Czat",
        "Wszyscy",
    ]
    deadlines = dict(Ticket.objects.values_list("pk", "sla_due_at"))
    assert deadlines[vip.pk] == warsaw(2026, 11, 16, 9, 15)
    assert deadlines[chat.pk] == MONDAY_9 + timedelta(minutes=2)
    assert deadlines[plain.pk] == warsaw(2026, 11, 16, 13)
    assert TicketEvent.objects.filter(kind=EventKind.SLA_POLICY).count() == 3


def test_order_decides_between_matching_policies(policies, live):
    premium = make_customer(tier=tier_by_slug("premium"))
    on_chat = live(make_ticket, requester=premium, channel="chat", at=MONDAY_9)
    assert clock(on_chat).policy.name == "Premium"
    chat = live(make_ticket, channel="chat", at=MONDAY_9)
    assert clock(chat).policy.name == "Czat"
    assert clock(chat).due_at == MONDAY_9 + timedelta(minutes=2)


def test_an_organisations_tier_decides_for_its_people(policies, live):
    from okienko.customers.actions import do_create_organisation

    company = do_create_organisation(
        name="Hurtownia", tier=tier_by_slug("business"), acting_user=None
    )
    ticket = live(make_ticket, requester=make_customer(organisation=company), at=MONDAY_9)
    assert clock(ticket).policy.name == "B2B"
    assert clock(ticket).due_at == warsaw(2026, 11, 17, 9)


def test_conditions_on_category_cover_its_subcategories(office, live):
    orders = make_category(name="Zamówienia")
    returns = make_category(name="Zwroty", parent=orders)
    do_save_policy(
        data=PolicyInput(
            name="Zamówienia", conditions={"category": [orders.pk]}, targets=targets(60)
        )
    )
    ticket = live(make_ticket, category=returns, at=MONDAY_9)
    assert clock(ticket).target_seconds == 3600
    assert not Clock.objects.filter(ticket=live(make_ticket, at=MONDAY_9)).exists()


def test_tag_and_priority_conditions(office, live):
    do_save_policy(
        data=PolicyInput(
            name="Pilne VIP",
            conditions={"tag": ["VIP"], "priority": ["urgent"]},
            targets=targets(30, priority="urgent"),
        )
    )
    vip = live(make_ticket, tags=["vip"], priority="urgent", at=MONDAY_9)
    assert clock(vip).target_seconds == 1800
    assert not Clock.objects.filter(ticket=live(make_ticket, tags=["vip"], at=MONDAY_9)).exists()


def test_the_first_reply_meets_the_target_and_is_stored_as_met(policies, live):
    agent = make_agent()
    ticket = live(make_ticket, at=MONDAY_9)
    live(
        do_reply,
        ticket=ticket,
        text="Już sprawdzamy.",
        acting_user=agent,
        at=MONDAY_9 + timedelta(hours=1),
    )
    first = clock(ticket)
    assert first.completed_at == MONDAY_9 + timedelta(hours=1)
    assert first.outcome == Outcome.MET
    assert first.late_by_seconds == -3 * 3600


def test_pending_pauses_and_the_page_shows_it(policies, live):
    ticket = live(make_ticket, at=MONDAY_9)
    live(
        do_change_status,
        ticket=ticket,
        status="pending",
        acting_user=None,
        at=MONDAY_9 + timedelta(hours=1),
    )
    sla = ticket_sla(ticket.pk, now=MONDAY_9 + timedelta(hours=5))
    first = next(view for view in sla.clocks if view.clock.metric == Metric.FIRST_REPLY)
    assert first.is_paused
    assert first.remaining_seconds == 3 * 3600
    assert first.clock.due_at is None
    assert sla.policy.name == "Wszyscy"
    assert sla.calendar_name == "Biuro"


def test_remaining_time_counts_business_time_only(policies, live):
    ticket = live(make_ticket, at=warsaw(2026, 11, 20, 15))  # Friday 15:00
    sla = ticket_sla(ticket.pk, now=warsaw(2026, 11, 23, 9))  # Monday 09:00
    first = next(view for view in sla.clocks if view.clock.metric == Metric.FIRST_REPLY)
    assert first.remaining_seconds == 2 * 3600  # Friday 1 h and Monday 1 h are gone
    late = ticket_sla(ticket.pk, now=warsaw(2026, 11, 23, 13))
    assert late.next_due.remaining_seconds == -2 * 3600


def test_a_new_priority_recomputes_the_deadline_honestly(office, live):
    do_save_policy(
        data=PolicyInput(
            name="Wszyscy",
            targets=[*targets(8 * 60), *targets(60, priority="urgent")],
        )
    )
    ticket = live(make_ticket, at=MONDAY_9)
    assert clock(ticket).due_at == warsaw(2026, 11, 17, 9)
    live(do_change_priority, ticket=ticket, priority="urgent", acting_user=None, at=MONDAY_9)
    # The hour the ticket already waited counts against the urgent target too.
    assert clock(ticket).due_at == warsaw(2026, 11, 16, 10)
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_POLICY).count() == 1


def test_a_new_tier_moves_open_tickets_under_another_policy(policies, live):
    customer = make_customer()
    ticket = live(make_ticket, requester=customer, at=MONDAY_9)
    live(
        do_update_customer,
        customer=customer,
        changes={"tier": tier_by_slug("premium")},
        acting_user=None,
    )
    assert clock(ticket).policy.name == "Premium"
    assert not Clock.objects.filter(ticket=ticket, metric=Metric.RESOLUTION).exists()
    change = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_POLICY).last()
    assert change.old_value == policies[3].pk
    assert change.new_value["name"] == "Premium"


def test_a_changed_policy_recomputes_open_tickets(policies, live, tasks_run_at_once):
    ticket = live(make_ticket, at=MONDAY_9)
    live(do_save_policy, policy=policies[3], data=PolicyInput(name="Wszyscy", targets=targets(60)))
    assert clock(ticket).due_at == warsaw(2026, 11, 16, 10)


def test_no_policy_no_clocks(db, live):
    ticket = live(make_ticket, at=MONDAY_9)
    assert not Clock.objects.filter(ticket=ticket).exists()
    assert ticket_sla(ticket.pk).policy is None
    assert first_reply_due(ticket.pk) is None


def test_first_reply_due_is_what_the_customer_is_promised(policies, live):
    ticket = make_ticket(at=MONDAY_9)  # not refreshed yet: computed from the history
    assert first_reply_due(ticket.pk) == warsaw(2026, 11, 16, 13)


def test_the_sweep_warns_then_breaches_each_target_exactly_once(policies, live, published):
    ticket = live(make_ticket, at=MONDAY_9)
    assert do_sweep_sla(now=warsaw(2026, 11, 16, 11, 59)).warnings == 0
    with_warning = do_sweep_sla(now=warsaw(2026, 11, 16, 12))
    assert (with_warning.warnings, with_warning.breaches) == (1, 0)
    assert do_sweep_sla(now=warsaw(2026, 11, 16, 12, 30)).warnings == 0
    breach = do_sweep_sla(now=warsaw(2026, 11, 16, 13))
    assert (breach.warnings, breach.breaches) == (0, 1)
    assert do_sweep_sla(now=warsaw(2026, 11, 17, 9)).breaches == 0
    kinds = list(
        TicketEvent.objects.filter(ticket=ticket, kind__in=["sla_warning", "sla_breached"])
        .order_by("id")
        .values_list("kind", "field")
    )
    assert kinds == [("sla_warning", "first_reply"), ("sla_breached", "first_reply")]
    breached = TicketEvent.objects.get(ticket=ticket, kind="sla_breached")
    assert breached.new_value["due_at"].startswith("2026-11-16T12:00:00")
    assert clock(ticket).breached_at == warsaw(2026, 11, 16, 13)


def test_a_reply_after_a_breach_stays_breached_and_alerts_never_repeat(policies, live):
    agent = make_agent()
    ticket = live(make_ticket, at=MONDAY_9)
    do_sweep_sla(now=warsaw(2026, 11, 16, 14))
    live(
        do_reply,
        ticket=ticket,
        text="Przepraszamy za zwłokę.",
        acting_user=agent,
        at=warsaw(2026, 11, 16, 15),
    )
    first = clock(ticket)
    assert first.outcome == Outcome.BREACHED
    assert first.late_by_seconds == 2 * 3600
    assert first.warned_at is not None
    assert first.breached_at is not None
    do_refresh_ticket_sla(ticket.pk)
    do_sweep_sla(now=warsaw(2026, 11, 20, 15))  # the resolution target comes due meanwhile
    alerts = TicketEvent.objects.filter(ticket=ticket, kind__in=["sla_warning", "sla_breached"])
    assert sorted(alerts.values_list("field", "kind")) == [
        ("first_reply", "sla_breached"),
        ("first_reply", "sla_warning"),
        ("resolution", "sla_breached"),
        ("resolution", "sla_warning"),
    ]


def test_paused_clocks_are_not_alerted(policies, live):
    ticket = live(make_ticket, at=MONDAY_9)
    live(do_change_status, ticket=ticket, status="on_hold", acting_user=None, at=MONDAY_9)
    result = do_sweep_sla(now=warsaw(2026, 11, 30, 9))
    assert (result.warnings, result.breaches) == (0, 0)


def test_the_sweep_works_in_batches(policies, live):
    for _ in range(7):
        live(make_ticket, at=MONDAY_9)
    result = do_sweep_sla(now=warsaw(2026, 11, 16, 13), batch=3)
    assert (result.warnings, result.breaches) == (7, 7)
    assert TicketEvent.objects.filter(kind="sla_breached").count() == 7


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_sweeps_alert_each_target_once(transactional_db):
    office = do_save_calendar(data=CalendarInput(name="Biuro", hours=OFFICE, is_default=True))
    do_save_policy(data=PolicyInput(name="Wszyscy", targets=targets(60), calendar=office))
    for _ in range(40):
        ticket = make_ticket(at=MONDAY_9)
        do_refresh_ticket_sla(ticket.pk)
    results = []
    errors = []

    def sweep():
        try:
            results.append(do_sweep_sla(now=warsaw(2026, 11, 16, 12), batch=7))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(result.breaches for result in results) == 40
    assert sum(result.warnings for result in results) == 40
    assert TicketEvent.objects.filter(kind="sla_breached").count() == 40
    assert TicketEvent.objects.filter(kind="sla_warning").count() == 40


def test_calendar_validation(db):
    with pytest.raises(InvalidInput, match="time zone"):
        do_save_calendar(data=CalendarInput(name="X", time_zone="Mars/Olympus", hours=OFFICE))
    with pytest.raises(InvalidInput, match="not a time"):
        do_save_calendar(data=CalendarInput(name="X", hours={"0": [["8 rano", "16:00"]]}))
    with pytest.raises(InvalidInput, match="ends before"):
        do_save_calendar(data=CalendarInput(name="X", hours={"0": [["16:00", "08:00"]]}))
    with pytest.raises(InvalidInput, match="open at some time"):
        do_save_calendar(data=CalendarInput(name="X", hours={}))
    with pytest.raises(InvalidInput, match="holidays"):
        do_save_calendar(data=CalendarInput(name="X", hours=OFFICE, country="XX"))
    with pytest.raises(InvalidInput, match="not a date"):
        do_save_calendar(
            data=CalendarInput(name="X", hours=OFFICE, closed_days=[{"date": "31.12.2026"}])
        )


def test_one_default_calendar_and_a_used_one_cannot_go(office):
    other = do_save_calendar(data=CalendarInput(name="Czat", hours=OFFICE, is_default=True))
    office.refresh_from_db()
    assert other.is_default
    assert not office.is_default
    do_save_policy(data=PolicyInput(name="P", targets=targets(60), calendar=other))
    with pytest.raises(Conflict):
        do_delete_calendar(calendar=other)
    with pytest.raises(Conflict):
        do_save_calendar(data=CalendarInput(name="Czat", hours=OFFICE))


def test_policy_validation(office):
    with pytest.raises(InvalidInput) as error:
        do_save_policy(data=PolicyInput(name="P", targets=targets(0)))
    assert "targets[0]" in error.value.errors
    with pytest.raises(InvalidInput):
        do_save_policy(data=PolicyInput(name="P", targets=[*targets(5), *targets(6)]))
    with pytest.raises(InvalidInput) as error:
        do_save_policy(
            data=PolicyInput(name="P", targets=targets(5), conditions={"colour": ["red"]})
        )
    assert "colour" in error.value.errors
    with pytest.raises(InvalidInput):
        do_save_policy(
            data=PolicyInput(name="P", targets=targets(5), conditions={"category": ["x"]})
        )
    with pytest.raises(InvalidInput):
        do_save_policy(data=PolicyInput(name="P", targets=targets(5), warn_percent=100))


# The nearest running deadline on the ticket (``Ticket.sla_due_at``), what the inbox sorts by


def stored_deadline(ticket) -> datetime.datetime | None:
    return Ticket.objects.values_list("sla_due_at", flat=True).get(pk=ticket.pk)


def test_the_ticket_carries_its_nearest_running_deadline_through_its_life(policies, live):
    agent = make_agent()
    ticket = live(make_ticket, at=MONDAY_9)
    assert stored_deadline(ticket) == warsaw(2026, 11, 16, 13)  # the first reply
    assert next_deadlines([ticket.pk]) == {ticket.pk: stored_deadline(ticket)}

    live(
        do_reply, ticket=ticket, text="Sprawdzamy.", acting_user=agent, at=warsaw(2026, 11, 16, 10)
    )
    assert stored_deadline(ticket) == warsaw(2026, 11, 18, 9)  # the resolution, 16 h of work

    live(
        do_change_status, ticket=ticket, status="pending", acting_user=agent, at=MONDAY_9 + 2 * HOUR
    )
    assert stored_deadline(ticket) is None  # paused: no running deadline

    live(do_change_status, ticket=ticket, status="open", acting_user=agent, at=MONDAY_9 + 5 * HOUR)
    # 2 h were spent before the pause: 14 h of work left from Monday 14:00.
    assert stored_deadline(ticket) == warsaw(2026, 11, 18, 12)
    assert next_deadlines([ticket.pk]) == {ticket.pk: stored_deadline(ticket)}

    live(
        do_change_status, ticket=ticket, status="solved", acting_user=agent, at=MONDAY_9 + 6 * HOUR
    )
    assert stored_deadline(ticket) is None


def test_a_new_priority_moves_the_stored_deadline(office, live):
    do_save_policy(
        data=PolicyInput(
            name="Wszyscy", targets=[*targets(8 * 60), *targets(60, priority="urgent")]
        )
    )
    ticket = live(make_ticket, at=MONDAY_9)
    assert stored_deadline(ticket) == warsaw(2026, 11, 17, 9)

    live(do_change_priority, ticket=ticket, priority="urgent", acting_user=None, at=MONDAY_9)

    assert stored_deadline(ticket) == warsaw(2026, 11, 16, 10)


def test_a_changed_or_deleted_policy_moves_the_stored_deadline(policies, live, tasks_run_at_once):
    ticket = live(make_ticket, at=MONDAY_9)
    live(do_save_policy, policy=policies[3], data=PolicyInput(name="Wszyscy", targets=targets(60)))
    assert stored_deadline(ticket) == warsaw(2026, 11, 16, 10)

    live(do_delete_policy, policy=policies[3])

    assert stored_deadline(ticket) is None


def test_a_policy_created_later_dates_the_open_tickets(office, live, tasks_run_at_once):
    ticket = live(make_ticket, at=MONDAY_9)
    assert stored_deadline(ticket) is None

    live(do_save_policy, data=PolicyInput(name="Wszyscy", targets=targets(4 * 60)))

    assert stored_deadline(ticket) == warsaw(2026, 11, 16, 13)


def test_the_sweep_leaves_an_overdue_deadline_in_place(policies, live):
    ticket = live(make_ticket, at=MONDAY_9)

    result = do_sweep_sla(now=warsaw(2026, 11, 16, 14))

    assert (result.warnings, result.breaches) == (1, 1)
    # Breached but still running: the most urgent kind of ticket stays at the top.
    assert stored_deadline(ticket) == warsaw(2026, 11, 16, 13)


def _migration_backfill() -> None:
    from django.apps import apps

    migration = importlib.import_module("okienko.sla.migrations.0002_ticket_sla_due_at")
    migration.store_nearest_deadlines(apps, None)


@pytest.mark.parametrize("store", [do_store_nearest_deadlines, _migration_backfill])
def test_deadlines_are_stored_set_wise_from_clocks_written_in_bulk(policies, live, store):
    agent = make_agent()
    running = live(make_ticket, at=MONDAY_9)
    answered = live(make_ticket, at=MONDAY_9 + HOUR)
    live(do_reply, ticket=answered, text="Już.", acting_user=agent, at=MONDAY_9 + 2 * HOUR)
    paused = live(make_ticket, at=MONDAY_9)
    live(do_change_status, ticket=paused, status="on_hold", acting_user=agent, at=MONDAY_9)
    expected = {t.pk: stored_deadline(t) for t in (running, answered, paused)}
    # As a bulk writer or the new column leaves them: the clocks in place, the tickets undated.
    Ticket.objects.update(sla_due_at=None)

    store()

    assert {t.pk: stored_deadline(t) for t in (running, answered, paused)} == expected
    assert expected == {
        running.pk: warsaw(2026, 11, 16, 13),
        answered.pk: warsaw(2026, 11, 18, 10),
        paused.pk: None,
    }


def test_storing_deadlines_set_wise_clears_a_stale_one(policies, live):
    ticket = live(make_ticket, at=MONDAY_9)
    live(do_change_status, ticket=ticket, status="on_hold", acting_user=None, at=MONDAY_9)
    Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=MONDAY_9)

    assert do_store_nearest_deadlines() == 1
    assert stored_deadline(ticket) is None


def test_a_calendars_arithmetic_is_kept_while_its_settings_stay(office):
    kept = business_calendar(office)
    office.refresh_from_db()

    assert business_calendar(office) is kept
    office.hours = {"0": [["10:00", "12:00"]]}
    changed = business_calendar(office)
    assert changed is not kept
    assert changed.hours.on(0) == ((datetime.time(10), datetime.time(12)),)


def test_clocks_are_read_from_their_own_table_alone(policies, live):
    ticket = live(make_ticket, at=MONDAY_9)
    listed = list(Ticket.objects.filter(pk=ticket.pk))
    with CaptureQueriesContext(connection) as captured:
        attach_sla(listed)
        sla = ticket_sla(ticket.pk)
    clock_reads = [query["sql"] for query in captured if 'FROM "sla_clock"' in query["sql"]]

    # Not joined to the tickets, which the clocks' default ordering by ticket would do.
    assert len(clock_reads) == 2
    assert not any("tickets_ticket" in sql for sql in clock_reads)
    assert [view.clock.metric for view in sla.clocks] == [Metric.FIRST_REPLY, Metric.RESOLUTION]
    assert [view.clock.metric for view in sla_of(listed[0]).clocks] == [
        Metric.FIRST_REPLY,
        Metric.RESOLUTION,
    ]


def test_a_refresh_locks_the_clocks_it_replaces_and_not_their_tickets(policies, live):
    ticket = live(make_ticket, at=MONDAY_9)
    with CaptureQueriesContext(connection) as captured:
        do_refresh_tickets_sla([ticket.pk])
    clock_reads = [query["sql"] for query in captured if 'FROM "sla_clock"' in query["sql"]]

    assert clock_reads
    # FOR UPDATE locks every table the query reads: the tickets, had it joined them.
    assert not any("tickets_ticket" in sql for sql in clock_reads)
    assert Clock.objects.filter(ticket=ticket).count() == 2


def test_attached_clocks_are_read_without_queries_and_freed_with_their_tickets(
    policies, live, django_assert_num_queries
):
    tickets = [live(make_ticket, at=MONDAY_9), live(make_ticket, at=MONDAY_9)]
    listed = list(Ticket.objects.filter(pk__in=[ticket.pk for ticket in tickets]).order_by("pk"))
    with django_assert_num_queries(2):  # the clocks, then their one policy with its calendar
        attach_sla(listed)
        slas = [sla_of(ticket) for ticket in listed]
    references = [weakref.ref(ticket) for ticket in listed]
    gc.disable()  # freed by reference counting alone: no cycle through the clocks
    try:
        del listed
        freed = [reference() is None for reference in references]
    finally:
        gc.enable()

    assert [[view.clock.metric for view in sla.clocks] for sla in slas] == [
        [Metric.FIRST_REPLY, Metric.RESOLUTION]
    ] * 2
    assert [sla.policy.name for sla in slas] == ["Wszyscy", "Wszyscy"]
    assert slas[0].policy is slas[1].policy
    assert freed == [True, True]
