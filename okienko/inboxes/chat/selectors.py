"""Reads for the web chat: widgets by their public key, conversations by the visitor's token,
what a visitor may see of their conversation, and what an agent sees of a chat."""

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.utils import timezone

from okienko.accounts.models import Agent
from okienko.core.errors import NotFound
from okienko.core.tokens import token_digest
from okienko.customers.choices import DEFAULT_TIER_SLUG
from okienko.customers.models import Consent
from okienko.customers.selectors import consent_in_force
from okienko.inboxes.choices import ChatEmailState, InboundStatus, InboxKind
from okienko.inboxes.models import ChatConversation, ChatEmailVerification, ChatWidget, InboundItem
from okienko.routing.selectors import anyone_online
from okienko.sla.matching import TicketFacts
from okienko.sla.selectors import ReplyPromise, reply_promise
from okienko.tickets.choices import UNSOLVED_STATUSES, AuthorKind, Priority
from okienko.tickets.models import Attachment, Message, Ticket
from okienko.tickets.selectors import access_ticket, visible_tickets

# How many earlier messages a returning visitor gets back at once.
HISTORY_LIMIT = 200
FILE_LINK_SALT = "okienko.chat.file"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def widget_by_key(public_key: str) -> ChatWidget:
    """The active chat widget with this public key."""
    widget = (
        ChatWidget.objects.select_related("inbox__team")
        .filter(public_key=public_key, inbox__is_active=True, inbox__kind=InboxKind.CHAT)
        .first()
    )
    if widget is None:
        raise NotFound("No chat widget with this key")
    return widget


def origin_allowed(widget: ChatWidget, origin: str) -> bool:
    """Whether a page at ``origin`` may open the widget (any, unless the admin listed sites)."""
    allowed = {line.strip().rstrip("/") for line in widget.allowed_origins.splitlines()}
    allowed.discard("")
    return not allowed or origin.rstrip("/") in allowed


def visitor_conversation(widget: ChatWidget, token: str) -> ChatConversation | None:
    """The conversation whose visitor holds ``token``, in this widget's inbox."""
    if not token:
        return None
    return (
        ChatConversation.objects.select_related("ticket")
        .filter(inbox_id=widget.inbox_id, visitor_token_hash=token_hash(token))
        .first()
    )


def conversation_by_id(conversation_id: int) -> ChatConversation | None:
    return conversations_by_ids([conversation_id]).get(conversation_id)


def conversations_by_ids(conversation_ids: Sequence[int]) -> dict[int, ChatConversation]:
    """The conversations still there of these ids, by id."""
    return ChatConversation.objects.select_related("ticket").in_bulk(set(conversation_ids))


def needs_email_link(conversation: ChatConversation, *, now: datetime.datetime) -> bool:
    """Whether the visitor's address is still to be proved and no link sent to it still works
    (a visitor back after the link expired gets a new one)."""
    if not conversation.email or conversation.email_verified_at is not None:
        return False
    requested = conversation.email_link_requested_at
    return (
        requested is None
        or requested + datetime.timedelta(hours=settings.CHAT_EMAIL_LINK_HOURS) <= now
    )


def email_state(conversation: ChatConversation) -> ChatEmailState | None:
    """Where the proof of the visitor's address stands; None without an address."""
    if not conversation.email:
        return None
    if conversation.email_verified_at is not None:
        return ChatEmailState.VERIFIED
    if conversation.email_link_requested_at is not None:
        return ChatEmailState.LINK_SENT
    if conversation.email_proof_withdrawn_at is not None:
        return ChatEmailState.WITHDRAWN
    return ChatEmailState.UNVERIFIED


def usable_email_link(token: str) -> ChatEmailVerification | None:
    """The sent, unused, unexpired e-mail verification link whose token this is."""
    return (
        ChatEmailVerification.objects.select_related("conversation")
        .filter(
            token_digest=token_digest(token), used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .first()
    )


def ledger_items(keys: Sequence[tuple[int, str]]) -> dict[tuple[int, str], InboundItem]:
    """The ledger items visitors' messages were first recorded as (a resend finds its first
    copy here), by inbox id and external id; those not in the ledger are missing."""
    wanted = set(keys)
    if not wanted:
        return {}
    items = (
        InboundItem.objects.select_related("inbox__team", "message__ticket")
        .filter(
            inbox_id__in={inbox_id for inbox_id, _id in wanted},
            external_id__in={external_id for _inbox, external_id in wanted},
        )
        .order_by("-id")
    )
    # Newest first, so that the first copy of each is the one kept.
    found = {(item.inbox_id, item.external_id): item for item in items}
    return {key: item for key, item in found.items() if key in wanted}


def is_pending(item: InboundItem) -> bool:
    return item.status == InboundStatus.RECEIVED


def visitor_messages(
    conversation: ChatConversation, *, after_id: int = 0, message_ids: Sequence[int] = ()
) -> list[Message]:
    """The public messages of the conversation's tickets the visitor may see, oldest first:
    those after ``after_id`` (the latest ``HISTORY_LIMIT``), or exactly ``message_ids``."""
    messages = Message.objects.filter(
        ticket__chat_conversations=conversation, is_public=True
    ).select_related("author_agent")
    if message_ids:
        messages = messages.filter(pk__in=message_ids)
    else:
        messages = messages.filter(pk__gt=after_id)
    newest = messages.prefetch_related("attachments").order_by("-id")[:HISTORY_LIMIT]
    return sorted(newest, key=lambda message: message.pk)


def conversations_of_tickets(ticket_ids: Sequence[int]) -> dict[int, list[ChatConversation]]:
    """The chat conversations on each of these tickets (tickets without any are left out)."""
    conversations: dict[int, list[ChatConversation]] = {}
    for conversation in ChatConversation.objects.filter(ticket_id__in=ticket_ids):
        assert conversation.ticket_id is not None  # noqa: S101  (filtered on it)
        conversations.setdefault(conversation.ticket_id, []).append(conversation)
    return conversations


def conversation_of_ticket(ticket_id: int) -> ChatConversation | None:
    return ChatConversation.objects.filter(ticket_id=ticket_id).order_by("-id").first()


def access_chat(user: Agent, ticket_id: int) -> ChatConversation:
    """The chat conversation of a ticket ``user`` may see."""
    ticket = access_ticket(user, ticket_id)
    conversation = conversation_of_ticket(ticket.pk)
    if conversation is None:
        raise NotFound(f"Ticket #{ticket.pk} is not a chat")
    conversation.ticket = ticket
    return conversation


def file_link_token(attachment: Attachment, conversation_id: int) -> str:
    """A signed token naming one attachment for one conversation's visitor."""
    return signing.dumps([attachment.pk, conversation_id], salt=FILE_LINK_SALT)


def visitor_attachment(token: str) -> Attachment:
    """The attachment a signed link names, if the link is genuine, fresh and still public."""
    max_age = datetime.timedelta(hours=settings.CHAT_FILE_LINK_HOURS)
    try:
        attachment_id, conversation_id = signing.loads(token, salt=FILE_LINK_SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise NotFound("No such file") from error
    attachment = (
        Attachment.objects.filter(
            pk=attachment_id,
            message__is_public=True,
            message__ticket__chat_conversations=conversation_id,
        )
        .select_related("message")
        .first()
    )
    if attachment is None:
        raise NotFound("No such file")
    return attachment


@dataclass(frozen=True)
class Availability:
    """What the widget tells a visitor before they write: whether someone answers now, and
    when a human will answer by the SLA."""

    is_staffed: bool
    promise: ReplyPromise


def availability(widget: ChatWidget, *, now: datetime.datetime | None = None) -> Availability:
    """Staffed means within business hours with an agent of the inbox's team online."""
    now = now or timezone.now()
    facts = TicketFacts(
        channel="chat",
        priority=Priority.NORMAL,
        tier=DEFAULT_TIER_SLUG,
        organisation=None,
        categories=(),
        tags=frozenset(),
        inbox=widget.inbox_id,
    )
    promise = reply_promise(facts, now=now)
    return Availability(
        is_staffed=promise.is_open and anyone_online(widget.inbox.team_id), promise=promise
    )


def live_chats(user: Agent) -> QuerySet[ChatConversation]:
    """Chats still going on the tickets ``user`` sees, waiting ones (nobody accepted) first."""
    return (
        ChatConversation.objects.filter(
            ended_at__isnull=True, ticket__in=visible_tickets(user).values("id")
        )
        .select_related("ticket__assignee")
        .order_by("ticket__assignee", "-id")
    )


def chat_waiting(ticket_id: int) -> Ticket | None:
    """The ticket, if it is a chat going on that no agent has taken yet."""
    return Ticket.objects.filter(
        pk=ticket_id,
        assignee__isnull=True,
        chat_conversations__ended_at__isnull=True,
        status__in=UNSOLVED_STATUSES,
    ).first()


@dataclass(frozen=True)
class ChatPanel:
    """What an agent sees of a live chat beside its ticket: the conversation, whether the
    visitor has read everything sent to them, where the proof of the address they gave stands
    (None: no address) and their customer's marketing consent in force (None: never answered)."""

    conversation: ChatConversation
    is_read_by_visitor: bool
    email_state: ChatEmailState | None
    consent: Consent | None


def chat_panel(ticket: Ticket) -> ChatPanel | None:
    """The chat side of a ticket, if it came in by chat (three queries)."""
    conversation = conversation_of_ticket(ticket.pk)
    if conversation is None:
        return None
    newest_to_visitor = (
        Message.objects.filter(ticket=ticket, is_public=True)
        .exclude(author_kind=AuthorKind.CUSTOMER)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return ChatPanel(
        conversation=conversation,
        is_read_by_visitor=newest_to_visitor is not None
        and conversation.visitor_read_up_to >= newest_to_visitor,
        email_state=email_state(conversation),
        consent=consent_in_force(conversation.customer_id)
        if conversation.customer_id is not None
        else None,
    )


def chat_reply_address(ticket_id: int) -> str | None:
    """Where the answers on a chat ticket also go by e-mail: the address its visitor asked to
    be answered at, once they proved it is theirs. Until then none (an address typed into the
    chat may be anybody's, and the answers would hand them the conversation)."""
    conversation = (
        ChatConversation.objects.filter(
            ticket_id=ticket_id, continues_by_email=True, email_verified_at__isnull=False
        )
        .exclude(email="")
        .order_by("-id")
        .first()
    )
    return conversation.email if conversation else None


def replies_awaiting_email(conversation: ChatConversation) -> list[Message]:
    """The agents' answers on the conversation's ticket that its visitor has not read in the
    chat and that went by e-mail to nobody: those written before the visitor proved the
    address they asked to be answered at."""
    if conversation.ticket_id is None:
        return []
    return list(
        Message.objects.filter(
            ticket_id=conversation.ticket_id,
            is_public=True,
            author_kind=AuthorKind.AGENT,
            pk__gt=conversation.visitor_read_up_to,
            deliveries__isnull=True,
        )
        .select_related("ticket")
        .order_by("id")
    )
