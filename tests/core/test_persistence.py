"""``insert_rows`` writes what ``bulk_create`` writes, keys included, with its own INSERT;
``insert_linked`` writes rows that point at each other, on PostgreSQL in one statement;
``remember_related`` answers a relation as prefetched."""

import gc
import weakref

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from okienko.core.persistence import (
    _insert_statement,
    _values,
    insert_linked,
    insert_rows,
    is_remembered,
    remember_related,
)
from okienko.testing.factories import make_customer, make_ticket
from okienko.tickets.actions import do_create_ticket_with_message
from okienko.tickets.choices import AuthorKind, Direction, EventKind
from okienko.tickets.models import Message, Tag, Ticket, TicketEvent, TicketTag


def _tag_event(ticket: Ticket, tags: list[str]) -> TicketEvent:
    return TicketEvent(
        ticket=ticket,
        kind=EventKind.FIELD_CHANGED,
        field="tags",
        new_value=tags,
        actor_kind=AuthorKind.SYSTEM,
        created_at=timezone.now(),
    )


@pytest.mark.django_db
def test_rows_are_inserted_with_their_values_and_given_their_keys():
    ticket = make_ticket()
    events = [_tag_event(ticket, ["zwrot"]), _tag_event(ticket, ["vip", "zwrot"])]

    insert_rows(events)

    stored = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.FIELD_CHANGED)
    assert list(stored.order_by("pk").values_list("pk", "field", "new_value")) == [
        (events[0].pk, "tags", ["zwrot"]),
        (events[1].pk, "tags", ["vip", "zwrot"]),
    ]
    assert [event._state.adding for event in events] == [False, False]


@pytest.mark.django_db
def test_a_row_whose_related_object_is_unsaved_is_refused():
    unsaved = Ticket(subject="Nie zapisane", requester=make_customer())

    with pytest.raises(ValueError, match="unsaved related object 'ticket'"):
        insert_rows([_tag_event(unsaved, ["zwrot"])])

    assert TicketEvent.objects.filter(kind=EventKind.FIELD_CHANGED).count() == 0


@pytest.mark.django_db
def test_linked_rows_are_inserted_together_and_point_at_each_others_keys(
    django_assert_num_queries,
):
    requester = make_customer()
    tag = Tag.objects.create(name="zwrot")
    now = timezone.now()
    ticket = Ticket(subject="Zwrot butów", requester=requester, created_at=now, updated_at=now)
    message = Message(
        ticket=ticket,
        author_kind=AuthorKind.CUSTOMER,
        author_customer=requester,
        direction=Direction.INBOUND,
        text="Chcę zwrócić buty.",
        created_at=now,
    )
    event = TicketEvent(
        ticket=ticket,
        message=message,
        kind=EventKind.CREATED,
        actor_kind=AuthorKind.CUSTOMER,
        created_at=now,
    )
    rows = [ticket, TicketTag(ticket=ticket, tag=tag), message, event]

    # PostgreSQL: one statement and no transaction of its own; elsewhere a row at a time.
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 4):
        insert_linked(rows)

    assert all(row.pk is not None and not row._state.adding for row in rows)
    assert (message.ticket_id, event.ticket_id, event.message_id) == (
        ticket.pk,
        ticket.pk,
        message.pk,
    )
    with django_assert_num_queries(0):  # the related objects are kept, not only their keys
        assert (message.ticket, event.message) == (ticket, message)
    stored = TicketEvent.objects.select_related("message__ticket").get(pk=event.pk)
    assert (stored.message.pk, stored.message.ticket.pk) == (message.pk, ticket.pk)
    assert stored.message.ticket.subject == "Zwrot butów"
    assert list(TicketTag.objects.filter(ticket=ticket).values_list("tag__name", flat=True)) == [
        "zwrot"
    ]


@pytest.mark.django_db
def test_a_linked_row_pointing_at_an_unsaved_row_not_before_it_is_refused():
    unsaved = Ticket(subject="Nie zapisane", requester=make_customer())
    event = _tag_event(unsaved, ["zwrot"])

    # In a transaction of its own: a refusal ends the transaction it happens in.
    with pytest.raises(ValueError, match="unsaved related object 'ticket'"), transaction.atomic():
        insert_linked([event, unsaved])

    assert not Ticket.objects.filter(subject="Nie zapisane").exists()


@pytest.mark.django_db
def test_a_remembered_relation_answers_without_a_query_and_filters_as_the_relation(
    django_assert_num_queries,
):
    ticket = make_ticket(tags=["zwrot", "buty"])
    events = list(TicketEvent.objects.filter(ticket=ticket))
    tags = list(Tag.objects.filter(tickets=ticket).order_by("name"))

    remember_related(ticket, "events", events)
    remember_related(ticket, "tags", tags)

    with django_assert_num_queries(0):
        assert list(ticket.events.all()) == events
        assert [tag.name for tag in ticket.tags.all()] == ["buty", "zwrot"]
    assert is_remembered(ticket, "events")
    assert list(ticket.events.filter(kind=EventKind.CREATED)) == [events[0]]
    assert list(ticket.events.filter(kind=EventKind.MERGED_INTO)) == []
    assert [tag.name for tag in ticket.tags.filter(name="zwrot")] == ["zwrot"]


@pytest.mark.django_db
def test_a_remembered_relation_holds_no_reference_back_to_its_instance():
    ticket = make_ticket()
    remember_related(ticket, "events", [])
    remember_related(ticket, "tags", [])
    reference = weakref.ref(ticket)
    gc.disable()  # freed by reference counting alone, as soon as the last reference goes
    try:
        del ticket
        freed = reference() is None
    finally:
        gc.enable()

    assert freed


@pytest.mark.django_db
def test_values_the_field_converts_are_written_converted():
    # Plain values are written as they are; others still go through the field.
    ticket = make_ticket()
    lazy_text = gettext_lazy("Closed")
    message = Message(
        ticket=ticket,
        author_kind=AuthorKind.SYSTEM,
        direction=Direction.INTERNAL,
        is_public=0,
        channel=ticket.channel,
        text=lazy_text,
        author_agent=None,
        created_at=timezone.now(),
    )

    insert_rows([message])

    stored = Message.objects.get(pk=message.pk)
    assert (stored.is_public, stored.text, stored.ticket_id) == (False, str(lazy_text), ticket.pk)
    assert stored.author_agent_id is None


@pytest.mark.django_db
def test_the_values_sent_are_those_the_fields_prepare():
    ticket, message = do_create_ticket_with_message(
        subject="Zwrot", requester=make_customer(), channel="email", text="Proszę", acting_user=None
    )
    for row in (ticket, message, ticket.events.get()):
        statement = _insert_statement(type(row), "default")
        prepared = [
            field.get_db_prep_save(field.pre_save(row, True), connection)
            for field in statement.fields
        ]

        sent = _values(row, statement, connection)

        assert [_compared(value) for value in sent] == [_compared(value) for value in prepared]


def _compared(value: object) -> tuple[type, object]:
    # psycopg's Jsonb wrapper has no equality of its own.
    return type(value), getattr(value, "obj", value)
