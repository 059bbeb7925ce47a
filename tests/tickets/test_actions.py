"""Ticket actions: creation, messages, field changes, bulk updates and merges."""

import datetime

import pytest

from okienko.accounts.choices import Role
from okienko.accounts.models import Agent
from okienko.core.errors import Conflict, InvalidInput
from okienko.core.events import DomainEvent
from okienko.testing.factories import (
    make_agent,
    make_category,
    make_custom_field,
    make_customer,
    make_team,
    make_ticket,
)
from okienko.tickets.actions import (
    CustomerMessage,
    NewTicket,
    do_add_customer_message,
    do_add_customer_messages,
    do_add_note,
    do_assign,
    do_change_category,
    do_change_priority,
    do_change_status,
    do_change_subject,
    do_change_team,
    do_create_ticket,
    do_create_tickets_with_messages,
    do_merge_tickets,
    do_reply,
    do_set_custom_fields,
    do_set_tags,
    do_update_ticket,
)
from okienko.tickets.choices import (
    AuthorKind,
    Channel,
    CustomFieldType,
    Direction,
    EventKind,
    Priority,
    Status,
)
from okienko.tickets.models import Message, Tag, Ticket, TicketEvent

AT = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)
LATER = AT + datetime.timedelta(hours=2)


def field_changes(ticket: Ticket) -> list[tuple]:
    """The ticket's FIELD_CHANGED events as (field, old, new), oldest first."""
    return list(
        TicketEvent.objects.filter(ticket=ticket, kind=EventKind.FIELD_CHANGED)
        .order_by("id")
        .values_list("field", "old_value", "new_value")
    )


def event_kinds(ticket: Ticket) -> list[str]:
    return list(
        TicketEvent.objects.filter(ticket=ticket).order_by("id").values_list("kind", flat=True)
    )


def label(instance) -> dict:
    return {"id": instance.pk, "name": instance.name}


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# Creation


@pytest.mark.django_db
def test_customer_ticket_starts_new_with_inbound_public_first_message():
    customer = make_customer(name="Anna Nowak", email="anna@poczta.example")

    ticket = do_create_ticket(
        subject="  Gdzie jest moja paczka?  ",
        requester=customer,
        channel=Channel.EMAIL,
        text="Zamówienie 1234 nie dotarło.",
        acting_user=None,
        at=AT,
    )

    assert ticket.status == Status.NEW
    assert ticket.subject == "Gdzie jest moja paczka?"
    assert (ticket.created_at, ticket.updated_at, ticket.last_message_at) == (AT, AT, AT)
    assert (ticket.reply_count, ticket.transfer_count, ticket.reopen_count) == (0, 0, 0)
    assert ticket.first_response_at is None
    message = ticket.messages.get()
    assert message.author_kind == AuthorKind.CUSTOMER
    assert message.author_customer_id == customer.pk
    assert message.author_agent_id is None
    assert message.direction == Direction.INBOUND
    assert message.is_public is True
    assert message.channel == Channel.EMAIL
    assert message.text == "Zamówienie 1234 nie dotarło."
    assert message.created_at == AT


@pytest.mark.django_db
def test_created_event_holds_a_snapshot_of_the_new_ticket():
    customer = make_customer(name="Anna Nowak")

    ticket = do_create_ticket(
        subject="Zwrot towaru",
        requester=customer,
        channel=Channel.WEB_FORM,
        text="Chcę zwrócić.",
        priority=Priority.HIGH,
        tags=["zwrot", "vip"],
        acting_user=None,
        at=AT,
    )

    event = ticket.events.get()
    assert event.kind == EventKind.CREATED
    assert event.actor_kind == AuthorKind.CUSTOMER
    assert event.actor_agent_id is None
    assert event.message_id == ticket.messages.get().pk
    assert event.created_at == AT
    assert event.new_value == {
        "subject": "Zwrot towaru",
        "status": "new",
        "priority": "high",
        "channel": "web_form",
        "requester": {"id": customer.pk, "name": "Anna Nowak"},
        "assignee": None,
        "team": None,
        "category": None,
        "tags": ["vip", "zwrot"],
        "custom_fields": {},
        "cc": [],
        "follow_up_of": None,
    }


@pytest.mark.django_db
def test_ticket_created_with_an_assignee_starts_open():
    agent = make_agent(name="Ewa Agentka")
    team = make_team(name="Reklamacje")

    ticket = make_ticket(assignee=agent, team=team)

    assert ticket.status == Status.OPEN
    snapshot = ticket.events.get().new_value
    assert snapshot["status"] == "open"
    assert snapshot["assignee"] == {"id": agent.pk, "name": "Ewa Agentka"}
    assert snapshot["team"] == {"id": team.pk, "name": "Reklamacje"}


@pytest.mark.django_db
def test_agent_can_write_the_first_message_for_the_customer():
    agent = make_agent()
    customer = make_customer()

    ticket = do_create_ticket(
        subject="Telefon w sprawie faktury",
        requester=customer,
        channel=Channel.PHONE,
        text="Klient dzwonił, prosi o korektę faktury.",
        author_kind=AuthorKind.AGENT,
        acting_user=agent,
    )

    message = ticket.messages.get()
    assert message.author_kind == AuthorKind.AGENT
    assert message.author_agent_id == agent.pk
    assert message.author_customer_id is None
    assert message.direction == Direction.OUTBOUND
    assert message.is_public is True
    event = ticket.events.get()
    assert (event.kind, event.actor_kind, event.actor_agent_id) == (
        EventKind.CREATED,
        AuthorKind.AGENT,
        agent.pk,
    )


@pytest.mark.django_db
def test_agent_written_first_message_needs_the_acting_agent():
    customer = make_customer()

    with pytest.raises(InvalidInput):
        do_create_ticket(
            subject="Bez agenta",
            requester=customer,
            channel=Channel.PHONE,
            text="Notatka",
            author_kind=AuthorKind.AGENT,
            acting_user=None,
        )

    assert Ticket.objects.count() == 0
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_tags_are_lower_cased_stripped_and_deduplicated():
    ticket = make_ticket(tags=["Zwrot", " zwrot ", "VIP", "vip", "", "  "])

    assert list(ticket.tags.order_by("name").values_list("name", flat=True)) == ["vip", "zwrot"]
    assert list(Tag.objects.order_by("name").values_list("name", flat=True)) == ["vip", "zwrot"]
    assert ticket.events.get().new_value["tags"] == ["vip", "zwrot"]


@pytest.mark.django_db
def test_existing_tags_are_reused():
    make_ticket(tags=["zwrot"])

    ticket = make_ticket(tags=["ZWROT", "gwarancja"])

    assert list(Tag.objects.order_by("name").values_list("name", flat=True)) == [
        "gwarancja",
        "zwrot",
    ]
    assert list(ticket.tags.order_by("name").values_list("name", flat=True)) == [
        "gwarancja",
        "zwrot",
    ]


@pytest.mark.django_db
def test_tag_longer_than_the_limit_is_refused():
    customer = make_customer()

    with pytest.raises(InvalidInput):
        make_ticket(requester=customer, tags=["x" * 65])

    assert Ticket.objects.count() == 0
    assert Tag.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "error_key"),
    [
        ({"channel": "fax"}, "channel"),
        ({"priority": "critical"}, "priority"),
        ({"subject": "   "}, "subject"),
        ({"text": "  "}, "text"),
    ],
)
def test_invalid_ticket_input_creates_nothing(overrides, error_key):
    customer = make_customer()
    arguments = {
        "subject": "Pytanie",
        "requester": customer,
        "channel": Channel.EMAIL,
        "text": "Treść",
        "acting_user": None,
        **overrides,
    }

    with pytest.raises(InvalidInput) as raised:
        do_create_ticket(**arguments)

    assert list(raised.value.errors) == [error_key]
    assert Ticket.objects.count() == 0
    assert Message.objects.count() == 0
    assert TicketEvent.objects.count() == 0


@pytest.mark.django_db
def test_custom_fields_are_validated_and_normalised_on_creation():
    make_custom_field(key="numer_zamowienia", field_type=CustomFieldType.TEXT)
    make_custom_field(key="kwota", field_type=CustomFieldType.NUMBER)
    make_custom_field(key="na_gwarancji", field_type=CustomFieldType.BOOLEAN)
    make_custom_field(key="data_zakupu", field_type=CustomFieldType.DATE)
    make_custom_field(
        key="produkt", field_type=CustomFieldType.CHOICE, choices=["pralka", "lodówka"]
    )

    ticket = make_ticket(
        custom_fields={
            "numer_zamowienia": "ZAM-1",
            "kwota": 199.99,
            "na_gwarancji": True,
            "data_zakupu": "2025-01-31",
            "produkt": "pralka",
        }
    )

    expected = {
        "numer_zamowienia": "ZAM-1",
        "kwota": 199.99,
        "na_gwarancji": True,
        "data_zakupu": "2025-01-31",
        "produkt": "pralka",
    }
    assert fresh(ticket).custom_fields == expected
    assert ticket.events.get().new_value["custom_fields"] == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"nieznane": "x"}, {"nieznane": ["unknown custom field"]}),
        ({"kwota": "sto"}, {"kwota": ["expected a number"]}),
        ({"kwota": True}, {"kwota": ["expected a number"]}),
        ({"na_gwarancji": "tak"}, {"na_gwarancji": ["expected true or false"]}),
        ({"numer_zamowienia": 1234}, {"numer_zamowienia": ["expected text"]}),
        ({"produkt": "rower"}, {"produkt": ["expected one of ['pralka', 'lodówka']"]}),
    ],
)
def test_invalid_custom_fields_create_nothing(values, errors):
    make_custom_field(key="numer_zamowienia", field_type=CustomFieldType.TEXT)
    make_custom_field(key="kwota", field_type=CustomFieldType.NUMBER)
    make_custom_field(key="na_gwarancji", field_type=CustomFieldType.BOOLEAN)
    make_custom_field(
        key="produkt", field_type=CustomFieldType.CHOICE, choices=["pralka", "lodówka"]
    )
    customer = make_customer()

    with pytest.raises(InvalidInput) as raised:
        make_ticket(requester=customer, custom_fields=values)

    assert raised.value.errors == errors
    assert Ticket.objects.count() == 0
    assert TicketEvent.objects.count() == 0


@pytest.mark.django_db
def test_invalid_date_custom_field_is_refused():
    make_custom_field(key="data_zakupu", field_type=CustomFieldType.DATE)
    customer = make_customer()

    with pytest.raises(InvalidInput) as raised:
        make_ticket(requester=customer, custom_fields={"data_zakupu": "wczoraj"})

    assert list(raised.value.errors) == ["data_zakupu"]
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_ticket_created_is_published_after_commit(published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket()

    assert [event for event in published if event.name.startswith("ticket.")] == [
        DomainEvent(
            "ticket.created",
            {
                "ticket_id": ticket.pk,
                "message_id": ticket.messages.get().pk,
                "channel": "email",
                "team_id": None,
                "assignee_id": None,
                "status": "new",
            },
        )
    ]


@pytest.mark.django_db
def test_tickets_opened_together_each_get_their_message_event_and_announcement(
    published, django_capture_on_commit_callbacks
):
    customers = [make_customer(name=f"Klient {n}") for n in range(3)]
    closed = make_ticket(requester=customers[0])
    do_change_status(ticket=closed, status=Status.CLOSED, acting_user=make_agent())
    new = [
        NewTicket(
            subject=f"Sprawa {n}", requester=customer, channel=Channel.EMAIL, text=f"Tekst {n}"
        )
        for n, customer in enumerate(customers)
    ]
    new[0] = NewTicket(
        subject="Sprawa 0",
        requester=customers[0],
        channel=Channel.EMAIL,
        text="Tekst 0",
        tags=["zwrot"],
        cc=[customers[1]],
        follow_up_of=closed,
        at=AT,
    )

    with django_capture_on_commit_callbacks(execute=True):
        opened = do_create_tickets_with_messages(new, acting_user=None)

    assert [(ticket.subject, message.text) for ticket, message in opened] == [
        ("Sprawa 0", "Tekst 0"),
        ("Sprawa 1", "Tekst 1"),
        ("Sprawa 2", "Tekst 2"),
    ]
    first = Ticket.objects.get(pk=opened[0][0].pk)
    assert (first.created_at, first.follow_up_of_id) == (AT, closed.pk)
    assert list(first.tags.values_list("name", flat=True)) == ["zwrot"]
    assert list(first.cc.all()) == [customers[1]]
    for ticket, message in opened:
        assert list(ticket.messages.all()) == [message]
        assert event_kinds(ticket) == [EventKind.CREATED]
    assert event_kinds(closed)[-1] == EventKind.FOLLOW_UP_OPENED
    assert [
        event.payload["ticket_id"] for event in published if event.name == "ticket.created"
    ] == [ticket.pk for ticket, _message in opened]


@pytest.mark.django_db
def test_one_invalid_ticket_among_several_opens_none():
    customer = make_customer()
    new = [
        NewTicket(subject="Sprawa", requester=customer, channel=Channel.EMAIL, text="Tekst"),
        NewTicket(subject=" ", requester=customer, channel=Channel.EMAIL, text="Tekst"),
    ]

    with pytest.raises(InvalidInput):
        do_create_tickets_with_messages(new, acting_user=None)

    assert Ticket.objects.count() == 0
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_customer_messages_added_together_keep_each_tickets_newest_time():
    first, second = make_ticket(), make_ticket()

    messages = do_add_customer_messages(
        [
            CustomerMessage(ticket=first, text="Później", at=LATER),
            CustomerMessage(ticket=first, text="Wcześniej", at=AT),
            CustomerMessage(ticket=second, text="Pytanie", at=AT),
        ]
    )

    assert [message.text for message in messages] == ["Później", "Wcześniej", "Pytanie"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.last_message_at, second.last_message_at) == (LATER, AT)
    assert TicketEvent.objects.filter(kind=EventKind.MESSAGE_ADDED).count() == 3


# Replies, notes and customer messages


@pytest.mark.django_db
def test_reply_counts_and_keeps_the_first_response_time():
    agent = make_agent()
    ticket = make_ticket()

    first = do_reply(ticket=ticket, text="Sprawdzamy.", acting_user=agent, at=AT)
    do_reply(ticket=ticket, text="Paczka wysłana.", acting_user=agent, at=LATER)

    stored = fresh(ticket)
    assert stored.reply_count == 2
    assert stored.first_response_at == AT
    assert stored.last_message_at == LATER
    assert stored.updated_at == LATER
    assert (ticket.reply_count, ticket.first_response_at) == (2, AT)
    assert first.author_kind == AuthorKind.AGENT
    assert first.author_agent_id == agent.pk
    assert first.author_customer_id is None
    assert first.direction == Direction.OUTBOUND
    assert first.is_public is True
    assert first.channel == Channel.EMAIL
    assert first.text == "Sprawdzamy."


@pytest.mark.django_db
def test_reply_opens_a_new_ticket_and_records_the_message():
    agent = make_agent()
    ticket = make_ticket()

    message = do_reply(
        ticket=ticket, text="Sprawdzamy.", acting_user=agent, rule="Makro: powitanie"
    )

    assert fresh(ticket).status == Status.OPEN
    added = ticket.events.get(kind=EventKind.MESSAGE_ADDED)
    assert added.new_value == {"message_id": message.pk, "is_public": True}
    assert (added.actor_kind, added.actor_agent_id, added.message_id, added.rule) == (
        AuthorKind.AGENT,
        agent.pk,
        message.pk,
        "Makro: powitanie",
    )
    assert field_changes(ticket) == [("status", "new", "open")]
    assert event_kinds(ticket) == [
        EventKind.CREATED,
        EventKind.MESSAGE_ADDED,
        EventKind.FIELD_CHANGED,
    ]


@pytest.mark.django_db
def test_reply_applies_the_requested_status_in_one_step():
    agent = make_agent()
    ticket = make_ticket()

    do_reply(
        ticket=ticket, text="Proszę o numer zamówienia.", status=Status.PENDING, acting_user=agent
    )

    assert fresh(ticket).status == Status.PENDING
    assert field_changes(ticket) == [("status", "new", "pending")]


@pytest.mark.django_db
def test_reply_on_an_open_ticket_leaves_the_status():
    agent = make_agent()
    ticket = make_ticket(assignee=agent)

    do_reply(ticket=ticket, text="Już sprawdzam.", acting_user=agent)

    assert fresh(ticket).status == Status.OPEN
    assert field_changes(ticket) == []


@pytest.mark.django_db
def test_reply_publishes_message_added_and_status_change(
    published, django_capture_on_commit_callbacks
):
    agent = make_agent()
    ticket = make_ticket()

    with django_capture_on_commit_callbacks(execute=True):
        message = do_reply(ticket=ticket, text="Sprawdzamy.", acting_user=agent)

    # The e-mail channel reacts too (a delivery is queued); this test is about the ticket's own.
    assert [event for event in published if event.name.startswith("ticket.")] == [
        DomainEvent(
            "ticket.message_added",
            {
                "ticket_id": ticket.pk,
                "message_id": message.pk,
                "channel": "email",
                "is_public": True,
                "author_kind": "agent",
            },
        ),
        DomainEvent(
            "ticket.updated", {"ticket_id": ticket.pk, "field": "status", "actor_id": agent.pk}
        ),
    ]


@pytest.mark.django_db
def test_reply_with_an_invalid_status_sends_nothing():
    agent = make_agent()
    ticket = make_ticket()

    with pytest.raises(InvalidInput):
        do_reply(ticket=ticket, text="Odpowiedź", status="zamkniety", acting_user=agent)

    stored = fresh(ticket)
    assert (stored.status, stored.reply_count, stored.first_response_at) == (Status.NEW, 0, None)
    assert ticket.messages.count() == 1
    assert event_kinds(ticket) == [EventKind.CREATED]


@pytest.mark.django_db
def test_reply_to_a_closed_ticket_conflicts_and_writes_nothing():
    agent = make_agent()
    ticket = make_ticket()
    do_change_status(ticket=ticket, status=Status.CLOSED, acting_user=agent)
    events_before = TicketEvent.objects.count()

    with pytest.raises(Conflict):
        do_reply(ticket=ticket, text="Jeszcze jedno", acting_user=agent)

    assert ticket.messages.count() == 1
    assert fresh(ticket).reply_count == 0
    assert TicketEvent.objects.count() == events_before


@pytest.mark.django_db
def test_empty_reply_is_refused():
    agent = make_agent()
    ticket = make_ticket()

    with pytest.raises(InvalidInput):
        do_reply(ticket=ticket, text="   ", acting_user=agent)

    assert ticket.messages.count() == 1
    assert fresh(ticket).reply_count == 0


@pytest.mark.django_db
def test_reply_html_is_sanitised_and_gives_the_text():
    agent = make_agent()
    ticket = make_ticket()

    message = do_reply(
        ticket=ticket,
        text="",
        html="<p onclick='x()'>Dzień dobry</p><script>alert(1)</script>",
        acting_user=agent,
    )

    assert message.html == "<p>Dzień dobry</p>"
    assert message.text == "Dzień dobry"


@pytest.mark.django_db
def test_note_is_internal_and_allowed_on_a_closed_ticket():
    agent = make_agent()
    ticket = make_ticket()
    do_change_status(ticket=ticket, status=Status.CLOSED, acting_user=agent)

    note = do_add_note(ticket=ticket, text="Klient dzwonił jeszcze raz.", acting_user=agent)

    assert note.is_public is False
    assert note.direction == Direction.INTERNAL
    assert note.author_kind == AuthorKind.AGENT
    assert note.author_agent_id == agent.pk
    stored = fresh(ticket)
    assert (stored.status, stored.reply_count, stored.first_response_at) == (
        Status.CLOSED,
        0,
        None,
    )
    added = ticket.events.get(kind=EventKind.MESSAGE_ADDED)
    assert added.new_value == {"message_id": note.pk, "is_public": False}


@pytest.mark.django_db
def test_customer_message_reopens_a_pending_ticket():
    agent = make_agent()
    customer = make_customer()
    ticket = make_ticket(requester=customer)
    do_reply(ticket=ticket, text="Proszę o zdjęcie.", status=Status.PENDING, acting_user=agent)

    message = do_add_customer_message(ticket=ticket, text="W załączeniu zdjęcie.", at=LATER)

    assert message.author_kind == AuthorKind.CUSTOMER
    assert message.author_customer_id == customer.pk
    assert message.direction == Direction.INBOUND
    assert message.is_public is True
    stored = fresh(ticket)
    assert (stored.status, stored.reopen_count, stored.last_message_at) == (Status.OPEN, 0, LATER)
    assert field_changes(ticket)[-1] == ("status", "pending", "open")
    reopened = ticket.events.filter(kind=EventKind.FIELD_CHANGED).order_by("id").last()
    assert (reopened.actor_kind, reopened.actor_agent_id) == (AuthorKind.CUSTOMER, None)
    added = ticket.events.filter(kind=EventKind.MESSAGE_ADDED).order_by("id").last()
    assert (added.actor_kind, added.actor_agent_id, added.message_id) == (
        AuthorKind.CUSTOMER,
        None,
        message.pk,
    )


@pytest.mark.django_db
def test_customer_message_reopens_a_solved_ticket():
    agent = make_agent()
    ticket = make_ticket(assignee=agent)
    do_change_status(ticket=ticket, status=Status.SOLVED, acting_user=agent, at=AT)

    do_add_customer_message(ticket=ticket, text="Niestety dalej nie działa.")

    stored = fresh(ticket)
    assert (stored.status, stored.reopen_count, stored.solved_at) == (Status.OPEN, 1, None)
    assert (ticket.reopen_count, ticket.solved_at) == (1, None)
    assert field_changes(ticket) == [("status", "open", "solved"), ("status", "solved", "open")]


@pytest.mark.django_db
def test_customer_message_leaves_a_new_ticket_new():
    ticket = make_ticket()

    do_add_customer_message(ticket=ticket, text="Uzupełniam: zamówienie 1234.")

    assert fresh(ticket).status == Status.NEW
    assert field_changes(ticket) == []


@pytest.mark.django_db
def test_customer_message_on_a_closed_ticket_conflicts_and_writes_nothing():
    agent = make_agent()
    ticket = make_ticket()
    do_change_status(ticket=ticket, status=Status.CLOSED, acting_user=agent)
    events_before = TicketEvent.objects.count()

    with pytest.raises(Conflict):
        do_add_customer_message(ticket=ticket, text="Halo?")

    assert ticket.messages.count() == 1
    assert TicketEvent.objects.count() == events_before
    assert fresh(ticket).status == Status.CLOSED


# Field changes


@pytest.mark.django_db
def test_change_status_records_one_event_with_the_actor():
    agent = make_agent()
    ticket = make_ticket(assignee=agent)

    changed = do_change_status(ticket=ticket, status=Status.ON_HOLD, acting_user=agent, at=AT)

    assert changed is True
    assert fresh(ticket).status == Status.ON_HOLD
    event = ticket.events.get(kind=EventKind.FIELD_CHANGED)
    assert (event.field, event.old_value, event.new_value) == ("status", "open", "on_hold")
    assert (event.actor_kind, event.actor_agent_id, event.rule, event.created_at) == (
        AuthorKind.AGENT,
        agent.pk,
        "",
        AT,
    )


@pytest.mark.django_db
def test_change_by_the_system_records_the_rule():
    ticket = make_ticket()

    do_change_priority(
        ticket=ticket, priority=Priority.URGENT, acting_user=None, rule="Słowo kluczowe: pilne"
    )

    event = ticket.events.get(kind=EventKind.FIELD_CHANGED)
    assert (event.field, event.old_value, event.new_value) == ("priority", "normal", "urgent")
    assert (event.actor_kind, event.actor_agent_id, event.rule) == (
        AuthorKind.SYSTEM,
        None,
        "Słowo kluczowe: pilne",
    )


@pytest.mark.django_db
def test_change_publishes_ticket_updated(published, django_capture_on_commit_callbacks):
    agent = make_agent()
    ticket = make_ticket()

    with django_capture_on_commit_callbacks(execute=True):
        do_change_priority(ticket=ticket, priority=Priority.HIGH, acting_user=agent)

    assert published == [
        DomainEvent(
            "ticket.updated", {"ticket_id": ticket.pk, "field": "priority", "actor_id": agent.pk}
        )
    ]


@pytest.mark.django_db
def test_change_priority_to_the_same_value_writes_nothing(
    published, django_capture_on_commit_callbacks
):
    agent = make_agent()
    ticket = make_ticket(priority=Priority.HIGH)

    with django_capture_on_commit_callbacks(execute=True):
        changed = do_change_priority(ticket=ticket, priority=Priority.HIGH, acting_user=agent)

    assert changed is False
    assert field_changes(ticket) == []
    assert published == []


@pytest.mark.django_db
def test_invalid_priority_is_refused():
    agent = make_agent()
    ticket = make_ticket()

    with pytest.raises(InvalidInput):
        do_change_priority(ticket=ticket, priority="krytyczny", acting_user=agent)

    assert fresh(ticket).priority == Priority.NORMAL
    assert field_changes(ticket) == []


@pytest.mark.django_db
def test_unchanged_status_returns_false_and_writes_nothing():
    agent = make_agent()
    ticket = make_ticket()

    changed = do_change_status(ticket=ticket, status=Status.NEW, acting_user=agent)

    assert changed is False
    assert field_changes(ticket) == []


@pytest.mark.django_db
def test_invalid_status_is_refused():
    agent = make_agent()
    ticket = make_ticket()

    with pytest.raises(InvalidInput):
        do_change_status(ticket=ticket, status="zamkniety", acting_user=agent)

    assert fresh(ticket).status == Status.NEW
    assert field_changes(ticket) == []


@pytest.mark.django_db
def test_solving_sets_solved_at_and_closing_keeps_it():
    agent = make_agent()
    ticket = make_ticket(assignee=agent)

    do_change_status(ticket=ticket, status=Status.SOLVED, acting_user=agent, at=AT)
    solved = fresh(ticket)
    do_change_status(ticket=ticket, status=Status.CLOSED, acting_user=agent, at=LATER)
    closed = fresh(ticket)

    assert (solved.status, solved.solved_at, solved.closed_at) == (Status.SOLVED, AT, None)
    assert (closed.status, closed.solved_at, closed.closed_at) == (Status.CLOSED, AT, LATER)
    assert (ticket.solved_at, ticket.closed_at) == (AT, LATER)


@pytest.mark.django_db
def test_closing_an_unsolved_ticket_sets_both_timestamps():
    agent = make_agent()
    ticket = make_ticket()

    do_change_status(ticket=ticket, status=Status.CLOSED, acting_user=agent, at=AT)

    stored = fresh(ticket)
    assert (stored.solved_at, stored.closed_at) == (AT, AT)


@pytest.mark.django_db
def test_agent_reopening_a_solved_ticket_counts_a_reopen():
    agent = make_agent()
    ticket = make_ticket(assignee=agent)
    do_change_status(ticket=ticket, status=Status.SOLVED, acting_user=agent)

    do_change_status(ticket=ticket, status=Status.PENDING, acting_user=agent)

    stored = fresh(ticket)
    assert (stored.status, stored.solved_at, stored.reopen_count) == (Status.PENDING, None, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED]
)
def test_closed_is_final(status):
    agent = make_agent()
    ticket = make_ticket()
    do_change_status(ticket=ticket, status=Status.CLOSED, acting_user=agent)

    with pytest.raises(Conflict):
        do_change_status(ticket=ticket, status=status, acting_user=agent)

    assert fresh(ticket).status == Status.CLOSED
    assert field_changes(ticket) == [("status", "new", "closed")]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.SOLVED, Status.CLOSED])
def test_required_custom_field_blocks_solving(status):
    make_custom_field(
        key="numer_zamowienia", field_type=CustomFieldType.TEXT, is_required_to_solve=True
    )
    agent = make_agent()
    ticket = make_ticket(assignee=agent)

    with pytest.raises(InvalidInput) as raised:
        do_change_status(ticket=ticket, status=status, acting_user=agent)

    assert raised.value.errors == {"numer_zamowienia": ["required to solve"]}
    stored = fresh(ticket)
    assert (stored.status, stored.solved_at, stored.closed_at) == (Status.OPEN, None, None)
    assert field_changes(ticket) == []


@pytest.mark.django_db
def test_required_custom_field_filled_in_allows_solving():
    make_custom_field(
        key="numer_zamowienia", field_type=CustomFieldType.TEXT, is_required_to_solve=True
    )
    agent = make_agent()
    ticket = make_ticket(assignee=agent)
    do_set_custom_fields(ticket=ticket, values={"numer_zamowienia": "ZAM-7"}, acting_user=agent)

    changed = do_change_status(ticket=ticket, status=Status.SOLVED, acting_user=agent)

    assert changed is True
    assert fresh(ticket).status == Status.SOLVED


@pytest.mark.django_db
def test_stale_copy_of_a_ticket_cannot_overwrite_a_newer_status():
    agent = make_agent()
    ticket = make_ticket()
    current = Ticket.objects.get(pk=ticket.pk)
    stale = Ticket.objects.get(pk=ticket.pk)
    do_change_status(ticket=current, status=Status.PENDING, acting_user=agent)

    with pytest.raises(Conflict):
        do_change_status(ticket=stale, status=Status.ON_HOLD, acting_user=agent)

    assert fresh(ticket).status == Status.PENDING
    assert field_changes(ticket) == [("status", "new", "pending")]


@pytest.mark.django_db
def test_stale_copy_of_a_ticket_cannot_overwrite_a_newer_assignee():
    first = make_agent()
    second = make_agent()
    ticket = make_ticket(assignee=first)
    current = Ticket.objects.get(pk=ticket.pk)
    stale = Ticket.objects.get(pk=ticket.pk)
    do_assign(ticket=current, assignee=second, acting_user=second)

    with pytest.raises(Conflict):
        do_assign(ticket=stale, assignee=None, acting_user=first)

    stored = fresh(ticket)
    assert (stored.assignee_id, stored.transfer_count) == (second.pk, 1)
    assert field_changes(ticket) == [("assignee", label(first), label(second))]


@pytest.mark.django_db
def test_assigning_a_new_ticket_opens_it():
    agent = make_agent(name="Ewa Agentka")
    supervisor = make_agent(role=Role.SUPERVISOR)
    ticket = make_ticket()

    changed = do_assign(ticket=ticket, assignee=agent, acting_user=supervisor)

    assert changed is True
    stored = fresh(ticket)
    assert (stored.assignee_id, stored.status, stored.transfer_count) == (
        agent.pk,
        Status.OPEN,
        0,
    )
    assert field_changes(ticket) == [
        ("assignee", None, {"id": agent.pk, "name": "Ewa Agentka"}),
        ("status", "new", "open"),
    ]
    assert list(
        ticket.events.filter(kind=EventKind.FIELD_CHANGED).values_list("actor_agent", flat=True)
    ) == [supervisor.pk, supervisor.pk]


@pytest.mark.django_db
def test_reassigning_counts_a_transfer_but_unassigning_does_not():
    first = make_agent()
    second = make_agent()
    ticket = make_ticket(assignee=first)

    do_assign(ticket=ticket, assignee=second, acting_user=first)
    transferred = fresh(ticket).transfer_count
    do_assign(ticket=ticket, assignee=None, acting_user=first)
    do_assign(ticket=ticket, assignee=first, acting_user=first)

    assert transferred == 1
    stored = fresh(ticket)
    assert (stored.assignee_id, stored.transfer_count, stored.status) == (
        first.pk,
        1,
        Status.OPEN,
    )
    assert field_changes(ticket) == [
        ("assignee", label(first), label(second)),
        ("assignee", label(second), None),
        ("assignee", None, label(first)),
    ]


@pytest.mark.django_db
def test_assigning_the_same_agent_writes_nothing():
    agent = make_agent()
    ticket = make_ticket(assignee=agent)

    changed = do_assign(ticket=ticket, assignee=agent, acting_user=agent)

    assert changed is False
    assert field_changes(ticket) == []


@pytest.mark.django_db
def test_assigning_a_deactivated_agent_is_refused():
    agent = make_agent()
    gone = make_agent()
    Agent.objects.filter(pk=gone.pk).update(is_active=False)
    gone.refresh_from_db()
    ticket = make_ticket()

    with pytest.raises(InvalidInput):
        do_assign(ticket=ticket, assignee=gone, acting_user=agent)

    stored = fresh(ticket)
    assert (stored.assignee_id, stored.status) == (None, Status.NEW)
    assert field_changes(ticket) == []


@pytest.mark.django_db
def test_moving_between_teams_counts_a_transfer_but_the_first_team_does_not():
    agent = make_agent()
    orders = make_team(name="Zamówienia")
    complaints = make_team(name="Reklamacje")
    ticket = make_ticket()

    first = do_change_team(ticket=ticket, team=orders, acting_user=agent)
    after_first = fresh(ticket).transfer_count
    second = do_change_team(ticket=ticket, team=complaints, acting_user=agent)
    repeated = do_change_team(ticket=ticket, team=complaints, acting_user=agent)

    assert (first, second, repeated) == (True, True, False)
    assert after_first == 0
    stored = fresh(ticket)
    assert (stored.team_id, stored.transfer_count) == (complaints.pk, 1)
    assert field_changes(ticket) == [
        ("team", None, {"id": orders.pk, "name": "Zamówienia"}),
        (
            "team",
            {"id": orders.pk, "name": "Zamówienia"},
            {"id": complaints.pk, "name": "Reklamacje"},
        ),
    ]


@pytest.mark.django_db
def test_change_category_records_the_category_by_id_and_name():
    agent = make_agent()
    category = make_category(name="Dostawa")
    ticket = make_ticket()

    changed = do_change_category(ticket=ticket, category=category, acting_user=agent)
    repeated = do_change_category(ticket=ticket, category=category, acting_user=agent)

    assert (changed, repeated) == (True, False)
    assert fresh(ticket).category_id == category.pk
    assert field_changes(ticket) == [("category", None, {"id": category.pk, "name": "Dostawa"})]


@pytest.mark.django_db
def test_change_subject_strips_it_and_records_old_and_new():
    agent = make_agent()
    ticket = make_ticket(subject="Pytanie")

    changed = do_change_subject(ticket=ticket, subject="  Reklamacja pralki  ", acting_user=agent)
    repeated = do_change_subject(ticket=ticket, subject="Reklamacja pralki", acting_user=agent)

    assert (changed, repeated) == (True, False)
    assert fresh(ticket).subject == "Reklamacja pralki"
    assert field_changes(ticket) == [("subject", "Pytanie", "Reklamacja pralki")]


@pytest.mark.django_db
def test_empty_subject_is_refused():
    agent = make_agent()
    ticket = make_ticket(subject="Pytanie")

    with pytest.raises(InvalidInput):
        do_change_subject(ticket=ticket, subject="   ", acting_user=agent)

    assert fresh(ticket).subject == "Pytanie"
    assert field_changes(ticket) == []


@pytest.mark.django_db
def test_set_tags_replaces_them_and_records_sorted_names():
    agent = make_agent()
    ticket = make_ticket(tags=["vip"])

    changed = do_set_tags(ticket=ticket, names=["Zwrot", "gwarancja"], acting_user=agent)
    repeated = do_set_tags(ticket=ticket, names=["GWARANCJA", "zwrot", "zwrot"], acting_user=agent)

    assert (changed, repeated) == (True, False)
    assert list(ticket.tags.order_by("name").values_list("name", flat=True)) == [
        "gwarancja",
        "zwrot",
    ]
    assert field_changes(ticket) == [("tags", ["vip"], ["gwarancja", "zwrot"])]
    event = ticket.events.get(kind=EventKind.FIELD_CHANGED)
    assert (event.actor_kind, event.actor_agent_id) == (AuthorKind.AGENT, agent.pk)


@pytest.mark.django_db
def test_set_custom_fields_merges_and_none_clears():
    make_custom_field(key="numer_zamowienia", field_type=CustomFieldType.TEXT)
    make_custom_field(key="kwota", field_type=CustomFieldType.NUMBER)
    agent = make_agent()
    ticket = make_ticket(custom_fields={"numer_zamowienia": "ZAM-1"})

    added = do_set_custom_fields(ticket=ticket, values={"kwota": 120}, acting_user=agent)
    repeated = do_set_custom_fields(ticket=ticket, values={"kwota": 120}, acting_user=agent)
    cleared = do_set_custom_fields(
        ticket=ticket, values={"numer_zamowienia": None}, acting_user=agent
    )

    assert (added, repeated, cleared) == (True, False, True)
    assert fresh(ticket).custom_fields == {"kwota": 120}
    assert field_changes(ticket) == [
        (
            "custom_fields",
            {"numer_zamowienia": "ZAM-1"},
            {"numer_zamowienia": "ZAM-1", "kwota": 120},
        ),
        ("custom_fields", {"numer_zamowienia": "ZAM-1", "kwota": 120}, {"kwota": 120}),
    ]


@pytest.mark.django_db
def test_set_custom_fields_with_an_unknown_key_is_refused():
    agent = make_agent()
    ticket = make_ticket()

    with pytest.raises(InvalidInput) as raised:
        do_set_custom_fields(ticket=ticket, values={"nieznane": "x"}, acting_user=agent)

    assert raised.value.errors == {"nieznane": ["unknown custom field"]}
    assert fresh(ticket).custom_fields == {}
    assert field_changes(ticket) == []


# Several changes at once


@pytest.mark.django_db
def test_update_ticket_applies_several_changes_in_order():
    agent = make_agent(name="Ewa Agentka")
    ticket = make_ticket(subject="Pytanie")

    changed = do_update_ticket(
        ticket=ticket,
        changes={
            "status": Status.PENDING,
            "tags": ["zwrot"],
            "assignee": agent,
            "priority": Priority.HIGH,
            "subject": "Zwrot pralki",
        },
        acting_user=agent,
        rule="Makro: zwrot",
    )

    assert changed == ["subject", "priority", "assignee", "tags", "status"]
    stored = fresh(ticket)
    assert (stored.subject, stored.priority, stored.assignee_id, stored.status) == (
        "Zwrot pralki",
        Priority.HIGH,
        agent.pk,
        Status.PENDING,
    )
    assert field_changes(ticket) == [
        ("subject", "Pytanie", "Zwrot pralki"),
        ("priority", "normal", "high"),
        ("assignee", None, {"id": agent.pk, "name": "Ewa Agentka"}),
        ("status", "new", "open"),
        ("tags", [], ["zwrot"]),
        ("status", "open", "pending"),
    ]
    assert set(
        ticket.events.filter(kind=EventKind.FIELD_CHANGED).values_list("rule", flat=True)
    ) == {"Makro: zwrot"}


@pytest.mark.django_db
def test_update_ticket_is_all_or_nothing():
    agent = make_agent()
    ticket = make_ticket()

    with pytest.raises(InvalidInput):
        do_update_ticket(
            ticket=ticket,
            changes={"priority": Priority.HIGH, "status": "zamkniety"},
            acting_user=agent,
        )

    stored = fresh(ticket)
    assert (stored.priority, stored.status) == (Priority.NORMAL, Status.NEW)
    assert field_changes(ticket) == []


@pytest.mark.django_db
def test_update_ticket_refuses_an_unknown_field():
    agent = make_agent()
    ticket = make_ticket()
    other = make_customer()

    with pytest.raises(InvalidInput):
        do_update_ticket(
            ticket=ticket,
            changes={"priority": Priority.HIGH, "requester": other},
            acting_user=agent,
        )

    stored = fresh(ticket)
    assert (stored.priority, stored.requester_id) == (Priority.NORMAL, ticket.requester_id)
    assert field_changes(ticket) == []


@pytest.mark.django_db
def test_update_ticket_with_unchanged_values_changes_nothing():
    agent = make_agent()
    ticket = make_ticket(priority=Priority.HIGH)

    changed = do_update_ticket(
        ticket=ticket,
        changes={"priority": Priority.HIGH, "status": Status.NEW},
        acting_user=agent,
    )

    assert changed == []
    assert field_changes(ticket) == []


# Merging tickets


@pytest.mark.django_db
def test_merge_moves_messages_and_tags_and_closes_the_source():
    agent = make_agent()
    customer = make_customer()
    source = make_ticket(requester=customer, tags=["zwrot"], at=AT)
    target = make_ticket(requester=customer, tags=["vip"], at=AT)
    do_reply(ticket=source, text="Sprawdzamy.", acting_user=agent, at=AT)
    do_add_customer_message(ticket=target, text="Piszę jeszcze raz.", at=LATER)
    source_messages = set(Message.objects.filter(ticket=source).values_list("id", flat=True))
    target_messages = set(Message.objects.filter(ticket=target).values_list("id", flat=True))

    merged = do_merge_tickets(source=source, target=target, acting_user=agent, at=LATER)

    assert merged.pk == target.pk
    assert set(Message.objects.filter(ticket=target).values_list("id", flat=True)) == (
        source_messages | target_messages
    )
    assert Message.objects.filter(ticket=source).count() == 0
    assert list(target.tags.order_by("name").values_list("name", flat=True)) == ["vip", "zwrot"]
    assert (merged.reply_count, merged.last_message_at) == (1, LATER)
    stored_source = fresh(source)
    assert (stored_source.status, stored_source.merged_into_id, stored_source.closed_at) == (
        Status.CLOSED,
        target.pk,
        LATER,
    )


@pytest.mark.django_db
def test_merge_is_recorded_on_both_tickets():
    agent = make_agent()
    source = make_ticket()
    target = make_ticket()

    do_merge_tickets(source=source, target=target, acting_user=agent)

    assert event_kinds(source) == [
        EventKind.CREATED,
        EventKind.FIELD_CHANGED,
        EventKind.FIELD_CHANGED,
        EventKind.MERGED_INTO,
    ]
    assert [change[0] for change in field_changes(source)] == ["status", "merged_into"]
    merged_into = source.events.get(kind=EventKind.MERGED_INTO)
    assert (merged_into.new_value, merged_into.actor_agent_id) == (target.pk, agent.pk)
    assert event_kinds(target) == [EventKind.CREATED, EventKind.MERGED_FROM]
    merged_from = target.events.get(kind=EventKind.MERGED_FROM)
    assert (merged_from.new_value, merged_from.actor_agent_id) == (
        {"ticket": source.pk, "messages": 1},
        agent.pk,
    )


@pytest.mark.django_db
def test_merge_publishes_ticket_merged(published, django_capture_on_commit_callbacks):
    agent = make_agent()
    source = make_ticket()
    target = make_ticket()

    with django_capture_on_commit_callbacks(execute=True):
        do_merge_tickets(source=source, target=target, acting_user=agent)

    assert published[-1] == DomainEvent(
        "ticket.merged", {"source_id": source.pk, "target_id": target.pk}
    )


@pytest.mark.django_db
def test_ticket_cannot_be_merged_into_itself():
    agent = make_agent()
    ticket = make_ticket()

    with pytest.raises(InvalidInput):
        do_merge_tickets(source=ticket, target=ticket, acting_user=agent)

    stored = fresh(ticket)
    assert (stored.status, stored.merged_into_id) == (Status.NEW, None)
    assert event_kinds(ticket) == [EventKind.CREATED]


@pytest.mark.django_db
def test_merged_ticket_cannot_be_merged_again():
    agent = make_agent()
    source = make_ticket()
    first_target = make_ticket()
    second_target = make_ticket()
    do_merge_tickets(source=source, target=first_target, acting_user=agent)

    with pytest.raises(Conflict):
        do_merge_tickets(source=source, target=second_target, acting_user=agent)

    assert fresh(source).merged_into_id == first_target.pk
    assert event_kinds(second_target) == [EventKind.CREATED]
    assert second_target.messages.count() == 1


@pytest.mark.django_db
def test_stale_copy_of_a_merged_ticket_cannot_be_merged_again():
    agent = make_agent()
    source = make_ticket(tags=["zwrot"])
    stale = Ticket.objects.get(pk=source.pk)
    first_target = make_ticket()
    second_target = make_ticket()
    do_merge_tickets(source=source, target=first_target, acting_user=agent)

    with pytest.raises(Conflict):
        do_merge_tickets(source=stale, target=second_target, acting_user=agent)

    assert fresh(source).merged_into_id == first_target.pk
    assert event_kinds(second_target) == [EventKind.CREATED]
    assert list(second_target.tags.values_list("name", flat=True)) == []


@pytest.mark.django_db
def test_nothing_can_be_merged_into_a_merged_ticket():
    agent = make_agent()
    merged = make_ticket()
    survivor = make_ticket()
    another = make_ticket()
    do_merge_tickets(source=merged, target=survivor, acting_user=agent)

    with pytest.raises(Conflict):
        do_merge_tickets(source=another, target=merged, acting_user=agent)

    stored = fresh(another)
    assert (stored.status, stored.merged_into_id) == (Status.NEW, None)
    assert another.messages.count() == 1


@pytest.mark.django_db
def test_reply_to_a_merged_ticket_conflicts():
    agent = make_agent()
    source = make_ticket()
    target = make_ticket()
    do_merge_tickets(source=source, target=target, acting_user=agent)

    with pytest.raises(Conflict):
        do_reply(ticket=source, text="Odpowiedź", acting_user=agent)

    assert Message.objects.filter(ticket=source).count() == 0
    assert target.messages.count() == 2


@pytest.mark.django_db
def test_merge_counts_from_the_database_not_from_stale_copies():
    agent = make_agent()
    source = make_ticket(assignee=agent, at=AT)
    target = make_ticket(assignee=agent, at=AT)
    stale_source = Ticket.objects.get(pk=source.pk)
    stale_target = Ticket.objects.get(pk=target.pk)
    do_reply(ticket=source, text="Sprawdzamy.", acting_user=agent, at=AT)
    do_reply(ticket=target, text="Sprawdzamy.", acting_user=agent, at=AT)
    do_add_customer_message(ticket=target, text="Dziękuję.", at=LATER)

    merged = do_merge_tickets(source=stale_source, target=stale_target, acting_user=agent)

    assert (merged.reply_count, merged.last_message_at) == (2, LATER)


@pytest.mark.django_db
def test_merge_closes_a_source_with_unfilled_fields_required_to_solve():
    make_custom_field(
        key="numer_zamowienia", field_type=CustomFieldType.TEXT, is_required_to_solve=True
    )
    agent = make_agent()
    source = make_ticket()
    target = make_ticket()

    do_merge_tickets(source=source, target=target, acting_user=agent)

    stored = fresh(source)
    assert (stored.status, stored.merged_into_id) == (Status.CLOSED, target.pk)


@pytest.mark.django_db
def test_handing_a_ticket_to_another_teams_agent_is_one_transfer():
    first_team, second_team = make_team(), make_team()
    first, second = make_agent(teams=[first_team]), make_agent(teams=[second_team])
    ticket = make_ticket(team=first_team, assignee=first)

    do_update_ticket(
        ticket=ticket, changes={"team": second_team, "assignee": second}, acting_user=first
    )

    assert fresh(ticket).transfer_count == 1


@pytest.mark.django_db
def test_failed_update_leaves_the_object_as_the_database_has_it():
    ticket = make_ticket()

    with pytest.raises(InvalidInput):
        do_update_ticket(
            ticket=ticket, changes={"priority": Priority.HIGH, "status": "bogus"}, acting_user=None
        )

    assert ticket.priority == Priority.NORMAL
    assert do_change_priority(ticket=ticket, priority=Priority.HIGH, acting_user=None) is True


@pytest.mark.django_db
def test_merge_records_the_tags_the_target_gains():
    customer = make_customer()
    source = make_ticket(requester=customer, tags=["zwrot"])
    target = make_ticket(requester=customer, tags=["vip"])
    agent = make_agent()

    do_merge_tickets(source=source, target=target, acting_user=agent)

    tags_event = target.events.get(kind=EventKind.FIELD_CHANGED, field="tags")
    assert (tags_event.old_value, tags_event.new_value) == (["vip"], ["vip", "zwrot"])


@pytest.mark.django_db
def test_new_ticket_refuses_a_deactivated_assignee():
    agent = make_agent()
    agent.is_active = False
    agent.save(update_fields=["is_active"])

    with pytest.raises(InvalidInput):
        make_ticket(assignee=agent)

    assert Ticket.objects.count() == 0
