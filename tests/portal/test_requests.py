"""My requests and a request's page: submit, follow, reply, mark solved, reopen."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.formats import date_format

from okienko.sla.selectors import ticket_sla
from okienko.testing.factories import (
    make_agent,
    make_category,
    make_round_the_clock_policy,
    make_ticket,
)
from okienko.tickets.actions import AttachmentInput, do_change_status, do_reply
from okienko.tickets.choices import AuthorKind, Channel, EventKind, Status
from okienko.tickets.models import Ticket, TicketEvent

PHOTO = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def photo(name: str = "pekniety-ekran.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PHOTO, content_type="image/png")


def test_my_requests_say_in_plain_words_where_each_stands(customer, portal_client):
    agent = make_agent(name="Ola Nowicka")
    waiting = make_ticket(requester=customer, subject="Zwrot butów", assignee=agent)
    do_reply(
        ticket=waiting, text="Prosimy o numer zamówienia.", status="pending", acting_user=agent
    )
    make_ticket(requester=customer, subject="Faktura VAT")

    page = portal_client.get("/portal/requests/").content.decode()

    assert "Czekamy na Twoją odpowiedź" in page
    assert "Zajmuje się: Ola Nowicka" in page
    assert "Przyjęte, wkrótce się tym zajmiemy" in page
    assert "Zajmuje się: Nasz zespół" in page
    assert page.index("Faktura VAT") < page.index("Zwrot butów")


def test_the_expected_answer_comes_from_the_sla_while_the_ticket_waits_on_us(
    customer, portal_client, live
):
    make_round_the_clock_policy(first_reply_minutes=60)
    ticket = live(make_ticket, requester=customer, subject="Pęknięty ekran")
    due = timezone.localtime(ticket_sla(ticket.pk).clocks[0].clock.due_at)
    expected = (
        f"Odpowiemy dziś do {date_format(due, 'H:i')}."
        if due.date() == timezone.localdate()
        else f"Odpowiemy jutro do {date_format(due, 'H:i')}."
    )

    listed = portal_client.get("/portal/requests/").content.decode()
    shown = portal_client.get(f"/portal/requests/{ticket.pk}/").content.decode()
    live(do_change_status, ticket=ticket, status=Status.PENDING, acting_user=make_agent())
    waiting_on_customer = portal_client.get(f"/portal/requests/{ticket.pk}/").content.decode()

    assert expected in listed
    assert expected in shown
    assert "Odpowiemy" not in waiting_on_customer


def test_an_overdue_answer_is_promised_as_soon_as_we_can(customer, portal_client, live):
    make_round_the_clock_policy(first_reply_minutes=60)
    an_hour_and_more_ago = timezone.now() - datetime.timedelta(minutes=90)
    ticket = live(make_ticket, requester=customer, at=an_hour_and_more_ago)

    page = portal_client.get(f"/portal/requests/{ticket.pk}/").content.decode()

    assert "Odpowiemy najszybciej, jak to możliwe." in page


def test_submitting_a_request_with_a_photo_opens_a_ticket(customer, portal_client):
    category = make_category(name="Reklamacje")

    response = portal_client.post(
        "/portal/requests/new/",
        {
            "subject": "Pęknięty ekran telefonu",
            "description": "Telefon przyszedł z pękniętym ekranem, zdjęcie w załączniku.",
            "category": str(category.pk),
            "photos": [photo()],
            "other_files": [SimpleUploadedFile("paragon.pdf", b"%PDF-1.4", "application/pdf")],
        },
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/requests/{ticket.pk}/"
    assert (ticket.subject, ticket.channel, ticket.requester, ticket.category) == (
        "Pęknięty ekran telefonu",
        Channel.PORTAL,
        customer,
        category,
    )
    message = ticket.messages.get()
    assert (message.author_kind, message.author_customer, message.is_public) == (
        AuthorKind.CUSTOMER,
        customer,
        True,
    )
    assert sorted(a.filename for a in message.attachments.all()) == [
        "paragon.pdf",
        "pekniety-ekran.png",
    ]
    page = portal_client.get(response["Location"]).content.decode()
    assert f"Dziękujemy, mamy Twoje zgłoszenie nr {ticket.pk}." in page


def test_the_new_request_form_offers_the_camera_and_other_files(portal_client):
    page = portal_client.get("/portal/requests/new/").content.decode()

    assert 'type="file" name="photos" accept="image/*"' in page
    assert 'type="file" name="other_files" multiple' in page
    assert 'enctype="multipart/form-data"' in page


def test_a_file_over_the_limit_is_refused(customer, portal_client, settings):
    settings.MAX_ATTACHMENT_BYTES = 32

    response = portal_client.post(
        "/portal/requests/new/",
        {"subject": "Zdjęcie", "description": "W załączniku.", "photos": [photo()]},
    )

    assert response.status_code == 422
    assert "Plik pekniety-ekran.png jest większy niż 32" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_a_reply_with_a_photo_reopens_a_solved_request(customer, portal_client):
    agent = make_agent()
    ticket = make_ticket(requester=customer, assignee=agent)
    do_reply(ticket=ticket, text="Wymieniliśmy telefon.", status="solved", acting_user=agent)

    response = portal_client.post(
        f"/portal/requests/{ticket.pk}/reply/",
        {"text": "Nowy też ma rysę.", "photos": [photo("rysa.png")]},
    )

    ticket.refresh_from_db()
    assert response.status_code == 302
    assert ticket.status == Status.OPEN
    assert ticket.reopen_count == 1
    answer = ticket.messages.order_by("id").last()
    assert (answer.text, answer.author_customer, answer.channel) == (
        "Nowy też ma rysę.",
        customer,
        Channel.PORTAL,
    )
    assert [a.filename for a in answer.attachments.all()] == ["rysa.png"]


def test_an_empty_reply_is_refused(customer, portal_client):
    ticket = make_ticket(requester=customer)

    response = portal_client.post(f"/portal/requests/{ticket.pk}/reply/", {"text": " "})

    assert response.status_code == 422
    assert "Napisz odpowiedź lub dołącz plik." in response.content.decode()
    assert ticket.messages.count() == 1


def test_the_customer_marks_a_request_solved_and_reopens_it(customer, portal_client):
    ticket = make_ticket(requester=customer)

    solved = portal_client.post(f"/portal/requests/{ticket.pk}/solve/")
    ticket.refresh_from_db()
    solved_status = ticket.status
    solved_page = portal_client.get(f"/portal/requests/{ticket.pk}/").content.decode()
    reopened = portal_client.post(f"/portal/requests/{ticket.pk}/reopen/")
    ticket.refresh_from_db()

    assert (solved.status_code, reopened.status_code) == (302, 302)
    assert solved_status == Status.SOLVED
    assert "Oznaczone jako rozwiązane. Dziękujemy!" in solved_page
    assert "Otwórz ponownie" in solved_page
    assert ticket.status == Status.OPEN
    changes = TicketEvent.objects.filter(
        ticket=ticket, kind=EventKind.FIELD_CHANGED, field="status"
    ).order_by("id")
    assert [(e.old_value, e.new_value, e.actor_kind) for e in changes] == [
        (Status.NEW, Status.SOLVED, AuthorKind.CUSTOMER),
        (Status.SOLVED, Status.OPEN, AuthorKind.CUSTOMER),
    ]


def test_only_a_solved_request_can_be_reopened(customer, portal_client):
    ticket = make_ticket(requester=customer)

    portal_client.post(f"/portal/requests/{ticket.pk}/reopen/")

    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    assert not TicketEvent.objects.filter(ticket=ticket, field="status").exists()


def test_a_closed_request_takes_no_reply(customer, portal_client):
    agent = make_agent()
    ticket = make_ticket(requester=customer)
    do_change_status(ticket=ticket, status=Status.CLOSED, acting_user=agent)

    page = portal_client.get(f"/portal/requests/{ticket.pk}/").content.decode()
    response = portal_client.post(f"/portal/requests/{ticket.pk}/reply/", {"text": "Halo?"})

    assert "To zgłoszenie jest zamknięte." in page
    assert 'name="text"' not in page
    assert response.status_code == 422
    assert ticket.messages.count() == 1


@pytest.mark.parametrize("language", ["en"])
def test_the_language_switch_turns_the_portal_english_and_is_remembered(
    customer, portal_client, language
):
    make_ticket(requester=customer, subject="Faktura VAT")

    switched = portal_client.post(
        "/portal/language/", {"language": language, "next": "/portal/requests/"}
    )
    page = portal_client.get("/portal/requests/").content.decode()
    customer.refresh_from_db()

    assert switched["Location"] == "/portal/requests/"
    assert '<html lang="en">' in page
    assert "My requests" in page
    assert "Received, we will look at it soon" in page
    assert customer.language == "en"


def test_the_sign_in_page_switches_language_before_signing_in(client, db):
    polish = client.get("/portal/sign-in/").content.decode()
    client.post("/portal/language/", {"language": "en", "next": "https://evil.example/"})
    english = client.get("/portal/sign-in/").content.decode()

    assert "Wyślij mi link do logowania" in polish
    assert "Send me a sign-in link" in english


def test_my_requests_take_a_fixed_number_of_queries(
    customer, portal_client, django_assert_num_queries
):
    agent = make_agent()
    for number in range(5):
        make_ticket(requester=customer, subject=f"Sprawa {number}", assignee=agent)

    # session, customer, tickets with assignees, SLA clocks
    with django_assert_num_queries(4):
        response = portal_client.get("/portal/requests/")

    assert response.content.decode().count('class="request-item"') == 5


def test_a_request_page_takes_a_fixed_number_of_queries(
    customer, portal_client, django_assert_num_queries
):
    agent = make_agent()
    ticket = make_ticket(requester=customer, assignee=agent)
    for number in range(4):
        do_reply(
            ticket=ticket,
            text=f"Odpowiedź {number}",
            attachments=[AttachmentInput(f"plik{number}.pdf", "application/pdf", b"%PDF")],
            acting_user=agent,
        )

    # session, customer, ticket, SLA clocks, messages with authors, their attachments
    with django_assert_num_queries(6):
        response = portal_client.get(f"/portal/requests/{ticket.pk}/")

    assert response.content.decode().count('class="message ') == 5
