import base64
import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from okienko.accounts.choices import Role
from okienko.core.events import DomainEvent
from okienko.core.retry import RETRY_DELAYS
from okienko.inboxes.actions import (
    do_create_inbox,
    do_queue_email_delivery,
    do_send_delivery,
)
from okienko.inboxes.choices import DeliveryStatus, InboxKind
from okienko.inboxes.email.outgoing import reply_subject
from okienko.inboxes.models import ConnectionSecurity, Delivery, EmailAccount
from okienko.inboxes.tasks import queue_email_reply
from okienko.sla.actions import (
    CalendarInput,
    PolicyInput,
    TargetInput,
    do_save_calendar,
    do_save_policy,
)
from okienko.sla.models import Clock
from okienko.testing.factories import make_agent, make_customer, make_ticket
from okienko.testing.inbound import receive_email
from okienko.testing.mail import make_email
from okienko.testing.smtp import smtp_server
from okienko.tickets.actions import AttachmentInput, do_add_note, do_reply
from okienko.tickets.choices import AuthorKind, Channel, Direction
from okienko.tickets.models import Message, Ticket


@pytest.fixture
def mail_server():
    with smtp_server() as (catcher, port):
        yield catcher, port


@pytest.fixture
def inbox(db, mail_server):
    _catcher, port = mail_server
    inbox = do_create_inbox(
        name="Sklep", kind=InboxKind.EMAIL, address="pomoc@sklep.example", acting_user=None
    )
    EmailAccount.objects.create(
        inbox=inbox,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security=ConnectionSecurity.NONE,
        signature="{agent}\nSklep Internetowy – pomoc",
    )
    return inbox


def receive(inbox, raw: bytes) -> Message:
    item = receive_email(raw, inbox)
    assert item.message is not None, item.error
    return item.message


def sender_of(message) -> tuple[str, str]:
    address = message["From"].addresses[0]
    return address.display_name, address.addr_spec


def reply_and_send(ticket: Ticket, agent, **fields) -> Delivery:
    message = do_reply(
        ticket=ticket, text="Paczka wyjechała dziś rano.", acting_user=agent, **fields
    )
    delivery = do_queue_email_delivery(message=message)
    assert delivery is not None
    return do_send_delivery(delivery=delivery)


def test_reply_subject_carries_the_ticket_token_once():
    assert reply_subject("Gdzie paczka?", 12) == "Re: Gdzie paczka? [#12]"
    assert reply_subject("Odp: Gdzie paczka? [#12]", 12) == "Odp: Gdzie paczka? [#12]"


@pytest.mark.django_db
def test_an_agent_reply_reaches_the_customer_threaded_and_signed(inbox, mail_server):
    catcher, _port = mail_server
    EmailAccount.objects.filter(inbox=inbox).update(sends_acknowledgement=False)
    agent = make_agent(role=Role.ADMIN, name="Anna Kowalska")
    first = receive(
        inbox,
        make_email(message_id="<pytanie@poczta.example>", cc="Ewa Nowak <ewa@firma.example>"),
    )
    ticket = first.ticket

    delivery = reply_and_send(
        ticket,
        agent,
        attachments=[AttachmentInput("list.pdf", "application/pdf", b"%PDF-1.4 list")],
    )

    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 1
    [mail] = catcher.received
    sent = mail.message
    assert mail.recipients == ["jan.kowalski@poczta.example", "ewa@firma.example"]
    assert sender_of(sent) == ("Anna Kowalska (Sklep)", "pomoc@sklep.example")
    assert sent["To"] == "jan.kowalski@poczta.example"
    assert sent["Cc"] == "ewa@firma.example"
    assert sent["Subject"] == f"Re: Gdzie jest moja paczka? [#{ticket.pk}]"
    assert sent["Message-ID"] == f"<{delivery.external_id}>"
    assert sent["In-Reply-To"] == "<pytanie@poczta.example>"
    assert sent["References"] == "<pytanie@poczta.example>"
    assert sent["Auto-Submitted"] is None
    body = sent.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert body.startswith("Paczka wyjechała dziś rano.\n\n-- \nAnna Kowalska\nSklep Internetowy")
    [attachment] = list(sent.iter_attachments())
    assert attachment.get_filename() == "list.pdf"
    assert attachment.get_content() == b"%PDF-1.4 list"
    assert Message.objects.get(pk=delivery.message_id).external_id == delivery.external_id


@pytest.mark.django_db
def test_the_customers_answer_to_our_reply_lands_in_the_same_ticket(inbox, mail_server):
    catcher, _port = mail_server
    agent = make_agent(role=Role.ADMIN)
    ticket = receive(inbox, make_email(subject="Zwrot")).ticket
    reply_and_send(ticket, agent)
    ours = catcher.received[-1].message

    answer = receive(
        inbox,
        make_email(
            subject=ours["Subject"],
            text="Dziękuję!",
            in_reply_to=ours["Message-ID"],
            references=ours["References"] + " " + ours["Message-ID"],
        ),
    )

    assert answer.ticket_id == ticket.pk


@pytest.mark.django_db
def test_a_new_email_ticket_is_acknowledged_in_the_customers_language(
    inbox, mail_server, django_capture_on_commit_callbacks
):
    catcher, _port = mail_server
    make_customer(name="John Smith", email="john@example.com", language="en")

    with django_capture_on_commit_callbacks(execute=True):
        first = receive(inbox, make_email(sender="John Smith <john@example.com>", subject="Refund"))
    ack = Message.objects.filter(ticket=first.ticket, author_kind=AuthorKind.SYSTEM).get()
    do_send_delivery(delivery=ack.deliveries.get())

    ticket = Ticket.objects.get(pk=first.ticket_id)
    [mail] = catcher.received
    assert ack.is_public is True
    assert ack.direction == Direction.OUTBOUND
    assert f"ticket #{ticket.pk}" in ack.text
    assert mail.message["Auto-Submitted"] == "auto-replied"
    assert sender_of(mail.message) == ("Sklep", "pomoc@sklep.example")
    assert ticket.first_response_at is None
    assert ticket.reply_count == 0


@pytest.mark.django_db
def test_automatic_mail_is_never_acknowledged(inbox):
    first = receive(inbox, make_email(headers={"Auto-Submitted": "auto-replied"}))

    assert not Message.objects.filter(ticket=first.ticket, author_kind=AuthorKind.SYSTEM).exists()
    assert Delivery.objects.count() == 0


@pytest.mark.django_db
def test_a_refused_send_retries_with_backoff_then_fails_visibly(inbox, mail_server):
    catcher, _port = mail_server
    catcher.refuse_with = "451 4.3.0 Try again later"
    EmailAccount.objects.filter(inbox=inbox).update(sends_acknowledgement=False)
    agent = make_agent(role=Role.ADMIN)
    ticket = receive(inbox, make_email()).ticket

    delivery = reply_and_send(ticket, agent)

    assert delivery.status == DeliveryStatus.QUEUED
    assert "451" in delivery.error
    assert delivery.next_attempt_at > timezone.now() + RETRY_DELAYS[0] - datetime.timedelta(
        seconds=5
    )
    not_due_yet = do_send_delivery(delivery=delivery)
    assert not_due_yet.attempts == 1
    for _attempt in RETRY_DELAYS:
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        delivery = do_send_delivery(delivery=delivery)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == len(RETRY_DELAYS) + 1
    note = Message.objects.filter(ticket=ticket, is_public=False).get()
    assert note.author_kind == AuthorKind.SYSTEM
    assert note.text.startswith("Nie udało się wysłać naszego e-maila po 6 próbach: ")


@pytest.mark.django_db
def test_notes_and_non_email_tickets_send_nothing(inbox):
    agent = make_agent(role=Role.ADMIN)
    chat_ticket = make_ticket(channel=Channel.CHAT)
    email_ticket = make_ticket(channel=Channel.EMAIL)

    note = do_add_note(ticket=email_ticket, text="Wewnętrzna uwaga", acting_user=agent)
    chat_reply = do_reply(ticket=chat_ticket, text="Dzień dobry", acting_user=agent)

    assert do_queue_email_delivery(message=note) is None
    assert do_queue_email_delivery(message=chat_reply) is None


@pytest.mark.django_db
def test_a_requester_without_an_email_gets_a_failed_delivery(inbox):
    agent = make_agent(role=Role.ADMIN)
    customer = make_customer()
    customer.identities.all().delete()
    ticket = make_ticket(requester=customer, channel=Channel.EMAIL)

    delivery = do_queue_email_delivery(
        message=do_reply(ticket=ticket, text="Odpowiedź", acting_user=agent)
    )

    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.error == "the requester has no e-mail address"


@pytest.mark.django_db
def test_a_reply_event_queues_the_delivery(inbox):
    agent = make_agent(role=Role.ADMIN)
    ticket = make_ticket(channel=Channel.EMAIL)
    message = do_reply(ticket=ticket, text="Odpowiedź", acting_user=agent)

    queue_email_reply(
        DomainEvent(
            "ticket.message_added",
            {
                "ticket_id": ticket.pk,
                "message_id": message.pk,
                "is_public": True,
                "author_kind": AuthorKind.AGENT,
            },
        )
    )

    assert Delivery.objects.get().message_id == message.pk


@pytest.mark.django_db
def test_a_bounce_marks_the_delivery_bounced(inbox, mail_server):
    EmailAccount.objects.filter(inbox=inbox).update(sends_acknowledgement=False)
    agent = make_agent(role=Role.ADMIN)
    ticket = receive(inbox, make_email()).ticket
    delivery = reply_and_send(ticket, agent)
    report = base64.b64encode(b"x").decode()
    bounce = (
        "From: MAILER-DAEMON@mx.poczta.example\r\n"
        "To: pomoc@sklep.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-2@mx.poczta.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\nmailbox full\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.poczta.example\r\n\r\nAction: failed\r\nStatus: 5.2.2\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <{delivery.external_id}>\r\nSubject: x\r\n"
        f"--B--\r\n{report and ''}"
    ).encode()

    receive(inbox, bounce)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.BOUNCED
    assert "mailbox full" in delivery.error


@pytest.mark.django_db
def test_the_acknowledgement_says_when_to_expect_an_answer(
    inbox, django_capture_on_commit_callbacks
):
    calendar = do_save_calendar(
        data=CalendarInput(
            name="Całą dobę", country="", hours={str(d): [["00:00", "00:00"]] for d in range(7)}
        )
    )
    do_save_policy(
        data=PolicyInput(
            name="Ta skrzynka",
            calendar=calendar,
            conditions={"inbox": [inbox.pk]},
            targets=[TargetInput("normal", "first_reply", 4 * 60)],
        )
    )
    make_customer(name="John Smith", email="john@example.com", language="en")

    with django_capture_on_commit_callbacks(execute=True):
        first = receive(inbox, make_email(sender="John Smith <john@example.com>", subject="Refund"))
    ack = Message.objects.get(ticket=first.ticket, author_kind=AuthorKind.SYSTEM)

    clock = Clock.objects.get(ticket=first.ticket, metric="first_reply")
    assert clock.policy.name == "Ta skrzynka"
    due = timezone.localtime(clock.due_at, ZoneInfo("Europe/Warsaw"))
    with translation.override("en"):
        expected = date_format(due, "l, j E Y, H:i")
    assert f"You will have our answer by {expected} at the latest." in ack.text
