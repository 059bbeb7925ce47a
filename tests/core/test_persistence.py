"""``insert_rows`` writes what ``bulk_create`` writes, keys included, with its own INSERT."""

import pytest
from django.utils import timezone

from okienko.core.persistence import insert_rows
from okienko.testing.factories import make_customer, make_ticket
from okienko.tickets.choices import AuthorKind, EventKind
from okienko.tickets.models import Ticket, TicketEvent


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
