"""A customer sees only their own requests (and their organisation's, when it shares them),
never internal notes: through pages, actions and attachment downloads."""

import pytest

from okienko.customers.actions import do_create_organisation, do_update_organisation
from okienko.testing.factories import make_agent, make_customer, make_ticket
from okienko.tickets.actions import AttachmentInput, do_add_note, do_reply
from okienko.tickets.choices import Status
from tests.portal.conftest import signed_in_client

NOTE = "Klient ma historię zwrotów, sprawdzić dokładnie."


@pytest.fixture
def stranger(db):
    return make_customer(name="Jan Kowalski", email="jan.kowalski@poczta.example")


@pytest.fixture
def strangers_ticket(stranger):
    return make_ticket(
        requester=stranger,
        subject="Cudza sprawa",
        attachments=[AttachmentInput("faktura.pdf", "application/pdf", b"%PDF-1.4")],
    )


def test_another_customers_request_is_not_found(portal_client, strangers_ticket):
    page = portal_client.get(f"/portal/requests/{strangers_ticket.pk}/")
    listed = portal_client.get("/portal/requests/").content.decode()

    assert page.status_code == 404
    assert "Cudza sprawa" not in listed


def test_another_customers_request_cannot_be_changed(portal_client, strangers_ticket):
    replied = portal_client.post(f"/portal/requests/{strangers_ticket.pk}/reply/", {"text": "Hej"})
    solved = portal_client.post(f"/portal/requests/{strangers_ticket.pk}/solve/")

    strangers_ticket.refresh_from_db()
    assert (replied.status_code, solved.status_code) == (404, 404)
    assert strangers_ticket.status == Status.NEW
    assert strangers_ticket.messages.count() == 1


def test_another_customers_attachment_is_not_found(portal_client, strangers_ticket):
    attachment = strangers_ticket.messages.get().attachments.get()

    response = portal_client.get(f"/portal/attachments/{attachment.pk}/")

    assert response.status_code == 404


def test_an_own_attachment_downloads_with_safe_headers(customer, portal_client):
    ticket = make_ticket(
        requester=customer,
        attachments=[AttachmentInput("strona.html", "text/html", b"<script>alert(1)</script>")],
    )
    attachment = ticket.messages.get().attachments.get()

    response = portal_client.get(f"/portal/attachments/{attachment.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    assert response["Content-Disposition"] == 'attachment; filename="strona.html"'
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_internal_notes_and_their_files_never_reach_the_customer(customer, portal_client):
    agent = make_agent()
    ticket = make_ticket(requester=customer)
    note = do_add_note(
        ticket=ticket,
        text=NOTE,
        attachments=[AttachmentInput("notatka.txt", "text/plain", b"poufne")],
        acting_user=agent,
    )
    do_reply(ticket=ticket, text="Sprawdzamy, odezwiemy się jutro.", acting_user=agent)

    page = portal_client.get(f"/portal/requests/{ticket.pk}/").content.decode()
    download = portal_client.get(f"/portal/attachments/{note.attachments.get().pk}/")

    assert "Sprawdzamy, odezwiemy się jutro." in page
    assert NOTE not in page
    assert "notatka.txt" not in page
    assert download.status_code == 404


@pytest.fixture
def colleagues(db):
    organisation = do_create_organisation(name="Hurtownia Sp. z o.o.", acting_user=None)
    first = make_customer(name="Anna", email="anna@hurtownia.example", organisation=organisation)
    second = make_customer(name="Piotr", email="piotr@hurtownia.example", organisation=organisation)
    return organisation, first, second


def test_colleagues_see_each_others_requests_when_the_organisation_shares(colleagues):
    organisation, anna, piotr = colleagues
    do_update_organisation(
        organisation=organisation, changes={"is_shared_tickets": True}, acting_user=None
    )
    ticket = make_ticket(
        requester=piotr,
        subject="Dostawa palet",
        attachments=[AttachmentInput("wz.pdf", "application/pdf", b"%PDF-1.4")],
    )
    client = signed_in_client(anna)

    listed = client.get("/portal/requests/").content.decode()
    page = client.get(f"/portal/requests/{ticket.pk}/")
    download = client.get(f"/portal/attachments/{ticket.messages.get().attachments.get().pk}/")

    assert "Dostawa palet" in listed
    assert "Zgłasza: Piotr" in listed
    assert page.status_code == 200
    assert download.status_code == 200


def test_colleagues_do_not_see_each_others_requests_otherwise(colleagues):
    _organisation, anna, piotr = colleagues
    ticket = make_ticket(requester=piotr, subject="Dostawa palet")
    client = signed_in_client(anna)

    listed = client.get("/portal/requests/").content.decode()
    page = client.get(f"/portal/requests/{ticket.pk}/")

    assert "Dostawa palet" not in listed
    assert page.status_code == 404
