import base64
import hashlib
import hmac
import time

import pytest

from okienko.inboxes.actions import do_create_inbox
from okienko.inboxes.choices import InboxKind
from okienko.inboxes.models import InboundItem
from okienko.testing.mail import make_email
from okienko.tickets.models import Ticket

SIGNING_KEY = "klucz-podpisu-mailgun"
SECRET = "mailgun:tajne-haslo"


@pytest.fixture
def webhook_settings(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


def mailgun_form(raw: bytes, *, key: str = SIGNING_KEY) -> dict[str, str]:
    timestamp, token = str(int(time.time())), "token-123"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return {
        "body-mime": raw.decode(),
        "recipient": "pomoc@sklep.example",
        "sender": "jan.kowalski@poczta.example",
        "timestamp": timestamp,
        "token": token,
        "signature": signature.hexdigest(),
    }


def basic_auth(secret: str) -> str:
    return "Basic " + base64.b64encode(secret.encode()).decode()


@pytest.mark.django_db
def test_a_mailgun_inbound_webhook_lands_in_the_ledger_of_the_recipients_inbox(
    client, webhook_settings
):
    inbox = do_create_inbox(
        name="Sklep", kind=InboxKind.EMAIL, address="pomoc@sklep.example", acting_user=None
    )

    response = client.post(
        "/inbound/mailgun/inbound/",
        mailgun_form(make_email(message_id="<mg-1@poczta.example>")),
        HTTP_AUTHORIZATION=basic_auth(SECRET),
    )

    item = InboundItem.objects.get()
    assert response.status_code == 200
    assert item.inbox_id == inbox.pk
    assert item.external_id == "mg-1@poczta.example"
    assert b"Gdzie jest moja paczka?" in bytes(item.raw)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("secret", "key"),
    [("mailgun:zle-haslo", SIGNING_KEY), (SECRET, "inny-klucz")],
    ids=["wrong basic auth", "wrong signature"],
)
def test_unauthenticated_webhooks_record_nothing(client, webhook_settings, secret, key):
    response = client.post(
        "/inbound/mailgun/inbound/",
        mailgun_form(make_email(), key=key),
        HTTP_AUTHORIZATION=basic_auth(secret),
    )

    assert response.status_code == 400
    assert InboundItem.objects.count() == 0


@pytest.mark.django_db
def test_without_a_configured_secret_the_webhooks_stay_shut(client):
    response = client.post(
        "/inbound/postmark/inbound/",
        {"RawEmail": make_email().decode()},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert InboundItem.objects.count() == 0


# End to end through other providers: webhook -> ledger -> the one pipeline -> a ticket.


def _delivered(client, django_capture_on_commit_callbacks, path: str, **post):
    """Post a provider's webhook and run what its commit queues (processing, at once)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, HTTP_AUTHORIZATION=basic_auth(SECRET), **post)
    assert response.status_code == 200, response.content
    return response


@pytest.fixture
def shop_inbox(db):
    return do_create_inbox(
        name="Sklep", kind=InboxKind.EMAIL, address="pomoc@sklep.example", acting_user=None
    )


@pytest.mark.django_db
def test_postmark_raw_email_becomes_a_ticket_once_however_often_it_is_retried(
    client, webhook_settings, shop_inbox, tasks_run_at_once, django_capture_on_commit_callbacks
):
    raw = make_email(
        subject="Reklamacja butów",
        text="Podeszwa odkleiła się po tygodniu.",
        message_id="<pm-1@poczta.example>",
    )
    payload = {"RawEmail": raw.decode(), "MessageID": "pm-uuid-1", "Headers": []}

    for _attempt in range(2):  # Postmark retries when it saw no 200 in time
        _delivered(
            client,
            django_capture_on_commit_callbacks,
            "/inbound/postmark/inbound/",
            data=payload,
            content_type="application/json",
        )

    item = InboundItem.objects.get()
    assert (item.inbox_id, item.status, item.outcome) == (
        shop_inbox.pk,
        "processed",
        "ticket_created",
    )
    ticket = Ticket.objects.get()
    assert ticket.subject == "Reklamacja butów"
    assert ticket.messages.get().text == "Podeszwa odkleiła się po tygodniu."


@pytest.mark.django_db
def test_postmark_parsed_fields_keep_the_attachment(
    client, webhook_settings, shop_inbox, tasks_run_at_once, django_capture_on_commit_callbacks
):
    # Without "include raw e-mail" Postmark sends the parts as JSON fields.
    payload = {
        "FromFull": {"Email": "anna.nowak@poczta.example", "Name": "Anna Nowak"},
        "ToFull": [{"Email": "pomoc@sklep.example", "Name": "Sklep"}],
        "Subject": "Faktura do zamówienia",
        "MessageID": "pm-uuid-2",
        "TextBody": "Proszę o fakturę, w załączniku paragon.",
        "Headers": [{"Name": "Message-ID", "Value": "<pm-2@poczta.example>"}],
        "Attachments": [
            {
                "Name": "paragon.pdf",
                "ContentType": "application/pdf",
                "Content": base64.b64encode(b"%PDF-1.4 paragon").decode(),
            }
        ],
    }

    _delivered(
        client,
        django_capture_on_commit_callbacks,
        "/inbound/postmark/inbound/",
        data=payload,
        content_type="application/json",
    )

    message = Ticket.objects.get(subject="Faktura do zamówienia").messages.get()
    assert message.author_customer.name == "Anna Nowak"
    assert message.text == "Proszę o fakturę, w załączniku paragon."
    attachment = message.attachments.get()
    assert attachment.filename == "paragon.pdf"
    assert attachment.file.read() == b"%PDF-1.4 paragon"


@pytest.mark.django_db
def test_a_sparkpost_relay_message_threads_onto_its_ticket(
    client, webhook_settings, shop_inbox, tasks_run_at_once, django_capture_on_commit_callbacks
):
    def relay(raw: bytes) -> list[dict[str, object]]:
        content = {"email_rfc822": base64.b64encode(raw).decode(), "email_rfc822_is_base64": True}
        message = {
            "protocol": "smtp",
            "rcpt_to": "pomoc@sklep.example",
            "msg_from": "jan.kowalski@poczta.example",
            "content": content,
        }
        return [{"msys": {"relay_message": message}}]

    first = make_email(message_id="<sp-1@poczta.example>")
    reply = make_email(
        subject="Re: Gdzie jest moja paczka?",
        text="Nadal czekam.",
        message_id="<sp-2@poczta.example>",
        in_reply_to="<sp-1@poczta.example>",
    )
    for raw in (first, reply):
        _delivered(
            client,
            django_capture_on_commit_callbacks,
            "/inbound/sparkpost/inbound/",
            data=relay(raw),
            content_type="application/json",
        )

    ticket = Ticket.objects.get()
    assert list(ticket.messages.order_by("id").values_list("text", flat=True))[-1] == (
        "Nadal czekam."
    )
    assert ticket.messages.count() == 2
