"""A chat visitor proves the e-mail address they gave with a link, and only then does their
chat join that address's customer timeline."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from okienko.accounts.choices import Role
from okienko.customers.actions import do_merge_customers, do_undo_customer_merge
from okienko.customers.choices import IdentityKind
from okienko.customers.models import CustomerMerge, Identity
from okienko.customers.selectors import consent_in_force, customer_with_identity
from okienko.inboxes.chat.actions import (
    VisitorDetails,
    do_purge_email_links,
    do_receive_visitor_message,
    do_set_visitor_details,
    do_start_conversation,
)
from okienko.inboxes.chat.adapter import VisitorMessage
from okienko.inboxes.chat.presenters import conversation_payload
from okienko.inboxes.models import ChatEmailVerification
from okienko.testing.factories import make_agent, make_customer, make_ticket
from okienko.testing.inbound import receive_email
from okienko.testing.mail import make_email
from okienko.tickets.choices import EventKind

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("tasks_run_at_once", "own_rate_limits"),
]

LINK = re.compile(r"http://\S+/chat/verify/(?P<token>[\w-]+)/")


@pytest.fixture
def zofia():
    """A customer who has written by e-mail before."""
    customer = make_customer(name="Zofia Wójcik", email="zofia@poczta.example")
    make_ticket(requester=customer, subject="Reklamacja butów")
    return customer


@pytest.fixture
def chat_as(widget, live):
    """A visitor who gives ``email`` in the chat and writes; returns their conversation."""

    def chat(email: str, *, language: str = "pl"):
        conversation, _token = do_start_conversation(widget=widget, language=language)
        live(
            do_set_visitor_details,
            conversation=conversation,
            client_ip="203.0.113.7",
            details=VisitorDetails(name="Zofia", email=email),
        )
        do_receive_visitor_message(
            conversation=conversation,
            message=VisitorMessage(conversation.pk, "c-1", "Gdzie jest moja paczka?"),
        )
        conversation.refresh_from_db()
        return conversation

    return chat


def _token(message) -> str:
    return LINK.search(message.body)["token"]


def _open(token: str):
    """The visitor opens the link and confirms."""
    client = Client()
    return client.get(f"/chat/verify/{token}/"), client.post(f"/chat/verify/{token}/")


def test_the_visitor_gets_a_link_in_their_language_and_the_widget_says_so(chat_as):
    conversation = chat_as("Anna@Poczta.example", language="en")

    [message] = mail.outbox
    assert message.to == ["anna@poczta.example"]
    assert message.subject == "Confirm your e-mail address for our chat"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert conversation_payload(conversation)["email_state"] == "link_sent"
    link = ChatEmailVerification.objects.get()
    assert link.token_digest != _token(message)
    assert len(link.token_digest) == 64


def test_the_link_joins_the_chat_to_the_customer_with_that_address(zofia, chat_as, live):
    conversation = chat_as("zofia@poczta.example")
    chat_ticket = conversation.ticket
    visitor = chat_ticket.requester

    looked, confirmed = _open(_token(mail.outbox[0]))

    assert (looked.status_code, confirmed.status_code) == (200, 200)
    assert "potwierdzony" in confirmed.content.decode()
    chat_ticket.refresh_from_db()
    assert chat_ticket.requester == zofia
    merge = CustomerMerge.objects.get()
    assert (merge.source, merge.target, merge.moved_ticket_ids) == (
        visitor,
        zofia,
        [chat_ticket.pk],
    )
    assert chat_ticket.events.filter(kind=EventKind.REQUESTER_MERGED).count() == 1
    assert "zofia@poczta.example" in chat_ticket.messages.get(is_public=False).text
    assert Identity.objects.get(address="zofia@poczta.example").is_verified is True
    conversation.refresh_from_db()
    assert conversation.customer == zofia
    assert conversation_payload(conversation)["email_state"] == "verified"
    later = do_receive_visitor_message(
        conversation=conversation, message=VisitorMessage(conversation.pk, "c-2", "Jeszcze jedno")
    )
    assert later.ticket.requester == later.author_customer == zofia


def test_undoing_the_merge_gives_the_chat_and_its_later_messages_back_to_the_visitor(
    zofia, chat_as, live
):
    conversation = chat_as("zofia@poczta.example")
    chat_ticket = conversation.ticket
    visitor = chat_ticket.requester
    _open(_token(mail.outbox[0]))
    merge = CustomerMerge.objects.get()
    assert merge.moved_ids == {
        "tickets": [chat_ticket.pk],
        "consents": [],
        "chat_conversations": [conversation.pk],
    }

    live(do_undo_customer_merge, merge=merge, acting_user=make_agent(role=Role.ADMIN))

    conversation.refresh_from_db()
    assert conversation.customer == visitor
    later = do_receive_visitor_message(
        conversation=conversation, message=VisitorMessage(conversation.pk, "c-2", "Jeszcze jedno")
    )
    assert later.ticket == chat_ticket
    assert later.ticket.requester == later.author_customer == visitor
    assert list(zofia.tickets.values_list("subject", flat=True)) == ["Reklamacja butów"]


def test_after_the_undo_the_chat_no_longer_counts_the_other_customers_address_as_proved(
    zofia, chat_as, live, published
):
    conversation = chat_as("zofia@poczta.example")
    _open(_token(mail.outbox[0]))
    conversation.refresh_from_db()
    assert conversation_payload(conversation)["email_state"] == "verified"

    live(
        do_undo_customer_merge,
        merge=CustomerMerge.objects.get(),
        acting_user=make_agent(role=Role.ADMIN),
    )

    conversation.refresh_from_db()
    assert conversation.email == "zofia@poczta.example"
    assert conversation.email_verified_at is None
    assert conversation.email_link_requested_at is None
    assert conversation.email_proof_withdrawn_at is not None
    assert conversation_payload(conversation)["email_state"] == "withdrawn"
    withdrawals = [
        event.payload for event in published if event.name == "chat.email_proof_withdrawn"
    ]
    assert withdrawals == [{"conversation_id": conversation.pk}]
    assert customer_with_identity(IdentityKind.EMAIL, "zofia@poczta.example") == zofia
    [undone_note] = conversation.ticket.messages.filter(is_public=False).order_by("-id")[:1]
    assert undone_note.text == (
        "Scalenie z klientem, który ma adres zofia@poczta.example, zostało cofnięte: ten czat "
        "nie uznaje już tego adresu za adres odwiedzającego."
    )


@pytest.fixture
def withdrawn(zofia, chat_as, live):
    """A chat whose visitor proved Zofia's address; a supervisor undid the merge the proof made."""
    conversation = chat_as("zofia@poczta.example")
    _open(_token(mail.outbox[0]))
    live(do_undo_customer_merge, merge=CustomerMerge.objects.get(), acting_user=None)
    conversation.refresh_from_db()
    return conversation


def _save_details(live, conversation, **details) -> None:
    """The visitor saves the widget's form again; ``conversation`` is read afresh."""
    live(
        do_set_visitor_details,
        conversation=conversation,
        client_ip="203.0.113.7",
        details=VisitorDetails(**details),
    )
    conversation.refresh_from_db()


def test_saving_the_address_again_after_the_withdrawal_sends_a_new_link(withdrawn, live):
    _save_details(live, withdrawn, name="Zofia", email="zofia@poczta.example")

    assert withdrawn.email_proof_withdrawn_at is None
    assert conversation_payload(withdrawn)["email_state"] == "link_sent"
    assert [message.to for message in mail.outbox] == [
        ["zofia@poczta.example"],
        ["zofia@poczta.example"],
    ]
    assert ChatEmailVerification.objects.filter(used_at__isnull=True).count() == 1


def test_saving_it_again_over_the_limit_of_links_says_no_link_was_sent(withdrawn, live, settings):
    settings.CHAT_EMAIL_LINKS_PER_CONVERSATION = 1

    _save_details(live, withdrawn, email="zofia@poczta.example")

    assert withdrawn.email_proof_withdrawn_at is None
    assert conversation_payload(withdrawn)["email_state"] == "unverified"
    assert len(mail.outbox) == 1


def test_saving_details_without_the_address_keeps_the_withdrawal(withdrawn, live):
    _save_details(live, withdrawn, name="Zofia W.")

    assert conversation_payload(withdrawn)["email_state"] == "withdrawn"
    assert len(mail.outbox) == 1


def test_an_undo_keeps_the_proof_of_an_address_that_is_the_visitors_own(chat_as, live):
    conversation = chat_as("nowy@poczta.example")
    _open(_token(mail.outbox[0]))
    visitor = customer_with_identity(IdentityKind.EMAIL, "nowy@poczta.example")
    duplicate_of = make_customer(name="Zofia Nowak", email="zofia.nowak@poczta.example")
    merge = live(do_merge_customers, source=visitor, target=duplicate_of, acting_user=None)
    notes = conversation.ticket.messages.filter(is_public=False).count()

    live(do_undo_customer_merge, merge=merge, acting_user=None)

    conversation.refresh_from_db()
    assert conversation.customer == visitor
    assert conversation.email_verified_at is not None
    assert conversation_payload(conversation)["email_state"] == "verified"
    assert conversation.ticket.messages.filter(is_public=False).count() == notes


def test_consent_given_in_the_chat_joins_the_proved_addresss_customer_and_leaves_on_undo(
    zofia, chat_as, live
):
    conversation = chat_as("zofia@poczta.example")
    visitor = conversation.customer
    live(
        do_set_visitor_details,
        conversation=conversation,
        client_ip="203.0.113.7",
        details=VisitorDetails(
            email="zofia@poczta.example", marketing_consent=True, consent_text="Zgadzam się."
        ),
    )
    assert consent_in_force(zofia.pk) is None

    _open(_token(mail.outbox[0]))
    joined = consent_in_force(zofia.pk)
    live(
        do_undo_customer_merge,
        merge=CustomerMerge.objects.get(),
        acting_user=make_agent(role=Role.ADMIN),
    )

    assert (joined.is_given, joined.text, joined.source) == (True, "Zgadzam się.", "chat")
    assert consent_in_force(zofia.pk) is None
    assert consent_in_force(visitor.pk) == joined


def test_the_agent_sees_the_joined_history_on_the_customer_page(zofia, chat_as):
    chat_as("zofia@poczta.example")
    _open(_token(mail.outbox[0]))
    client = Client()
    client.force_login(make_agent(role=Role.SUPERVISOR))

    page = client.get(f"/customers/{zofia.pk}/").content.decode()

    assert "Reklamacja butów" in page
    assert "Gdzie jest moja paczka?" in page


def test_without_the_link_nothing_is_joined(zofia, chat_as):
    conversation = chat_as("zofia@poczta.example")
    visitor = conversation.ticket.requester

    mail_item = receive_email(make_email(sender="Zofia <zofia@poczta.example>", subject="Faktura"))

    assert visitor != zofia
    assert CustomerMerge.objects.count() == 0
    assert not visitor.identities.filter(kind=IdentityKind.EMAIL).exists()
    assert mail_item.message.ticket.requester == zofia
    assert conversation_payload(conversation)["email_state"] == "link_sent"


def test_an_unproved_new_address_pulls_nobodys_mail_into_the_visitors_timeline(chat_as):
    conversation = chat_as("nowy@poczta.example")
    visitor = conversation.ticket.requester

    mail_item = receive_email(make_email(sender="Ktoś <nowy@poczta.example>", subject="Pytanie"))

    sender = mail_item.message.ticket.requester
    assert sender != visitor
    assert customer_with_identity(IdentityKind.EMAIL, "nowy@poczta.example") == sender
    assert list(visitor.tickets.all()) == [conversation.ticket]


def test_a_proved_new_address_becomes_the_visitors_and_their_mail_joins_them(chat_as):
    conversation = chat_as("nowy@poczta.example")
    visitor = conversation.ticket.requester

    _open(_token(mail.outbox[0]))
    mail_item = receive_email(make_email(sender="Nowy <nowy@poczta.example>", subject="Pytanie"))

    identity = Identity.objects.get(kind=IdentityKind.EMAIL, address="nowy@poczta.example")
    assert (identity.customer, identity.is_verified) == (visitor, True)
    assert mail_item.message.ticket.requester == visitor
    assert CustomerMerge.objects.count() == 0


def test_opening_the_link_without_confirming_uses_nothing(zofia, chat_as):
    conversation = chat_as("zofia@poczta.example")
    token = _token(mail.outbox[0])

    looked = Client().get(f"/chat/verify/{token}/")

    assert looked.status_code == 200
    assert looked["Referrer-Policy"] == "no-referrer"
    assert CustomerMerge.objects.count() == 0
    assert ChatEmailVerification.objects.get(conversation=conversation).used_at is None


def test_a_used_link_does_nothing_again(zofia, chat_as):
    chat_as("zofia@poczta.example")
    token = _token(mail.outbox[0])
    _open(token)

    looked, confirmed = _open(token)

    assert (looked.status_code, confirmed.status_code) == (404, 404)
    assert CustomerMerge.objects.count() == 1


def test_an_expired_link_does_nothing(zofia, chat_as):
    conversation = chat_as("zofia@poczta.example")
    ChatEmailVerification.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    looked, confirmed = _open(_token(mail.outbox[0]))

    assert (looked.status_code, confirmed.status_code) == (404, 404)
    assert CustomerMerge.objects.count() == 0
    conversation.ticket.refresh_from_db()
    assert conversation.ticket.requester != zofia


def test_a_forged_link_does_nothing(zofia, chat_as):
    chat_as("zofia@poczta.example")

    looked, confirmed = _open("c" * 43)

    assert (looked.status_code, confirmed.status_code) == (404, 404)
    assert CustomerMerge.objects.count() == 0
    assert Identity.objects.get(address="zofia@poczta.example").is_verified is False


def test_link_pages_are_limited_per_client_ip_before_the_token_is_looked_at(
    zofia, chat_as, settings
):
    settings.CHAT_EMAIL_LINK_OPENS_PER_IP = 2
    chat_as("zofia@poczta.example")
    token = _token(mail.outbox[0])
    guesser = Client(REMOTE_ADDR="203.0.113.50")
    guesser.get(f"/chat/verify/{'a' * 43}/")
    guesser.get(f"/chat/verify/{'b' * 43}/")

    refused = guesser.post(f"/chat/verify/{token}/")
    english = guesser.get(f"/chat/verify/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    elsewhere = Client(REMOTE_ADDR="198.51.100.2").get(f"/chat/verify/{token}/")

    assert (refused.status_code, english.status_code, elsewhere.status_code) == (429, 429, 200)
    assert "Zbyt wiele żądań" in refused.content.decode()
    assert "opened too many times from your network" in english.content.decode()
    assert refused["Referrer-Policy"] == "no-referrer"
    assert CustomerMerge.objects.count() == 0
    assert ChatEmailVerification.objects.get().used_at is None


def test_links_are_limited_per_conversation_and_per_address(widget, settings, live):
    settings.CHAT_EMAIL_LINKS_PER_CONVERSATION = 2
    settings.CHAT_EMAIL_LINKS_PER_ADDRESS = 2
    first, _token_1 = do_start_conversation(widget=widget, language="pl")
    for email in ("a@poczta.example", "b@poczta.example", "c@poczta.example"):
        live(
            do_set_visitor_details,
            conversation=first,
            client_ip="203.0.113.7",
            details=VisitorDetails(email=email),
        )
    for _visit in range(2):
        other, _token_2 = do_start_conversation(widget=widget, language="pl")
        live(
            do_set_visitor_details,
            conversation=other,
            client_ip="203.0.113.7",
            details=VisitorDetails(email="b@poczta.example"),
        )

    assert [message.to for message in mail.outbox] == [
        ["a@poczta.example"],
        ["b@poczta.example"],
        ["b@poczta.example"],
    ]
    first.refresh_from_db()
    assert conversation_payload(first)["email_state"] == "unverified"
    other.refresh_from_db()
    assert conversation_payload(other)["email_state"] == "unverified"


def test_links_are_limited_per_client_ip(widget, settings, live):
    settings.CHAT_EMAIL_LINKS_PER_IP = 2
    sent = []
    for email, client_ip in [
        ("a@poczta.example", "203.0.113.7"),
        ("b@poczta.example", "203.0.113.7"),
        ("c@poczta.example", "203.0.113.7"),
        ("d@poczta.example", "198.51.100.2"),
    ]:
        conversation, _token = do_start_conversation(widget=widget, language="pl")
        live(
            do_set_visitor_details,
            conversation=conversation,
            client_ip=client_ip,
            details=VisitorDetails(email=email),
        )
        conversation.refresh_from_db()
        sent.append(conversation_payload(conversation)["email_state"])

    assert sent == ["link_sent", "link_sent", "unverified", "link_sent"]
    assert [message.to for message in mail.outbox] == [
        ["a@poczta.example"],
        ["b@poczta.example"],
        ["d@poczta.example"],
    ]


def test_saving_the_same_address_again_sends_no_second_link(widget, live):
    conversation, _token = do_start_conversation(widget=widget, language="pl")

    for consent in (False, True):
        live(
            do_set_visitor_details,
            conversation=conversation,
            client_ip="203.0.113.7",
            details=VisitorDetails(email="ala@poczta.example", marketing_consent=consent),
        )

    assert len(mail.outbox) == 1


def test_links_are_forgotten_a_day_after_they_stopped_working(chat_as):
    chat_as("zofia@poczta.example")
    now = timezone.now()
    ChatEmailVerification.objects.update(expires_at=now - datetime.timedelta(days=1, seconds=1))
    chat_as("nowy@poczta.example")

    purged = do_purge_email_links(now=now)

    assert purged == 1
    assert list(ChatEmailVerification.objects.values_list("email", flat=True)) == [
        "nowy@poczta.example"
    ]
