"""``insert_rows`` writes what ``bulk_create`` writes, keys included, with its own INSERT;
``remember_related`` answers a relation as prefetched."""

import gc
import weakref

import pytest
from django.utils import timezone

from okienko.core.persistence import insert_rows, is_remembered, remember_related
from okienko.testing.factories import make_customer, make_ticket
from okienko.tickets.choices import AuthorKind, EventKind
from okienko.tickets.models import Tag, Ticket, TicketEvent


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
