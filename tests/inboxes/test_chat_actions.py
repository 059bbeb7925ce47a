"""The web chat's writes: visitors' messages through the ledger into one ticket, resends, the
details a visitor gives, limits, and the agent's accept, transfer and end."""

import pytest
from django.core.cache import cache

from okienko.accounts.choices import Role
from okienko.core.errors import InvalidInput
from okienko.customers.choices import IdentityKind
from okienko.customers.models import Consent
from okienko.customers.selectors import consent_in_force, consent_record, customer_with_identity
from okienko.inboxes.chat.actions import (
    RecordedMessage,
    TooManyMessages,
    VisitorDetails,
    VisitorWrite,
    check_visitor_allowance,
    do_accept_chat,
    do_end_chat,
    do_mark_read_by_agent,
    do_mark_read_by_visitor,
    do_process_recorded_visitor_messages,
    do_receive_visitor_message,
    do_record_visitor_message,
    do_record_visitor_messages,
    do_set_visitor_details,
    do_start_conversation,
    do_transfer_chat,
)
from okienko.inboxes.chat.adapter import VisitorMessage
from okienko.inboxes.chat.selectors import visitor_conversation, visitor_messages
from okienko.inboxes.choices import InboundOutcome, InboundStatus
from okienko.inboxes.models import InboundItem
from okienko.testing.factories import make_agent, make_customer, make_team
from okienko.tickets.actions import AttachmentInput, do_change_status, do_reply
from okienko.tickets.choices import AuthorKind, Channel, Status
from okienko.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def _say(conversation, text: str, client_id: str, attachments=()) -> Message:
    return do_receive_visitor_message(
        conversation=conversation,
        message=VisitorMessage(conversation.pk, client_id, text, tuple(attachments)),
    )


def test_a_first_message_goes_through_the_ledger_into_a_new_chat_ticket(widget, team):
    conversation, token = do_start_conversation(widget=widget, language="pl")

    message = _say(conversation, "Dzień dobry, gdzie jest moja paczka 10241?", "c-1")

    ticket = message.ticket
    assert ticket.channel == Channel.CHAT
    assert ticket.team == team
    assert ticket.subject == "Dzień dobry, gdzie jest moja paczka 10241?"
    assert message.author_kind == AuthorKind.CUSTOMER
    assert message.external_id == f"chat:{conversation.pk}:c-1"
    item = InboundItem.objects.get(message=message)
    assert (item.inbox, item.status, item.outcome) == (
        widget.inbox,
        InboundStatus.PROCESSED,
        InboundOutcome.TICKET_CREATED,
    )
    assert visitor_conversation(widget, token).ticket == ticket
    assert ticket.requester.identities.get().kind == IdentityKind.CHAT


def test_later_messages_join_the_same_ticket(widget):
    conversation, _token = do_start_conversation(widget=widget, language="pl")
    first = _say(conversation, "Pierwsza", "c-1")
    second = _say(conversation, "Druga", "c-2")

    assert second.ticket_id == first.ticket_id
    assert Ticket.objects.count() == 1


def test_a_resend_of_the_same_client_message_is_one_message(widget):
    conversation, _token = do_start_conversation(widget=widget, language="pl")
    first = _say(conversation, "Halo?", "c-1")

    again = _say(conversation, "Halo?", "c-1")

    assert again == first
    assert Message.objects.count() == 1
    assert InboundItem.objects.count() == 1


def test_a_message_left_received_by_a_crash_is_processed_by_its_resend(widget):
    conversation, _token = do_start_conversation(widget=widget, language="pl")
    first = _say(conversation, "Halo?", "c-1")
    item = InboundItem.objects.get(message=first)
    # As if processing had never finished: the ledger row is all there is.
    Message.objects.all().delete()
    Ticket.objects.all().delete()
    InboundItem.objects.filter(pk=item.pk).update(
        status=InboundStatus.RECEIVED, outcome="", message=None
    )
    conversation.refresh_from_db()

    again = _say(conversation, "Halo?", "c-1")

    assert again.text == "Halo?"
    assert InboundItem.objects.get().status == InboundStatus.PROCESSED


def test_recorded_messages_go_through_the_pipeline_together_in_order(widget):
    first, _token = do_start_conversation(widget=widget, language="pl")
    second, _token = do_start_conversation(widget=widget, language="pl")
    opened = [_say(first, "Halo?", "a-1").ticket, _say(second, "Dzień dobry", "b-1").ticket]
    recorded = [
        do_record_visitor_message(
            conversation=conversation, message=VisitorMessage(conversation.pk, client_id, text)
        )
        for conversation, client_id, text in [
            (first, "a-2", "Druga"),
            (second, "b-2", "Pytanie"),
            (first, "a-3", "Trzecia"),
        ]
    ]
    messages = [
        RecordedMessage(conversation.pk, item.inbox_id, item.external_id)
        for conversation, item in zip([first, second, first], recorded, strict=True)
    ]

    results = do_process_recorded_visitor_messages(
        [*messages, RecordedMessage(first.pk, widget.inbox_id, "chat:0:gone")]
    )

    assert results == [None, None, None, None]
    assert set(InboundItem.objects.values_list("status", flat=True)) == {InboundStatus.PROCESSED}
    texts = [
        list(
            ticket.messages.filter(is_public=True, author_kind=AuthorKind.CUSTOMER).values_list(
                "text", flat=True
            )
        )
        for ticket in opened
    ]
    assert texts == [["Halo?", "Druga", "Trzecia"], ["Dzień dobry", "Pytanie"]]


def test_writing_after_a_closed_ticket_opens_a_follow_up_in_the_same_conversation(widget):
    conversation, _token = do_start_conversation(widget=widget, language="pl")
    first = _say(conversation, "Pierwsza sprawa", "c-1")
    do_change_status(ticket=first.ticket, status=Status.CLOSED, acting_user=None)

    later = _say(conversation, "Jeszcze jedno", "c-2")

    assert later.ticket.follow_up_of == first.ticket
    conversation.refresh_from_db()
    assert conversation.ticket == later.ticket


def test_photos_become_attachments(widget):
    conversation, _token = do_start_conversation(widget=widget, language="pl")
    photo = AttachmentInput("paczka.jpg", "image/jpeg", b"\xff\xd8\xff\xe0 jpeg")

    message = _say(conversation, "", "c-1", [photo])

    attachment = message.attachments.get()
    assert (attachment.filename, attachment.size) == ("paczka.jpg", len(photo.content))


@pytest.mark.parametrize(
    ("text", "client_id", "attachments"),
    [
        ("x" * 4001, "c-1", ()),
        ("   ", "c-1", ()),
        ("Halo", "", ()),
        ("Halo", "c" * 65, ()),
        ("Zdjęcia", "c-1", [AttachmentInput("a.jpg", "image/jpeg", b"1")] * 4),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_recorded(widget, text, client_id, attachments):
    conversation, _token = do_start_conversation(widget=widget, language="pl")

    with pytest.raises(InvalidInput):
        _say(conversation, text, client_id, attachments)

    assert InboundItem.objects.count() == 0
    assert Message.objects.count() == 0


def test_markup_is_kept_as_plain_text(widget):
    conversation, _token = do_start_conversation(widget=widget, language="pl")

    message = _say(conversation, '<script>alert("x")</script><b>hej</b>', "c-1")

    assert message.text == '<script>alert("x")</script><b>hej</b>'
    assert message.html == ""


def test_an_e_mail_typed_into_the_chat_never_joins_the_visitor_to_its_customer(widget):
    # Not verified: anyone could type Zofia's address and be shown to agents as Zofia.
    known = make_customer(name="Zofia Wójcik", email="zofia@poczta.example")
    conversation, _token = do_start_conversation(widget=widget, language="pl")
    do_set_visitor_details(
        conversation=conversation,
        client_ip="203.0.113.7",
        details=VisitorDetails(name="Zofia", email="Zofia@Poczta.example"),
    )

    message = _say(conversation, "Dzień dobry", "c-1")

    visitor = customer_with_identity(IdentityKind.CHAT, f"conversation-{conversation.pk}")
    assert message.ticket.requester == visitor != known
    assert visitor.name == "Zofia"
    assert customer_with_identity(IdentityKind.EMAIL, "zofia@poczta.example") == known


def test_a_new_address_is_no_identity_of_the_visitor_before_they_prove_it(widget):
    conversation, _token = do_start_conversation(widget=widget, language="pl")
    do_set_visitor_details(
        conversation=conversation,
        client_ip="203.0.113.7",
        details=VisitorDetails(email="Nowy@Poczta.example"),
    )

    message = _say(conversation, "Dzień dobry", "c-1")

    conversation.refresh_from_db()
    assert conversation.email == "nowy@poczta.example"
    assert customer_with_identity(IdentityKind.EMAIL, "nowy@poczta.example") is None
    assert not message.ticket.requester.identities.filter(kind=IdentityKind.EMAIL).exists()


def test_marketing_consent_is_recorded_on_the_customer_with_its_wording_and_a_withdrawal_too(
    widget,
):
    conversation, _token = do_start_conversation(widget=widget, language="pl")

    do_set_visitor_details(
        conversation=conversation,
        client_ip="203.0.113.7",
        details=VisitorDetails(
            email="jan@poczta.example", marketing_consent=True, consent_text=" Zgadzam się. "
        ),
    )
    do_set_visitor_details(
        conversation=conversation,
        client_ip="203.0.113.7",
        details=VisitorDetails(
            email="jan@poczta.example", marketing_consent=True, consent_text="Zgadzam się."
        ),
    )
    conversation.refresh_from_db()
    customer = conversation.customer
    given = consent_in_force(customer.pk)
    do_set_visitor_details(
        conversation=conversation,
        client_ip="203.0.113.7",
        details=VisitorDetails(email="jan@poczta.example", marketing_consent=False),
    )

    withdrawn = consent_in_force(customer.pk)
    assert customer == customer_with_identity(IdentityKind.CHAT, f"conversation-{conversation.pk}")
    assert [
        (c.purpose, c.is_given, c.text, c.source, c.source_reference, c.recorded_by)
        for c in consent_record(customer).history
    ] == [
        ("marketing", False, "", "chat", f"conversation-{conversation.pk}", None),
        ("marketing", True, "Zgadzam się.", "chat", f"conversation-{conversation.pk}", None),
    ]
    assert given.is_given is True
    assert withdrawn.is_given is False
    assert withdrawn.recorded_at >= given.recorded_at
    conversation.refresh_from_db()
    assert conversation.marketing_consent is False


def test_a_visitor_who_never_ticked_the_box_records_no_consent_and_gets_no_customer(widget):
    conversation, _token = do_start_conversation(widget=widget, language="pl")

    do_set_visitor_details(
        conversation=conversation,
        client_ip="203.0.113.7",
        details=VisitorDetails(name="Jan", marketing_consent=False),
    )

    conversation.refresh_from_db()
    assert conversation.customer is None
    assert Consent.objects.count() == 0


def test_an_invalid_e_mail_is_refused_and_nothing_changes(widget):
    conversation, _token = do_start_conversation(widget=widget, language="pl")

    with pytest.raises(InvalidInput):
        do_set_visitor_details(
            conversation=conversation,
            client_ip="203.0.113.7",
            details=VisitorDetails(email="nie-adres"),
        )

    conversation.refresh_from_db()
    assert conversation.email == ""


def test_leaving_an_e_mail_tells_the_agents_on_the_ticket(widget):
    conversation, _token = do_start_conversation(widget=widget, language="pl")
    message = _say(conversation, "Jest ktoś?", "c-1")

    do_set_visitor_details(
        conversation=conversation,
        client_ip="203.0.113.7",
        details=VisitorDetails(email="ewa@poczta.example", continues_by_email=True),
    )

    note = message.ticket.messages.get(is_public=False)
    assert note.text == (
        "Gość zostawił(a) adres ewa@poczta.example: gdy potwierdzi go linkiem wysłanym na ten "
        "adres, odpowiedzi wyjdą też e-mailem (także te, których jeszcze nie przeczytał(a))."
    )
    conversation.refresh_from_db()
    assert conversation.continues_by_email is True


def test_read_marks_only_move_forward(widget):
    agent = make_agent(name="Ola Nowicka")
    conversation, _token = do_start_conversation(widget=widget, language="pl")
    message = _say(conversation, "Halo", "c-1")

    assert do_mark_read_by_visitor(conversation=conversation, up_to=message.pk) is True
    assert do_mark_read_by_visitor(conversation=conversation, up_to=message.pk - 1) is False
    assert do_mark_read_by_agent(conversation=conversation, acting_user=agent) is True
    assert do_mark_read_by_agent(conversation=conversation, acting_user=agent) is False
    conversation.refresh_from_db()
    assert (conversation.visitor_read_up_to, conversation.agent_read_up_to) == (
        message.pk,
        message.pk,
    )


def test_accepting_assigns_the_chat_and_tells_the_visitor(widget, team):
    agent = make_agent(name="Ola Nowicka", teams=[team])
    conversation, _token = do_start_conversation(widget=widget, language="pl")
    _say(conversation, "Halo", "c-1")
    conversation.refresh_from_db()

    assert do_accept_chat(conversation=conversation, acting_user=agent) is True

    ticket = conversation.ticket
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (agent, Status.OPEN)
    seen = [m.text for m in visitor_messages(conversation)]
    assert seen == ["Halo", "Ola z naszego zespołu jest teraz z Tobą na czacie."]


def test_transfers_are_counted(widget, team):
    ola = make_agent(name="Ola Nowicka", teams=[team])
    jan = make_agent(name="Jan Kowal", teams=[team])
    complaints = make_team(name="Reklamacje")
    conversation, _token = do_start_conversation(widget=widget, language="pl")
    _say(conversation, "Halo", "c-1")
    conversation.refresh_from_db()
    do_accept_chat(conversation=conversation, acting_user=ola)

    do_transfer_chat(conversation=conversation, agent=jan, acting_user=ola)
    do_transfer_chat(conversation=conversation, team=complaints, acting_user=jan)

    ticket = Ticket.objects.get()
    assert (ticket.assignee, ticket.team, ticket.transfer_count) == (None, complaints, 2)


def test_ending_the_chat_solves_the_ticket_and_writing_again_resumes_it(widget, team):
    agent = make_agent(name="Ola Nowicka", role=Role.AGENT, teams=[team])
    conversation, _token = do_start_conversation(widget=widget, language="en")
    first = _say(conversation, "Hello", "c-1")
    conversation.refresh_from_db()
    do_reply(ticket=first.ticket, text="Hi! Done.", acting_user=agent)

    assert do_end_chat(conversation=conversation, acting_user=agent) is True
    assert do_end_chat(conversation=conversation, acting_user=agent) is False

    ticket = Ticket.objects.get()
    assert ticket.status == Status.SOLVED
    assert visitor_messages(conversation)[-1].text.startswith("The chat has ended.")

    again = _say(conversation, "One more thing", "c-2")
    conversation.refresh_from_db()
    again.ticket.refresh_from_db()
    assert (again.ticket, again.ticket.status, conversation.ended_at) == (ticket, Status.OPEN, None)


def test_limits_per_visitor_and_per_client_address(settings):
    cache.clear()
    settings.CHAT_MESSAGES_PER_VISITOR = 2
    settings.CHAT_MESSAGES_PER_IP = 3

    check_visitor_allowance(conversation_id=1, client_ip="10.0.0.1")
    check_visitor_allowance(conversation_id=1, client_ip="10.0.0.1")
    with pytest.raises(TooManyMessages):
        check_visitor_allowance(conversation_id=1, client_ip="10.0.0.1")
    with pytest.raises(TooManyMessages):
        check_visitor_allowance(conversation_id=2, client_ip="10.0.0.1")
    check_visitor_allowance(conversation_id=2, client_ip="10.0.0.2")


def test_messages_written_together_are_counted_in_order_and_each_recorded_or_refused(
    widget, settings
):
    cache.clear()
    settings.CHAT_MESSAGES_PER_VISITOR = 2
    settings.CHAT_MESSAGES_PER_IP = 100
    first, _token = do_start_conversation(widget=widget, language="pl")
    second, _token = do_start_conversation(widget=widget, language="pl")
    _say(first, "Dzień dobry", "c-0")

    def write(conversation, client_id, text="Pytanie"):
        message = VisitorMessage(conversation.pk, client_id, text)
        return VisitorWrite(conversation, message, "10.0.0.1")

    results = do_record_visitor_messages(
        [
            write(first, "c-1"),
            write(second, "s-1", text=""),
            write(first, "c-1"),  # the resend of a message not acknowledged yet
            write(second, "s-2"),
            write(first, "c-2"),  # over the visitor's limit: their third this minute
        ]
    )

    assert isinstance(results[0], InboundItem)
    assert isinstance(results[1], InvalidInput)
    assert results[2] == results[0]
    assert isinstance(results[3], InboundItem)
    assert isinstance(results[4], TooManyMessages)
    assert sorted(InboundItem.objects.values_list("external_id", flat=True)) == sorted(
        [f"chat:{first.pk}:c-0", f"chat:{first.pk}:c-1", f"chat:{second.pk}:s-2"]
    )
