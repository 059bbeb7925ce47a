"""Writes for inboxes and the inbound ledger: record first, then one pipeline for every channel.

``do_record_inbound`` writes the raw contact durably before its source is acknowledged;
``do_process_inbound`` turns a ledger item into a ticket message, or quarantines it with the
reason. Either way the item ends in exactly one final state, so ``received = processed +
quarantined + pending`` holds at every moment.
"""

import datetime
import enum
import hashlib
import logging
import secrets
import smtplib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from okienko.accounts.models import Agent, Team
from okienko.core.errors import Conflict, DomainError, InvalidInput
from okienko.core.events import dispatching_in_batches, publish_on_commit
from okienko.core.persistence import update_each
from okienko.core.retry import next_attempt_after
from okienko.customers.actions import (
    NewCustomer,
    do_create_customers_by_identity,
    do_get_or_create_customer_by_identity,
)
from okienko.customers.models import Customer
from okienko.customers.normalize import normalize_address
from okienko.customers.selectors import customers_with_identities, email_addresses_of
from okienko.inboxes.chat.adapter import normalise_chat
from okienko.inboxes.chat.selectors import chat_reply_address
from okienko.inboxes.choices import DeliveryStatus, InboundOutcome, InboundStatus, InboxKind
from okienko.inboxes.email.adapter import email_source_id, normalise_email
from okienko.inboxes.email.imap import (
    FetchResult,
    IdleUnsupported,
    ImapError,
    fetch_new_mail,
    watch_mailbox,
)
from okienko.inboxes.email.oauth import TokenRefreshError, request_access_token
from okienko.inboxes.email.outgoing import (
    OutgoingAttachment,
    OutgoingEmail,
    html_body,
    references,
    reply_subject,
    send,
)
from okienko.inboxes.email.parsing import normalize_subject
from okienko.inboxes.models import (
    EMAIL_ACCOUNT_SECRETS,
    ChatWidget,
    Delivery,
    EmailAccount,
    InboundItem,
    Inbox,
)
from okienko.inboxes.normalised import Contact, InboundMessage, UnprocessableInbound
from okienko.inboxes.selectors import (
    default_inbox,
    email_account_of,
    email_accounts_of,
    email_inbox_for,
    inbox_of_ticket,
    own_email_addresses,
    recent_items_from,
    waiting_items,
)
from okienko.sla.selectors import first_reply_due
from okienko.tickets.actions import (
    CustomerMessage,
    NewTicket,
    do_add_customer_messages,
    do_add_note,
    do_add_system_reply,
    do_create_tickets_with_messages,
    do_set_external_id,
)
from okienko.tickets.choices import AuthorKind, Channel, Direction, Status
from okienko.tickets.models import Message, Ticket
from okienko.tickets.selectors import (
    is_participant,
    latest_customer_message,
    messages_from,
    recent_tickets_of,
    thread_external_ids,
    ticket_by_number,
    ticket_with_message,
    tickets_of_messages,
)

logger = logging.getLogger(__name__)

DEFAULT_INBOX_NAMES = {InboxKind.EMAIL: "E-mail", InboxKind.CHAT: "Czat"}
# After this many failed attempts (transient errors included) an item is quarantined, so a
# message that always breaks processing cannot be retried forever.
MAX_ATTEMPTS = 5
MAX_COPIED = 20
SUBJECT_MATCHES_CHECKED = 20


def _normalisers() -> dict[str, Callable[[InboundItem], InboundMessage]]:
    """Each inbox kind's adapter, set up once per batch."""
    own_addresses = own_email_addresses()
    return {
        InboxKind.EMAIL: lambda item: normalise_email(bytes(item.raw), own_addresses=own_addresses),
        InboxKind.CHAT: lambda item: normalise_chat(
            bytes(item.raw), fallback_subject=_("Web chat")
        ),
    }


@transaction.atomic
def do_create_inbox(
    *,
    name: str,
    kind: str,
    address: str = "",
    team: Team | None = None,
    is_default: bool = False,
    acting_user: Agent | None,
) -> Inbox:
    """Create an inbox; a new default replaces the previous default of its kind."""
    name = name.strip()
    if not name:
        raise InvalidInput("An inbox needs a name", errors={"name": ["empty"]})
    if kind not in InboxKind.values:
        raise InvalidInput(f"{kind!r} is not an inbox kind", errors={"kind": [kind]})
    if address and kind == InboxKind.EMAIL:
        try:
            address = normalize_address("email", address)
        except ValueError as error:
            raise InvalidInput(str(error), errors={"address": [str(error)]}) from error
    if is_default:
        Inbox.objects.filter(kind=kind, is_default=True).update(is_default=False)
    try:
        with transaction.atomic():
            inbox = Inbox.objects.create(
                name=name, kind=kind, address=address, team=team, is_default=is_default
            )
    except IntegrityError as error:
        raise Conflict(f"An inbox named {name!r} already exists") from error
    do_set_up_chat_widget(inbox=inbox)
    publish_on_commit("inbox.created", inbox_id=inbox.pk)
    return inbox


def do_set_up_chat_widget(*, inbox: Inbox) -> ChatWidget | None:
    """Give a chat inbox its widget, with the public key its embed script names (every chat
    inbox has one; an inbox of another kind none). Safe to call again."""
    if inbox.kind != InboxKind.CHAT:
        return None
    widget, _created = ChatWidget.objects.get_or_create(inbox=inbox)
    return widget


def do_get_default_inbox(kind: str) -> Inbox:
    """The default inbox of ``kind``, created on first use."""
    inbox = default_inbox(kind)
    if inbox is not None:
        return inbox
    name = DEFAULT_INBOX_NAMES[InboxKind(kind)]
    existing = Inbox.objects.filter(name=name).first()
    if existing is not None:
        return existing
    try:
        return do_create_inbox(name=name, kind=kind, is_default=True, acting_user=None)
    except Conflict:
        # Created meanwhile by a concurrent first use.
        return Inbox.objects.get(name=name)


@dataclass(frozen=True)
class RawInbound:
    """A contact as its source delivered it, with the source's own id ("" when it has none)."""

    raw: bytes
    external_id: str
    received_at: datetime.datetime | None = None


def do_record_inbound(
    *, inbox: Inbox, entries: Sequence[RawInbound], notify: bool = True
) -> list[tuple[InboundItem, bool]]:
    """Write raw contacts to the ledger in one transaction, before their source is told.

    Idempotent: the same bytes from the same source return the existing item. Returns each
    item and whether it is new. ``notify`` queues processing after commit, the new items of
    the call together; callers that process at once (``okienko email ingest``) pass False.
    """
    with dispatching_in_batches():
        return _record_inbound(inbox, entries, notify=notify)


def _record_inbound(
    inbox: Inbox, entries: Sequence[RawInbound], *, notify: bool
) -> list[tuple[InboundItem, bool]]:
    keyed = [(_ledger_key(entry), entry) for entry in entries]
    now = timezone.now()
    with transaction.atomic():
        existing = _recorded(inbox, [key for key, _entry in keyed])
        new = {
            key: InboundItem(
                inbox=inbox,
                external_id=key[0],
                digest=key[1],
                raw=entry.raw,
                received_at=entry.received_at or now,
            )
            for key, entry in keyed
            if key not in existing
        }
        try:
            with transaction.atomic():
                InboundItem.objects.bulk_create(new.values())
        except IntegrityError:
            # Recorded meanwhile by a concurrent delivery of the same messages.
            return [_record_one(inbox, entry, notify=notify) for entry in entries]
    if notify:
        for item in new.values():
            publish_on_commit("inbound.received", item_id=item.pk, inbox_id=inbox.pk)
    results, seen = [], set(existing)
    for key, _entry in keyed:
        results.append((existing.get(key) or new[key], key not in seen))
        seen.add(key)
    return results


def _ledger_key(entry: RawInbound) -> tuple[str, str]:
    digest = hashlib.sha256(entry.raw).hexdigest()
    return (entry.external_id or f"sha256:{digest}")[:255], digest


def _recorded(inbox: Inbox, keys: list[tuple[str, str]]) -> dict[tuple[str, str], InboundItem]:
    """The items already in the ledger under these keys."""
    wanted = set(keys)
    candidates = InboundItem.objects.filter(
        inbox=inbox, external_id__in={external_id for external_id, _digest in wanted}
    ).select_related("inbox__team")
    items = {(item.external_id, item.digest): item for item in candidates}
    return {key: item for key, item in items.items() if key in wanted}


def _record_one(inbox: Inbox, entry: RawInbound, *, notify: bool) -> tuple[InboundItem, bool]:
    external_id, digest = _ledger_key(entry)
    with transaction.atomic():
        item, created = InboundItem.objects.get_or_create(
            inbox=inbox,
            external_id=external_id,
            digest=digest,
            defaults={"raw": entry.raw, "received_at": entry.received_at or timezone.now()},
        )
    if created and notify:
        publish_on_commit("inbound.received", item_id=item.pk, inbox_id=inbox.pk)
    return item, created


def do_record_email(
    *, raw: bytes, recipients: Sequence[str], external_id: str = ""
) -> list[InboundItem]:
    """Record a delivered e-mail in each of our inboxes it was addressed to (the default e-mail
    inbox when none of the recipients is ours); the Message-ID keys it unless ``external_id``
    is given."""
    inboxes = {inbox.pk: inbox for inbox in map(email_inbox_for, recipients) if inbox}
    targets = list(inboxes.values()) or [do_get_default_inbox(InboxKind.EMAIL)]
    entry = RawInbound(raw, email_source_id(raw) or external_id)
    return [
        item
        for inbox in targets
        for item, _created in do_record_inbound(inbox=inbox, entries=[entry])
    ]


# Mail recorded this long ago and still waiting lost its task: the sweep queues it again.
WAITING_FOR_ITS_TASK = datetime.timedelta(minutes=2)


class _AlreadyFinished(Exception):
    """Another worker finished the item first; our work is rolled back."""


def do_process_inbound(*, items: Sequence[InboundItem]) -> list[InboundItem]:
    """Turn ledger items into ticket messages, or quarantine each with its reason.

    One transaction for the batch, a savepoint per item, so one bad message never affects
    another. Safe to run twice and concurrently: an item's final state is set by a conditional
    update together with its ticket changes, so only one run's work survives.

    What each item would look up (its sender's recent mail, the customers of its addresses,
    a message already made of it) is read once for the batch (``_Known``), and the batch's
    events reach live pages, SLA clocks and the search index together when it ends.

    The commit need not wait for the disk (PostgreSQL ``synchronous_commit = off``): if a
    crash loses it, the ticket changes and the items' final states are lost together, the
    items are still *received* in the ledger and the sweep processes them again.
    """
    pending = [item for item in items if item.status == InboundStatus.RECEIVED]
    if not pending:
        return list(items)
    normalisers = _normalisers()
    # Parsed before taking the turn: the part of the work batches may do side by side.
    parsed = {item.pk: _read(item, normalisers[item.inbox.kind]) for item in pending}
    with dispatching_in_batches(), transaction.atomic():
        _commit_without_waiting_for_disk()
        pending = _email_in_turn(pending)
        readings = [
            parsed[item.pk] if item.pk in parsed else _read(item, normalisers[item.inbox.kind])
            for item in pending
        ]
        known = _Known.read(pending, readings)
        _create_new_customers(readings, known)
        run = _Run()
        for item, reading in zip(pending, readings, strict=True):
            inbound = reading if isinstance(reading, InboundMessage) else None
            write = _plain_write(item, inbound, known, run) if inbound else None
            if inbound is None or write is None:
                # Processed alone, after what came before it: it may need what they wrote.
                _write_run(run, known)
                _process(item, reading, known)
            else:
                run.add(item, inbound, write)
        _write_run(run, known)
    return list(items)


def _email_in_turn(items: list[InboundItem]) -> list[InboundItem]:
    """The items to process now, in the order they were recorded, once it is their turn.

    Two workers may each hold a batch of one mailbox, and a reply must find the ticket its
    original made (a customer who writes again to add the attachment). So a batch of e-mail
    waits for its mailboxes (a row lock, taken in id order; on SQLite the immediate
    transaction already runs one writer at a time), drops what another worker finished
    meanwhile, and takes first the mail recorded before it that still waits for its own task.
    Mail waiting longer than ``WAITING_FOR_ITS_TASK`` is the sweep's.
    """
    mailboxes = sorted({item.inbox_id for item in items if item.inbox.kind == InboxKind.EMAIL})
    if not mailboxes:
        return items
    list(
        Inbox.objects.select_for_update(no_key=True)
        .filter(pk__in=mailboxes)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    others = [item for item in items if item.inbox_id not in mailboxes]
    given = {item.pk: item for item in items}
    email = [
        given.get(waiting.pk, waiting)
        for waiting in waiting_items(
            [item.pk for item in items if item.inbox_id in mailboxes],
            inbox_ids=mailboxes,
            recorded_since=timezone.now() - WAITING_FOR_ITS_TASK,
        )
    ]
    in_turn = {item.pk for item in email}
    for item in items:
        if item.inbox_id in mailboxes and item.pk not in in_turn:
            item.refresh_from_db()  # finished by another worker: the caller sees how
    return sorted([*email, *others], key=lambda item: item.pk)


def _read(
    item: InboundItem, normalise: Callable[[InboundItem], InboundMessage]
) -> InboundMessage | Exception:
    """The item as a normalised message, or why it cannot be read (raised again when it is
    processed, which quarantines it)."""
    try:
        return normalise(item)
    except Exception as error:  # each kind is handled (raised again) by _process
        return error


@dataclass
class _Known:
    """What the items of a batch would each look up, read for the whole batch at once, and
    kept up to date as it is processed: the senders' recent mail (the flood check), the
    customers of the addresses in it, the messages already made of its channel ids, the
    tickets of the messages it answers (``threads``: channel id -> newest message id and its
    ticket), the mailbox settings of its inboxes (acknowledgements)."""

    since: datetime.datetime
    recent_mail: dict[str, int]
    customers: dict[tuple[str, str], Customer]
    messages: dict[tuple[int, str], Message]
    # None once an item was rolled back: its changes to a ticket shared by the items (the
    # status it reopened) are undone in the database, not in the instance.
    threads: dict[str, tuple[int, Ticket]] | None
    accounts: dict[int, EmailAccount]

    @classmethod
    def read(
        cls, items: Sequence[InboundItem], readings: Sequence[InboundMessage | Exception]
    ) -> "_Known":
        inbound = [reading for reading in readings if isinstance(reading, InboundMessage)]
        senders = [message.sender for message in inbound if message.sender is not None]
        contacts = [*senders, *(contact for message in inbound for contact in message.copied)]
        since = timezone.now() - datetime.timedelta(minutes=settings.EMAIL_SENDER_WINDOW_MINUTES)
        return cls(
            since=since,
            # Only items already processed name their sender, none of this batch's (unless
            # reprocessed): each one processed is counted as the batch goes on.
            recent_mail=recent_items_from(
                {sender.address for sender in senders},
                since=since,
                excluding=[item.pk for item in items],
            ),
            customers=customers_with_identities(
                {(contact.kind, contact.address) for contact in contacts}
            ),
            messages=messages_from({message.external_id for message in inbound}),
            threads=tickets_of_messages({i for message in inbound for i in message.replies_to}),
            accounts=email_accounts_of({item.inbox_id for item in items}),
        )

    def __post_init__(self) -> None:
        # What the item being processed added, dropped again if its savepoint is rolled back.
        self._added: list[tuple[dict[Any, Any], Any]] = []

    def remember(self, found: dict[Any, Any], key: Any, value: Any) -> None:
        found[key] = value
        self._added.append((found, key))

    def thread_of(self, external_ids: Sequence[str]) -> Ticket | None:
        """``ticket_with_message``, from what the batch read and made where it can."""
        if self.threads is None:
            return ticket_with_message(external_ids)
        found = [self.threads[i] for i in external_ids if i in self.threads]
        return max(found, key=lambda newest: newest[0])[1] if found else None

    def made(self, message: Message) -> None:
        """Remember a message the item made, for the duplicates and replies that follow."""
        if not message.external_id or message.author_customer_id is None:
            return
        self.remember(self.messages, (message.author_customer_id, message.external_id), message)
        if self.threads is not None:
            self.remember(self.threads, message.external_id, (message.pk, message.ticket))

    def forget_made(self) -> None:
        """Drop what was remembered since the last item was done: its writes were undone."""
        for found, key in self._added:
            found.pop(key, None)
        self._added.clear()

    def item_done(self, item: InboundItem, *, is_saved: bool) -> None:
        """Keep what the item added if its changes are saved, and count its mail."""
        if not is_saved:
            self.forget_made()
            self.threads = None
        self._added.clear()
        if item.sender and item.received_at >= self.since:
            self.recent_mail[item.sender] = self.recent_mail.get(item.sender, 0) + 1


def _commit_without_waiting_for_disk() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _create_new_customers(readings: Sequence[InboundMessage | Exception], known: _Known) -> None:
    """The customers of the batch's new senders and copied people, made together rather than
    one by one as each item comes to them. They stay even if an item is quarantined later: the
    person wrote to us, whatever became of the mail."""
    new: dict[tuple[str, str], NewCustomer] = {}
    for reading in readings:
        if not isinstance(reading, InboundMessage) or reading.sender is None or reading.is_bounce:
            continue
        for contact in (reading.sender, *reading.copied[:MAX_COPIED]):
            if (contact.kind, contact.address) not in known.customers:
                new.setdefault(
                    (contact.kind, contact.address),
                    NewCustomer(contact.kind, contact.address, _name_of(contact)),
                )
    known.customers.update(do_create_customers_by_identity(new.values(), acting_user=None))


_NEW_TICKET = (InboundOutcome.TICKET_CREATED, InboundOutcome.FOLLOW_UP_CREATED)


def _process(item: InboundItem, reading: InboundMessage | Exception, known: _Known) -> None:
    item.attempts += 1
    inbound = reading if isinstance(reading, InboundMessage) else None
    is_saved = False
    try:
        if isinstance(reading, Exception):
            raise reading
        inbound = reading
        with transaction.atomic():
            outcome, message = _deliver(item, inbound, known)
            final = _final_state(
                item,
                status=InboundStatus.PROCESSED,
                outcome=outcome,
                message=message,
                attempts=item.attempts,
                inbound=inbound,
            )
            _finish_together([final], [item])
            # After the item names its message: the SLA promise may depend on the inbox.
            if message is not None and outcome in _NEW_TICKET and not inbound.is_automated:
                do_acknowledge(ticket=message.ticket, account=known.accounts.get(item.inbox_id))
        is_saved = True
    except _AlreadyFinished:
        item.refresh_from_db()
    except UnprocessableInbound as error:
        _quarantine(item, error.reason, inbound)
    except DomainError as error:
        _quarantine(item, str(error), inbound)
    except DatabaseError as error:
        # Transient (a lost connection, a serialisation failure): left received for the
        # sweep, unless it keeps failing.
        logger.warning("inbound item %s: database error: %s", item.pk, error)
        if item.attempts >= MAX_ATTEMPTS:
            _quarantine(item, f"database error after {item.attempts} attempts: {error}", inbound)
        else:
            InboundItem.objects.filter(pk=item.pk).update(attempts=item.attempts)
    except Exception as error:
        logger.exception("inbound item %s failed", item.pk)
        _quarantine(item, f"unexpected error: {type(error).__name__}: {error}", inbound)
    known.item_done(item, is_saved=is_saved)


def do_quarantine_inbound(*, item: InboundItem, reason: str) -> InboundItem:
    """Quarantine a received item the pipeline could not take at all (not even alone), with the
    reason, for staff to look at and process again; one finished meanwhile stays as it is."""
    _quarantine(item, reason)
    return item


def _described(inbound: InboundMessage | None) -> tuple[str, str]:
    """Who sent the item and about what, as far as it could be read."""
    if inbound is None:
        return "", ""
    return inbound.sender.address if inbound.sender else "", inbound.subject


def do_reprocess_inbound(*, item: InboundItem, acting_user: Agent | None) -> InboundItem:
    """Put a quarantined item back in the queue (after a fix) and process it again."""
    returned = InboundItem.objects.filter(pk=item.pk, status=InboundStatus.QUARANTINED).update(
        status=InboundStatus.RECEIVED, attempts=0
    )
    if not returned:
        raise Conflict(f"Inbound item {item.pk} is not quarantined")
    item.refresh_from_db()
    return do_process_inbound(items=[item])[0]


def _final_state(
    item: InboundItem,
    *,
    status: str,
    attempts: int,
    outcome: str = "",
    message: Message | None = None,
    error: str = "",
    inbound: InboundMessage | None = None,
) -> InboundItem:
    """The item as it ends (a copy holding only its key and the fields that change)."""
    sender, subject = _described(inbound)
    return InboundItem(
        pk=item.pk,
        status=status,
        outcome=outcome,
        message=message,
        error=error,
        attempts=attempts,
        sender=sender[:254],
        subject=subject[:255],
        processed_at=timezone.now(),
    )


_FINAL_FIELDS = [
    "status",
    "outcome",
    "message",
    "error",
    "attempts",
    "sender",
    "subject",
    "processed_at",
]


def _finish_together(final: Sequence[InboundItem], items: Sequence[InboundItem]) -> None:
    """Set the items' final states (``final``, in the same order), unless another run already
    set one of them (then roll ours back)."""
    received = InboundItem.objects.filter(status=InboundStatus.RECEIVED)
    finished = update_each(received, final, _FINAL_FIELDS)
    if finished != len(final):
        raise _AlreadyFinished
    for state, item in zip(final, items, strict=True):
        for field in _FINAL_FIELDS:
            setattr(item, field, getattr(state, field))
        publish_on_commit(f"inbound.{item.status}", item_id=item.pk, inbox_id=item.inbox_id)


def _quarantine(item: InboundItem, reason: str, inbound: InboundMessage | None = None) -> None:
    logger.warning("inbound item %s quarantined: %s", item.pk, reason)
    try:
        with transaction.atomic():
            final = _final_state(
                item,
                status=InboundStatus.QUARANTINED,
                error=reason,
                attempts=item.attempts,
                inbound=inbound,
            )
            _finish_together([final], [item])
    except _AlreadyFinished:
        item.refresh_from_db()


def _deliver(
    item: InboundItem, inbound: InboundMessage, known: _Known
) -> tuple[str, Message | None]:
    sender = inbound.sender
    if sender is None:
        raise UnprocessableInbound("the message has no sender address")
    if inbound.channel == Channel.EMAIL:
        # A mail loop is caught here; chat is throttled per visitor before the ledger.
        _refuse_flood(sender.address, known)
    if inbound.is_bounce:
        return InboundOutcome.BOUNCE_RECORDED, _record_bounce(inbound)
    customer = _customer(sender, known)
    duplicate = known.messages.get((customer.pk, inbound.external_id))
    if duplicate is not None:
        return InboundOutcome.DUPLICATE, duplicate
    copied = _customers(inbound.copied, known)
    ticket = _conversation(inbound, customer, known)
    write = _write(item, inbound, customer, copied, ticket)
    outcome, message = _written([write], known)[0]
    return outcome, message


def _write(
    item: InboundItem,
    inbound: InboundMessage,
    customer: Customer,
    copied: list[Customer],
    ticket: Ticket | None,
) -> CustomerMessage | NewTicket:
    """The message on the ticket it continues, or a new ticket (a follow-up of a closed one)."""
    content: dict[str, Any] = {
        "text": inbound.text.strip() or inbound.subject,
        "html": inbound.html,
        "attachments": inbound.attachments,
        "external_id": inbound.external_id,
        "quoted_text": inbound.quoted_text,
        "cc": copied,
        "at": item.received_at,
    }
    if ticket is not None and ticket.status != Status.CLOSED:
        return CustomerMessage(
            ticket=ticket,
            author=customer,
            channel=inbound.channel,
            reopens=not inbound.is_automated,
            **content,
        )
    return NewTicket(
        subject=inbound.subject or _("(no subject)"),
        requester=customer,
        channel=inbound.channel,
        team=item.inbox.team,
        follow_up_of=ticket,
        **content,
    )


def _written(
    writes: Sequence[CustomerMessage | NewTicket], known: _Known
) -> list[tuple[str, Message]]:
    """Write the messages and new tickets, each kind in one go; return each one's outcome and
    message, in order, and remember them for the items that follow."""
    added = [write for write in writes if isinstance(write, CustomerMessage)]
    opened = [write for write in writes if isinstance(write, NewTicket)]
    appended = iter(do_add_customer_messages(added) if added else [])
    created = iter(do_create_tickets_with_messages(opened, acting_user=None) if opened else [])
    results: list[tuple[str, Message]] = []
    for write in writes:
        if isinstance(write, CustomerMessage):
            results.append((InboundOutcome.MESSAGE_APPENDED, next(appended)))
        elif write.follow_up_of is None:
            results.append((InboundOutcome.TICKET_CREATED, next(created)[1]))
        else:
            results.append((InboundOutcome.FOLLOW_UP_CREATED, next(created)[1]))
    for _outcome, message in results:
        known.made(message)
    return results


@dataclass
class _Run:
    """Items whose writes wait to be made together (``_write_run``): plain new tickets and
    replies, none depending on another's writes."""

    items: list[tuple[InboundItem, InboundMessage, CustomerMessage | NewTicket]] = dataclass_field(
        default_factory=list
    )
    senders: dict[str, int] = dataclass_field(default_factory=dict)
    # (author, external id): what the run's messages will be found by.
    external_ids: set[str] = dataclass_field(default_factory=set)

    def add(
        self, item: InboundItem, inbound: InboundMessage, write: CustomerMessage | NewTicket
    ) -> None:
        self.items.append((item, inbound, write))
        if inbound.sender is not None:
            self.senders[inbound.sender.address] = self.senders.get(inbound.sender.address, 0) + 1
        if inbound.external_id:
            self.external_ids.add(inbound.external_id)


def _plain_write(
    item: InboundItem, inbound: InboundMessage, known: _Known, run: _Run
) -> CustomerMessage | NewTicket | None:
    """What the item writes, if it can wait to be written together with the run: a readable
    mail from a known customer that is no flood, bounce or duplicate, that does not answer a
    message of the run, and whose ticket is found without asking the database. None sends
    it through ``_process`` (which decides the same, one item at a time)."""
    sender = inbound.sender
    if sender is None or inbound.is_bounce or inbound.external_id in run.external_ids:
        return None
    sent = known.recent_mail.get(sender.address, 0) + run.senders.get(sender.address, 0)
    if inbound.channel == Channel.EMAIL and sent >= settings.EMAIL_SENDER_LIMIT:
        return None
    customer = known.customers.get((sender.kind, sender.address))
    copied = [known.customers.get((c.kind, c.address)) for c in inbound.copied[:MAX_COPIED]]
    if customer is None or None in copied or (customer.pk, inbound.external_id) in known.messages:
        return None
    if run.external_ids.intersection(inbound.replies_to) or known.threads is None:
        return None
    ticket = known.thread_of(inbound.replies_to)
    if ticket is None and (inbound.ticket_number is not None or _is_reply(inbound)):
        return None
    if ticket is not None and (
        ticket.merged_into_id is not None
        or (not inbound.is_automated and ticket.status in {Status.PENDING, Status.SOLVED})
    ):
        # Refused, or reopened: the ticket's history keeps each message's order of events.
        return None
    return _write(item, inbound, customer, [c for c in copied if c is not None], ticket)


def _write_run(run: _Run, known: _Known) -> None:
    """Write the run's tickets and messages and finish its items together; should anything
    fail, process each item alone instead, so that only the one at fault is quarantined."""
    entries, run.items = run.items, []
    run.senders.clear()
    run.external_ids.clear()
    if not entries:
        return
    items = [item for item, _inbound, _planned in entries]
    try:
        with transaction.atomic():
            written = _written([planned for _item, _inbound, planned in entries], known)
            _finish_together(
                [
                    _final_state(
                        item,
                        status=InboundStatus.PROCESSED,
                        outcome=outcome,
                        message=message,
                        attempts=item.attempts + 1,
                        inbound=inbound,
                    )
                    for (item, inbound, _planned), (outcome, message) in zip(
                        entries, written, strict=True
                    )
                ],
                items,
            )
            for (item, inbound, _planned), (outcome, message) in zip(entries, written, strict=True):
                if outcome in _NEW_TICKET and not inbound.is_automated:
                    do_acknowledge(ticket=message.ticket, account=known.accounts.get(item.inbox_id))
    except Exception:
        # Also a run another worker finished first, in part: each item finds out alone.
        logger.info("inbound items %s are processed one by one", [item.pk for item in items])
        known.forget_made()
        for item, inbound, _planned in entries:
            _process(item, inbound, known)
        return
    for item in items:
        known.item_done(item, is_saved=True)


def _refuse_flood(sender: str, known: _Known) -> None:
    if known.recent_mail.get(sender, 0) >= settings.EMAIL_SENDER_LIMIT:
        raise UnprocessableInbound(
            f"{sender} sent more than {settings.EMAIL_SENDER_LIMIT} messages in "
            f"{settings.EMAIL_SENDER_WINDOW_MINUTES} minutes: held as a possible mail loop or "
            "flood"
        )


def _customer(contact: Contact, known: _Known) -> Customer:
    key = (contact.kind, contact.address)
    customer = known.customers.get(key)
    if customer is None:
        customer, _created = do_get_or_create_customer_by_identity(
            kind=contact.kind,
            address=contact.address,
            name=_name_of(contact),
            acting_user=None,
        )
        known.remember(known.customers, key, customer)
    return customer


def _name_of(contact: Contact) -> str:
    return contact.name or contact.address.split("@")[0]


def _customers(contacts: tuple[Contact, ...], known: _Known) -> list[Customer]:
    """Customers for the people copied; an unusable address is skipped, not fatal."""
    customers = []
    for contact in contacts[:MAX_COPIED]:
        try:
            customers.append(_customer(contact, known))
        except InvalidInput:
            logger.info("skipped copied address %r", contact.address)
    return customers


def _conversation(inbound: InboundMessage, customer: Customer, known: _Known) -> Ticket | None:
    """The ticket this message continues: by the ids it answers, by the ticket number it
    quotes (when the sender takes part in that ticket), then by sender and subject."""
    ticket = known.thread_of(inbound.replies_to)
    if ticket is not None:
        return ticket
    if inbound.ticket_number is not None:
        quoted = ticket_by_number(inbound.ticket_number)
        if quoted is not None and is_participant(quoted, customer):
            return quoted
    if not _is_reply(inbound):
        return None
    subject = normalize_subject(inbound.subject)
    since = timezone.now() - datetime.timedelta(days=settings.EMAIL_THREAD_BY_SUBJECT_DAYS)
    for candidate in recent_tickets_of(customer, since=since)[:SUBJECT_MATCHES_CHECKED]:
        if normalize_subject(candidate.subject) == subject:
            return candidate
    return None


def _is_reply(inbound: InboundMessage) -> bool:
    """Whether the message may join a ticket by its subject: only a reply ("Re: ...") does; a
    new mail with a familiar subject is new."""
    subject = normalize_subject(inbound.subject)
    return bool(subject) and bool(
        subject != " ".join(inbound.subject.split()).casefold() or inbound.replies_to
    )


def _record_bounce(inbound: InboundMessage) -> Message | None:
    """Mark our delivery bounced and tell the agents on the ticket that it did not arrive."""
    summary = inbound.bounce_summary.strip() or inbound.subject
    Delivery.objects.filter(external_id__in=list(inbound.bounced_ids)).update(
        status=DeliveryStatus.BOUNCED, error=summary[:2000]
    )
    ticket = ticket_with_message(inbound.bounced_ids)
    if ticket is None:
        return None
    return do_add_note(
        ticket=ticket,
        text=_("Our e-mail could not be delivered:") + "\n\n" + summary,
        acting_user=None,
    )


# Outbound: a public reply on an e-mail ticket becomes a delivery, sent by a task with retries.

# A sender claims a delivery for this long, so two workers never send it twice.
SEND_LEASE = datetime.timedelta(minutes=10)
DEFAULT_SIGNATURE = "{agent}\n{inbox}"
DEFAULT_MAIL_DOMAIN = "okienko.local"


def do_queue_email_delivery(*, message: Message) -> Delivery | None:
    """Queue a public reply on an e-mail ticket for its requester and the people copied (on a
    chat ticket, for the address its visitor left).

    A requester without an e-mail address gets a delivery that failed at once, so the agent
    sees that the answer did not go out.
    """
    ticket = message.ticket
    if not message.is_public or message.direction != Direction.OUTBOUND:
        return None
    if ticket.channel == Channel.EMAIL:
        inbox = inbox_of_ticket(ticket) or do_get_default_inbox(InboxKind.EMAIL)
        copied = list(ticket.cc.all())
        addresses = email_addresses_of([ticket.requester, *copied])
        recipient = addresses.get(ticket.requester_id)
    elif ticket.channel == Channel.CHAT and message.author_kind == AuthorKind.AGENT:
        # A chat whose visitor left an address (out of hours) goes on by e-mail too, from the
        # default mailbox: the agents' answers, which their reply threads back into the ticket.
        recipient = chat_reply_address(ticket.pk)
        if recipient is None:
            return None
        inbox, copied, addresses = do_get_default_inbox(InboxKind.EMAIL), [], {}
    else:
        return None
    domain = inbox.address.partition("@")[2] or DEFAULT_MAIL_DOMAIN
    external_id = f"okienko.{message.pk}.{secrets.token_hex(4)}@{domain}"
    with transaction.atomic():
        do_set_external_id(message=message, external_id=external_id)
        delivery = Delivery.objects.create(
            message=message,
            inbox=inbox,
            recipients=[recipient] if recipient else [],
            copied=[addresses[c.pk] for c in copied if c.pk in addresses],
            external_id=message.external_id,
            status=DeliveryStatus.QUEUED if recipient else DeliveryStatus.FAILED,
            error="" if recipient else "the requester has no e-mail address",
            created_at=timezone.now(),
        )
        publish_on_commit(
            f"delivery.{delivery.status}", delivery_id=delivery.pk, ticket_id=ticket.pk
        )
    return delivery


def do_send_delivery(*, delivery: Delivery) -> Delivery:
    """Send a queued delivery; on an error retry later with backoff, then give up visibly."""
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(next_attempt_at=now + SEND_LEASE, attempts=F("attempts") + 1)
    )
    if not claimed:
        delivery.refresh_from_db()
        return delivery
    delivery.refresh_from_db()
    try:
        send(_outgoing(delivery), email_account_of(delivery.inbox))
    # A refused token refresh (OAuth2 mailboxes) is retried like a refused login.
    except (smtplib.SMTPException, OSError, TokenRefreshError) as error:
        _delivery_failed(delivery, f"{type(error).__name__}: {error}")
    else:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SENT, sent_at=timezone.now(), next_attempt_at=None, error=""
        )
        publish_on_commit("delivery.sent", delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def _delivery_failed(delivery: Delivery, error: str) -> None:
    retry_at = next_attempt_after(delivery.attempts, timezone.now())
    if retry_at is not None:
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=retry_at, error=error)
        return
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, error=error
        )
        do_add_note(
            ticket=delivery.message.ticket,
            text=_("Our e-mail could not be sent after %(attempts)s attempts: %(error)s")
            % {"attempts": delivery.attempts, "error": error},
            acting_user=None,
        )
        publish_on_commit("delivery.failed", delivery_id=delivery.pk)


class _KeepUnknown(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _signature(template: str, *, agent: str, inbox: str) -> str:
    try:
        return template.format_map(_KeepUnknown(agent=agent, inbox=inbox))
    except (ValueError, IndexError):
        # A signature with stray braces is shown as written.
        return template


def _outgoing(delivery: Delivery) -> OutgoingEmail:
    message, inbox = delivery.message, delivery.inbox
    ticket = message.ticket
    account = email_account_of(inbox)
    sender = message.author_agent.name if message.author_agent else inbox.name
    signature = _signature(
        (account.signature if account else "") or DEFAULT_SIGNATURE, agent=sender, inbox=inbox.name
    )
    text = f"{message.text}\n\n-- \n{signature}"
    answered = latest_customer_message(ticket)
    thread = thread_external_ids(ticket)
    return OutgoingEmail(
        from_name=f"{sender} ({inbox.name})" if message.author_agent else inbox.name,
        from_address=inbox.address or settings.DEFAULT_FROM_EMAIL,
        to=delivery.recipients,
        cc=delivery.copied,
        subject=reply_subject(ticket.subject, ticket.pk),
        text=text,
        html=html_body(text),
        message_id=delivery.external_id,
        in_reply_to=answered.external_id if answered else "",
        references=references([i for i in thread if i != delivery.external_id]),
        attachments=[
            OutgoingAttachment(a.filename, a.file.open("rb").read(), a.content_type)
            for a in message.attachments.all()
        ],
        is_automatic=message.author_kind == AuthorKind.SYSTEM,
        ticket_number=ticket.pk,
    )


def do_acknowledge(*, ticket: Ticket, account: EmailAccount | None) -> Message | None:
    """Tell the requester their e-mail became ticket #n, in their language, if the inbox
    (whose mailbox settings are ``account``) sends acknowledgements."""
    if account is None or not account.sends_acknowledgement:
        return None
    due = first_reply_due(ticket.pk)
    with translation.override(ticket.requester.language or settings.LANGUAGE_CODE):
        if due is None:
            promise = _("We will answer as soon as we can.")
        else:
            local = timezone.localtime(due, ZoneInfo(settings.TIME_ZONE))
            promise = _("You will have our answer by %(due)s at the latest.") % {
                "due": date_format(local, "l, j E Y, H:i")
            }
        text = _(
            "Hello,\n\nthank you for your message. We have registered it as ticket "
            "#%(number)s. %(promise)s Please keep the ticket number in the subject when you "
            "write about this matter."
        ) % {"number": ticket.pk, "promise": promise}
    return do_add_system_reply(ticket=ticket, text=text, rule="acknowledgement")


def do_fetch_email(*, account: EmailAccount) -> FetchResult | None:
    """Fetch the mailbox's new mail into the ledger; a failure is kept on the account for the
    admin to see (nothing is lost: unfetched mail stays on the server)."""
    inbox = account.inbox

    def record(entries: list[RawInbound]) -> None:
        do_record_inbound(inbox=inbox, entries=entries)

    def save_state(uidvalidity: int, last_uid: int) -> None:
        EmailAccount.objects.filter(pk=account.pk).update(
            imap_uidvalidity=uidvalidity, imap_last_uid=last_uid
        )
        account.imap_uidvalidity, account.imap_last_uid = uidvalidity, last_uid

    try:
        result = fetch_new_mail(account, record=record, save_state=save_state)
    except ImapError as error:
        logger.warning("fetching %s failed: %s", inbox, error)
        _mailbox_checked(account, error=str(error))
        return None
    _mailbox_checked(account)
    return result


def do_configure_email_account(
    *, inbox: Inbox, values: dict[str, Any], acting_user: Agent | None
) -> EmailAccount:
    """Set the e-mail inbox's mailbox settings (``EmailAccount`` field -> value); a secret
    given as None keeps its stored value. Invalid settings are an ``InvalidInput`` naming
    the fields, and nothing is saved."""
    if inbox.kind != InboxKind.EMAIL:
        raise InvalidInput("Only e-mail inboxes have mailbox settings", errors={"inbox": ["kind"]})
    account = email_account_of(inbox) or EmailAccount(inbox=inbox)
    for field, value in values.items():
        if value is None and field in EMAIL_ACCOUNT_SECRETS:
            continue
        setattr(account, field, value)
    try:
        account.full_clean(exclude=["inbox"])
    except ValidationError as error:
        raise InvalidInput(
            "The mailbox settings are not valid", errors=error.message_dict
        ) from error
    account.save()
    logger.info("mailbox settings of %s changed by %s", inbox, acting_user)
    return account


def do_refresh_oauth_token(*, account: EmailAccount) -> None:
    """Get the mailbox a new OAuth2 access token with its refresh token and keep it (and a
    rotated refresh token) on the account; ``account`` is updated in place.

    Raises ``TokenRefreshError`` when the provider refuses; the stored tokens stay as they were.
    """
    grant = request_access_token(
        token_url=account.oauth_token_url,
        client_id=account.oauth_client_id,
        client_secret=account.oauth_client_secret,
        refresh_token=account.oauth_refresh_token,
    )
    account.imap_oauth_token = grant.access_token
    account.imap_oauth_expires_at = grant.expires_at
    account.oauth_refresh_token = grant.refresh_token
    EmailAccount.objects.filter(pk=account.pk).update(
        imap_oauth_token=grant.access_token,
        imap_oauth_expires_at=grant.expires_at,
        oauth_refresh_token=grant.refresh_token,
    )
    logger.info("refreshed the OAuth2 access token of %s", account.inbox)


def _mailbox_checked(account: EmailAccount, *, error: str = "") -> None:
    """Keep the outcome of a look at the mailbox (fetch or IDLE) on the account for admins."""
    EmailAccount.objects.filter(pk=account.pk).update(
        imap_last_error=error, imap_checked_at=timezone.now()
    )


class WatchEnd(enum.Enum):
    """Why ``do_watch_email`` returned."""

    STOPPED = "stopped"
    IDLE_UNSUPPORTED = "idle unsupported"  # the mailbox is left to the periodic poll
    FAILED = "failed"  # the error is on the account; try again after a while


def do_watch_email(
    *,
    account: EmailAccount,
    fetch: Callable[[EmailAccount], FetchResult | None],
    stop: threading.Event,
    renew_seconds: float,
) -> WatchEnd:
    """Hold an IMAP IDLE connection to the mailbox until ``stop`` is set, and ``fetch`` its new
    mail as soon as the server announces it (and at every IDLE renewal, every
    ``renew_seconds``, should an announcement have been missed).

    ``fetch`` is the locked fetch the periodic poll runs (ledger first, resume point, then
    acknowledge), so IDLE changes when mail is fetched, never how; it returns None when the
    fetch failed or another fetch of the mailbox is running. A connection error is kept on the
    account like a poll's; a server without IDLE is left to the poll.
    """
    try:
        with watch_mailbox(account) as watch:
            _mailbox_checked(account)
            logger.info("watching %s with IMAP IDLE", account.inbox)
            while not stop.is_set():
                account.refresh_from_db(fields=["imap_uidvalidity", "imap_last_uid"])
                if watch.has_unfetched(account) and fetch(account) is None:
                    return WatchEnd.FAILED
                if not watch.wait(renew_seconds=renew_seconds, stop=stop) and not stop.is_set():
                    logger.debug("renewing IDLE on %s", account.inbox)
    except IdleUnsupported as error:
        logger.info("%s; %s is polled instead", error, account.inbox)
        return WatchEnd.IDLE_UNSUPPORTED
    except ImapError as error:
        logger.warning("watching %s failed: %s", account.inbox, error)
        _mailbox_checked(account, error=str(error))
        return WatchEnd.FAILED
    return WatchEnd.STOPPED
