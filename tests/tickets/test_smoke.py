import pytest

from okienko.testing.factories import make_ticket
from okienko.tickets.choices import EventKind, Status


@pytest.mark.django_db
def test_new_ticket_records_created_event():
    ticket = make_ticket(subject="Gdzie jest moja paczka?")
    assert ticket.status == Status.NEW
    assert list(ticket.events.values_list("kind", flat=True)) == [EventKind.CREATED]
