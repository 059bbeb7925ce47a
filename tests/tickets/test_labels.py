"""A ticket's status, priority and channel as people read them, in the active language."""

from django.utils import translation

from okienko.tickets.choices import Channel, Priority, Status
from okienko.tickets.models import Ticket


def test_labels_are_the_choices_labels_in_the_active_language():
    ticket = Ticket(status=Status.PENDING, priority=Priority.URGENT, channel=Channel.EMAIL)
    for language in ("pl", "en"):
        with translation.override(language):
            assert ticket.status_label == ticket.get_status_display()
            assert ticket.priority_label == ticket.get_priority_display()
            assert ticket.channel_label == ticket.get_channel_display()
    with translation.override("pl"):
        polish = ticket.status_label
    with translation.override("en"):
        assert ticket.status_label != polish


def test_a_value_outside_the_choices_shows_as_stored():
    # As Django's get_FOO_display does: a value from an older version is shown, not an error.
    ticket = Ticket(status="archived", priority="p9", channel="fax")
    assert (ticket.status_label, ticket.priority_label, ticket.channel_label) == (
        "archived",
        "p9",
        "fax",
    )
