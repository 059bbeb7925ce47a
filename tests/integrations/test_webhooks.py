"""Outbound webhooks: signed, sent to a real HTTP server, retried with backoff, failures kept."""

import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from okienko.automation.actions import RuleInput, do_save_rule
from okienko.core.errors import InvalidInput
from okienko.core.retry import RETRY_DELAYS
from okienko.integrations.actions import do_queue_webhook, do_send_webhook, signature
from okienko.integrations.choices import WebhookStatus
from okienko.integrations.models import WebhookDelivery
from okienko.integrations.selectors import due_webhook_ids
from okienko.testing.factories import make_customer, make_ticket

pytestmark = pytest.mark.django_db
SECRET = "wspolny-sekret-do-podpisu"


class Receiver:
    """A real HTTP server on localhost that records requests and answers with ``status``."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/okienko"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_SECRET = SECRET
    receiver = Receiver()
    yield receiver
    receiver.close()


def test_a_delivery_is_signed_so_the_receiver_can_check_it(receiver):
    delivery = do_queue_webhook(url=receiver.url, event="test.ping", payload={"a": "zażółć"})

    sent = do_send_webhook(delivery.pk)

    assert (sent.status, sent.attempts, sent.response_status) == (WebhookStatus.SENT, 1, 204)
    [(headers, body)] = receiver.requests
    assert json.loads(body) == {"event": "test.ping", "delivery": delivery.pk, "a": "zażółć"}
    timestamp = headers["X-Okienko-Timestamp"]
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert headers["X-Okienko-Signature"] == f"sha256={expected.hexdigest()}"
    assert signature(body, timestamp, "inny-sekret") != headers["X-Okienko-Signature"]


def test_a_refusing_receiver_gets_retries_with_backoff_then_the_delivery_fails(receiver):
    receiver.status = 503
    delivery = do_queue_webhook(url=receiver.url, event="test.ping", payload={})

    delivery = do_send_webhook(delivery.pk)
    assert (delivery.status, delivery.error) == (WebhookStatus.QUEUED, "HTTP 503")
    assert delivery.next_attempt_at > timezone.now() + RETRY_DELAYS[0] - datetime.timedelta(
        seconds=5
    )
    assert do_send_webhook(delivery.pk).attempts == 1  # not due yet: not sent again
    assert due_webhook_ids() == []

    for _retry in RETRY_DELAYS:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        assert due_webhook_ids() == [delivery.pk]
        delivery = do_send_webhook(delivery.pk)

    assert (delivery.status, delivery.attempts) == (WebhookStatus.FAILED, len(RETRY_DELAYS) + 1)
    assert delivery.next_attempt_at is None
    assert len(receiver.requests) == len(RETRY_DELAYS) + 1


def test_a_receiver_that_is_down_is_retried(settings):
    settings.WEBHOOK_SECRET = SECRET
    receiver = Receiver()
    url = receiver.url
    receiver.close()  # nothing listens there any more
    delivery = do_queue_webhook(url=url, event="test.ping", payload={})

    delivery = do_send_webhook(delivery.pk)

    assert delivery.status == WebhookStatus.QUEUED
    assert delivery.error.startswith("ConnectError")


def test_a_rule_calls_a_webhook_with_the_ticket(receiver, live, tasks_run_at_once):
    do_save_rule(
        data=RuleInput(
            kind="trigger",
            name="Do CRM",
            event="ticket_created",
            operations=[{"type": "call_webhook", "url": receiver.url}],
        )
    )

    ticket = live(make_ticket, requester=make_customer(name="Zofia Wójcik"), subject="Faktura")

    [(_headers, body)] = receiver.requests
    sent = json.loads(body)
    assert sent["event"] == "automation.rule_fired"
    assert sent["rule"] == "Do CRM"
    assert sent["ticket"]["number"] == ticket.pk
    assert sent["ticket"]["url"] == f"http://127.0.0.1:8000/tickets/{ticket.pk}/"
    assert sent["values"]["customer.name"] == "Zofia Wójcik"
    assert WebhookDelivery.objects.get().ticket == ticket


@pytest.mark.parametrize(
    "operation",
    [
        {"type": "call_webhook"},
        {"type": "call_webhook", "url": "ftp://crm.example/"},
        {"type": "call_webhook", "url": "https://crm.example/" + "x" * 500},
    ],
)
def test_a_webhook_operation_needs_an_http_address(settings, operation):
    settings.WEBHOOK_SECRET = SECRET
    with pytest.raises(InvalidInput):
        do_save_rule(
            data=RuleInput(
                kind="trigger", name="Zła", event="ticket_created", operations=[operation]
            )
        )


def test_without_a_signing_secret_rules_cannot_call_webhooks(settings):
    settings.WEBHOOK_SECRET = ""
    with pytest.raises(InvalidInput) as refused:
        do_save_rule(
            data=RuleInput(
                kind="trigger",
                name="Do CRM",
                event="ticket_created",
                operations=[{"type": "call_webhook", "url": "https://crm.example/hook"}],
            )
        )
    assert "OKIENKO_WEBHOOK_SECRET" in str(refused.value.errors)
