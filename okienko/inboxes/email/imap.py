"""The IMAP side of the e-mail adapter: fetch new mail into the ledger, then acknowledge it.

The order is the point (principle 1, "nothing is lost"): a batch is written to the ledger and
committed, the resume point is saved, and only then is the mailbox told (the messages are flagged
``\\Seen`` or moved to the archive folder). A failure at any step leaves the messages on the
server, to be fetched again; fetching twice is harmless because the ledger is idempotent.

Messages are read with ``BODY.PEEK[]``, which leaves their flags alone, so reading alone never
marks anything as seen.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.utils.translation import ngettext
from imapclient import DELETED, SEEN, IMAPClient
from imapclient.exceptions import CapabilityError, IMAPClientError, LoginError

from okienko.inboxes.email.adapter import email_source_id
from okienko.inboxes.email.oauth import TokenRefreshError, log_in_with_token
from okienko.inboxes.models import EMAIL_ACCOUNT_SECRETS, ConnectionSecurity, EmailAccount

if TYPE_CHECKING:
    from okienko.inboxes.actions import RawInbound

logger = logging.getLogger(__name__)

# One fetch holds at most this many bytes of messages (or one message, if it is larger): a
# mailbox full of 50 MB mails must not make a batch of 50 of them live in memory at once.
MAX_BATCH_BYTES = 64 * 1024 * 1024
# UIDs searched per SEARCH: imaplib refuses response lines over 1 MB, which one search over a
# mailbox of ~150,000 messages would produce.
SEARCH_WINDOW = 50_000
# RFC 2177: a client should re-issue IDLE at least every 29 minutes or the server may drop it.
IDLE_RENEW_SECONDS = 25 * 60
# An empty answer from idle_check this long before its timeout means the connection is gone.
IDLE_SLACK_SECONDS = 0.1
# A watcher's IDLE looks for a request to stop this often, so a shutdown takes about this long.
IDLE_STOP_CHECK_SECONDS = 0.5
# Passwords shorter than this are not masked in error texts: masking "ab" would garble them.
MIN_MASKED_SECRET = 3


@dataclass(frozen=True)
class FetchResult:
    """What one ``fetch_new_mail`` run did."""

    fetched: int  # messages handed to `record` in this run
    uidvalidity: int
    last_uid: int  # highest UID now safely in the ledger
    reset: bool  # True when UIDVALIDITY changed and we started over from UID 1


class ImapError(Exception):
    """The mailbox cannot be reached or used: connection, login, folder or protocol problems.

    The message is meant for an admin and never contains the password or the token.
    """


@dataclass(frozen=True)
class _Batch:
    uids: list[int]  # every UID asked for, including any expunged meanwhile
    messages: list[tuple[int, bytes]]  # (UID, raw bytes) of the messages the server returned


class _Mailbox:
    """A logged-in IMAP connection whose errors become ``ImapError``s."""

    def __init__(self, client: Any, account: EmailAccount) -> None:
        self.client = client
        self.account = account
        self.address = _address(account)

    @contextmanager
    def errors(self, doing: str) -> Iterator[None]:
        """Turn what imapclient, sockets and TLS raise while ``doing`` into an ``ImapError``."""
        try:
            yield
        except (IMAPClientError, OSError) as error:
            raise ImapError(
                f"{doing} at {self.address} failed: {_reason(error, self.account)}"
            ) from error

    def open(self, folder: str, *, readonly: bool = False) -> dict[bytes, Any]:
        """Select ``folder``; the server's answer (EXISTS, UIDVALIDITY, UIDNEXT...)."""
        with self.errors(f"opening folder {folder!r}"):
            try:
                selected: dict[bytes, Any] = self.client.select_folder(folder, readonly=readonly)
            except IMAPClientError as error:
                if not self.client.folder_exists(folder):
                    raise ImapError(
                        f"folder {folder!r} does not exist at {self.address}"
                    ) from error
                raise
        return selected

    def require_folder(self, folder: str) -> None:
        """Fail before anything is fetched when a folder we will move mail to is missing."""
        with self.errors(f"looking for folder {folder!r}"):
            exists = self.client.folder_exists(folder)
        if not exists:
            raise ImapError(f"folder {folder!r} does not exist at {self.address}")

    def new_uids(self, last_uid: int, uidnext: int | None) -> Iterator[int]:
        """UIDs above ``last_uid`` in ascending order, searched window by window."""
        start = last_uid + 1
        while True:
            is_last = uidnext is None or start + SEARCH_WINDOW >= uidnext
            end = "*" if is_last else str(start + SEARCH_WINDOW - 1)
            with self.errors("searching for new mail"):
                found = self.client.search(["UID", f"{start}:{end}"])
            # "n:*" always matches the highest UID, even when it is below n.
            yield from sorted(int(uid) for uid in found if int(uid) >= start)
            if is_last:
                return
            start += SEARCH_WINDOW

    def batches(self, uids: Iterator[int], batch_size: int) -> Iterator[_Batch]:
        """Messages in UID order, at most ``batch_size`` (and ``MAX_BATCH_BYTES``) at a time."""
        while chunk := list(islice(uids, batch_size)):
            with self.errors("reading message sizes"):
                sizes = self.client.fetch(chunk, ["RFC822.SIZE"])
            group: list[int] = []
            group_bytes = 0
            for uid in chunk:
                size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
                if group and group_bytes + size > MAX_BATCH_BYTES:
                    yield self._fetch(group)
                    group, group_bytes = [], 0
                group.append(uid)
                group_bytes += size
            if group:
                yield self._fetch(group)

    def _fetch(self, uids: list[int]) -> _Batch:
        with self.errors("fetching messages"):
            response = self.client.fetch(uids, ["BODY.PEEK[]"])
            messages = []
            for uid in uids:
                data = response.get(uid)
                if data is None:
                    continue
                raw = data.get(b"BODY[]")
                if raw is None:
                    raise ImapError(f"{self.address} returned no content for message UID {uid}")
                messages.append((uid, bytes(raw)))
            missing = [uid for uid in uids if uid not in response]
            # A UID FETCH silently skips messages expunged meanwhile; any other gap would
            # be a message we skip for good, so make sure they are really gone.
            if missing and self.client.search(["UID", ",".join(map(str, missing))]):
                raise ImapError(f"{self.address} did not return messages with UIDs {missing}")
        return _Batch(uids=uids, messages=messages)

    def acknowledge(self, uids: list[int], archive_folder: str) -> None:
        """Tell the mailbox these messages are in the ledger: move them, or flag them seen."""
        if not uids:
            return
        with self.errors("acknowledging fetched mail"):
            if not archive_folder:
                self.client.add_flags(uids, [SEEN], silent=True)
            elif self.client.has_capability("MOVE"):
                self.client.move(uids, archive_folder)
            else:
                self.client.copy(uids, archive_folder)
                self.client.add_flags(uids, [DELETED], silent=True)
                if self.client.has_capability("UIDPLUS"):
                    self.client.uid_expunge(uids)
                else:
                    # Without UIDPLUS, EXPUNGE also removes what other clients flagged
                    # \Deleted in this folder; that is what they asked for anyway.
                    self.client.expunge()

    def has_unfetched(self, selected: dict[bytes, Any]) -> bool:
        """Whether mail newer than the account's stored resume point is already waiting."""
        if selected.get(b"UIDVALIDITY") != self.account.imap_uidvalidity:
            return True
        uidnext = selected.get(b"UIDNEXT")
        return next(self.new_uids(self.account.imap_last_uid, uidnext), None) is not None

    def idle(self, timeout: float, exists: int) -> bool:
        """IDLE until the server reports new mail (True) or ``timeout`` passes (False)."""
        deadline = time.monotonic() + timeout
        with self.errors("waiting for new mail (IDLE)"):
            while True:
                renew_at = min(deadline, time.monotonic() + IDLE_RENEW_SECONDS)
                self.client.idle()
                arrived = False
                try:
                    while not arrived and (remaining := renew_at - time.monotonic()) > 0:
                        responses = self.client.idle_check(timeout=remaining)
                        if not responses and time.monotonic() < renew_at - IDLE_SLACK_SECONDS:
                            # idle_check returns nothing early only when the socket is at EOF.
                            raise ImapError(f"{self.address} closed the connection during IDLE")
                        arrived, exists = _new_mail_reported(responses, exists)
                except BaseException:
                    # Leave IDLE if the connection still allows it; the first error is the one
                    # worth reporting.
                    with suppress(IMAPClientError, OSError):
                        self.client.idle_done()
                    raise
                _text, late = self.client.idle_done()
                if arrived or _new_mail_reported(late, exists)[0]:
                    return True
                if time.monotonic() >= deadline:
                    return False


class IdleUnsupported(ImapError):
    """The server does not offer IDLE: its mailbox is left to the periodic poll."""


class MailboxWatch:
    """A read-only connection to an account's folder that waits for new mail with IDLE."""

    def __init__(self, mailbox: _Mailbox, selected: dict[bytes, Any]) -> None:
        self._mailbox = mailbox
        self.selected = selected  # the server's answer to EXAMINE (EXISTS, UIDVALIDITY...)
        uidvalidity = selected.get(b"UIDVALIDITY")
        self.uidvalidity = None if uidvalidity is None else int(uidvalidity)

    def has_unfetched(self, account: EmailAccount) -> bool:
        """Whether the folder holds mail above the account's stored resume point."""
        if account.imap_uidvalidity != self.uidvalidity:
            return True
        return next(self._mailbox.new_uids(account.imap_last_uid, None), None) is not None

    def wait(self, *, renew_seconds: float, stop: threading.Event) -> bool:
        """One IDLE of at most ``renew_seconds``: True as soon as the server announces mail
        (EXISTS or RECENT), False when the time is up or ``stop`` is set. The caller issues the
        next IDLE, so a long watch renews it every ``renew_seconds`` (RFC 2177: under 29 min).
        """
        client = self._mailbox.client
        renew_at = time.monotonic() + renew_seconds
        with self._mailbox.errors("waiting for new mail (IDLE)"):
            client.idle()
            arrived = False
            try:
                while not arrived and not stop.is_set():
                    remaining = renew_at - time.monotonic()
                    if remaining <= 0:
                        break
                    step = min(remaining, IDLE_STOP_CHECK_SECONDS)
                    started = time.monotonic()
                    responses = client.idle_check(timeout=step)
                    if not responses and time.monotonic() - started < step - IDLE_SLACK_SECONDS:
                        # idle_check returns nothing early only when the socket is at EOF.
                        raise ImapError(
                            f"{self._mailbox.address} closed the connection during IDLE"
                        )
                    arrived = _mail_announced(responses)
            except BaseException:
                with suppress(IMAPClientError, OSError):
                    client.idle_done()
                raise
            _text, late = client.idle_done()
        return arrived or _mail_announced(late)


@contextmanager
def watch_mailbox(account: EmailAccount, *, connect_timeout: float = 30) -> Iterator[MailboxWatch]:
    """A ``MailboxWatch`` on the account's folder, logged out when the block ends.

    Raises ``IdleUnsupported`` when the server does not advertise IDLE, ``ImapError`` when the
    mailbox cannot be used. The folder is opened read-only: watching changes nothing in it.
    """
    with _session(account, timeout=connect_timeout) as mailbox:
        with mailbox.errors("reading capabilities"):
            supports_idle = mailbox.client.has_capability("IDLE")
        if not supports_idle:
            raise IdleUnsupported(f"{mailbox.address} does not support IDLE")
        # Read-only: waiting must not change the folder (not even its \Recent flags).
        yield MailboxWatch(mailbox, mailbox.open(account.imap_folder, readonly=True))


def _mail_announced(responses: list[tuple[Any, ...]]) -> bool:
    """Whether untagged responses announce mail: any EXISTS, or RECENT above zero.

    A false alarm costs one UID SEARCH, so no message counts are kept here.
    """
    return any(
        len(response) >= 2
        and isinstance(response[0], int)
        and (response[1] == b"EXISTS" or (response[1] == b"RECENT" and response[0] > 0))
        for response in responses
    )


def _new_mail_reported(responses: list[tuple[Any, ...]], exists: int) -> tuple[bool, int]:
    """Whether these untagged responses announce new messages, and the folder's count after.

    ``* n EXISTS`` with a larger n is new mail; every ``* m EXPUNGE`` lowers the count by one.
    """
    for response in responses:
        if len(response) < 2 or not isinstance(response[0], int):
            continue
        if response[1] == b"EXPUNGE":
            exists -= 1
        elif response[1] == b"EXISTS":
            if response[0] > exists:
                return True, response[0]
            exists = response[0]
    return False, exists


def _address(account: EmailAccount) -> str:
    return f"{account.imap_host}:{account.imap_port}"


def _reason(error: BaseException, account: EmailAccount) -> str:
    """A readable reason: imaplib's ``b'...'`` wrappers dropped, secrets masked."""
    text = str(error) or type(error).__name__
    text = re.sub(r"""\bb(['"])(.*?)\1""", r"\2", text)
    for secret in (getattr(account, field) for field in EMAIL_ACCOUNT_SECRETS):
        if len(secret) >= MIN_MASKED_SECRET:
            text = text.replace(secret, "***")
    return text


def _connect(account: EmailAccount, *, timeout: float) -> _Mailbox:
    """Connect with the account's security, log in, and return the mailbox."""
    address = _address(account)
    if not account.imap_host:
        raise ImapError("no IMAP server is configured")
    try:
        client = IMAPClient(
            account.imap_host,
            port=account.imap_port,
            ssl=account.imap_security == ConnectionSecurity.TLS,
            timeout=timeout,
        )
    except (IMAPClientError, OSError) as error:
        raise ImapError(f"cannot connect to {address}: {_reason(error, account)}") from error
    try:
        if account.imap_security == ConnectionSecurity.STARTTLS:
            try:
                client.starttls()
            except CapabilityError as error:
                raise ImapError(f"{address} does not offer STARTTLS") from error
            except (IMAPClientError, OSError) as error:
                raise ImapError(
                    f"STARTTLS with {address} failed: {_reason(error, account)}"
                ) from error
        try:
            _login(client, account)
        except LoginError as error:
            raise ImapError(
                f"login failed for user {account.imap_username} at {address}: "
                f"{_reason(error, account)}"
            ) from error
        except (IMAPClientError, OSError) as error:
            raise ImapError(f"logging in to {address} failed: {_reason(error, account)}") from error
    except BaseException:
        _close(client)
        raise
    return _Mailbox(client, account)


def _login(client: Any, account: EmailAccount) -> None:
    """Log in with the OAuth2 access token (refreshed as needed) or the password; a failed
    refresh is an ``ImapError`` saying why."""
    if not account.uses_oauth_token:
        if f"{account.imap_username}{account.imap_password}".isascii():
            client.login(account.imap_username, account.imap_password)
        else:
            # LOGIN takes ASCII only; SASL PLAIN carries UTF-8 ("hasło-zażółć").
            client.plain_login(account.imap_username, account.imap_password)
        return
    try:
        log_in_with_token(
            account,
            lambda token: client.oauth2_login(account.imap_username, token),
            refused=LoginError,
        )
    except TokenRefreshError as error:
        raise ImapError(
            f"refreshing the OAuth2 access token failed: {_reason(error, account)}. "
            "Mail stays on the server until the mailbox's OAuth2 settings are fixed."
        ) from error


def _close(client: Any) -> None:
    """Log out; a connection that is already broken is just closed."""
    try:
        client.logout()
    except (IMAPClientError, OSError):
        with suppress(IMAPClientError, OSError):
            client.shutdown()


@contextmanager
def _session(account: EmailAccount, *, timeout: float) -> Iterator[_Mailbox]:
    mailbox = _connect(account, timeout=timeout)
    try:
        yield mailbox
    finally:
        _close(mailbox.client)


def fetch_new_mail(
    account: EmailAccount,
    *,
    record: Callable[[list[RawInbound]], None],
    save_state: Callable[[int, int], None],
    batch_size: int = 50,
    connect_timeout: float = 30,
) -> FetchResult:
    """Fetch the folder's mail above the stored resume point into the ledger, batch by batch.

    For each batch: ``record`` writes it to the ledger and commits, ``save_state(uidvalidity,
    last_uid)`` stores the resume point, and only then the messages are moved to the archive
    folder (or flagged ``\\Seen``). When ``record`` or ``save_state`` raises, the batch is not
    acknowledged and the error propagates: the messages stay on the server for the next run.
    When the folder's UIDVALIDITY changed, the UIDs mean other messages now: the fetch starts
    over from the first one, and the ledger keeps a single copy of what it already holds.

    Raises ``ImapError`` for connection, login, folder and protocol problems.
    """
    # Imported here: the inbox actions may use this module, and RawInbound lives there.
    from okienko.inboxes.actions import RawInbound

    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    archive_folder = account.imap_archive_folder
    with _session(account, timeout=connect_timeout) as mailbox:
        selected = mailbox.open(account.imap_folder)
        if archive_folder:
            mailbox.require_folder(archive_folder)
        if b"UIDVALIDITY" not in selected:
            raise ImapError(f"{mailbox.address} did not report the folder's UIDVALIDITY")
        uidvalidity = int(selected[b"UIDVALIDITY"])
        is_known = account.imap_uidvalidity == uidvalidity
        last_uid = account.imap_last_uid if is_known else 0
        fetched = 0
        uids = mailbox.new_uids(last_uid, selected.get(b"UIDNEXT"))
        for batch in mailbox.batches(uids, batch_size):
            if batch.messages:
                record([RawInbound(raw, email_source_id(raw)) for _uid, raw in batch.messages])
            last_uid = max(batch.uids)
            save_state(uidvalidity, last_uid)
            mailbox.acknowledge([uid for uid, _raw in batch.messages], archive_folder)
            fetched += len(batch.messages)
        if not is_known and fetched == 0:
            # Remember the new UIDVALIDITY even for an empty folder, so the next run (and
            # `wait_for_new_mail`) does not take it for a change again.
            save_state(uidvalidity, last_uid)
    if fetched:
        logger.info(
            "fetched %s messages from %r at %s", fetched, account.imap_folder, mailbox.address
        )
    return FetchResult(
        fetched=fetched,
        uidvalidity=uidvalidity,
        last_uid=last_uid,
        reset=account.imap_uidvalidity is not None and not is_known,
    )


def check_connection(account: EmailAccount, *, connect_timeout: float = 30) -> str:
    """Log in and open the folders; a short summary such as "INBOX: 12 messages".

    Raises ``ImapError`` with the reason when the account cannot be used.
    """
    with _session(account, timeout=connect_timeout) as mailbox:
        selected = mailbox.open(account.imap_folder, readonly=True)
        if account.imap_archive_folder:
            mailbox.require_folder(account.imap_archive_folder)
    count = int(selected.get(b"EXISTS", 0))
    return ngettext("%(folder)s: %(count)d message", "%(folder)s: %(count)d messages", count) % {
        "folder": account.imap_folder,
        "count": count,
    }


def wait_for_new_mail(
    account: EmailAccount, *, timeout: float, connect_timeout: float = 30
) -> bool:
    """Wait with IMAP IDLE until new mail arrives (True) or ``timeout`` seconds pass (False).

    Mail that arrived after the account's stored resume point but before the wait began counts
    as new, so nothing waits for the next poll. Raises ``IdleUnsupported`` when the server does
    not support IDLE (the caller then polls), ``ImapError`` when it cannot be used.
    """
    with watch_mailbox(account, connect_timeout=connect_timeout) as watch:
        mailbox, selected = watch._mailbox, watch.selected
        if mailbox.has_unfetched(selected):
            return True
        return mailbox.idle(timeout, int(selected.get(b"EXISTS", 0)))
