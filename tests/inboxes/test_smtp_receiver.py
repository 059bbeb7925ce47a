import smtplib
import socket

import pytest

from okienko.inboxes.actions import do_create_inbox
from okienko.inboxes.choices import InboundStatus, InboxKind
from okienko.inboxes.email.smtp_receiver import receiver
from okienko.inboxes.models import InboundItem
from okienko.testing.mail import make_email
from okienko.testing.smtp import free_port


@pytest.fixture
def running(request):
    lmtp = getattr(request, "param", False)
    port = free_port()
    server = receiver(host="127.0.0.1", port=port, lmtp=lmtp)
    server.start()
    yield port
    server.stop()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_delivered_message_is_in_the_ledger_before_the_mta_hears_250(running):
    shop = do_create_inbox(
        name="Sklep", kind=InboxKind.EMAIL, address="pomoc@sklep.example", acting_user=None
    )
    raw = make_email(message_id="<smtp-1@poczta.example>")

    with smtplib.SMTP("127.0.0.1", running) as client:
        refused = client.sendmail("jan@poczta.example", ["Pomoc@Sklep.example"], raw)

    item = InboundItem.objects.get()
    assert refused == {}
    assert item.inbox_id == shop.pk
    assert item.external_id == "smtp-1@poczta.example"
    # As transmitted: SMTP carries CRLF line ends.
    assert bytes(item.raw).replace(b"\r\n", b"\n").rstrip() == raw.rstrip()
    assert item.status == InboundStatus.RECEIVED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_mail_for_an_unknown_address_goes_to_the_default_inbox(running):
    with smtplib.SMTP("127.0.0.1", running) as client:
        client.sendmail("jan@poczta.example", ["ktos@gdzies.example"], make_email())

    assert InboundItem.objects.get().inbox.name == "E-mail"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("running", [True], indirect=True)
def test_lmtp_answers_once_per_recipient(running):
    do_create_inbox(name="A", kind=InboxKind.EMAIL, address="a@sklep.example", acting_user=None)
    do_create_inbox(name="B", kind=InboxKind.EMAIL, address="b@sklep.example", acting_user=None)
    commands = [
        b"LHLO mx.sklep.example",
        b"MAIL FROM:<jan@poczta.example>",
        b"RCPT TO:<a@sklep.example>",
        b"RCPT TO:<b@sklep.example>",
        b"DATA",
    ]

    with socket.create_connection(("127.0.0.1", running), timeout=10) as connection:
        replies = connection.makefile("rb")
        replies.readline()
        for command in commands:
            connection.sendall(command + b"\r\n")
            while replies.readline()[3:4] == b"-":
                pass  # the lines of a multi-line reply, up to its last
        connection.sendall(make_email().replace(b"\n", b"\r\n") + b".\r\n")
        data_replies = [replies.readline(), replies.readline()]

    assert data_replies == [b"250 2.0.0 Message stored\r\n"] * 2
    assert sorted(InboundItem.objects.values_list("inbox__name", flat=True)) == ["A", "B"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_oversized_mail_is_refused_so_the_sender_is_told(running, settings):
    with smtplib.SMTP("127.0.0.1", running) as client:
        client.ehlo()
        limit = int(client.esmtp_features["size"])

    assert limit == settings.EMAIL_MAX_MESSAGE_BYTES
    assert InboundItem.objects.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_only_our_addresses_count_when_a_message_names_others_too(running):
    do_create_inbox(name="A", kind=InboxKind.EMAIL, address="a@sklep.example", acting_user=None)

    with smtplib.SMTP("127.0.0.1", running) as client:
        client.sendmail(
            "jan@poczta.example", ["a@sklep.example", "ktos@gdzies.example"], make_email()
        )

    assert list(InboundItem.objects.values_list("inbox__name", flat=True)) == ["A"]
