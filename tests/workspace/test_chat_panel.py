"""A live chat on its ticket page: the panel, accept, transfer (counted), end, the read mark,
who may do it, replies by e-mail for a visitor who left an address, and the chat's SLA."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from okienko.automation.actions import MacroInput, do_save_macro
from okienko.customers.actions import do_undo_customer_merge
from okienko.customers.models import CustomerMerge
from okienko.inboxes.chat.actions import (
    VisitorDetails,
    do_mark_read_by_visitor,
    do_receive_visitor_message,
    do_send_email_link,
    do_set_visitor_details,
    do_start_conversation,
    do_verify_visitor_email,
)
from okienko.inboxes.chat.adapter import VisitorMessage
from okienko.inboxes.chat.selectors import visitor_messages
from okienko.inboxes.choices import ChatEmailState, DeliveryStatus
from okienko.inboxes.models import Delivery
from okienko.sla.choices import Metric
from okienko.sla.selectors import ticket_sla
from okienko.testing.factories import (
    make_agent,
    make_chat_widget,
    make_customer,
    make_round_the_clock_policy,
    make_ticket,
)
from okienko.testing.inbound import receive_email
from okienko.testing.mail import make_email
from okienko.tickets.actions import do_reply
from okienko.tickets.choices import Status
from okienko.tickets.models import Ticket
from tests.workspace.conftest import HTMX

pytestmark = pytest.mark.django_db

VERIFY_LINK = re.compile(r"/chat/verify/(?P<token>[\w-]+)/")


@pytest.fixture
def conversation(orders_team, live):
    widget = make_chat_widget(name="Czat sklepu", team=orders_team)
    conversation, _token = do_start_conversation(widget=widget, language="pl")
    live(
        do_receive_visitor_message,
        conversation=conversation,
        message=VisitorMessage(conversation.pk, "c-1", "Gdzie jest moja paczka?"),
    )
    conversation.refresh_from_db()
    return conversation


def test_a_chat_ticket_shows_the_live_chat_panel(agent_client, conversation):
    response = agent_client.get(reverse("workspace:ticket", args=[conversation.ticket_id]))

    page = response.content.decode()
    assert "Czat na żywo" in page
    assert "Czeka na agenta" in page
    assert "Przyjmij czat" in page


def test_the_panel_shows_the_consent_in_force_on_the_visitors_customer(
    agent_client, conversation, live
):
    live(
        do_set_visitor_details,
        conversation=conversation,
        client_ip="203.0.113.7",
        details=VisitorDetails(marketing_consent=True, consent_text="Zgadzam się."),
    )
    given = agent_client.get(reverse("workspace:ticket", args=[conversation.ticket_id]))
    live(
        do_set_visitor_details,
        conversation=conversation,
        client_ip="203.0.113.7",
        details=VisitorDetails(marketing_consent=False),
    )
    withdrawn = agent_client.get(reverse("workspace:ticket", args=[conversation.ticket_id]))

    assert "<dt>Zgoda marketingowa</dt>\n    <dd>udzielona " in given.content.decode()
    assert "<dt>Zgoda marketingowa</dt>\n    <dd>wycofana " in withdrawn.content.decode()
    assert withdrawn.context["chat"].consent == conversation.customer.consents.first()


def test_other_tickets_have_no_chat_panel(agent_client, orders_team):
    ticket = make_ticket(team=orders_team)

    response = agent_client.get(reverse("workspace:ticket", args=[ticket.pk]))

    assert "Czat na żywo" not in response.content.decode()


def test_an_agent_accepts_the_chat(agent_client, agent, conversation):
    response = agent_client.post(
        reverse("workspace:chat_accept", args=[conversation.ticket_id]), headers=HTMX
    )

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.assignee, ticket.status) == (agent, Status.OPEN)
    assert ticket.messages.filter(author_kind="system").count() == 1


def test_transfers_to_an_agent_and_a_team_are_counted(
    agent_client, agent, orders_team, complaints_team, conversation
):
    colleague = make_agent(name="Jan Kowal", teams=[orders_team])
    agent_client.post(reverse("workspace:chat_accept", args=[conversation.ticket_id]))

    agent_client.post(
        reverse("workspace:chat_transfer", args=[conversation.ticket_id]),
        {"to": f"agent:{colleague.pk}"},
    )
    ticket = Ticket.objects.get()
    assert (ticket.assignee, ticket.transfer_count) == (colleague, 1)

    agent_client.post(
        reverse("workspace:chat_transfer", args=[conversation.ticket_id]),
        {"to": f"team:{complaints_team.pk}"},
    )
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.team, ticket.transfer_count) == (None, complaints_team, 2)


def test_ending_the_chat_solves_the_ticket(agent_client, agent, conversation):
    agent_client.post(reverse("workspace:chat_accept", args=[conversation.ticket_id]))

    agent_client.post(reverse("workspace:chat_end", args=[conversation.ticket_id]))

    conversation.refresh_from_db()
    assert conversation.ended_at is not None
    assert Ticket.objects.get().status == Status.SOLVED


def test_an_open_chat_page_marks_the_visitor_messages_read(agent_client, conversation):
    response = agent_client.post(reverse("workspace:chat_read", args=[conversation.ticket_id]))

    assert response.status_code == 204
    conversation.refresh_from_db()
    assert conversation.agent_read_up_to == Ticket.objects.get().messages.get().pk


def test_an_agent_of_another_team_can_do_nothing_to_the_chat(complaints_team, conversation):
    outsider = make_agent(name="Obcy", teams=[complaints_team])
    client = Client()
    client.force_login(outsider)

    for name in ("chat_accept", "chat_end", "chat_read"):
        response = client.post(reverse(f"workspace:{name}", args=[conversation.ticket_id]))
        assert response.status_code == 404

    conversation.refresh_from_db()
    ticket = Ticket.objects.get()
    assert (ticket.assignee, conversation.ended_at, conversation.agent_read_up_to) == (
        None,
        None,
        0,
    )


def _confirm_address(conversation) -> None:
    """The visitor opens the link e-mailed to the address they gave, and confirms."""
    do_send_email_link(link_id=conversation.email_verifications.get().pk)
    do_verify_visitor_email(token=VERIFY_LINK.search(mail.outbox[-1].body)["token"])


def test_answers_go_by_e_mail_only_once_the_visitor_proved_the_address(
    agent, agent_client, conversation, live
):
    ticket = Ticket.objects.get()
    live(do_reply, ticket=ticket, text="Zaraz sprawdzę.", acting_user=agent)
    do_set_visitor_details(
        conversation=conversation,
        client_ip="203.0.113.7",
        details=VisitorDetails(email="ewa@poczta.example", continues_by_email=True),
    )
    unread = live(do_reply, ticket=ticket, text="Paczka wyszła dziś.", acting_user=agent)
    live(do_mark_read_by_visitor, conversation=conversation, up_to=unread.pk - 1)
    panel = agent_client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    unproved = Delivery.objects.count()
    do_send_email_link(link_id=conversation.email_verifications.get().pk)
    [link_mail] = mail.outbox

    do_verify_visitor_email(token=VERIFY_LINK.search(link_mail.body)["token"])
    later = live(do_reply, ticket=ticket, text="Kurier będzie jutro.", acting_user=agent)

    assert "odpowiedzi pójdą też e-mailem, gdy gość potwierdzi adres" in panel
    assert unproved == 0
    assert "Paczka" not in link_mail.body
    assert "nasze odpowiedzi z czatu przyjdą także na ten adres" in link_mail.body
    assert [(d.message, d.recipients, d.status) for d in Delivery.objects.order_by("id")] == [
        (unread, ["ewa@poczta.example"], DeliveryStatus.QUEUED),
        (later, ["ewa@poczta.example"], DeliveryStatus.QUEUED),
    ]


def test_the_panel_shows_where_the_proof_of_the_visitors_address_stands(
    agent_client, conversation, live
):
    make_customer(name="Ewa Nowak", email="ewa@poczta.example")
    do_set_visitor_details(
        conversation=conversation,
        client_ip="203.0.113.7",
        details=VisitorDetails(email="ewa@poczta.example", continues_by_email=True),
    )
    page = reverse("workspace:ticket", args=[conversation.ticket_id])
    link_sent = agent_client.get(page).content.decode()
    _confirm_address(conversation)
    confirmed = agent_client.get(page).content.decode()

    live(do_undo_customer_merge, merge=CustomerMerge.objects.get(), acting_user=None)
    withdrawn = agent_client.get(page)

    given = "<dt>Podany e-mail</dt><dd>ewa@poczta.example · "
    assert given + "jeszcze niepotwierdzony: wysłano na niego link · odpowiedzi" in link_sent
    assert given + "potwierdzony · odpowiedzi idą też e-mailem</dd>" in confirmed
    assert (
        given + "już niepotwierdzony: scalenie klientów zostało cofnięte · odpowiedzi pójdą też "
        "e-mailem, gdy gość potwierdzi adres</dd>"
    ) in withdrawn.content.decode()
    assert withdrawn.context["chat"].email_state == ChatEmailState.WITHDRAWN


def test_the_visitor_answering_that_e_mail_continues_the_same_ticket(agent, conversation, live):
    do_set_visitor_details(
        conversation=conversation,
        client_ip="203.0.113.7",
        details=VisitorDetails(email="ewa@poczta.example", continues_by_email=True),
    )
    _confirm_address(conversation)
    ticket = Ticket.objects.get()
    live(do_reply, ticket=ticket, text="Paczka wyszła dziś.", acting_user=agent)
    delivery = Delivery.objects.get()

    item = receive_email(
        make_email(
            sender="Ewa <ewa@poczta.example>",
            subject=f"Re: [#{ticket.pk}] {ticket.subject}",
            text="Dziękuję, a numer przesyłki?",
            in_reply_to=f"<{delivery.external_id}>",
        )
    )

    assert item.message.ticket == ticket
    assert ticket.messages.filter(channel="email", author_kind="customer").count() == 1


def test_a_macro_drafts_the_chat_answer_and_once_sent_the_visitor_sees_it(
    agent, agent_client, conversation, live
):
    macro = do_save_macro(
        data=MacroInput(
            name="Paczka w drodze",
            reply="Paczka #{{ ticket.number }} jest w drodze.",
            operations=[{"type": "add_tags", "tags": ["paczka"]}],
        )
    )
    ticket = Ticket.objects.get()

    response = agent_client.post(
        reverse("workspace:apply_macro", args=[ticket.pk]), {"macro": macro.pk}
    )
    draft = f"Paczka #{ticket.pk} jest w drodze."
    live(do_reply, ticket=ticket, text=draft, acting_user=agent)

    assert response.status_code == 200
    assert draft in response.content.decode()
    assert list(ticket.tags.values_list("name", flat=True)) == ["paczka"]
    assert [message.text for message in visitor_messages(conversation)][-1] == draft


def test_the_try_page_embeds_the_widget_by_its_script_tag(orders_team):
    widget = make_chat_widget(name="Czat sklepu", team=orders_team)

    response = Client().get(reverse("chat:try", args=[widget.public_key]))

    assert response.status_code == 200
    assert (
        f'<script src="/static/chat/widget.js" data-okienko-chat="{widget.public_key}" async>'
        in response.content.decode()
    )
    assert Client().get(reverse("chat:try", args=["nope"])).status_code == 404


def test_the_first_reply_on_a_chat_is_measured_like_any_channel(orders_team, agent, live):
    make_round_the_clock_policy(first_reply_minutes=2, name="Czat — 2 minuty")
    widget = make_chat_widget(name="Czat", team=orders_team)
    conversation, _token = do_start_conversation(widget=widget, language="pl")
    message = live(
        do_receive_visitor_message,
        conversation=conversation,
        message=VisitorMessage(conversation.pk, "c-1", "Halo?"),
    )
    ticket = message.ticket
    [clock] = [view.clock for view in ticket_sla(ticket.pk).clocks]
    assert (clock.metric, clock.completed_at) == (Metric.FIRST_REPLY, None)
    assert (clock.due_at - ticket.created_at).total_seconds() == 120

    ticket.refresh_from_db()
    live(do_reply, ticket=ticket, text="Dzień dobry!", acting_user=agent)

    [clock] = [view.clock for view in ticket_sla(ticket.pk).clocks]
    assert clock.completed_at is not None
