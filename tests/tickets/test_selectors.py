"""Ticket selectors: visibility by role and team, access checks, list filters and paging."""

import datetime
from operator import attrgetter

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okienko.accounts.choices import Role
from okienko.core.errors import NotFound
from okienko.core.events import DomainEvent, subscribe, unsubscribe, watching_published
from okienko.customers.actions import do_create_organisation
from okienko.sla.selectors import attach_sla
from okienko.testing.factories import (
    make_agent,
    make_category,
    make_customer,
    make_round_the_clock_policy,
    make_team,
    make_ticket,
)
from okienko.tickets.actions import (
    AttachmentInput,
    do_add_note,
    do_change_priority,
    do_change_status,
    do_create_ticket,
    do_reply,
)
from okienko.tickets.choices import Channel, EventKind, Priority, Status
from okienko.tickets.models import SavedView, Ticket
from okienko.tickets.schemas import TicketOut
from okienko.tickets.selectors import (
    DeadlineKey,
    TicketFilters,
    access_attachment,
    access_message,
    access_ticket,
    inbox_counts,
    list_tickets,
    list_tickets_by_deadline,
    ticket_as_created,
    ticket_events,
    ticket_messages,
    visible_tickets,
)

AT = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)


def ids(tickets) -> list[int]:
    return [ticket.pk for ticket in tickets]


def visible_ids(user) -> list[int]:
    return sorted(visible_tickets(user).values_list("id", flat=True))


@pytest.fixture
def queues():
    """An agent in the orders team, a colleague in complaints, and tickets around them."""
    orders = make_team(name="Zamówienia")
    complaints = make_team(name="Reklamacje")
    agent = make_agent(teams=[orders])
    colleague = make_agent(teams=[complaints])
    return {
        "agent": agent,
        "colleague": colleague,
        "orders": orders,
        "complaints": complaints,
        "own_team": make_ticket(team=orders),
        "teamless": make_ticket(),
        "other_team": make_ticket(team=complaints),
        "assigned_to_agent": make_ticket(team=complaints, assignee=agent),
        "assigned_to_colleague": make_ticket(team=complaints, assignee=colleague),
    }


# Visibility


@pytest.mark.django_db
def test_agent_sees_own_teams_teamless_and_assigned_tickets(queues):
    assert visible_ids(queues["agent"]) == sorted(
        [queues["own_team"].pk, queues["teamless"].pk, queues["assigned_to_agent"].pk]
    )


@pytest.mark.django_db
def test_agent_in_two_teams_sees_both_queues_once(queues):
    queues["complaints"].members.add(queues["agent"])

    assert visible_ids(queues["agent"]) == sorted(
        [
            queues["own_team"].pk,
            queues["teamless"].pk,
            queues["other_team"].pk,
            queues["assigned_to_agent"].pk,
            queues["assigned_to_colleague"].pk,
        ]
    )
    assert visible_tickets(queues["agent"]).count() == 5


@pytest.mark.django_db
def test_agent_without_a_team_sees_teamless_and_assigned_tickets(queues):
    loner = make_agent()
    assigned = make_ticket(team=queues["complaints"], assignee=loner)

    assert visible_ids(loner) == sorted([queues["teamless"].pk, assigned.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_supervisors_and_admins_see_every_ticket(queues, role):
    boss = make_agent(role=role)

    assert visible_ids(boss) == sorted(
        [
            queues["own_team"].pk,
            queues["teamless"].pk,
            queues["other_team"].pk,
            queues["assigned_to_agent"].pk,
            queues["assigned_to_colleague"].pk,
        ]
    )


@pytest.mark.django_db
def test_access_ticket_returns_a_visible_ticket(queues):
    ticket = access_ticket(queues["agent"], queues["own_team"].pk)

    assert ticket.pk == queues["own_team"].pk


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["other_team", "assigned_to_colleague"])
def test_access_ticket_hides_another_teams_ticket(queues, name):
    with pytest.raises(NotFound):
        access_ticket(queues["agent"], queues[name].pk)


@pytest.mark.django_db
def test_access_ticket_reports_a_missing_ticket_the_same_way(queues):
    missing_id = queues["assigned_to_colleague"].pk + 1000

    with pytest.raises(NotFound) as raised:
        access_ticket(queues["agent"], missing_id)

    assert raised.value.detail == f"Ticket {missing_id} not found"


@pytest.mark.django_db
def test_access_message_only_finds_messages_of_that_ticket(queues):
    agent = queues["agent"]
    own = queues["own_team"]
    other_message = queues["teamless"].messages.get()

    with pytest.raises(NotFound):
        access_message(agent, own, other_message.pk)

    assert access_message(agent, own, own.messages.get().pk).ticket_id == own.pk


@pytest.mark.django_db
def test_access_attachment_hides_attachments_on_invisible_tickets(queues):
    colleague = queues["colleague"]
    note = do_add_note(
        ticket=queues["other_team"],
        text="Skan faktury",
        acting_user=colleague,
        attachments=[AttachmentInput("faktura.pdf", "application/pdf", b"%PDF-1.4")],
    )
    attachment = note.attachments.get()

    with pytest.raises(NotFound):
        access_attachment(queues["agent"], attachment.pk)

    assert access_attachment(colleague, attachment.pk).pk == attachment.pk


@pytest.mark.django_db
def test_ticket_messages_and_events_are_in_order():
    agent = make_agent()
    ticket = make_ticket(at=AT)
    reply = do_reply(
        ticket=ticket, text="Sprawdzamy.", acting_user=agent, at=AT + datetime.timedelta(minutes=5)
    )
    note = do_add_note(
        ticket=ticket,
        text="Zamówienie w magazynie.",
        acting_user=agent,
        at=AT + datetime.timedelta(minutes=1),
    )

    messages = list(ticket_messages(agent, ticket))
    events = list(ticket_events(agent, ticket))

    assert [message.pk for message in messages] == [
        ticket.messages.earliest("id").pk,
        note.pk,
        reply.pk,
    ]
    assert [(event.kind, event.message_id) for event in events] == [
        (EventKind.CREATED, messages[0].pk),
        (EventKind.MESSAGE_ADDED, note.pk),
        (EventKind.MESSAGE_ADDED, reply.pk),
        (EventKind.FIELD_CHANGED, None),
    ]


# Listing and filtering


@pytest.mark.django_db
def test_list_filters_by_status():
    admin = make_agent(role=Role.ADMIN)
    new = make_ticket()
    opened = make_ticket(assignee=admin)
    pending = make_ticket(assignee=admin)
    do_change_status(ticket=pending, status=Status.PENDING, acting_user=admin)

    found = list_tickets(
        admin, TicketFilters(statuses=[Status.OPEN, Status.PENDING]), before_id=None, limit=50
    )

    assert ids(found) == [pending.pk, opened.pk]
    assert new.pk not in ids(found)


@pytest.mark.django_db
def test_list_filters_by_assignee_and_zero_means_unassigned():
    admin = make_agent(role=Role.ADMIN)
    agent = make_agent()
    unassigned = make_ticket()
    mine = make_ticket(assignee=agent)
    theirs = make_ticket(assignee=admin)

    unassigned_found = list_tickets(admin, TicketFilters(assignee_id=0), before_id=None, limit=50)
    mine_found = list_tickets(admin, TicketFilters(assignee_id=agent.pk), before_id=None, limit=50)

    assert ids(unassigned_found) == [unassigned.pk]
    assert ids(mine_found) == [mine.pk]
    assert theirs.pk not in ids(unassigned_found) + ids(mine_found)


@pytest.mark.django_db
def test_list_filters_by_team():
    admin = make_agent(role=Role.ADMIN)
    orders = make_team()
    complaints = make_team()
    in_orders = make_ticket(team=orders)
    make_ticket(team=complaints)
    make_ticket()

    found = list_tickets(admin, TicketFilters(team_id=orders.pk), before_id=None, limit=50)

    assert ids(found) == [in_orders.pk]


@pytest.mark.django_db
def test_list_filters_by_tag_without_duplicates():
    admin = make_agent(role=Role.ADMIN)
    tagged = make_ticket(tags=["zwrot", "vip", "pilne"])
    also_tagged = make_ticket(tags=["zwrot"])
    make_ticket(tags=["vip"])

    found = list_tickets(admin, TicketFilters(tag="zwrot"), before_id=None, limit=50)

    assert ids(found) == [also_tagged.pk, tagged.pk]


@pytest.mark.django_db
def test_tag_filter_combines_with_statuses_paging_and_unknown_tags():
    admin = make_agent(role=Role.ADMIN)
    oldest = make_ticket(tags=["zwrot"])
    make_ticket(tags=["vip"])
    pending = make_ticket(tags=["zwrot"])
    do_change_status(ticket=pending, status=Status.PENDING, acting_user=admin)
    newest = make_ticket(tags=["zwrot", "vip"])
    unsolved = TicketFilters(tag="zwrot", statuses=(Status.NEW, Status.PENDING))

    first_page = list_tickets(admin, unsolved, before_id=None, limit=2)
    second_page = list_tickets(admin, unsolved, before_id=first_page[-1].pk, limit=2)
    unknown = list_tickets(admin, TicketFilters(tag="nie-ma-takiego"), before_id=None, limit=50)

    assert ids(first_page) == [newest.pk, pending.pk]
    assert ids(second_page) == [oldest.pk]
    assert unknown == []


@pytest.mark.django_db
def test_list_filters_by_requester_and_organisation():
    admin = make_agent(role=Role.ADMIN)
    organisation = do_create_organisation(name="Hurtownia", acting_user=None)
    employee = make_customer(organisation=organisation)
    colleague = make_customer(organisation=organisation)
    private = make_customer()
    from_employee = make_ticket(requester=employee)
    from_colleague = make_ticket(requester=colleague)
    make_ticket(requester=private)

    by_requester = list_tickets(
        admin, TicketFilters(requester_id=employee.pk), before_id=None, limit=50
    )
    by_organisation = list_tickets(
        admin, TicketFilters(organisation_id=organisation.pk), before_id=None, limit=50
    )

    assert ids(by_requester) == [from_employee.pk]
    assert ids(by_organisation) == [from_colleague.pk, from_employee.pk]


@pytest.mark.django_db
def test_list_filters_by_priority_channel_category_and_creation_time():
    admin = make_agent(role=Role.ADMIN)
    delivery = make_category(name="Dostawa")
    early = make_ticket(priority=Priority.URGENT, channel=Channel.CHAT, category=delivery, at=AT)
    late = make_ticket(
        priority=Priority.URGENT,
        channel=Channel.CHAT,
        category=delivery,
        at=AT + datetime.timedelta(days=2),
    )
    make_ticket(priority=Priority.LOW, channel=Channel.CHAT, category=delivery, at=AT)
    make_ticket(priority=Priority.URGENT, channel=Channel.EMAIL, category=delivery, at=AT)
    make_ticket(priority=Priority.URGENT, channel=Channel.CHAT, at=AT)
    filters = TicketFilters(
        priorities=[Priority.URGENT], channels=[Channel.CHAT], category_id=delivery.pk
    )

    matching = list_tickets(admin, filters, before_id=None, limit=50)
    after = list_tickets(
        admin,
        TicketFilters(
            priorities=[Priority.URGENT],
            channels=[Channel.CHAT],
            category_id=delivery.pk,
            created_after=AT + datetime.timedelta(days=1),
        ),
        before_id=None,
        limit=50,
    )
    before = list_tickets(
        admin,
        TicketFilters(
            priorities=[Priority.URGENT],
            channels=[Channel.CHAT],
            category_id=delivery.pk,
            created_before=AT + datetime.timedelta(days=1),
        ),
        before_id=None,
        limit=50,
    )

    assert ids(matching) == [late.pk, early.pk]
    assert ids(after) == [late.pk]
    assert ids(before) == [early.pk]


@pytest.fixture
def worded(live, tasks_run_at_once):
    """Tickets of two teams with words in their subjects, messages and notes, indexed."""
    orders = make_team(name="Zamówienia")
    complaints = make_team(name="Reklamacje")
    agent = make_agent(teams=[orders])
    parcel = live(
        make_ticket, subject="Gdzie jest przesyłka?", text="Paczka utknęła w sortowni.", team=orders
    )
    boots = live(
        make_ticket, subject="Reklamacja butów", text="Odkleiła się podeszwa.", team=orders
    )
    live(do_add_note, ticket=boots, text="Kurier zgubił zwrot.", acting_user=agent)
    hidden = live(make_ticket, subject="Paczka zgnieciona", team=complaints)
    return {"agent": agent, "parcel": parcel, "boots": boots, "hidden": hidden}


def text_ids(agent, text: str, **filters) -> list[int]:
    return ids(list_tickets(agent, TicketFilters(text=text, **filters), before_id=None, limit=50))


@pytest.mark.django_db
def test_the_text_filter_finds_words_of_subjects_messages_and_notes_in_any_form(worded):
    agent, parcel, boots = worded["agent"], worded["parcel"], worded["boots"]

    assert text_ids(agent, "paczki") == [parcel.pk]  # the customer's message, inflected
    assert text_ids(agent, "przesylki") == [parcel.pk]  # the subject, without diacritics
    assert text_ids(agent, "reklamacji butów") == [boots.pk]  # every word, any form
    assert text_ids(agent, "zgubiony") == [boots.pk]  # an internal note
    assert text_ids(agent, "sortowniach") == [parcel.pk]
    assert text_ids(agent, "paczka reklamacja") == []
    assert text_ids(agent, "nieistniejące") == []
    assert text_ids(agent, "!?") == []


@pytest.fixture
def every_word_very_common(monkeypatch):
    """Every text filter takes the form for a word in very many documents: on PostgreSQL the
    documents walked newest first, on SQLite the list's tickets tested one by one."""
    from okienko.search.backends import postgresql, sqlite

    monkeypatch.setattr(postgresql, "VERY_COMMON_MATCHES", 0)
    monkeypatch.setattr(postgresql, "UNLISTED_MARGIN", 0)
    monkeypatch.setattr(sqlite, "very_common_matches", lambda wanted: 0)


@pytest.mark.django_db
def test_the_text_filter_of_a_very_common_word_finds_the_same_tickets(
    worded, every_word_very_common
):
    agent, parcel, boots = worded["agent"], worded["parcel"], worded["boots"]
    admin = make_agent(role=Role.ADMIN)

    assert text_ids(agent, "paczki") == [parcel.pk]
    assert text_ids(agent, "reklamacji butów") == [boots.pk]
    assert text_ids(agent, "zgubiony") == [boots.pk]
    assert text_ids(agent, "paczka", statuses=[Status.NEW]) == [parcel.pk]
    assert text_ids(agent, "paczka", statuses=[Status.NEW, Status.OPEN]) == [parcel.pk]
    assert text_ids(admin, "paczka") == [worded["hidden"].pk, parcel.pk]
    assert text_ids(agent, "nieistniejące") == []


@pytest.mark.django_db
def test_a_saved_view_with_a_very_common_word_counts_the_tickets_it_shows(
    worded, every_word_very_common
):
    agent = worded["agent"]
    parcels = SavedView.objects.create(owner=agent, name="Paczki", filters={"text": "paczka"})
    notes = SavedView.objects.create(
        owner=agent, name="Zwroty", filters={"text": "zwrot", "statuses": [Status.NEW]}
    )

    counts = inbox_counts(agent, [parcels, notes])

    assert counts[f"saved-{parcels.pk}"] == 1
    assert counts[f"saved-{notes.pk}"] == 1


@pytest.mark.django_db
def test_the_text_filter_finds_ticket_numbers_and_keeps_to_the_other_filters(worded):
    agent, parcel, boots = worded["agent"], worded["parcel"], worded["boots"]
    do_change_status(ticket=boots, status=Status.SOLVED, acting_user=agent)
    admin = make_agent(role=Role.ADMIN)

    assert text_ids(agent, f"#{parcel.pk}") == [parcel.pk]
    assert text_ids(agent, str(boots.pk)) == [boots.pk]
    assert text_ids(agent, "#" + "9" * 30) == []
    assert text_ids(agent, "paczka", statuses=[Status.NEW, Status.OPEN]) == [parcel.pk]
    assert text_ids(agent, "buty", statuses=[Status.NEW, Status.OPEN]) == []
    # Another team's ticket with the word stays hidden from the agent, not from an admin.
    assert text_ids(agent, "paczka") == [parcel.pk]
    assert text_ids(admin, "paczka") == [worded["hidden"].pk, parcel.pk]


@pytest.mark.django_db
def test_a_saved_view_with_a_text_counts_the_tickets_it_shows(worded):
    agent = worded["agent"]
    view = SavedView.objects.create(owner=agent, name="Paczki", filters={"text": "paczka"})

    counts = inbox_counts(agent, [view])

    assert counts[f"saved-{view.pk}"] == 1


@pytest.mark.django_db
def test_list_keeps_to_what_the_agent_may_see(queues):
    agent = queues["agent"]

    found = list_tickets(
        agent, TicketFilters(team_id=queues["complaints"].pk), before_id=None, limit=50
    )

    assert ids(found) == [queues["assigned_to_agent"].pk]


@pytest.mark.django_db
def test_keyset_pages_follow_each_other_without_overlap():
    admin = make_agent(role=Role.ADMIN)
    tickets = [make_ticket() for _ in range(5)]
    newest_first = sorted(ids(tickets), reverse=True)

    first_page = list_tickets(admin, TicketFilters(), before_id=None, limit=2)
    second_page = list_tickets(admin, TicketFilters(), before_id=first_page[-1].pk, limit=2)
    third_page = list_tickets(admin, TicketFilters(), before_id=second_page[-1].pk, limit=2)
    past_the_end = list_tickets(admin, TicketFilters(), before_id=third_page[-1].pk, limit=2)

    assert ids(first_page) == newest_first[0:2]
    assert ids(second_page) == newest_first[2:4]
    assert ids(third_page) == newest_first[4:5]
    assert past_the_end == []


@pytest.mark.django_db
def test_list_loads_a_page_with_its_relations_in_two_queries(queues, django_assert_num_queries):
    agent = queues["agent"]
    category = make_category(name="Dostawa")
    for _ in range(3):
        make_ticket(team=queues["orders"], assignee=agent, category=category, tags=["b", "a"])
    filters = TicketFilters(category_id=category.pk)

    with django_assert_num_queries(2):
        page = list_tickets(agent, filters, before_id=None, limit=50)
        rows = [
            (
                ticket.requester.tier_id,
                ticket.assignee.name,
                ticket.team.name,
                ticket.category.name,
                [tag.name for tag in ticket.tags.all()],
            )
            for ticket in page
        ]

    assert rows == [(rows[0][0], agent.name, "Zamówienia", "Dostawa", ["a", "b"])] * 3


# Deadline order

HOUR = datetime.timedelta(hours=1)


def walk_by_deadline(agent, filters: TicketFilters, limit: int) -> list[list[int]]:
    """Every page of the list in deadline order, each continued from the last one's token."""
    pages: list[list[int]] = []
    after = None
    while page := list_tickets_by_deadline(agent, filters, after=after, limit=limit):
        pages.append(ids(page))
        after = DeadlineKey.from_token(DeadlineKey.of(page[-1]).token)
    return pages


@pytest.mark.django_db
def test_deadline_order_puts_the_most_urgent_first_and_the_undated_last(live):
    make_round_the_clock_policy(first_reply_minutes=60)  # normal priority only
    admin = make_agent(role=Role.ADMIN)
    later = live(make_ticket, at=AT + 2 * HOUR, tags=["zwrot"])
    undated_high = live(make_ticket, priority=Priority.HIGH, at=AT)  # no target: no deadline
    overdue = live(make_ticket, at=AT - 24 * HOUR, tags=["zwrot"])
    tie_first = live(make_ticket, at=AT)
    tie_second = live(make_ticket, at=AT, tags=["zwrot"])
    waiting = live(make_ticket, at=AT - 2 * HOUR, tags=["zwrot"])
    live(do_change_status, ticket=waiting, status=Status.PENDING, acting_user=None, at=AT)
    solved = live(make_ticket, at=AT)
    live(do_change_status, ticket=solved, status=Status.SOLVED, acting_user=None, at=AT)
    unsolved = TicketFilters(statuses=[Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD])

    found = list_tickets_by_deadline(admin, unsolved, after=None, limit=50)

    assert [ticket.sla_due_at for ticket in found[:4]] == [
        AT - 23 * HOUR,
        AT + HOUR,
        AT + HOUR,
        AT + 3 * HOUR,
    ]
    expected = [overdue, tie_first, tie_second, later, undated_high, waiting]
    assert ids(found) == ids(expected)
    assert walk_by_deadline(admin, unsolved, 2) == [ids(expected[i : i + 2]) for i in (0, 2, 4)]
    assert walk_by_deadline(admin, TicketFilters(), 4) == [
        ids(expected[:4]),
        ids([undated_high, waiting, solved]),
    ]
    assert walk_by_deadline(admin, TicketFilters(tag="zwrot"), 3) == [
        ids([overdue, tie_second, later]),
        ids([waiting]),
    ]


@pytest.mark.django_db
def test_deadline_order_keeps_to_what_the_agent_may_see(queues):
    found = list_tickets_by_deadline(queues["agent"], TicketFilters(), after=None, limit=50)

    assert ids(found) == sorted(
        [queues["own_team"].pk, queues["teamless"].pk, queues["assigned_to_agent"].pk]
    )


@pytest.mark.parametrize(
    "token", ["", "none", "none_", "_5", "12_x", "x_12", "99999999999999999999999_1"]
)
def test_a_token_that_is_no_deadline_key_reads_as_none(token):
    assert DeadlineKey.from_token(token) is None


@given(
    due_at=st.none() | st.datetimes(timezones=st.just(datetime.UTC)),
    ticket_id=st.integers(1, 2**62),
)
def test_deadline_key_tokens_read_back_exactly(due_at, ticket_id):
    key = DeadlineKey(due_at, ticket_id)

    assert DeadlineKey.from_token(key.token) == key


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    tickets=st.lists(
        st.tuples(st.sampled_from(list(Status)), st.none() | st.integers(-3, 3)), max_size=10
    ),
    statuses=st.lists(st.sampled_from(list(Status)), unique=True, max_size=4),
    limit=st.integers(1, 4),
)
def test_deadline_pages_hold_every_ticket_once_in_deadline_order(tickets, statuses, limit):
    with transaction.atomic():
        admin = make_agent(role=Role.ADMIN)
        keys = []
        for status, hours in tickets:
            due_at = None if hours is None else AT + hours * HOUR
            ticket = make_ticket()
            # The status and deadline as actions and the SLA app would leave them.
            Ticket.objects.filter(pk=ticket.pk).update(status=status, sla_due_at=due_at)
            keys.append((status, DeadlineKey(due_at, ticket.pk)))
        expected = sorted(
            (key for status, key in keys if not statuses or status in statuses),
            key=attrgetter("sort_key"),
        )

        pages = walk_by_deadline(admin, TicketFilters(statuses=statuses), limit)

        assert [ticket_id for page in pages for ticket_id in page] == [
            key.ticket_id for key in expected
        ]
        assert all(len(page) == limit for page in pages[:-1])
        transaction.set_rollback(True)


def plan_of_first_query(call) -> str:
    """How the database runs the first query ``call`` sends, one plan line per line.

    PostgreSQL is asked with sequential scans and sorts priced out, as on a big table: if the
    plan still sorts, no index can give the order.
    """
    captured: list[tuple[str, object]] = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        call()
    sql, params = captured[0]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "after"),
    [
        (Status.OPEN, None),
        (Status.OPEN, DeadlineKey(AT, 10)),
        (Status.SOLVED, DeadlineKey(None, 10)),
    ],
)
def test_a_deadline_page_reads_the_deadline_index_in_order_without_sorting(status, after):
    admin = make_agent(role=Role.ADMIN)
    make_ticket()

    plan = plan_of_first_query(
        lambda: list_tickets_by_deadline(
            admin, TicketFilters(statuses=[status]), after=after, limit=50
        )
    )

    assert "ticket_status_sla_due_id" in plan
    assert "TEMP B-TREE" not in plan  # SQLite's sort
    assert "Sort" not in plan  # PostgreSQL's


@pytest.mark.django_db
@pytest.mark.parametrize("after", [None, DeadlineKey(AT, 10), DeadlineKey(None, 10)])
def test_an_agents_own_deadline_page_reads_only_their_tickets_in_order(after):
    """However few tickets the agent has: along the deadline index of a whole status, a page
    of someone with none read every ticket of that status (0.13-0.48 s at 1M on SQLite)."""
    agent = make_agent(role=Role.AGENT)
    make_ticket(assignee=agent)

    plan = plan_of_first_query(
        lambda: list_tickets_by_deadline(
            agent,
            TicketFilters(statuses=[Status.OPEN], assignee_id=agent.pk),
            after=after,
            limit=50,
        )
    )

    assert "ticket_assignee_status_due_id" in plan
    assert "TEMP B-TREE" not in plan  # SQLite's sort
    assert "Sort" not in plan  # PostgreSQL's


@pytest.mark.django_db
def test_filters_that_imply_visibility_and_those_that_do_not_show_the_same_tickets(queues):
    """Lists and counts leave the visibility condition out only where the filters imply it:
    the agent's own tickets (whatever their team), and queues of the agent's teams alone."""
    agent, orders, complaints = queues["agent"], queues["orders"], queues["complaints"]
    cases = {
        TicketFilters(assignee_id=agent.pk): [queues["assigned_to_agent"]],
        TicketFilters(team_ids=(orders.pk,)): [queues["own_team"]],
        # A team of someone else's is not implied: only what the agent sees of it.
        TicketFilters(team_ids=(orders.pk, complaints.pk)): [
            queues["own_team"],
            queues["assigned_to_agent"],
        ],
        TicketFilters(team_id=complaints.pk): [queues["assigned_to_agent"]],
    }
    for filters, expected in cases.items():
        listed = list_tickets(agent, filters, before_id=None, limit=50)
        by_deadline = list_tickets_by_deadline(agent, filters, after=None, limit=50)
        assert sorted(ids(listed)) == sorted(ids(expected)), filters
        assert sorted(ids(by_deadline)) == sorted(ids(expected)), filters


@pytest.mark.django_db
def test_queue_statistics_exist_on_postgresql():
    # The planner's knowledge that new tickets have no assignee (see migration 0010).
    if connection.vendor != "postgresql":
        assert connection.vendor == "sqlite"
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT stxname FROM pg_statistic_ext ORDER BY stxname")
        names = [row[0] for row in cursor.fetchall()]
    assert {"ticket_assignee_status_stats", "ticket_team_status_stats"} <= set(names)


def _new_ticket(**fields) -> Ticket:
    return do_create_ticket(
        subject="Zwrot",
        requester=make_customer(),
        channel=Channel.EMAIL,
        text="Chcę zwrócić buty.",
        acting_user=None,
        **fields,
    )


def _response_body(ticket: Ticket) -> dict:
    attach_sla([ticket])
    return TicketOut.from_orm(ticket).model_dump(mode="json")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_ticket_nothing_changed_after_commit_is_answered_without_reading_it_again(
    django_assert_num_queries,
):
    with watching_published() as published:
        ticket = _new_ticket(tags=["zwrot", "buty"])

    created = ticket_as_created(ticket, published)
    with django_assert_num_queries(0):
        body = _response_body(created)

    assert created is ticket
    assert body["tags"] == ["buty", "zwrot"]
    assert body == _response_body(Ticket.objects.get(pk=ticket.pk))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_ticket_a_subscriber_changed_after_commit_is_read_again():
    def escalate(event: DomainEvent) -> None:
        changed = Ticket.objects.get(pk=event.payload["ticket_id"])
        do_change_priority(ticket=changed, priority=Priority.URGENT, acting_user=None)

    subscribe("ticket.created")(escalate)
    try:
        with watching_published() as published:
            ticket = _new_ticket()
    finally:
        unsubscribe("ticket.created", escalate)

    created = ticket_as_created(ticket, published)

    assert created is not ticket
    assert _response_body(created)["priority"] == Priority.URGENT
