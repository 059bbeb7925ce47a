"""The IMAP IDLE watcher against a real Dovecot: mail is fetched the moment it arrives."""

import io
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from django.core.management import call_command
from django.db import connection

from okienko.core import processes
from okienko.inboxes.choices import InboundStatus
from okienko.inboxes.email.watcher import MailWatcher
from okienko.inboxes.models import EmailAccount, InboundItem, Inbox
from okienko.inboxes.tasks import fetch_all_email
from okienko.testing.dovecot import dovecot_server
from tests.inboxes.test_imap import (  # the same private Dovecot and helpers
    CAPABILITIES,
    USER,
    _dovecot_installed,  # noqa: F401  (autouse: skipped without Dovecot outside strict runs)
    deliver,
    ledger,
    make_account,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def wait_until(condition: Callable[[], object], timeout: float = 10) -> float:
    """Seconds until ``condition()`` holds; fails the test after ``timeout``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            pytest.fail(f"not within {timeout} s")
        time.sleep(0.05)
    return time.monotonic() - started


def is_watching(account: EmailAccount) -> Callable[[], bool]:
    """The watch has connected (it notes the time on the account) and is in IDLE."""

    def check() -> bool:
        account.refresh_from_db()
        return account.imap_checked_at is not None

    return check


def processed(inbox: Inbox) -> list[str]:
    return sorted(
        InboundItem.objects.filter(inbox=inbox, status=InboundStatus.PROCESSED).values_list(
            "external_id", flat=True
        )
    )


def idle_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread.name.startswith("imap-idle")]


@pytest.fixture
def start_watcher() -> Iterator[Callable[..., MailWatcher]]:
    started: list[MailWatcher] = []

    def start(**options: float) -> MailWatcher:
        watcher = MailWatcher(**options)
        watcher.start()
        started.append(watcher)
        return watcher

    yield start
    for watcher in started:
        watcher.stop()


def test_mail_appended_while_idling_is_processed_within_seconds(
    dovecot, tasks_run_at_once, start_watcher
):
    account = make_account(dovecot)
    start_watcher(renew_seconds=60)
    wait_until(is_watching(account))
    time.sleep(0.3)  # in IDLE by now

    deliver(dovecot, "w1")
    took = wait_until(lambda: processed(account.inbox) == ["w1@poczta.example"], timeout=5)

    assert took < 2
    wait_until(lambda: EmailAccount.objects.get(pk=account.pk).imap_last_uid == 1, timeout=2)
    assert EmailAccount.objects.get(pk=account.pk).imap_last_error == ""


def test_mail_waiting_before_the_watch_began_is_fetched_at_once(
    dovecot, tasks_run_at_once, start_watcher
):
    account = make_account(dovecot)
    deliver(dovecot, "w1", "w2")

    start_watcher(renew_seconds=60)

    wait_until(lambda: processed(account.inbox) == ["w1@poczta.example", "w2@poczta.example"], 5)


def test_the_idle_is_renewed_and_mail_still_arrives_after_renewals(
    dovecot, tasks_run_at_once, start_watcher, caplog
):
    caplog.set_level(logging.DEBUG, logger="okienko.inboxes.actions")
    account = make_account(dovecot)
    start_watcher(renew_seconds=0.3)
    wait_until(is_watching(account))

    wait_until(lambda: caplog.text.count("renewing IDLE on Pomoc") >= 4, timeout=5)
    deliver(dovecot, "w1")
    took = wait_until(lambda: processed(account.inbox) == ["w1@poczta.example"], timeout=5)

    assert took < 3


def test_a_dropped_connection_is_kept_on_the_account_and_reconnected(
    dovecot, tasks_run_at_once, start_watcher, caplog
):
    caplog.set_level(logging.INFO, logger="okienko.inboxes.actions")
    account = make_account(dovecot)
    start_watcher(renew_seconds=60, first_retry_seconds=0.5)
    wait_until(is_watching(account))
    time.sleep(0.3)

    dovecot.kick(USER)
    wait_until(lambda: "closed the connection during IDLE" in caplog.text, timeout=5)
    wait_until(lambda: caplog.text.count("watching Pomoc with IMAP IDLE") == 2, timeout=5)
    time.sleep(0.3)
    deliver(dovecot, "w1")

    wait_until(lambda: processed(account.inbox) == ["w1@poczta.example"], timeout=3)
    account.refresh_from_db()
    assert account.imap_last_error == ""
    assert [record.levelname for record in caplog.records if "failed" in record.message] == [
        "WARNING"
    ]


def test_an_error_stays_on_the_account_while_the_watch_retries(dovecot, start_watcher):
    account = make_account(dovecot, imap_password="zle-haslo-123")

    start_watcher(renew_seconds=60, first_retry_seconds=0.2)

    wait_until(lambda: EmailAccount.objects.get(pk=account.pk).imap_last_error != "")
    error = EmailAccount.objects.get(pk=account.pk).imap_last_error
    assert error.startswith(f"login failed for user {USER} at 127.0.0.1:{dovecot.port}")
    assert "zle-haslo-123" not in error


def test_stopping_ends_every_watch_and_its_connection(dovecot, tasks_run_at_once):
    account = make_account(dovecot)
    watcher = MailWatcher(renew_seconds=60)
    watcher.start()
    wait_until(is_watching(account))
    assert idle_threads() == ["imap-idle", f"imap-idle-{account.pk}"]

    started = time.monotonic()
    watcher.stop()
    stopping = time.monotonic() - started

    assert stopping < 2
    assert idle_threads() == []
    deliver(dovecot, "w1")
    time.sleep(1)
    assert ledger(account.inbox) == []


def test_a_server_without_idle_is_left_to_the_poll(tmp_path, tasks_run_at_once, start_watcher):
    with dovecot_server(tmp_path, imap_capability=CAPABILITIES) as server:
        account = make_account(server)
        watcher = start_watcher(renew_seconds=60)
        wait_until(lambda: watcher.polled() == {account.pk})

        deliver(server, "w1")
        time.sleep(1)
        assert ledger(account.inbox) == []

        fetch_all_email.call_local()

    assert processed(account.inbox) == ["w1@poczta.example"]


def test_mailboxes_added_changed_and_disabled_are_picked_up(
    dovecot, tasks_run_at_once, start_watcher
):
    watcher = start_watcher(renew_seconds=60, refresh_seconds=0.2)
    account = make_account(dovecot, imap_password="zle-haslo-123")
    wait_until(lambda: watcher.watched() == {account.pk})
    wait_until(lambda: EmailAccount.objects.get(pk=account.pk).imap_last_error != "")

    EmailAccount.objects.filter(pk=account.pk).update(imap_password=dovecot.passwords[USER])
    wait_until(lambda: EmailAccount.objects.get(pk=account.pk).imap_last_error == "")
    time.sleep(0.3)
    deliver(dovecot, "w1")
    wait_until(lambda: processed(account.inbox) == ["w1@poczta.example"], timeout=3)

    Inbox.objects.filter(pk=account.inbox_id).update(is_active=False)
    wait_until(lambda: watcher.watched() == set())
    assert idle_threads() == ["imap-idle"]


def test_serve_runs_the_watcher_beside_the_web_server():
    assert processes._embedded_services["imap-idle"] is MailWatcher


def test_the_watch_command_fetches_until_it_is_terminated(dovecot, tasks_run_at_once):
    account = make_account(dovecot)
    handlers = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    output = io.StringIO()
    outcome: list[str] = []

    def customer_writes_then_operator_stops() -> None:
        try:
            wait_until(is_watching(account))
            time.sleep(0.3)
            deliver(dovecot, "w1")
            wait_until(lambda: processed(account.inbox) == ["w1@poczta.example"], timeout=3)
            outcome.append("processed")
        finally:
            connection.close()
            os.kill(os.getpid(), signal.SIGTERM)

    operator = threading.Thread(target=customer_writes_then_operator_stops)
    operator.start()
    try:
        call_command("email", "watch", "--renew-seconds", "60", stdout=output)
    finally:
        operator.join()
        for number, handler in handlers.items():
            signal.signal(number, handler)

    assert outcome == ["processed"]
    assert output.getvalue() == (
        "Watching IMAP mailboxes with IDLE (Ctrl+C stops)\nStopped watching\n"
    )
    assert idle_threads() == []
