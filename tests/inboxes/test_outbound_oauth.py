"""Sending through an SMTP server that takes only SASL XOAUTH2, as Gmail and Microsoft 365 do,
with the mailbox's OAuth2 access token refreshed the way IMAP refreshes it."""

import datetime

import pytest
from django.utils import timezone

from okienko.accounts.choices import Role
from okienko.inboxes.actions import do_create_inbox, do_queue_email_delivery, do_send_delivery
from okienko.inboxes.choices import DeliveryStatus, InboxKind
from okienko.inboxes.models import ConnectionSecurity, EmailAccount
from okienko.testing.factories import make_agent
from okienko.testing.inbound import receive_email
from okienko.testing.mail import make_email
from okienko.testing.oauth import TokenEndpoint
from okienko.testing.smtp import OAuth2MailCatcher, smtp_server
from okienko.tickets.actions import do_reply

USER = "pomoc@sklep.example"


@pytest.fixture
def provider():
    """The provider's SMTP server and token endpoint sharing what access tokens are valid:
    "dostep-staly" from the start, and each one the endpoint grants for "odswiezajacy"."""
    server_tokens = {"dostep-staly": USER}
    with (
        smtp_server(oauth2_tokens=server_tokens) as (catcher, port),
        TokenEndpoint(server_tokens, {"odswiezajacy": USER}) as endpoint,
    ):
        assert isinstance(catcher, OAuth2MailCatcher)
        yield catcher, port, endpoint


def make_account(provider, **fields) -> EmailAccount:
    _catcher, port, endpoint = provider
    inbox = do_create_inbox(name="Sklep", kind=InboxKind.EMAIL, address=USER, acting_user=None)
    return EmailAccount.objects.create(
        inbox=inbox,
        imap_username=USER,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security=ConnectionSecurity.NONE,
        oauth_token_url=endpoint.url,
        oauth_client_id=TokenEndpoint.CLIENT_ID,
        oauth_client_secret=TokenEndpoint.CLIENT_SECRET,
        sends_acknowledgement=False,
        **fields,
    )


def send_reply(account: EmailAccount):
    item = receive_email(make_email(), account.inbox)
    assert item.message is not None, item.error
    message = do_reply(
        ticket=item.message.ticket,
        text="Paczka wyjechała dziś rano.",
        acting_user=make_agent(role=Role.ADMIN),
    )
    delivery = do_queue_email_delivery(message=message)
    assert delivery is not None
    return do_send_delivery(delivery=delivery)


@pytest.mark.django_db
def test_a_mailbox_with_an_oauth2_token_sends_with_xoauth2(provider):
    catcher, _port, endpoint = provider
    account = make_account(provider, imap_oauth_token="dostep-staly")

    delivery = send_reply(account)

    assert delivery.status == DeliveryStatus.SENT
    assert catcher.logins == ["dostep-staly"]
    [mail] = catcher.received
    assert mail.recipients == ["jan.kowalski@poczta.example"]
    assert endpoint.requests == []


@pytest.mark.django_db
def test_an_expired_token_is_refreshed_before_sending_and_kept(provider):
    catcher, _port, endpoint = provider
    account = make_account(
        provider,
        imap_oauth_token="dostep-stary",
        imap_oauth_expires_at=timezone.now() - datetime.timedelta(minutes=1),
        oauth_refresh_token="odswiezajacy",
    )

    first = send_reply(account)
    second = send_reply(account)

    account.refresh_from_db()
    assert (first.status, second.status) == (DeliveryStatus.SENT, DeliveryStatus.SENT)
    # One refresh; the stored new token serves the second message (the IMAP fetcher's too).
    assert endpoint.requests == [
        {
            "grant_type": "refresh_token",
            "refresh_token": "odswiezajacy",
            "client_id": TokenEndpoint.CLIENT_ID,
            "client_secret": TokenEndpoint.CLIENT_SECRET,
        }
    ]
    assert catcher.logins == ["dostep-1", "dostep-1"]
    assert len(catcher.received) == 2
    assert account.imap_oauth_token == "dostep-1"
    assert account.imap_oauth_expires_at > timezone.now() + datetime.timedelta(minutes=55)


@pytest.mark.django_db
def test_a_token_the_server_refuses_is_refreshed_and_the_login_retried(provider):
    catcher, _port, endpoint = provider
    # Revoked before its stated expiry: only the server's refusal tells.
    account = make_account(
        provider,
        imap_oauth_token="dostep-odwolany",
        imap_oauth_expires_at=timezone.now() + datetime.timedelta(minutes=30),
        oauth_refresh_token="odswiezajacy",
    )

    delivery = send_reply(account)

    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 1
    assert catcher.logins == ["dostep-odwolany", "dostep-1"]
    assert len(endpoint.requests) == 1
    assert len(catcher.received) == 1


@pytest.mark.django_db
def test_a_refused_refresh_leaves_the_delivery_queued_with_the_reason(provider):
    catcher, _port, _endpoint = provider
    account = make_account(provider, oauth_refresh_token="odwolany-sekret")

    delivery = send_reply(account)

    assert delivery.status == DeliveryStatus.QUEUED
    assert delivery.next_attempt_at > timezone.now()
    assert delivery.error.startswith("TokenRefreshError: the token endpoint ")
    assert "invalid_grant Token has been revoked." in delivery.error
    assert "odwolany-sekret" not in delivery.error
    assert TokenEndpoint.CLIENT_SECRET not in delivery.error
    assert catcher.logins == []
    assert catcher.received == []


@pytest.mark.django_db
def test_a_refused_token_without_a_refresh_token_is_a_failed_attempt(provider):
    catcher, _port, endpoint = provider
    account = make_account(provider, imap_oauth_token="dostep-odwolany")

    delivery = send_reply(account)

    assert delivery.status == DeliveryStatus.QUEUED
    assert delivery.error.startswith("SMTPAuthenticationError: (535, ")
    assert catcher.logins == ["dostep-odwolany"]
    assert catcher.received == []
    assert endpoint.requests == []
