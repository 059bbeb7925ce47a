"""The ticket page and its POST endpoints: scoping, events recorded, errors, query counts."""

import pytest
from django.test import Client

from okienko.inboxes.actions import (
    RawInbound,
    do_create_inbox,
    do_process_inbound,
    do_queue_email_delivery,
    do_record_inbound,
)
from okienko.inboxes.choices import InboxKind
from okienko.inboxes.models import Delivery
from okienko.testing.factories import make_agent, make_customer, make_ticket
from okienko.testing.mail import make_email
from okienko.tickets.actions import AttachmentInput, do_add_note, do_change_status, do_reply
from okienko.tickets.choices import Channel, EventKind, Priority, Status
from okienko.tickets.models import Message, Ticket, TicketEvent
from tests.workspace.conftest import HTMX


def new_events(ticket, after_id: int) -> list[tuple]:
    return list(
        TicketEvent.objects.filter(ticket=ticket, pk__gt=after_id)
        .order_by("id")
        .values_list("kind", "field", "old_value", "new_value")
    )


def last_event_id() -> int:
    return TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.fixture
def ticket(agent, orders_team):
    customer = make_customer(name="Zofia Wójcik", email="zofia@poczta.example")
    return make_ticket(
        requester=customer,
        subject="Zamówienie nie dotarło",
        text="Paczka miała być wczoraj.",
        team=orders_team,
    )


@pytest.fixture
def other_team_ticket(complaints_team):
    return make_ticket(subject="Reklamacja czajnika", team=complaints_team)


@pytest.mark.django_db
def test_page_shows_the_thread_notes_attachments_customer_and_history(agent_client, agent, ticket):
    do_reply(ticket=ticket, text="Sprawdzam u kuriera.", acting_user=agent)
    do_add_note(
        ticket=ticket,
        text="Kurier zgubił paczkę.",
        attachments=[AttachmentInput("list.pdf", "application/pdf", b"%PDF")],
        acting_user=agent,
    )
    earlier = make_ticket(requester=ticket.requester, subject="Faktura", channel=Channel.PHONE)
    attachment = Message.objects.get(text="Kurier zgubił paczkę.").attachments.get()

    response = agent_client.get(f"/tickets/{ticket.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Paczka miała być wczoraj." in page
    assert "Sprawdzam u kuriera." in page
    assert 'class="message message--note"' in page
    assert "Notatka wewnętrzna" in page
    assert f'href="/api/v1/attachments/{attachment.pk}"' in page
    assert "zofia@poczta.example" in page
    assert "Klient indywidualny (B2C)" in page
    assert f'href="/tickets/{earlier.pk}/"' in page
    assert "Nowe</del> → <ins>Otwarte" in page


@pytest.mark.django_db
def test_email_messages_show_their_delivery_quote_and_original(agent_client, agent, orders_team):
    inbox = do_create_inbox(name="Sklep", kind=InboxKind.EMAIL, team=orders_team, acting_user=None)
    quote = "W dniu 1.12.2026 o 10:00, Sklep <pomoc@sklep.example> pisze:\n> Wysłane.\n"
    raw = make_email(text=f"Dziękuję.\n\n{quote}")
    [(item, _created)] = do_record_inbound(inbox=inbox, entries=[RawInbound(raw, "")], notify=False)
    item = do_process_inbound(items=[item])[0]
    ticket = item.message.ticket
    delivery = do_queue_email_delivery(
        message=do_reply(ticket=ticket, text="Proszę bardzo.", acting_user=agent)
    )
    Delivery.objects.filter(pk=delivery.pk).update(error="451 Try again later")

    page = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()

    assert (
        '<span class="label delivery delivery--queued" title="451 Try again later">W kolejce'
        in page
    )
    assert '<p class="delivery-error">451 Try again later</p>' in page
    assert "<summary>Pokaż cytowaną treść</summary>" in page
    assert "&gt; Wysłane." in page
    assert f'href="/api/v1/inbound/{item.pk}/raw">Oryginalny e-mail</a>' in page


@pytest.mark.django_db
def test_ticket_of_another_team_is_not_found_and_unchanged(agent_client, other_team_ticket):
    messages_before = Message.objects.count()
    events_before = TicketEvent.objects.count()
    url = f"/tickets/{other_team_ticket.pk}/"

    page = agent_client.get(url)
    reply = agent_client.post(url + "messages/", {"kind": "reply", "text": "Hej"}, headers=HTMX)
    update = agent_client.post(
        url + "properties/",
        {"status": "solved", "priority": "urgent", "assignee": "", "team": ""},
        headers=HTMX,
    )

    assert (page.status_code, reply.status_code, update.status_code) == (404, 404, 404)
    assert Message.objects.count() == messages_before
    assert TicketEvent.objects.count() == events_before
    other_team_ticket.refresh_from_db()
    assert (other_team_ticket.status, other_team_ticket.priority) == (Status.NEW, Priority.NORMAL)


@pytest.mark.django_db
def test_reply_that_sets_pending_records_message_and_status(agent_client, ticket):
    before = last_event_id()

    response = agent_client.post(
        f"/tickets/{ticket.pk}/messages/",
        {"kind": "reply", "text": "Paczka wyjdzie jutro.", "status_after": "pending"},
        headers=HTMX,
    )

    message = Message.objects.get(text="Paczka wyjdzie jutro.")
    assert response.status_code == 200
    assert "Paczka wyjdzie jutro." in response.content.decode()
    page = response.content.decode()
    assert 'id="ticket-header" class="ticket-header" hx-swap-oob="true"' in page
    assert (message.is_public, message.author_kind) == (True, "agent")
    assert new_events(ticket, before) == [
        (EventKind.MESSAGE_ADDED, "", None, {"message_id": message.pk, "is_public": True}),
        (EventKind.FIELD_CHANGED, "status", "new", "pending"),
    ]


@pytest.mark.django_db
def test_reply_without_htmx_redirects_back_to_the_ticket(agent_client, ticket):
    response = agent_client.post(
        f"/tickets/{ticket.pk}/messages/", {"kind": "reply", "text": "Dzień dobry"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN


@pytest.mark.django_db
def test_internal_note_is_private_and_keeps_the_status(agent_client, ticket):
    before = last_event_id()

    response = agent_client.post(
        f"/tickets/{ticket.pk}/messages/",
        {"kind": "note", "text": "Zadzwonić do kuriera."},
        headers=HTMX,
    )

    note = Message.objects.get(text="Zadzwonić do kuriera.")
    assert response.status_code == 200
    assert note.is_public is False
    assert new_events(ticket, before) == [
        (EventKind.MESSAGE_ADDED, "", None, {"message_id": note.pk, "is_public": False}),
    ]
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW


@pytest.mark.django_db
def test_property_change_records_events_and_returns_partials(agent_client, agent, ticket):
    before = last_event_id()

    response = agent_client.post(
        f"/tickets/{ticket.pk}/properties/",
        {"status": "new", "priority": "high", "assignee": agent.pk, "team": ticket.team_id},
        headers=HTMX,
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<form id="ticket-properties"')
    assert 'id="ticket-header" class="ticket-header" hx-swap-oob="true"' in page
    assert "Wysoki" in page
    assert new_events(ticket, before) == [
        (EventKind.FIELD_CHANGED, "priority", "normal", "high"),
        (EventKind.FIELD_CHANGED, "assignee", None, {"id": agent.pk, "name": agent.name}),
        (EventKind.FIELD_CHANGED, "status", "new", "open"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"kind": "reply", "text": "  "}, "To pole jest wymagane."),
        (
            {"kind": "note", "text": "Notatka", "status_after": "solved"},
            "Status można ustawić tylko razem z odpowiedzią publiczną.",
        ),
    ],
)
def test_invalid_message_is_refused_and_changes_nothing(agent_client, ticket, form, error):
    before = last_event_id()
    messages_before = Message.objects.count()

    response = agent_client.post(f"/tickets/{ticket.pk}/messages/", form, headers=HTMX)

    assert response.status_code == 422
    assert error in response.content.decode()
    assert Message.objects.count() == messages_before
    assert new_events(ticket, before) == []


@pytest.mark.django_db
def test_invalid_property_value_is_refused(agent_client, ticket):
    before = last_event_id()

    response = agent_client.post(
        f"/tickets/{ticket.pk}/properties/",
        {"status": "finished", "priority": "normal", "assignee": "", "team": ""},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert 'class="field field--error"' in response.content.decode()
    assert new_events(ticket, before) == []


@pytest.mark.django_db
def test_domain_error_is_shown_not_a_server_error(agent_client, agent, ticket):
    do_change_status(ticket=ticket, status=Status.CLOSED, acting_user=agent)
    before = last_event_id()
    messages_before = Message.objects.count()

    response = agent_client.post(
        f"/tickets/{ticket.pk}/messages/", {"kind": "reply", "text": "Jeszcze jedno"}
    )

    assert response.status_code == 422
    assert "is closed; open a follow-up ticket instead" in response.content.decode()
    assert Message.objects.count() == messages_before
    assert new_events(ticket, before) == []


@pytest.mark.django_db
def test_deactivated_assignee_stays_when_other_fields_change(agent_client, ticket):
    former = make_agent(name="Była Agentka")
    do_change_status(ticket=ticket, status=Status.OPEN, acting_user=None)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=former)
    former.is_active = False
    former.save(update_fields=["is_active"])

    response = agent_client.post(
        f"/tickets/{ticket.pk}/properties/",
        {"status": "open", "priority": "low", "assignee": former.pk, "team": ticket.team_id},
        headers=HTMX,
    )

    ticket.refresh_from_db()
    assert response.status_code == 200
    assert (ticket.priority, ticket.assignee_id) == (Priority.LOW, former.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("message_count", [5, 25])
def test_ticket_page_queries_do_not_grow_with_messages(
    agent_client, agent, ticket, django_assert_max_num_queries, message_count
):
    for number in range(message_count):
        do_add_note(
            ticket=ticket,
            text=f"Notatka {number}",
            attachments=[AttachmentInput(f"plik{number}.txt", "text/plain", b"x")],
            acting_user=agent,
        )
        make_ticket(requester=ticket.requester, team=ticket.team)

    agent_client.get("/inbox/")  # the first visit sets the agent online once
    # the agent's presence, the SLA clocks (with their policy and calendar), the macros and the
    # unread notifications
    with django_assert_max_num_queries(19):
        response = agent_client.get(f"/tickets/{ticket.pk}/")

    assert response.content.decode().count('class="message message--note"') == message_count


@pytest.mark.django_db
def test_new_ticket_for_a_phone_call_matches_the_customer(agent_client, agent, orders_team):
    customer = make_customer(name="Jan Kowalski", email="jan@poczta.example")

    response = agent_client.post(
        "/tickets/new/",
        {
            "email": "JAN@poczta.example",
            "name": "",
            "subject": "Zmiana adresu dostawy",
            "description": "Klient prosi o zmianę adresu.",
            "channel": "phone",
            "call_minutes": "7",
            "priority": "high",
            "team": orders_team.pk,
            "assign_to_me": "on",
        },
    )

    ticket = Ticket.objects.get(subject="Zmiana adresu dostawy")
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    assert (ticket.requester_id, ticket.channel, ticket.priority) == (customer.pk, "phone", "high")
    assert (ticket.team_id, ticket.assignee_id, ticket.status) == (orders_team.pk, agent.pk, "open")
    assert ticket.messages.get().text == "Czas rozmowy: 7 min\n\nKlient prosi o zmianę adresu."
    assert ticket.events.get().actor_agent_id == agent.pk


@pytest.mark.django_db
def test_new_ticket_creates_an_unknown_customer(agent_client):
    response = agent_client.post(
        "/tickets/new/",
        {
            "email": "nowa@poczta.example",
            "name": "Nowa Klientka",
            "subject": "Pytanie o rozmiar",
            "description": "Jaki rozmiar wybrać?",
            "channel": "email",
            "priority": "normal",
        },
    )

    ticket = Ticket.objects.get(subject="Pytanie o rozmiar")
    assert response.status_code == 302
    assert ticket.requester.name == "Nowa Klientka"
    assert (ticket.assignee_id, ticket.status) == (None, "new")
    assert ticket.messages.get().text == "Jaki rozmiar wybrać?"


@pytest.mark.django_db
def test_new_ticket_with_invalid_input_creates_nothing(agent_client):
    tickets_before = Ticket.objects.count()

    response = agent_client.post(
        "/tickets/new/", {"email": "to nie e-mail", "subject": "", "channel": "fax"}
    )

    assert response.status_code == 422
    assert Ticket.objects.count() == tickets_before
    assert set(response.context["form"].errors) == {
        "email",
        "subject",
        "description",
        "channel",
        "priority",
    }


@pytest.mark.django_db
def test_english_agent_reads_the_ticket_in_english(orders_team, ticket):
    english = make_agent(language="en", teams=[orders_team])
    client = Client()
    client.force_login(english)

    page = client.get(f"/tickets/{ticket.pk}/").content.decode()

    assert "Public reply" in page
    assert "Internal note" in page
    assert "Send and set: pending" in page
