import base64
import hashlib
import hmac
import time

import pytest

from okienko.inboxes.actions import do_create_inbox
from okienko.inboxes.choices import InboxKind
from okienko.inboxes.models import InboundItem
from okienko.testing.mail import make_email

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
