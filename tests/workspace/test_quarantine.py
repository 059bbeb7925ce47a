"""The quarantine page: what could not become a ticket, for the agents of its inbox."""

import pytest

from okienko.inboxes.actions import (
    do_create_inbox,
)
from okienko.inboxes.choices import InboundStatus, InboxKind
from okienko.testing.inbound import receive_email
from okienko.testing.mail import make_email
from okienko.tickets.models import Ticket


@pytest.fixture
def inboxes(orders_team, complaints_team):
    return (
        do_create_inbox(
            name="Zamówienia", kind=InboxKind.EMAIL, team=orders_team, acting_user=None
        ),
        do_create_inbox(
            name="Reklamacje", kind=InboxKind.EMAIL, team=complaints_team, acting_user=None
        ),
    )


@pytest.mark.django_db
def test_agents_see_the_quarantine_of_their_inboxes_only(agent_client, inboxes):
    orders, complaints = inboxes
    without_sender = b"To: pomoc@sklep.example\r\nSubject: Bez nadawcy\r\n\r\nTekst"
    mine = receive_email(without_sender, orders)
    theirs = receive_email(b"", complaints)

    page = agent_client.get("/quarantine/").content.decode()

    assert f'id="item-{mine.pk}"' in page
    assert "the message has no sender address" in page
    assert "Bez nadawcy" in page
    assert f'href="/api/v1/inbound/{mine.pk}/raw"' in page
    assert f'id="item-{theirs.pk}"' not in page


@pytest.mark.django_db
def test_processing_again_after_a_fix_makes_the_ticket(agent_client, inboxes, settings):
    settings.EMAIL_SENDER_LIMIT = 0
    item = receive_email(make_email(subject="Reklamacja butów"), inboxes[0])
    settings.EMAIL_SENDER_LIMIT = 30

    response = agent_client.post(f"/quarantine/{item.pk}/reprocess/", follow=True)

    item.refresh_from_db()
    ticket = Ticket.objects.get()
    assert item.status == InboundStatus.PROCESSED
    assert ticket.subject == "Reklamacja butów"
    assert f"Przetworzono: jest teraz w zgłoszeniu #{ticket.pk}." in response.content.decode()


@pytest.mark.django_db
def test_an_item_that_still_fails_stays_with_its_reason(agent_client, inboxes):
    item = receive_email(b"", inboxes[0])

    response = agent_client.post(f"/quarantine/{item.pk}/reprocess/", follow=True)

    item.refresh_from_db()
    assert item.status == InboundStatus.QUARANTINED
    assert "Nadal w kwarantannie" in response.content.decode()


@pytest.mark.django_db
def test_another_teams_item_cannot_be_reprocessed(agent_client, inboxes):
    item = receive_email(b"", inboxes[1])

    response = agent_client.post(f"/quarantine/{item.pk}/reprocess/")

    item.refresh_from_db()
    assert response.status_code == 404
    assert item.attempts == 1
