import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okienko.accounts.choices import Role
from okienko.core import realtime
from okienko.core.errors import InvalidInput
from okienko.customers.models import Customer, Identity
from okienko.inboxes import actions as inbound_actions
from okienko.inboxes.actions import (
    do_create_inbox,
    do_process_inbound,
    do_reprocess_inbound,
)
from okienko.inboxes.choices import InboundOutcome, InboundStatus, InboxKind
from okienko.inboxes.models import InboundItem
from okienko.inboxes.selectors import ledger_balances
from okienko.search import tasks as search_tasks
from okienko.search.models import SearchDocument
from okienko.sla.models import Clock
from okienko.testing.factories import make_agent, make_round_the_clock_policy, make_team
from okienko.testing.inbound import receive_email, record_email
from okienko.testing.mail import make_email
from okienko.tickets.actions import do_change_status, do_reply
from okienko.tickets.choices import AuthorKind, EventKind, Status
from okienko.tickets.models import Message, Ticket, TicketEvent

POLISH_REPLY = (
    "Dziękuję, paczka dotarła.\n"
    "\n"
    "W dniu 12.03.2026 o 10:15, Sklep <pomoc@sklep.example> pisze:\n"
    "> Paczka została wysłana.\n"
)


def ticket_of(item: InboundItem) -> Ticket:
    assert item.message is not None, item.error
    return Ticket.objects.get(pk=item.message.ticket_id)


@pytest.mark.django_db
def test_new_email_opens_a_ticket_for_a_new_customer():
    item = receive_email(make_email(message_id="<pierwsza@poczta.example>"))

    ticket = ticket_of(item)
    assert item.status == InboundStatus.PROCESSED
    assert item.outcome == InboundOutcome.TICKET_CREATED
    assert item.sender == "jan.kowalski@poczta.example"
    assert ticket.subject == "Gdzie jest moja paczka?"
    assert ticket.channel == "email"
    assert ticket.status == Status.NEW
    assert ticket.requester.name == "Jan Kowalski"
    assert Identity.objects.get(customer=ticket.requester).address == "jan.kowalski@poczta.example"
    message = item.message
    assert message.external_id == "pierwsza@poczta.example"
    assert message.author_kind == AuthorKind.CUSTOMER
    assert message.text.startswith("Dzień dobry,\nzamówienie ZAM/2026/123 nie dotarło.")
    assert message.created_at == item.received_at


@pytest.mark.django_db
def test_the_same_message_recorded_twice_is_one_item_and_one_ticket():
    raw = make_email()

    first, first_created = record_email(raw, external_id="a")
    again, again_created = record_email(raw, external_id="a")
    do_process_inbound(items=[first, again])

    assert (first.pk, first_created, again_created) == (again.pk, True, False)
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_a_redelivered_copy_with_other_headers_is_a_duplicate_not_a_second_message():
    first = receive_email(make_email(message_id="<kopia@poczta.example>"))
    copy = receive_email(
        make_email(message_id="<kopia@poczta.example>", headers={"X-Delivered-To": "inna"})
    )

    assert copy.status == InboundStatus.PROCESSED
    assert copy.outcome == InboundOutcome.DUPLICATE
    assert copy.message_id == first.message_id
    assert Message.objects.count() == 1
    assert InboundItem.objects.count() == 2


@pytest.mark.django_db
def test_reply_threads_by_in_reply_to_and_keeps_the_quote_apart():
    first = receive_email(make_email(message_id="<pytanie@poczta.example>"))

    reply = receive_email(
        make_email(
            subject="Re: Gdzie jest moja paczka?",
            text=POLISH_REPLY,
            in_reply_to="<pytanie@poczta.example>",
        )
    )

    assert reply.outcome == InboundOutcome.MESSAGE_APPENDED
    assert reply.message.ticket_id == first.message.ticket_id
    assert reply.message.text == "Dziękuję, paczka dotarła."
    assert "W dniu 12.03.2026 o 10:15" in reply.message.quoted_text
    assert "> Paczka została wysłana." in reply.message.quoted_text


@pytest.mark.django_db
def test_reply_to_an_agent_message_threads_by_references():
    agent = make_agent(role=Role.ADMIN)
    ticket = ticket_of(receive_email(make_email()))
    answer = do_reply(ticket=ticket, text="Paczka jest w drodze.", acting_user=agent)
    Message.objects.filter(pk=answer.pk).update(external_id="odpowiedz-1@sklep.example")

    reply = receive_email(
        make_email(
            subject="Odp: Gdzie jest moja paczka?",
            text="Dziękuję!",
            references="<inna@poczta.example> <odpowiedz-1@sklep.example>",
        )
    )

    assert reply.message.ticket_id == ticket.pk


@pytest.mark.django_db
def test_ticket_token_in_the_subject_threads_for_the_requester_only():
    ticket = ticket_of(receive_email(make_email()))
    token_subject = f"Paczka [#{ticket.pk}]"

    from_requester = receive_email(make_email(subject=token_subject, text="Jeszcze jedno."))
    from_stranger = receive_email(
        make_email(sender="obcy@inna.example", subject=token_subject, text="Wtrącam się.")
    )

    assert from_requester.message.ticket_id == ticket.pk
    assert from_stranger.outcome == InboundOutcome.TICKET_CREATED
    assert from_stranger.message.ticket_id != ticket.pk


@pytest.mark.django_db
def test_a_reply_joins_by_subject_but_a_new_mail_with_the_same_subject_does_not():
    ticket = ticket_of(receive_email(make_email(subject="Faktura")))

    reply = receive_email(make_email(subject="RE: Odp: faktura", text="Czy są nowości?"))
    new_mail = receive_email(make_email(subject="Faktura", text="Inna faktura."))

    assert reply.message.ticket_id == ticket.pk
    assert new_mail.message.ticket_id != ticket.pk


@pytest.mark.django_db
def test_subject_threading_stops_after_the_window(settings):
    settings.EMAIL_THREAD_BY_SUBJECT_DAYS = 7
    ticket = ticket_of(receive_email(make_email(subject="Faktura")))
    Ticket.objects.filter(pk=ticket.pk).update(
        last_message_at=timezone.now() - datetime.timedelta(days=8)
    )

    reply = receive_email(make_email(subject="Re: Faktura", text="Czy są nowości?"))

    assert reply.message.ticket_id != ticket.pk


@pytest.mark.django_db
def test_reply_to_a_solved_ticket_reopens_it():
    agent = make_agent(role=Role.ADMIN)
    first = receive_email(make_email(message_id="<a@poczta.example>"))
    ticket = ticket_of(first)
    do_change_status(ticket=ticket, status=Status.SOLVED, acting_user=agent)

    receive_email(make_email(text="Jednak nie działa.", in_reply_to="<a@poczta.example>"))

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.reopen_count == 1


@pytest.mark.django_db
def test_replies_in_the_batch_of_the_mail_they_answer_join_its_ticket():
    items = [
        record_email(make_email(message_id="<nowe@poczta.example>"))[0],
        record_email(make_email(text="Uzupełniam.", in_reply_to="<nowe@poczta.example>"))[0],
        record_email(
            make_email(
                message_id="<drugie@poczta.example>",
                text="I jeszcze jedno.",
                in_reply_to="<nowe@poczta.example>",
            )
        )[0],
        record_email(make_email(text="Już wszystko.", in_reply_to="<drugie@poczta.example>"))[0],
    ]

    first, *replies = do_process_inbound(items=items)

    assert first.outcome == InboundOutcome.TICKET_CREATED
    assert [reply.outcome for reply in replies] == [InboundOutcome.MESSAGE_APPENDED] * 3
    assert {ticket_of(reply).pk for reply in replies} == {ticket_of(first).pk}


@pytest.mark.django_db
def test_a_reply_after_one_rolled_back_in_its_batch_still_reopens_the_ticket(monkeypatch):
    agent = make_agent(role=Role.ADMIN)
    ticket = ticket_of(receive_email(make_email(message_id="<d@poczta.example>")))
    do_change_status(ticket=ticket, status=Status.SOLVED, acting_user=agent)
    finish = inbound_actions._finish_together
    calls = []

    def fail_first_reply(final, items):
        calls.append(items)
        if len(calls) == 1:
            raise RuntimeError("test: the first reply is rolled back after reopening")
        return finish(final, items)

    monkeypatch.setattr(inbound_actions, "_finish_together", fail_first_reply)
    items = [
        record_email(make_email(text=f"Odpowiedź {n}", in_reply_to="<d@poczta.example>"))[0]
        for n in range(2)
    ]

    held, processed = do_process_inbound(items=items)

    assert held.status == InboundStatus.QUARANTINED
    assert processed.outcome == InboundOutcome.MESSAGE_APPENDED
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.reopen_count == 1


@pytest.mark.django_db
def test_reply_to_a_closed_ticket_opens_a_linked_follow_up():
    agent = make_agent(role=Role.ADMIN)
    first = receive_email(make_email(message_id="<b@poczta.example>"))
    closed = ticket_of(first)
    do_change_status(ticket=closed, status=Status.CLOSED, acting_user=agent)

    reply = receive_email(make_email(text="Wracam z tematem.", in_reply_to="<b@poczta.example>"))

    follow_up = ticket_of(reply)
    assert reply.outcome == InboundOutcome.FOLLOW_UP_CREATED
    assert follow_up.pk != closed.pk
    assert follow_up.follow_up_of_id == closed.pk
    event = TicketEvent.objects.get(ticket=closed, kind=EventKind.FOLLOW_UP_OPENED)
    assert event.new_value == {"ticket_id": follow_up.pk}


@pytest.mark.django_db
def test_an_auto_reply_is_kept_on_the_ticket_without_reopening_it():
    agent = make_agent(role=Role.ADMIN)
    ticket = ticket_of(receive_email(make_email(message_id="<c@poczta.example>")))
    do_change_status(ticket=ticket, status=Status.SOLVED, acting_user=agent)

    auto = receive_email(
        make_email(
            subject="Nieobecność: Gdzie jest moja paczka?",
            text="Jestem na urlopie do 30.11.",
            in_reply_to="<c@poczta.example>",
            headers={"Auto-Submitted": "auto-replied"},
        )
    )

    ticket.refresh_from_db()
    assert auto.outcome == InboundOutcome.MESSAGE_APPENDED
    assert auto.message.ticket_id == ticket.pk
    assert ticket.status == Status.SOLVED


@pytest.mark.django_db
def test_copied_people_are_kept_on_the_ticket_but_not_our_own_mailbox():
    inbox = do_create_inbox(
        name="Pomoc", kind=InboxKind.EMAIL, address="pomoc@sklep.example", acting_user=None
    )

    item = receive_email(
        make_email(cc="Ewa Nowak <ewa@firma.example>, Sklep <POMOC@sklep.example>"), inbox
    )

    ticket = ticket_of(item)
    assert [customer.name for customer in ticket.cc.all()] == ["Ewa Nowak"]
    assert not Identity.objects.filter(address="pomoc@sklep.example").exists()


@pytest.mark.django_db
def test_new_tickets_go_to_the_inbox_team():
    team = make_team(name="Reklamacje")
    inbox = do_create_inbox(name="Reklamacje", kind=InboxKind.EMAIL, team=team, acting_user=None)

    ticket = ticket_of(receive_email(make_email(), inbox))

    assert ticket.team_id == team.pk


@pytest.mark.django_db
def test_a_form_relay_from_our_own_address_is_taken_from_reply_to():
    inbox = do_create_inbox(
        name="Formularz", kind=InboxKind.EMAIL, address="formularz@sklep.example", acting_user=None
    )

    item = receive_email(
        make_email(
            sender="Formularz <formularz@sklep.example>",
            headers={"Reply-To": "Maria Wiśniewska <maria@poczta.example>"},
        ),
        inbox,
    )

    assert ticket_of(item).requester.name == "Maria Wiśniewska"


@pytest.mark.django_db
def test_a_bounce_of_our_reply_leaves_a_note_for_the_agents():
    agent = make_agent(role=Role.ADMIN)
    ticket = ticket_of(receive_email(make_email()))
    answer = do_reply(ticket=ticket, text="Odpowiedź.", acting_user=agent)
    Message.objects.filter(pk=answer.pk).update(external_id="wyslana@sklep.example")
    bounce = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.sklep.example>\r\n"
        b"To: pomoc@sklep.example\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"Message-ID: <bounce-1@mx.sklep.example>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        b"\r\n--B\r\nContent-Type: text/plain\r\n\r\n"
        b"The mail system: <jan.kowalski@poczta.example>: mailbox unavailable\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.sklep.example\r\n\r\n"
        b"Final-Recipient: rfc822; jan.kowalski@poczta.example\r\nAction: failed\r\n"
        b"Status: 5.1.1\r\n"
        b"--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        b"From: pomoc@sklep.example\r\nMessage-ID: <wyslana@sklep.example>\r\n"
        b"Subject: Re: Gdzie jest moja paczka?\r\n"
        b"--B--\r\n"
    )

    item = receive_email(bounce)

    assert item.outcome == InboundOutcome.BOUNCE_RECORDED
    note = item.message
    assert note.ticket_id == ticket.pk
    assert note.is_public is False
    assert note.author_kind == AuthorKind.SYSTEM
    assert "mailbox unavailable" in note.text
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_unreadable_input_is_quarantined_with_its_reason_and_kept():
    item = receive_email(b"")

    assert item.status == InboundStatus.QUARANTINED
    assert item.error
    assert item.attempts == 1
    assert bytes(item.raw) == b""
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_mail_without_a_sender_is_quarantined():
    raw = b"To: pomoc@sklep.example\r\nSubject: Bez nadawcy\r\n\r\nTre\xc5\x9b\xc4\x87\r\n"

    item = receive_email(raw)

    assert item.status == InboundStatus.QUARANTINED
    assert item.error == "the message has no sender address"


@pytest.mark.django_db
def test_a_flood_from_one_sender_is_held_in_quarantine(settings):
    settings.EMAIL_SENDER_LIMIT = 2

    items = [receive_email(make_email(subject=f"Spam {n}")) for n in range(3)]

    assert [item.status for item in items] == [
        InboundStatus.PROCESSED,
        InboundStatus.PROCESSED,
        InboundStatus.QUARANTINED,
    ]
    assert "more than 2 messages in 10 minutes" in items[2].error


@pytest.mark.django_db
def test_a_flood_within_one_batch_is_held_too(settings):
    settings.EMAIL_SENDER_LIMIT = 2
    receive_email(make_email(subject="Wcześniej"))
    items = [record_email(make_email(subject=f"Spam {n}"))[0] for n in range(3)]

    processed = do_process_inbound(items=items)

    assert [item.status for item in processed] == [
        InboundStatus.PROCESSED,
        InboundStatus.QUARANTINED,
        InboundStatus.QUARANTINED,
    ]
    assert "more than 2 messages in 10 minutes" in processed[2].error


@pytest.mark.django_db
def test_a_copy_for_another_inbox_in_the_same_batch_is_a_duplicate():
    other = do_create_inbox(
        name="Reklamacje",
        kind=InboxKind.EMAIL,
        address="reklamacje@sklep.example",
        acting_user=None,
    )
    raw = make_email(message_id="<dwa-adresy@poczta.example>")
    first, _created = record_email(raw)
    copy, _created = record_email(raw, other)

    do_process_inbound(items=[first, copy])

    assert first.outcome == InboundOutcome.TICKET_CREATED
    assert copy.outcome == InboundOutcome.DUPLICATE
    assert copy.message_id == first.message_id
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_a_customer_made_by_an_item_rolled_back_is_made_again_by_the_next(monkeypatch):
    create_tickets = inbound_actions.do_create_tickets_with_messages

    def fail_the_first(tickets, **options):
        if any(new.subject == "Pytanie 0" for new in tickets):
            raise InvalidInput("test: the first ticket cannot be made")
        return create_tickets(tickets, **options)

    monkeypatch.setattr(inbound_actions, "do_create_tickets_with_messages", fail_the_first)
    items = [
        record_email(make_email(sender="Nowa <nowa@poczta.example>", subject=f"Pytanie {n}"))[0]
        for n in range(2)
    ]

    held, processed = do_process_inbound(items=items)

    assert held.status == InboundStatus.QUARANTINED
    assert processed.status == InboundStatus.PROCESSED
    customer = Identity.objects.get(address="nowa@poczta.example").customer
    assert ticket_of(processed).requester_id == customer.pk
    assert Customer.objects.filter(identities__address="nowa@poczta.example").count() == 1


def _mail_and_replies(size: int) -> list[InboundItem]:
    """``size`` new mails from known customers and ``size`` replies to their earlier tickets."""
    senders = [f"Klient {n} <klient{n}@poczta.example>" for n in range(size)]
    for n, sender in enumerate(senders):
        receive_email(make_email(sender=sender, message_id=f"<earlier-{size}-{n}@poczta.example>"))
    replies = [
        make_email(
            sender=sender, text="Dziękuję", in_reply_to=f"<earlier-{size}-{n}@poczta.example>"
        )
        for n, sender in enumerate(senders)
    ]
    new = [make_email(sender=sender, subject="Nowa sprawa") for sender in senders]
    return [record_email(raw)[0] for raw in [*new, *replies]]


def _statements(items: list[InboundItem]) -> int:
    with CaptureQueriesContext(connection) as queries:
        processed = do_process_inbound(items=items)
    assert {item.outcome for item in processed} == {
        InboundOutcome.TICKET_CREATED,
        InboundOutcome.MESSAGE_APPENDED,
    }
    return len(queries)


@pytest.mark.django_db
def test_a_batch_of_new_mail_and_replies_is_written_set_based():
    # One after the other: processing a later batch takes an earlier one's waiting mail first.
    small = _statements(_mail_and_replies(2))

    assert _statements(_mail_and_replies(6)) == small


@pytest.mark.django_db
def test_an_item_of_a_batch_finished_by_another_worker_meanwhile_is_left_to_it():
    items = [record_email(make_email(subject=f"Pytanie {n}"))[0] for n in range(3)]
    InboundItem.objects.filter(pk=items[1].pk).update(status=InboundStatus.QUARANTINED)

    first, taken, third = do_process_inbound(items=items)

    assert [first.status, taken.status, third.status] == [
        InboundStatus.PROCESSED,
        InboundStatus.QUARANTINED,
        InboundStatus.PROCESSED,
    ]
    assert taken.message is None
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Pytanie 0", "Pytanie 2"]


@pytest.mark.django_db
def test_a_quarantined_item_can_be_processed_again_after_a_fix(settings):
    settings.EMAIL_SENDER_LIMIT = 1
    receive_email(make_email(subject="Pierwsza"))
    held = receive_email(make_email(subject="Druga"))
    status_before = held.status
    settings.EMAIL_SENDER_LIMIT = 30

    again = do_reprocess_inbound(item=held, acting_user=None)

    assert status_before == InboundStatus.QUARANTINED
    assert again.status == InboundStatus.PROCESSED
    assert again.error == ""
    assert ticket_of(again).subject == "Druga"


@pytest.mark.django_db
def test_processing_a_finished_item_again_changes_nothing():
    item = receive_email(make_email())

    again = do_process_inbound(items=[item])[0]

    assert again.attempts == 1
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_the_ledger_balances_per_inbox():
    receive_email(make_email())
    receive_email(b"not an e-mail")
    record_email(make_email(), external_id="")

    balances = ledger_balances()

    assert [(b.inbox, b.received, b.processed, b.quarantined, b.pending) for b in balances] == [
        ("E-mail", 3, 1, 1, 1)
    ]


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=3000))
def test_any_bytes_end_processed_or_quarantined(raw):
    item = receive_email(raw)

    assert item.status in {InboundStatus.PROCESSED, InboundStatus.QUARANTINED}
    assert bytes(item.raw) == raw


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    subject=st.text(max_size=80),
    body=st.text(max_size=400),
    header_value=st.text(max_size=60),
)
def test_any_mail_like_message_ends_processed_or_quarantined(subject, body, header_value):
    raw = (
        "From: Klient <klient@poczta.example>\r\n"
        f"Subject: {subject}\r\n"
        f"In-Reply-To: {header_value}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}"
    ).encode("utf-8", "surrogatepass")

    item = receive_email(raw)

    assert item.status in {InboundStatus.PROCESSED, InboundStatus.QUARANTINED}
    assert Customer.objects.filter(identities__address="klient@poczta.example").count() <= 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_batch_of_mail_is_indexed_by_one_task_and_found(monkeypatch):
    enqueued: list[tuple[str, list[int]]] = []
    monkeypatch.setattr(
        search_tasks, "index_documents", lambda doc_type, ids: enqueued.append((doc_type, ids))
    )
    raws = [
        make_email(subject=f"Reklamacja {n}", message_id=f"<partia-{n}@poczta.example>")
        for n in range(3)
    ]
    items = [record_email(raw)[0] for raw in raws]

    processed = do_process_inbound(items=items)

    ticket_ids = sorted(item.message.ticket_id for item in processed)
    ticket_tasks = [ids for doc_type, ids in enqueued if doc_type == "ticket"]
    assert ticket_tasks == [ticket_ids]
    # The task indexes them as before: each new ticket is found.
    search_tasks.do_index_documents("ticket", ticket_ids)
    assert SearchDocument.objects.filter(doc_type="ticket").count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_batch_of_mail_is_announced_live_at_once_with_its_sla_clocks_set(monkeypatch):
    make_round_the_clock_policy(first_reply_minutes=4 * 60)
    sent: list[list[realtime.Message]] = []
    monkeypatch.setattr(realtime, "anyone_may_listen", lambda: True)
    monkeypatch.setattr(realtime, "send_all", sent.append)
    raws = [
        make_email(subject=f"Zwrot {n}", message_id=f"<na-zywo-{n}@poczta.example>")
        for n in range(3)
    ]
    items = [record_email(raw)[0] for raw in raws]

    processed = do_process_inbound(items=items)

    ticket_ids = sorted(item.message.ticket_id for item in processed)
    workspace_sends = [
        {group: message["ticket_ids"] for group, message in messages}
        for messages in sent
        if any(message["type"] == "tickets.changed" for _group, message in messages)
    ]
    assert len(workspace_sends) == 1
    assert workspace_sends[0][realtime.EVERY_TICKET] == ticket_ids
    assert Ticket.objects.filter(pk__in=ticket_ids, sla_due_at__isnull=False).count() == 3
    assert Clock.objects.filter(ticket_id__in=ticket_ids, metric="first_reply").count() == 3
