"""The IMAP IDLE watcher: one thread per mailbox, holding ``do_watch_email`` until shutdown.

It runs as ``okienko email watch`` (scaled layout: one such process) and as a thread inside
``okienko serve``. Every ``refresh_seconds`` it re-reads the mailboxes: new ones get a thread,
removed, disabled or reconfigured ones have theirs stopped (and restarted with the new
settings). After an error a mailbox is retried with a growing pause; a server without IDLE is
left to the periodic poll and asked again after ``UNSUPPORTED_RECHECK_SECONDS``. The poll keeps
running for every mailbox as a safety net: whichever fetch comes first takes the lock.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from django.db import close_old_connections, connection

from okienko.inboxes.actions import WatchEnd, do_watch_email
from okienko.inboxes.selectors import email_account, imap_connection_fingerprints
from okienko.inboxes.tasks import fetch_email_exclusively

logger = logging.getLogger(__name__)

# RFC 2177 allows 29 minutes; firewalls and NAT often forget quiet connections sooner.
RENEW_SECONDS = 10 * 60
REFRESH_SECONDS = 60
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 5 * 60
UNSUPPORTED_RECHECK_SECONDS = 60 * 60
JOIN_SECONDS = 10.0


@dataclass
class _Watch:
    fingerprint: str
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


class MailWatcher:
    """Keeps an IDLE watch on every active IMAP mailbox; ``start``/``stop`` or ``run``."""

    def __init__(
        self,
        *,
        renew_seconds: float = RENEW_SECONDS,
        refresh_seconds: float = REFRESH_SECONDS,
        first_retry_seconds: float = FIRST_RETRY_SECONDS,
        max_retry_seconds: float = MAX_RETRY_SECONDS,
    ) -> None:
        self.renew_seconds = renew_seconds
        self.refresh_seconds = refresh_seconds
        self.first_retry_seconds = first_retry_seconds
        self.max_retry_seconds = max_retry_seconds
        self._stop = threading.Event()
        self._watches: dict[int, _Watch] = {}
        self._polled: set[int] = set()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Run in a background thread (``okienko serve``)."""
        self._thread = threading.Thread(target=self.run, name="imap-idle", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask every watch to end, and wait for them (about half a second)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(JOIN_SECONDS)

    def run(self) -> None:
        """Watch until ``stop``; re-read the mailboxes every ``refresh_seconds``."""
        try:
            while not self._stop.is_set():
                try:
                    self.refresh()
                except Exception:
                    logger.exception("reading the mailboxes to watch failed")
                finally:
                    close_old_connections()
                self._stop.wait(self.refresh_seconds)
        finally:
            self._end(list(self._watches))
            connection.close()

    def refresh(self) -> None:
        """Start watches for new mailboxes, restart changed ones, end removed ones."""
        fingerprints = imap_connection_fingerprints()
        gone = [
            account_id
            for account_id, watch in self._watches.items()
            if fingerprints.get(account_id) != watch.fingerprint
        ]
        self._end(gone)
        for account_id, fingerprint in fingerprints.items():
            if account_id not in self._watches and not self._stop.is_set():
                watch = _Watch(fingerprint)
                watch.thread = threading.Thread(
                    target=self._watch,
                    args=(account_id, watch.stop),
                    name=f"imap-idle-{account_id}",
                    daemon=True,
                )
                self._watches[account_id] = watch
                watch.thread.start()

    def watched(self) -> set[int]:
        """Ids of the accounts with a watch thread (including those left to the poll)."""
        return set(self._watches)

    def polled(self) -> set[int]:
        """Ids of the accounts whose server has no IDLE: the poll fetches their mail."""
        return set(self._polled)

    def _end(self, account_ids: list[int]) -> None:
        for account_id in account_ids:
            self._watches[account_id].stop.set()
        for account_id in account_ids:
            thread = self._watches[account_id].thread
            if thread is not None:
                thread.join(JOIN_SECONDS)
            del self._watches[account_id]
            self._polled.discard(account_id)

    def _watch(self, account_id: int, stop: threading.Event) -> None:
        failures = 0
        try:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    account = email_account(account_id)
                    if account is None:
                        return
                    end = do_watch_email(
                        account=account,
                        fetch=fetch_email_exclusively,
                        stop=stop,
                        renew_seconds=self.renew_seconds,
                    )
                except Exception:
                    logger.exception("the IDLE watch of mailbox %s failed", account_id)
                    end = WatchEnd.FAILED
                finally:
                    close_old_connections()
                if end is WatchEnd.IDLE_UNSUPPORTED:
                    self._polled.add(account_id)
                    stop.wait(UNSUPPORTED_RECHECK_SECONDS)
                    self._polled.discard(account_id)
                elif end is WatchEnd.FAILED:
                    # A watch that lasted a while before failing starts the pauses over.
                    lasted = time.monotonic() - started > self.max_retry_seconds
                    failures = 1 if lasted else failures + 1
                    stop.wait(self._retry_pause(failures))
        finally:
            connection.close()

    def _retry_pause(self, failures: int) -> float:
        pause: float = min(self.max_retry_seconds, self.first_retry_seconds * 2 ** (failures - 1))
        return pause
