"""Reads for inboxes and the inbound ledger."""

import datetime
import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from okienko.accounts.models import Agent
from okienko.core.errors import NotFound
from okienko.inboxes.choices import DeliveryStatus, InboundStatus, InboxKind
from okienko.inboxes.models import Delivery, EmailAccount, InboundItem, Inbox
from okienko.tickets.models import Ticket


def inboxes() -> QuerySet[Inbox]:
    return Inbox.objects.select_related("team")


def inbox_named(name: str) -> Inbox:
    try:
        return inboxes().get(name=name)
    except Inbox.DoesNotExist as error:
        raise NotFound(f"Inbox {name!r} not found") from error


def default_inbox(kind: str) -> Inbox | None:
    return inboxes().filter(kind=kind, is_default=True).first()


def own_email_addresses() -> list[str]:
    """Every mailbox address of ours, so our own mail is never taken for a customer's."""
    addresses = Inbox.objects.filter(kind=InboxKind.EMAIL).exclude(address="")
    return [address.lower() for address in addresses.values_list("address", flat=True)]


def recent_items_from(
    senders: Collection[str], *, since: datetime.datetime, excluding: Collection[int]
) -> dict[str, int]:
    """How many items each of these addresses delivered since ``since`` (a flood check), by
    address; those without any are left out."""
    items = InboundItem.objects.filter(sender__in=senders, received_at__gte=since)
    counts = items.exclude(pk__in=excluding).values("sender").annotate(count=Count("id"))
    return {row["sender"]: row["count"] for row in counts}


def pending_item_ids(*, received_before: datetime.datetime, limit: int) -> list[int]:
    """Items still waiting for processing (their task was lost or failed transiently)."""
    pending = InboundItem.objects.filter(
        status=InboundStatus.RECEIVED, received_at__lt=received_before
    )
    return list(pending.order_by("id").values_list("id", flat=True)[:limit])


@dataclass(frozen=True)
class LedgerBalance:
    """One inbox's ledger: ``received`` always equals the sum of the other three."""

    inbox: str
    received: int
    processed: int
    quarantined: int
    pending: int


def ledger_balances() -> list[LedgerBalance]:
    """Per inbox, what arrived and where it stands, counted in one query."""
    rows = (
        Inbox.objects.order_by("name")
        .annotate(
            received=Count("items"),
            processed=Count("items", filter=Q(items__status=InboundStatus.PROCESSED)),
            quarantined=Count("items", filter=Q(items__status=InboundStatus.QUARANTINED)),
            pending=Count("items", filter=Q(items__status=InboundStatus.RECEIVED)),
        )
        .values_list("name", "received", "processed", "quarantined", "pending")
    )
    return [LedgerBalance(*row) for row in rows]


def quarantined_items(inbox: Inbox | None = None) -> QuerySet[InboundItem]:
    items = InboundItem.objects.filter(status=InboundStatus.QUARANTINED).defer("raw")
    return items.filter(inbox=inbox) if inbox is not None else items


def inbound_item(item_id: int) -> InboundItem | None:
    return InboundItem.objects.select_related("inbox__team").filter(pk=item_id).first()


def waiting_items(
    item_ids: Collection[int], *, inbox_ids: Collection[int], recorded_since: datetime.datetime
) -> list[InboundItem]:
    """Of ``item_ids``, those still waiting, with the items of ``inbox_ids`` recorded before
    them since ``recorded_since`` that wait too; in the order they were recorded."""
    if not item_ids:
        return []
    earlier = Q(inbox_id__in=inbox_ids, pk__lt=max(item_ids), received_at__gte=recorded_since)
    items = InboundItem.objects.select_related("inbox__team").filter(
        Q(pk__in=item_ids) | earlier, status=InboundStatus.RECEIVED
    )
    return list(items.order_by("id"))


def inbound_items(item_ids: Collection[int]) -> list[InboundItem]:
    """These items in the order they were recorded; those gone are left out."""
    items = InboundItem.objects.select_related("inbox__team").filter(pk__in=item_ids)
    return list(items.order_by("id"))


def visible_inboxes(user: Agent) -> QuerySet[Inbox]:
    """Admins and supervisors see every inbox; an agent sees their teams' inboxes and those
    without a team (the same rule as for tickets)."""
    if user.sees_all_tickets:
        return inboxes()
    return inboxes().filter(Q(team__in=user.teams.values("id")) | Q(team__isnull=True))


def access_inbox(user: Agent, inbox_id: int) -> Inbox:
    try:
        return visible_inboxes(user).get(pk=inbox_id)
    except Inbox.DoesNotExist as error:
        raise NotFound(f"Inbox {inbox_id} not found") from error


def list_inbound_items(
    user: Agent,
    *,
    status: str | None,
    inbox_id: int | None,
    before_id: int | None,
    limit: int,
) -> list[InboundItem]:
    """A page of ledger items of the inboxes ``user`` sees, newest first (raw bytes left out)."""
    items = InboundItem.objects.filter(inbox__in=visible_inboxes(user)).defer("raw")
    if status:
        items = items.filter(status=status)
    if inbox_id:
        items = items.filter(inbox_id=inbox_id)
    if before_id:
        items = items.filter(id__lt=before_id)
    return list(items.select_related("inbox", "message").order_by("-id")[:limit])


def access_inbound_item(user: Agent, item_id: int) -> InboundItem:
    try:
        return InboundItem.objects.select_related("inbox", "message").get(
            pk=item_id, inbox__in=visible_inboxes(user)
        )
    except InboundItem.DoesNotExist as error:
        raise NotFound(f"Inbound item {item_id} not found") from error


def inbox_of_ticket(ticket: Ticket) -> Inbox | None:
    """The inbox the ticket's first e-mail came in through (its replies go out from there)."""
    item = (
        InboundItem.objects.filter(message__ticket=ticket)
        .select_related("inbox")
        .order_by("id")
        .only("inbox")
        .first()
    )
    return item.inbox if item is not None else None


def email_account_of(inbox: Inbox) -> EmailAccount | None:
    return EmailAccount.objects.filter(inbox=inbox).first()


def email_accounts_of(inbox_ids: Collection[int]) -> dict[int, EmailAccount]:
    """The mailbox settings of these inboxes, by inbox id (inboxes without any left out)."""
    return {
        account.inbox_id: account for account in EmailAccount.objects.filter(inbox_id__in=inbox_ids)
    }


def delivery_to_send(delivery_id: int) -> Delivery | None:
    return (
        Delivery.objects.select_related(
            "inbox", "message__ticket__requester", "message__author_agent"
        )
        .filter(pk=delivery_id)
        .first()
    )


def due_delivery_ids(*, now: datetime.datetime, limit: int) -> list[int]:
    """Queued deliveries whose next attempt is due (their task was lost or they wait to retry)."""
    due = Delivery.objects.filter(status=DeliveryStatus.QUEUED).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    return list(due.order_by("id").values_list("id", flat=True)[:limit])


@dataclass(frozen=True)
class ChannelDetail:
    """How a message travelled: its delivery (outgoing) and its ledger item (incoming)."""

    delivery: Delivery | None
    inbound_item_id: int | None


def channel_details(message_ids: Sequence[int]) -> dict[int, ChannelDetail]:
    """Per message id, its newest delivery and its ledger item, in two queries."""
    deliveries: dict[int, Delivery] = {}
    for delivery in Delivery.objects.filter(message_id__in=message_ids).order_by("id"):
        deliveries[delivery.message_id] = delivery
    items = dict(
        InboundItem.objects.filter(message_id__in=message_ids).values_list("message_id", "id")
    )
    return {
        message_id: ChannelDetail(deliveries.get(message_id), items.get(message_id))
        for message_id in message_ids
        if message_id in deliveries or message_id in items
    }


def email_inbox_for(address: str) -> Inbox | None:
    """The active e-mail inbox with this address (the recipient of a delivered message)."""
    return (
        inboxes()
        .filter(kind=InboxKind.EMAIL, is_active=True, address=address.strip().lower())
        .first()
    )


def fetching_accounts() -> QuerySet[EmailAccount]:
    """E-mail accounts of active inboxes that fetch over IMAP."""
    return EmailAccount.objects.filter(inbox__is_active=True).exclude(imap_host="")


# What an IMAP connection depends on: a watcher reconnects when one of these changes.
_CONNECTION_FIELDS = (
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_username",
    "imap_password",
    "imap_oauth_token",
    "imap_folder",
)


def imap_connection_fingerprints() -> dict[int, str]:
    """For each account ``fetching_accounts`` lists, a digest of its connection settings
    (a digest, so a long-running watcher holds no passwords)."""
    rows = fetching_accounts().values_list("id", *_CONNECTION_FIELDS)
    return {row[0]: hashlib.sha256(repr(row[1:]).encode()).hexdigest() for row in rows}


def email_account(account_id: int) -> EmailAccount | None:
    return EmailAccount.objects.select_related("inbox__team").filter(pk=account_id).first()


def inbox_id_of_ticket(ticket_id: int) -> int | None:
    """The inbox the ticket's first inbound item came through, if it came through one."""
    return (
        InboundItem.objects.filter(message__ticket_id=ticket_id)
        .order_by("id")
        .values_list("inbox_id", flat=True)
        .first()
    )
