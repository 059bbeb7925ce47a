"""The IMAP fetcher against a real Dovecot: ledger first, then acknowledge; nothing lost."""

import datetime
import os
import threading
import time
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone, translation

from okienko.accounts.choices import Role
from okienko.inboxes.actions import (
    RawInbound,
    do_create_inbox,
    do_fetch_email,
    do_process_inbound,
    do_record_inbound,
)
from okienko.inboxes.choices import InboundOutcome, InboundStatus
from okienko.inboxes.email import imap
from okienko.inboxes.email.adapter import email_source_id
from okienko.inboxes.email.imap import (
    FetchResult,
    ImapError,
    check_connection,
    fetch_new_mail,
    wait_for_new_mail,
)
from okienko.inboxes.models import EmailAccount, InboundItem, Inbox
from okienko.inboxes.tasks import fetch_all_email
from okienko.testing.dovecot import DovecotServer, dovecot_server, is_installed
from okienko.testing.factories import make_agent
from okienko.testing.mail import make_email
from okienko.testing.oauth import TokenEndpoint
from okienko.testing.smtp import free_port
from okienko.tickets.models import Ticket

USER = "pomoc@sklep.example"
# What Dovecot advertises, less the extensions a test wants the client to do without.
CAPABILITIES = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ NAMESPACE UNSELECT CHILDREN"


@pytest.fixture(autouse=True)
def _dovecot_installed() -> None:
    # Like the browser tests: skipped on a developer machine without it, an error in strict
    # runs (dovecot_server raises), where scripts/test-preflight installs it.
    if not is_installed() and os.environ.get("OKIENKO_TEST_STRICT") != "1":
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")


def make_account(server: DovecotServer, *, name: str = "Pomoc", **fields) -> EmailAccount:
    inbox = do_create_inbox(name=name, kind="email", address=USER, acting_user=None)
    account_fields = {
        "imap_host": server.host,
        "imap_port": server.port,
        "imap_security": "none",
        "imap_username": USER,
        "imap_password": server.passwords[USER],
        **fields,
    }
    return EmailAccount.objects.create(inbox=inbox, **account_fields)


def recorder(inbox: Inbox) -> Callable[[list[RawInbound]], None]:
    def record(entries: list[RawInbound]) -> None:
        do_record_inbound(inbox=inbox, entries=entries, notify=False)

    return record


def save_state(account: EmailAccount) -> Callable[[int, int], None]:
    def save(uidvalidity: int, last_uid: int) -> None:
        EmailAccount.objects.filter(pk=account.pk).update(
            imap_uidvalidity=uidvalidity, imap_last_uid=last_uid
        )

    return save


def fetch(
    account: EmailAccount,
    *,
    record: Callable[[list[RawInbound]], None] | None = None,
    batch_size: int = 50,
) -> FetchResult:
    """Fetch with the state stored in the database, as the periodic task does."""
    account.refresh_from_db()
    return fetch_new_mail(
        account,
        record=record or recorder(account.inbox),
        save_state=save_state(account),
        batch_size=batch_size,
    )


def deliver(server: DovecotServer, *names: str, folder: str = "INBOX") -> list[bytes]:
    raws = [
        make_email(subject=f"Wiadomość {name}", message_id=f"<{name}@poczta.example>")
        for name in names
    ]
    for raw in raws:
        server.deliver(USER, raw, folder)
    return raws


def ledger(inbox: Inbox) -> list[str]:
    return sorted(InboundItem.objects.filter(inbox=inbox).values_list("external_id", flat=True))


def mailbox(server: DovecotServer, folder: str = "INBOX") -> list[tuple[str, bool]]:
    """(Message-ID, seen) of each message in ``folder``, in UID order."""
    header = b"BODY[HEADER.FIELDS (MESSAGE-ID)]"
    with server.connect(USER) as client:
        client.select_folder(folder, readonly=True)
        response = client.fetch(
            client.search("ALL"), ["FLAGS", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"]
        )
    return [
        (email_source_id(data[header]), b"\\Seen" in data[b"FLAGS"])
        for _uid, data in sorted(response.items())
    ]


def stored_state(account: EmailAccount) -> tuple[int | None, int]:
    account.refresh_from_db()
    return account.imap_uidvalidity, account.imap_last_uid


def folder_uidvalidity(server: DovecotServer, folder: str = "INBOX") -> int:
    with server.connect(USER) as client:
        return int(client.folder_status(folder, ["UIDVALIDITY"])[b"UIDVALIDITY"])


@pytest.mark.django_db
def test_fetch_records_new_mail_and_flags_it_seen(dovecot):
    account = make_account(dovecot)
    deliver(dovecot, "m1", "m2", "m3")

    result = fetch(account)

    uidvalidity = folder_uidvalidity(dovecot)
    assert result == FetchResult(fetched=3, uidvalidity=uidvalidity, last_uid=3, reset=False)
    assert ledger(account.inbox) == ["m1@poczta.example", "m2@poczta.example", "m3@poczta.example"]
    assert mailbox(dovecot) == [
        ("m1@poczta.example", True),
        ("m2@poczta.example", True),
        ("m3@poczta.example", True),
    ]
    assert stored_state(account) == (uidvalidity, 3)


@pytest.mark.django_db
def test_a_second_fetch_records_nothing_new(dovecot):
    account = make_account(dovecot)
    deliver(dovecot, "m1", "m2", "m3")
    fetch(account)

    result = fetch(account)

    assert (result.fetched, result.last_uid, result.reset) == (0, 3, False)
    assert InboundItem.objects.filter(inbox=account.inbox).count() == 3


@pytest.mark.django_db
def test_mail_that_arrives_later_is_fetched_alone(dovecot):
    account = make_account(dovecot)
    deliver(dovecot, "m1", "m2")
    fetch(account)
    deliver(dovecot, "m3")
    batches: list[list[str]] = []

    def record(entries: list[RawInbound]) -> None:
        batches.append([entry.external_id for entry in entries])
        recorder(account.inbox)(entries)

    result = fetch(account, record=record)

    assert (result.fetched, result.last_uid) == (1, 3)
    assert batches == [["m3@poczta.example"]]
    assert ledger(account.inbox) == ["m1@poczta.example", "m2@poczta.example", "m3@poczta.example"]
    assert mailbox(dovecot)[-1] == ("m3@poczta.example", True)


@pytest.mark.django_db
def test_fetched_mail_is_moved_to_the_archive_folder(dovecot):
    with dovecot.connect(USER) as client:
        client.create_folder("Obsłużone")
    account = make_account(dovecot, imap_archive_folder="Obsłużone")
    deliver(dovecot, "m1", "m2", "m3")

    result = fetch(account)

    assert result.fetched == 3
    assert mailbox(dovecot) == []
    assert [message_id for message_id, _seen in mailbox(dovecot, "Obsłużone")] == [
        "m1@poczta.example",
        "m2@poczta.example",
        "m3@poczta.example",
    ]
    assert len(ledger(account.inbox)) == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "capabilities", [f"{CAPABILITIES} UIDPLUS", CAPABILITIES], ids=["uidplus", "plain-expunge"]
)
def test_without_move_the_archive_gets_a_copy_and_the_original_is_expunged(tmp_path, capabilities):
    with dovecot_server(tmp_path, imap_capability=capabilities) as server:
        with server.connect(USER) as client:
            client.create_folder("Archiwum")
        account = make_account(server, imap_archive_folder="Archiwum")
        deliver(server, "m1", "m2")

        result = fetch(account)

        assert result.fetched == 2
        assert mailbox(server) == []
        assert [message_id for message_id, _seen in mailbox(server, "Archiwum")] == [
            "m1@poczta.example",
            "m2@poczta.example",
        ]


@pytest.mark.django_db
def test_a_missing_archive_folder_fails_before_anything_is_fetched(dovecot):
    account = make_account(dovecot, imap_archive_folder="Archiwum")
    deliver(dovecot, "m1")

    with pytest.raises(ImapError) as raised:
        fetch(account)

    assert str(raised.value) == f"folder 'Archiwum' does not exist at 127.0.0.1:{dovecot.port}"
    assert ledger(account.inbox) == []
    assert mailbox(dovecot) == [("m1@poczta.example", False)]
    assert stored_state(account) == (None, 0)


@pytest.mark.django_db
def test_a_failure_mid_fetch_loses_and_duplicates_nothing(dovecot):
    account = make_account(dovecot)
    deliver(dovecot, "m1", "m2", "m3", "m4", "m5")
    calls: list[list[str]] = []

    def record_then_fail(entries: list[RawInbound]) -> None:
        calls.append([entry.external_id for entry in entries])
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        recorder(account.inbox)(entries)

    with pytest.raises(RuntimeError, match="the database went away"):
        fetch(account, record=record_then_fail, batch_size=2)

    assert calls == [
        ["m1@poczta.example", "m2@poczta.example"],
        ["m3@poczta.example", "m4@poczta.example"],
    ]
    assert ledger(account.inbox) == ["m1@poczta.example", "m2@poczta.example"]
    assert mailbox(dovecot) == [
        ("m1@poczta.example", True),
        ("m2@poczta.example", True),
        ("m3@poczta.example", False),
        ("m4@poczta.example", False),
        ("m5@poczta.example", False),
    ]
    assert stored_state(account) == (folder_uidvalidity(dovecot), 2)

    result = fetch(account, batch_size=2)

    assert (result.fetched, result.last_uid, result.reset) == (3, 5, False)
    assert ledger(account.inbox) == [f"m{number}@poczta.example" for number in range(1, 6)]
    assert InboundItem.objects.filter(inbox=account.inbox).count() == 5
    assert all(seen for _message_id, seen in mailbox(dovecot))


@pytest.mark.django_db
def test_a_batch_recorded_but_not_saved_is_fetched_again_without_duplicates(dovecot):
    account = make_account(dovecot)
    deliver(dovecot, "m1", "m2", "m3")

    def fail_to_save(uidvalidity: int, last_uid: int) -> None:
        raise RuntimeError("crashed before saving the state")

    account.refresh_from_db()
    with pytest.raises(RuntimeError, match="crashed before saving the state"):
        fetch_new_mail(account, record=recorder(account.inbox), save_state=fail_to_save)

    assert ledger(account.inbox) == ["m1@poczta.example", "m2@poczta.example", "m3@poczta.example"]
    assert mailbox(dovecot) == [
        ("m1@poczta.example", False),
        ("m2@poczta.example", False),
        ("m3@poczta.example", False),
    ]

    result = fetch(account)

    assert (result.fetched, result.last_uid) == (3, 3)
    assert InboundItem.objects.filter(inbox=account.inbox).count() == 3
    assert all(seen for _message_id, seen in mailbox(dovecot))


@pytest.mark.django_db
def test_a_new_uidvalidity_starts_over_without_duplicates(dovecot):
    folder = "Zgłoszenia"
    account = make_account(dovecot, imap_folder=folder)
    raws = deliver(dovecot, "m1", "m2", folder=folder)
    first = fetch(account)
    # The folder is recreated (a server migration, a restore): old UIDs mean nothing now.
    with dovecot.connect(USER) as client:
        client.delete_folder(folder)
        client.create_folder(folder)
    for raw in raws:
        dovecot.deliver(USER, raw, folder)
    deliver(dovecot, "m3", folder=folder)

    result = fetch(account)

    assert result.uidvalidity != first.uidvalidity
    assert result == FetchResult(
        fetched=3, uidvalidity=folder_uidvalidity(dovecot, folder), last_uid=3, reset=True
    )
    assert ledger(account.inbox) == ["m1@poczta.example", "m2@poczta.example", "m3@poczta.example"]
    assert stored_state(account) == (result.uidvalidity, 3)


@pytest.mark.django_db
def test_a_changed_stored_uidvalidity_starts_over_from_the_first_message(dovecot):
    account = make_account(dovecot)
    deliver(dovecot, "m1", "m2")
    fetch(account)
    EmailAccount.objects.filter(pk=account.pk).update(imap_uidvalidity=1)

    result = fetch(account)

    assert (result.fetched, result.last_uid, result.reset) == (2, 2, True)
    assert InboundItem.objects.filter(inbox=account.inbox).count() == 2


@pytest.mark.django_db
def test_a_large_message_is_fetched_in_a_batch_of_its_own(dovecot, monkeypatch):
    monkeypatch.setattr(imap, "MAX_BATCH_BYTES", 4000)
    account = make_account(dovecot)
    dovecot.deliver(USER, make_email(message_id="<small-1@poczta.example>"))
    large = make_email(
        message_id="<large@poczta.example>",
        attachments=(("faktura.pdf", "application/pdf", b"%PDF" + b"x" * 6000),),
    )
    dovecot.deliver(USER, large)
    dovecot.deliver(USER, make_email(message_id="<small-2@poczta.example>"))
    batches: list[list[str]] = []

    def record(entries: list[RawInbound]) -> None:
        batches.append([entry.external_id for entry in entries])
        recorder(account.inbox)(entries)

    result = fetch(account, record=record)

    assert result.fetched == 3
    assert batches == [
        ["small-1@poczta.example"],
        ["large@poczta.example"],
        ["small-2@poczta.example"],
    ]
    # IMAP carries messages with CRLF line ends, whatever the appending client sent.
    stored = bytes(InboundItem.objects.get(external_id="large@poczta.example").raw)
    assert stored == large.replace(b"\n", b"\r\n")


@pytest.mark.django_db
def test_a_wrong_password_is_a_readable_error_without_the_password(dovecot):
    account = make_account(dovecot, imap_password="zle-haslo-123")
    deliver(dovecot, "m1")

    with pytest.raises(ImapError) as raised:
        fetch(account)

    message = str(raised.value)
    assert message.startswith(f"login failed for user {USER} at 127.0.0.1:{dovecot.port}: ")
    assert "Authentication failed" in message
    assert "zle-haslo-123" not in message
    assert ledger(account.inbox) == []
    assert stored_state(account) == (None, 0)


@pytest.mark.django_db
def test_a_password_with_polish_letters_logs_in(tmp_path):
    with dovecot_server(tmp_path, users={USER: "hasło-zażółć-gęślą"}) as server:
        account = make_account(server)
        deliver(server, "m1")

        result = fetch(account)

    assert result.fetched == 1
    assert ledger(account.inbox) == ["m1@poczta.example"]


@pytest.mark.django_db
def test_an_oauth2_token_logs_in_with_xoauth2(tmp_path):
    with dovecot_server(tmp_path, oauth2_tokens={"token-pomocy": USER}) as server:
        account = make_account(server, imap_password="", imap_oauth_token="token-pomocy")
        deliver(server, "m1")

        result = fetch(account)

    assert result.fetched == 1
    assert ledger(account.inbox) == ["m1@poczta.example"]


@pytest.mark.django_db
def test_tls_to_a_plain_text_server_is_an_error(dovecot):
    account = make_account(dovecot, imap_security="tls")

    with pytest.raises(ImapError) as raised:
        check_connection(account, connect_timeout=5)

    assert str(raised.value).startswith(f"cannot connect to 127.0.0.1:{dovecot.port}: ")
    assert "SSL" in str(raised.value)


@pytest.mark.django_db
def test_starttls_that_the_server_does_not_offer_is_an_error(dovecot):
    account = make_account(dovecot, imap_security="starttls")

    with pytest.raises(ImapError) as raised:
        check_connection(account)

    assert str(raised.value) == f"127.0.0.1:{dovecot.port} does not offer STARTTLS"


@pytest.mark.django_db
def test_an_unknown_folder_is_an_error(dovecot):
    account = make_account(dovecot, imap_folder="Nie ma")

    with pytest.raises(ImapError) as raised:
        fetch(account)

    assert str(raised.value) == f"folder 'Nie ma' does not exist at 127.0.0.1:{dovecot.port}"


@pytest.mark.django_db
def test_a_server_that_does_not_answer_is_an_error(dovecot):
    port = free_port()
    account = make_account(dovecot, imap_port=port)

    with pytest.raises(ImapError) as raised:
        check_connection(account)

    assert str(raised.value).startswith(f"cannot connect to 127.0.0.1:{port}: ")


@pytest.mark.django_db
def test_check_connection_summarises_the_folder(dovecot):
    account = make_account(dovecot)
    deliver(dovecot, "m1", "m2")

    with translation.override("en"):
        summary = check_connection(account)

    assert summary == "INBOX: 2 messages"
    assert mailbox(dovecot) == [("m1@poczta.example", False), ("m2@poczta.example", False)]


@pytest.mark.django_db
def test_wait_for_new_mail_wakes_up_when_mail_arrives(dovecot):
    account = make_account(dovecot)
    fetch(account)
    account.refresh_from_db()
    delivery = threading.Timer(0.5, deliver, args=(dovecot, "m1"))

    started = time.monotonic()
    delivery.start()
    try:
        arrived = wait_for_new_mail(account, timeout=10)
    finally:
        delivery.join()
    waited = time.monotonic() - started

    assert arrived is True
    assert 0.4 < waited < 5


@pytest.mark.django_db
def test_wait_for_new_mail_times_out_when_nothing_arrives(dovecot):
    account = make_account(dovecot)
    deliver(dovecot, "m1")
    fetch(account)
    account.refresh_from_db()

    started = time.monotonic()
    arrived = wait_for_new_mail(account, timeout=0.5)
    waited = time.monotonic() - started

    assert arrived is False
    assert 0.5 <= waited < 3


@pytest.mark.django_db
def test_wait_for_new_mail_returns_at_once_for_mail_not_yet_fetched(dovecot):
    account = make_account(dovecot)
    fetch(account)
    account.refresh_from_db()
    deliver(dovecot, "m1")

    started = time.monotonic()
    arrived = wait_for_new_mail(account, timeout=10)

    assert arrived is True
    assert time.monotonic() - started < 2


@pytest.mark.django_db
def test_wait_for_new_mail_reports_a_dropped_connection(dovecot):
    account = make_account(dovecot)
    fetch(account)
    account.refresh_from_db()
    kick = threading.Timer(0.5, dovecot.kick, args=(USER,))

    kick.start()
    try:
        with pytest.raises(ImapError) as raised:
            wait_for_new_mail(account, timeout=10)
    finally:
        kick.join()

    assert str(raised.value) == (f"127.0.0.1:{dovecot.port} closed the connection during IDLE")


@pytest.mark.django_db
def test_wait_for_new_mail_needs_idle(tmp_path):
    with dovecot_server(tmp_path, imap_capability=CAPABILITIES) as server:
        account = make_account(server)

        with pytest.raises(ImapError) as raised:
            wait_for_new_mail(account, timeout=1)

    assert str(raised.value) == f"127.0.0.1:{server.port} does not support IDLE"


@pytest.mark.django_db
def test_mail_fetched_over_imap_becomes_a_ticket(dovecot):
    account = make_account(dovecot)
    dovecot.deliver(
        USER,
        make_email(
            sender="Anna Nowak <anna.nowak@poczta.example>",
            subject="Zwrot towaru",
            text="Dzień dobry,\nchcę zwrócić zamówienie ZAM/2026/7.\n",
            message_id="<zwrot@poczta.example>",
        ),
    )
    recorded: list[InboundItem] = []

    def record(entries: list[RawInbound]) -> None:
        results = do_record_inbound(inbox=account.inbox, entries=entries, notify=False)
        recorded.extend(item for item, _created in results)

    fetch(account, record=record)
    [item] = do_process_inbound(items=recorded)

    assert (item.status, item.outcome) == (InboundStatus.PROCESSED, InboundOutcome.TICKET_CREATED)
    ticket = Ticket.objects.get(pk=item.message.ticket_id)
    assert ticket.subject == "Zwrot towaru"
    assert ticket.requester.name == "Anna Nowak"
    assert item.message.external_id == "zwrot@poczta.example"
    assert item.message.text.startswith("Dzień dobry,\nchcę zwrócić zamówienie ZAM/2026/7.")


@pytest.mark.django_db
def test_the_fetch_action_records_mail_and_keeps_the_outcome_on_the_account(dovecot):
    account = make_account(dovecot)
    deliver(dovecot, "a1", "a2")

    result = do_fetch_email(account=account)

    account.refresh_from_db()
    assert result is not None
    assert result.fetched == 2
    assert ledger(account.inbox) == ["a1@poczta.example", "a2@poczta.example"]
    assert account.imap_last_uid == 2
    assert account.imap_last_error == ""
    assert account.imap_checked_at is not None


@pytest.mark.django_db
def test_a_failing_fetch_is_shown_on_the_account_and_records_nothing(dovecot):
    account = make_account(dovecot, imap_password="zle-haslo-123")
    deliver(dovecot, "b1")

    result = do_fetch_email(account=account)

    account.refresh_from_db()
    assert result is None
    assert "login failed" in account.imap_last_error
    assert "zle-haslo-123" not in account.imap_last_error
    assert InboundItem.objects.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_periodic_poll_fetches_and_processes_every_mailbox(dovecot, tasks_run_at_once):
    account = make_account(dovecot)
    deliver(dovecot, "c1")

    polled = fetch_all_email.call_local()

    item = InboundItem.objects.get(inbox=account.inbox)
    assert polled == 1
    assert item.status == InboundStatus.PROCESSED
    assert Ticket.objects.get().subject == "Wiadomość c1"


@pytest.mark.django_db
def test_admins_test_the_connection_from_the_inbox_list(dovecot):
    account = make_account(dovecot)
    broken = make_account(dovecot, name="Zepsuta", imap_password="zle-haslo-123")
    deliver(dovecot, "d1")
    admin = make_agent(role=Role.ADMIN)
    client = Client()
    client.force_login(admin)

    response = client.post(
        "/admin/inboxes/inbox/",
        {"action": "test_connection", "_selected_action": [account.inbox_id, broken.inbox_id]},
        follow=True,
    )

    page = response.content.decode()
    assert "INBOX: 1 wiadomość" in page
    assert "login failed" in page
    assert "zle-haslo-123" not in page


@pytest.fixture
def oauth_provider(tmp_path):
    """Dovecot checking OAuth2 tokens and the provider's token endpoint, which knows the
    refresh token "odswiezajacy"; no access token is valid until it grants one."""
    server_tokens: dict[str, str] = {}
    with (
        dovecot_server(tmp_path, oauth2_tokens=server_tokens) as server,
        TokenEndpoint(server_tokens, {"odswiezajacy": USER}) as endpoint,
    ):
        yield server, endpoint


def make_oauth_account(server: DovecotServer, endpoint: TokenEndpoint, **fields) -> EmailAccount:
    return make_account(
        server,
        imap_password="",
        oauth_token_url=endpoint.url,
        oauth_client_id=TokenEndpoint.CLIENT_ID,
        oauth_client_secret=TokenEndpoint.CLIENT_SECRET,
        **fields,
    )


@pytest.mark.django_db
def test_an_expired_oauth2_token_is_refreshed_before_login_and_fetching_continues(
    oauth_provider,
):
    server, endpoint = oauth_provider
    account = make_oauth_account(
        server,
        endpoint,
        imap_oauth_token="dostep-stary",
        imap_oauth_expires_at=timezone.now() - datetime.timedelta(minutes=1),
        oauth_refresh_token="odswiezajacy",
    )
    deliver(server, "o1")

    first = do_fetch_email(account=account)
    deliver(server, "o2")
    second = do_fetch_email(account=account)

    account.refresh_from_db()
    assert first is not None
    assert second is not None
    assert ledger(account.inbox) == ["o1@poczta.example", "o2@poczta.example"]
    # One refresh: the new token is kept with its expiry and serves the second fetch too.
    assert endpoint.requests == [
        {
            "grant_type": "refresh_token",
            "refresh_token": "odswiezajacy",
            "client_id": TokenEndpoint.CLIENT_ID,
            "client_secret": TokenEndpoint.CLIENT_SECRET,
        }
    ]
    assert account.imap_oauth_token == "dostep-1"
    assert account.imap_oauth_expires_at > timezone.now() + datetime.timedelta(minutes=55)
    assert account.imap_last_error == ""


@pytest.mark.django_db
def test_an_oauth2_token_the_server_refuses_is_refreshed_and_login_retried(oauth_provider):
    server, endpoint = oauth_provider
    # Revoked before its stated expiry: only the server's refusal tells.
    account = make_oauth_account(
        server,
        endpoint,
        imap_oauth_token="dostep-odwolany",
        imap_oauth_expires_at=timezone.now() + datetime.timedelta(minutes=30),
        oauth_refresh_token="odswiezajacy",
    )
    deliver(server, "r1")

    result = fetch(account)

    account.refresh_from_db()
    assert result.fetched == 1
    assert len(endpoint.requests) == 1
    assert account.imap_oauth_token == "dostep-1"


@pytest.mark.django_db
def test_a_refused_refresh_is_shown_on_the_mailbox_and_mail_waits_on_the_server(oauth_provider):
    server, endpoint = oauth_provider
    account = make_oauth_account(server, endpoint, oauth_refresh_token="odwolany-sekret")
    deliver(server, "f1")
    client = Client()
    client.force_login(make_agent(role=Role.ADMIN))

    failed = do_fetch_email(account=account)
    account.refresh_from_db()
    error = account.imap_last_error
    page = client.get(f"/admin/inboxes/inbox/{account.inbox_id}/change/").content.decode()
    waiting = mailbox(server)
    # The admin fixes it with a new refresh token: the waiting mail is fetched.
    EmailAccount.objects.filter(pk=account.pk).update(oauth_refresh_token="odswiezajacy")
    account.refresh_from_db()
    fixed = do_fetch_email(account=account)

    assert failed is None
    assert error.startswith("refreshing the OAuth2 access token failed: the token endpoint ")
    assert (
        "refused to refresh the access token (HTTP 400: invalid_grant Token has been revoked.)"
        in error
    )
    assert "odwolany-sekret" not in error
    assert TokenEndpoint.CLIENT_SECRET not in error
    assert "invalid_grant Token has been revoked." in page
    assert waiting == [("f1@poczta.example", False)]
    assert fixed is not None
    assert fixed.fetched == 1
    assert ledger(account.inbox) == ["f1@poczta.example"]
    account.refresh_from_db()
    assert account.imap_last_error == ""


@pytest.mark.django_db
def test_the_mailbox_form_keeps_oauth2_secrets_write_only():
    inbox = do_create_inbox(name="Gmail", kind="email", address=USER, acting_user=None)
    account = EmailAccount.objects.create(
        inbox=inbox, oauth_client_secret="sekret-stary", oauth_refresh_token="odswiezajacy-stary"
    )
    admin = make_agent(role=Role.ADMIN)
    client = Client()
    client.force_login(admin)

    page = client.get(f"/admin/inboxes/inbox/{inbox.pk}/change/").content.decode()

    assert 'name="email_account-0-oauth_token_url"' in page
    assert 'type="password" name="email_account-0-oauth_refresh_token"' in page
    assert 'type="password" name="email_account-0-oauth_client_secret"' in page
    assert "sekret-stary" not in page
    assert "odswiezajacy-stary" not in page
    account.refresh_from_db()
    assert account.oauth_refresh_token == "odswiezajacy-stary"
