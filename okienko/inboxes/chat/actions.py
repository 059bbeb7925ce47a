"""Writes for the web chat: widgets, conversations, visitors' messages and both sides' read state,
and the agent's accept, transfer and end.

A visitor's message goes the way of every inbound contact: written to the ledger first (its
client message id is the source id, so a resend after a lost acknowledgement finds the first
copy), then processed by the one pipeline. The consumer acknowledges a message on a chat that
has its ticket once it is in the ledger and has the pipeline process it afterwards; the first
message (which makes the ticket) is acknowledged after processing.
"""

import contextlib
import datetime
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from okienko.accounts.models import Agent, Team
from okienko.core.errors import Conflict, DomainError, InvalidInput, NotFound
from okienko.core.events import publish_on_commit
from okienko.core.tokens import send_link_email, token_digest
from okienko.customers.actions import (
    IdentityInput,
    do_add_identity,
    do_get_or_create_customer_by_identity,
    do_merge_customers,
    do_record_consent,
    do_verify_identity,
)
from okienko.customers.choices import ConsentPurpose, IdentityKind
from okienko.customers.models import Customer, Identity
from okienko.customers.normalize import normalize_address
from okienko.customers.selectors import customer_with_identity
from okienko.inboxes.actions import (
    RawInbound,
    do_create_inbox,
    do_process_inbound,
    do_quarantine_inbound,
    do_queue_email_delivery,
    do_record_inbound,
)
from okienko.inboxes.chat.adapter import VisitorMessage, encode, source_id, visitor_address
from okienko.inboxes.chat.selectors import (
    conversations_by_ids,
    is_pending,
    ledger_items,
    needs_email_link,
    replies_awaiting_email,
    token_hash,
)
from okienko.inboxes.choices import InboundStatus, InboxKind
from okienko.inboxes.models import (
    ChatConversation,
    ChatEmailVerification,
    ChatWidget,
    InboundItem,
)
from okienko.portal import throttle
from okienko.tickets.actions import (
    do_add_note,
    do_add_system_reply,
    do_assign,
    do_change_status,
    do_change_team,
)
from okienko.tickets.choices import Channel, Status
from okienko.tickets.models import Message, Ticket

MAX_CLIENT_ID_LENGTH = 64
MINUTE = 60
HOUR = 3600
MAX_NAME_LENGTH = 200
CHAT_RULE = "chat"


class TooManyMessages(DomainError):
    """A visitor or a client address sent (or opened) more than the chat's limits allow."""

    status_code = 429
    title = "Too many requests"


def check_visitor_allowance(*, conversation_id: int | None, client_ip: str) -> None:
    """Count one new conversation (``conversation_id`` None) or one message against the limits
    per client IP and per visitor; ``TooManyMessages`` once one is exceeded."""
    if conversation_id is None:
        allowed = throttle.hit(
            "chat-start-ip",
            client_ip,
            limit=settings.CHAT_CONVERSATIONS_PER_IP,
            window_seconds=HOUR,
        )
    else:
        [allowed] = allowed_visitor_messages([(conversation_id, client_ip)])
    if not allowed:
        raise TooManyMessages("Too many messages; wait a minute and try again")


def allowed_visitor_messages(senders: Sequence[tuple[int, str]]) -> list[bool]:
    """Count messages, each by its conversation's id and client IP, against the limits per
    visitor and per IP, in order; whether each is within both. One count for them all."""
    visitors = [("chat-visitor", str(conversation_id)) for conversation_id, _ip in senders]
    clients = [("chat-ip", ip) for _id, ip in senders]
    totals = throttle.count_attempts(Counter(visitors + clients), window_seconds=MINUTE)
    by_visitor = _within(visitors, totals, limit=settings.CHAT_MESSAGES_PER_VISITOR)
    by_client = _within(clients, totals, limit=settings.CHAT_MESSAGES_PER_IP)
    return [visitor and client for visitor, client in zip(by_visitor, by_client, strict=True)]


def _within(
    attempts: list[tuple[str, str]], totals: dict[tuple[str, str], int], *, limit: int
) -> list[bool]:
    """Whether each attempt, in order, is within ``limit``: a key's attempts here are the last
    ones of its count."""
    counted = Counter(attempts)
    seen: Counter[tuple[str, str]] = Counter()
    within = []
    for attempt in attempts:
        seen[attempt] += 1
        within.append(totals[attempt] - counted[attempt] + seen[attempt] <= limit)
    return within


@transaction.atomic
def do_create_chat_inbox(
    *,
    name: str,
    team: Team | None = None,
    brand_colour: str = "#0b6e4f",
    greeting_pl: str = "",
    greeting_en: str = "",
    public_key: str = "",
    acting_user: Agent | None,
) -> ChatWidget:
    """Create a web chat inbox with its widget: a fresh public key for the embed script unless
    one is given (the demo's is fixed)."""
    inbox = do_create_inbox(name=name, kind=InboxKind.CHAT, team=team, acting_user=acting_user)
    widget = inbox.chat_widget
    widget.brand_colour = brand_colour
    widget.greeting_pl = greeting_pl
    widget.greeting_en = greeting_en
    widget.public_key = public_key or widget.public_key
    widget.save(update_fields=["brand_colour", "greeting_pl", "greeting_en", "public_key"])
    return widget


@dataclass(frozen=True)
class VisitorDetails:
    """What a visitor may tell about themself before or during a chat; all optional."""

    name: str = ""
    email: str = ""
    marketing_consent: bool = False
    # The consent wording as the widget showed it, kept with the answer.
    consent_text: str = ""
    # Out of hours: answer by e-mail too, in the same conversation.
    continues_by_email: bool = False


def do_start_conversation(*, widget: ChatWidget, language: str) -> tuple[ChatConversation, str]:
    """Open a conversation for a new visitor; returns it and the secret token their browser
    keeps to come back to it (only its hash is stored)."""
    token = secrets.token_urlsafe(24)
    conversation = ChatConversation.objects.create(
        inbox=widget.inbox,
        visitor_token_hash=token_hash(token),
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        started_at=timezone.now(),
    )
    publish_on_commit("chat.started", conversation_id=conversation.pk)
    return conversation, token


def _clean_details(details: VisitorDetails) -> VisitorDetails:
    name = " ".join(details.name.split())[:MAX_NAME_LENGTH]
    email = details.email.strip()
    if email:
        try:
            email = normalize_address(IdentityKind.EMAIL, email)
        except ValueError as error:
            raise InvalidInput(
                "That is not an e-mail address", errors={"email": ["invalid"]}
            ) from error
    if details.continues_by_email and not email:
        raise InvalidInput("An answer by e-mail needs an address", errors={"email": ["empty"]})
    return VisitorDetails(
        name=name,
        email=email,
        marketing_consent=details.marketing_consent,
        consent_text=details.consent_text.strip()[:2000],
        continues_by_email=details.continues_by_email,
    )


@transaction.atomic
def do_set_visitor_details(
    *, conversation: ChatConversation, details: VisitorDetails, client_ip: str
) -> ChatConversation:
    """Keep what the visitor told about themself. A consent answer (given, with its wording,
    or withdrawn) is recorded on the visitor's customer, where every consent lives, naming this
    conversation as where it was given. An address they give is sent a link that proves it is
    theirs (below; ``client_ip`` is the visitor's, counted against the limit of links); once
    the conversation has a ticket, the agents get a note when the visitor asks to be answered
    by e-mail."""
    details = _clean_details(details)
    now = timezone.now()
    changes: dict[str, object] = {"name": details.name or conversation.name}
    if details.email and details.email != conversation.email:
        changes.update(email=details.email, email_link_requested_at=None, email_verified_at=None)
    if details.email and conversation.email_proof_withdrawn_at is not None:
        # Saving the address again answers the withdrawal: from now on the state is that of
        # the link this asks for (sent, or not over a limit).
        changes["email_proof_withdrawn_at"] = None
    if details.continues_by_email:
        changes["continues_by_email"] = True
    consent_changed = details.marketing_consent != conversation.marketing_consent
    if consent_changed:
        changes["marketing_consent"] = details.marketing_consent
    for field, value in changes.items():
        setattr(conversation, field, value)
    conversation.save(update_fields=list(changes))
    if consent_changed:
        do_record_consent(
            customer=do_give_visitor_a_customer(conversation=conversation),
            purpose=ConsentPurpose.MARKETING,
            is_given=details.marketing_consent,
            text=details.consent_text,
            source=Channel.CHAT,
            source_reference=visitor_address(conversation.pk),
            at=now,
            acting_user=None,
        )
    if details.email and needs_email_link(conversation, now=now):
        do_request_email_link(conversation=conversation, client_ip=client_ip)
    if conversation.ticket is not None and details.continues_by_email:
        if conversation.email_verified_at is not None:
            text = _("The visitor left the address %(email)s: replies go out by e-mail too.")
        else:
            text = _(
                "The visitor left the address %(email)s: once they confirm it with the link "
                "e-mailed to it, replies go out by e-mail too (those they have not read yet "
                "as well)."
            )
        do_add_note(
            ticket=conversation.ticket,
            text=text % {"email": details.email},
            acting_user=None,
            rule=CHAT_RULE,
        )
    publish_on_commit("chat.details_changed", conversation_id=conversation.pk)
    return conversation


def do_request_email_link(*, conversation: ChatConversation, client_ip: str) -> bool:
    """Queue an e-mail to the address the visitor gave with a link that proves it is theirs
    (sent by ``do_send_email_link``). Counted per conversation, per address and per client IP
    (one client opening conversation after conversation), so the widget cannot be used to
    flood mailboxes: over a limit nothing is sent (False) and the visitor may ask again later
    by saving the address again."""
    by_conversation = throttle.hit(
        "chat-email-link",
        str(conversation.pk),
        limit=settings.CHAT_EMAIL_LINKS_PER_CONVERSATION,
        window_seconds=HOUR,
    )
    by_address = throttle.hit(
        "chat-email-link-address",
        conversation.email,
        limit=settings.CHAT_EMAIL_LINKS_PER_ADDRESS,
        window_seconds=HOUR,
    )
    by_client = throttle.hit(
        "chat-email-link-ip",
        client_ip,
        limit=settings.CHAT_EMAIL_LINKS_PER_IP,
        window_seconds=HOUR,
    )
    if not (by_conversation and by_address and by_client):
        return False
    now = timezone.now()
    link = ChatEmailVerification.objects.create(
        conversation=conversation,
        email=conversation.email,
        created_at=now,
        expires_at=now + datetime.timedelta(hours=settings.CHAT_EMAIL_LINK_HOURS),
    )
    ChatConversation.objects.filter(pk=conversation.pk).update(email_link_requested_at=now)
    conversation.email_link_requested_at = now
    publish_on_commit("chat.email_link_requested", link_id=link.pk)
    return True


def do_give_visitor_a_customer(*, conversation: ChatConversation) -> Customer:
    """Give the visitor a customer once, before their first message, known by the conversation
    (a chat identity). Returns the customer.

    The e-mail typed into the chat is no identity of theirs: it joins them to nobody until
    they open the link e-mailed to it (see ``do_verify_visitor_email``)."""
    if conversation.customer is not None:
        return conversation.customer
    address = visitor_address(conversation.pk)
    customer = customer_with_identity(IdentityKind.CHAT, address)
    if customer is None:
        with translation.override(conversation.language):
            name = conversation.name or _("Chat visitor %(number)s") % {"number": conversation.pk}
        customer, _created = do_get_or_create_customer_by_identity(
            kind=IdentityKind.CHAT,
            address=address,
            name=name,
            language=conversation.language,
            acting_user=None,
        )
    ChatConversation.objects.filter(pk=conversation.pk, customer__isnull=True).update(
        customer=customer
    )
    conversation.customer = customer
    return customer


def do_move_chats_to_customer(
    *, source: Customer, target: Customer, acting_user: Agent | None
) -> list[int]:
    """Part of a customer merge: ``source``'s chat conversations are ``target``'s now (their
    later messages follow). Returns the ids moved, kept on the merge record."""
    conversation_ids = list(
        ChatConversation.objects.filter(customer=source).values_list("id", flat=True)
    )
    ChatConversation.objects.filter(pk__in=conversation_ids).update(customer=target)
    return conversation_ids


def do_return_chats_to_customer(
    *, source: Customer, target: Customer, moved_ids: Sequence[int], acting_user: Agent | None
) -> None:
    """Part of undoing a customer merge: the conversations it moved are ``source``'s again
    (those still ``target``'s).

    A conversation's confirmed address is a proof about that address: once the address is not
    ``source``'s (the merge that joined them is undone and the identity went back to its owner),
    the conversation no longer counts it as confirmed, so nothing treats the visitor as its
    owner (answers by e-mail wait for a proof again). Its state is "withdrawn" until the
    visitor saves the address again: the link that proved it is used and none is out, so saving
    it sends a new one. Its ticket gets a note saying so, and its open widgets are told at once
    (``chat.email_proof_withdrawn``)."""
    now = timezone.now()
    returned = ChatConversation.objects.filter(pk__in=moved_ids, customer=target)
    own_addresses = Identity.objects.filter(customer=source, kind=IdentityKind.EMAIL).values(
        "address"
    )
    unproved = list(
        returned.filter(email_verified_at__isnull=False)
        .exclude(email__in=own_addresses)
        .select_related("ticket")
    )
    returned.update(customer=source)
    ChatConversation.objects.filter(pk__in=[c.pk for c in unproved]).update(
        email_verified_at=None, email_link_requested_at=None, email_proof_withdrawn_at=now
    )
    for conversation in unproved:
        publish_on_commit("chat.email_proof_withdrawn", conversation_id=conversation.pk)
        if conversation.ticket is None:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            text = _(
                "The merge with the customer who has the address %(email)s was undone: this "
                "chat no longer counts that address as the visitor's."
            ) % {"email": conversation.email}
        do_add_note(ticket=conversation.ticket, text=text, acting_user=None, rule=CHAT_RULE)


def _check_message(message: VisitorMessage) -> None:
    if not message.client_id or len(message.client_id) > MAX_CLIENT_ID_LENGTH:
        raise InvalidInput("A message needs its client id", errors={"cid": ["invalid"]})
    if len(message.text) > settings.CHAT_MAX_MESSAGE_CHARS:
        raise InvalidInput(
            f"A message may have at most {settings.CHAT_MAX_MESSAGE_CHARS} characters",
            errors={"text": ["too long"]},
        )
    if len(message.attachments) > settings.CHAT_MAX_FILES:
        raise InvalidInput(
            f"At most {settings.CHAT_MAX_FILES} files a message", errors={"files": ["too many"]}
        )
    if sum(len(file.content) for file in message.attachments) > settings.CHAT_MAX_UPLOAD_BYTES:
        raise InvalidInput("The files are too large", errors={"files": ["too large"]})
    if not message.text.strip() and not message.attachments:
        raise InvalidInput("An empty message", errors={"text": ["empty"]})


def do_receive_visitor_message(
    *, conversation: ChatConversation, message: VisitorMessage
) -> Message:
    """Record a visitor's message in the ledger and process it into the conversation's ticket
    at once (a new one for the first message, a follow-up after a closed one).

    Idempotent on the client's message id: a resend returns the message the first copy became.
    """
    item = do_record_visitor_message(conversation=conversation, message=message)
    return do_process_visitor_message(conversation=conversation, item=item)


@dataclass(frozen=True)
class VisitorWrite:
    """A visitor's message on its way to the ledger, with the client address it came from."""

    conversation: ChatConversation
    message: VisitorMessage
    client_ip: str


def do_record_visitor_message(
    *, conversation: ChatConversation, message: VisitorMessage
) -> InboundItem:
    """Write a visitor's message to the ledger: once it returns, the message is durable and may
    be acknowledged. The agents on the conversation's ticket hear of a new one at once
    (``chat.message_received``), before the pipeline makes it a ticket message.

    Idempotent on the client's message id: a resend returns the first copy's item.
    """
    [item] = _record_visitor_messages([(conversation, message)])
    if isinstance(item, DomainError):
        raise item
    return item


def do_record_visitor_messages(writes: Sequence[VisitorWrite]) -> list[InboundItem | DomainError]:
    """``do_record_visitor_message`` for the messages of several visitors at once (those that
    came while the last ones were written), each counted against the limits first: the allowed
    ones go to the ledger in one transaction. Each message's item, or why it was refused
    (``TooManyMessages``, ``InvalidInput``)."""
    allowed = allowed_visitor_messages(
        [(write.conversation.pk, write.client_ip) for write in writes]
    )
    recorded = iter(
        _record_visitor_messages(
            [
                (write.conversation, write.message)
                for write, ok in zip(writes, allowed, strict=True)
                if ok
            ]
        )
    )
    return [
        next(recorded) if ok else TooManyMessages("Too many messages; wait a minute and try again")
        for ok in allowed
    ]


def _record_visitor_messages(
    messages: Sequence[tuple[ChatConversation, VisitorMessage]],
) -> list[InboundItem | DomainError]:
    refused: dict[int, DomainError] = {}
    keys: dict[int, tuple[int, str]] = {}  # index of a valid message -> its ledger key
    for index, (conversation, message) in enumerate(messages):
        try:
            _check_message(message)
        except InvalidInput as error:
            refused[index] = error
        else:
            keys[index] = (conversation.inbox_id, source_id(conversation.pk, message.client_id))
    items = ledger_items(list(keys.values()))
    new: dict[tuple[int, str], int] = {}  # the first of the batch's messages under a new key
    for index, key in keys.items():
        if key not in items:
            new.setdefault(key, index)
    for index in new.values():
        do_give_visitor_a_customer(conversation=messages[index][0])
    by_inbox: dict[int, list[int]] = {}
    for (inbox_id, _external_id), index in new.items():
        by_inbox.setdefault(inbox_id, []).append(index)
    # Each inbox's messages in one transaction (do_record_inbound's own).
    for indexes in by_inbox.values():
        entries = []
        for index in indexes:
            conversation, message = messages[index]
            raw = encode(message, visitor_name=conversation.name, ticket_id=conversation.ticket_id)
            entries.append(RawInbound(raw, keys[index][1]))
        recorded = do_record_inbound(
            inbox=messages[indexes[0]][0].inbox, entries=entries, notify=False
        )
        for index, (item, created) in zip(indexes, recorded, strict=True):
            items[keys[index]] = item
            if created:
                _announce_received(*messages[index])
    return [
        refused[index] if index in refused else items[keys[index]] for index in range(len(messages))
    ]


def _announce_received(conversation: ChatConversation, message: VisitorMessage) -> None:
    if conversation.ticket_id is not None:
        publish_on_commit(
            "chat.message_received",
            conversation_id=conversation.pk,
            ticket_id=conversation.ticket_id,
            client_id=message.client_id,
            text=message.text,
            files=[attachment.filename for attachment in message.attachments],
        )


def do_process_visitor_message(*, conversation: ChatConversation, item: InboundItem) -> Message:
    """Run a recorded visitor's message through the pipeline (unless done already) and return
    the ticket message it became; ``InvalidInput`` with the reason when it was quarantined.

    Not in one transaction with the recording on purpose: the ledger row commits first, so a
    crash in between leaves it for the sweep rather than losing it.
    """
    if is_pending(item):
        [item] = do_process_inbound(items=[item])
    if item.status != InboundStatus.PROCESSED or item.message is None:
        raise InvalidInput(item.error or "The message could not be processed")
    received = item.message
    _follow_ticket(conversation, received.ticket, resumed=True)
    return received


@dataclass(frozen=True)
class RecordedMessage:
    """A visitor's message in the ledger, named by its conversation and its ledger key."""

    conversation_id: int
    inbox_id: int
    external_id: str


def do_process_recorded_visitor_messages(
    messages: Sequence[RecordedMessage],
) -> list[DomainError | None]:
    """``do_process_visitor_message`` for several recorded messages, in order, with the
    conversations and items as they are now: the pipeline takes them in one batch (one
    transaction, what they look up read once). Each one's ``InvalidInput`` when it was
    quarantined, else None (also for one no longer there)."""
    conversations = conversations_by_ids([message.conversation_id for message in messages])
    items = ledger_items([(message.inbox_id, message.external_id) for message in messages])
    found = [
        (
            conversations.get(message.conversation_id),
            items.get((message.inbox_id, message.external_id)),
        )
        for message in messages
    ]
    pending = {
        item.pk: item for _conversation, item in found if item is not None and is_pending(item)
    }
    do_process_inbound(items=list(pending.values()))
    results: list[DomainError | None] = []
    for conversation, item in found:
        try:
            if conversation is not None and item is not None:
                do_process_visitor_message(conversation=conversation, item=item)
        except InvalidInput as error:
            results.append(error)
        else:
            results.append(None)
    return results


def do_hold_recorded_visitor_message(message: RecordedMessage, error: Exception) -> Exception:
    """The pipeline failed on a recorded message even alone: its ledger item is quarantined
    with the reason (staff see it and may process it again) and the ``InvalidInput`` saying so
    is returned, for the widget and the agents. A database error is returned as it is: the item
    stays received, for the sweep to try again once the database answers."""
    if isinstance(error, DatabaseError):
        return error
    reason = f"unexpected error: {type(error).__name__}: {error}"
    key = (message.inbox_id, message.external_id)
    item = ledger_items([key]).get(key)
    if item is not None and is_pending(item):
        do_quarantine_inbound(item=item, reason=reason)
    return InvalidInput(reason)


def _follow_ticket(conversation: ChatConversation, ticket: Ticket, *, resumed: bool) -> None:
    """The conversation goes on in ``ticket`` (its first, or the follow-up of a closed one);
    a visitor writing again after the chat ended resumes it."""
    changes: dict[str, object] = {}
    if conversation.ticket_id != ticket.pk:
        changes["ticket"] = ticket
    if resumed and conversation.ended_at is not None:
        changes["ended_at"] = None
    if not changes:
        return
    ChatConversation.objects.filter(pk=conversation.pk).update(**changes)
    for field, value in changes.items():
        setattr(conversation, field, value)
    if "ticket" in changes:
        publish_on_commit(
            "chat.ticket_opened", conversation_id=conversation.pk, ticket_id=ticket.pk
        )


def _mark_read(conversation: ChatConversation, *, reader: str, up_to: int) -> bool:
    """Move ``reader``'s read mark forward to ``up_to`` (never back); tell the other side."""
    field = f"{reader}_read_up_to"
    updated = ChatConversation.objects.filter(pk=conversation.pk, **{f"{field}__lt": up_to}).update(
        **{field: up_to}
    )
    if updated:
        setattr(conversation, field, up_to)
        publish_on_commit(
            "chat.read",
            conversation_id=conversation.pk,
            ticket_id=conversation.ticket_id,
            reader=reader,
            up_to=up_to,
        )
    return bool(updated)


def do_mark_read_by_visitor(*, conversation: ChatConversation, up_to: int) -> bool:
    """The visitor has seen the messages up to ``up_to``; False when they had already."""
    return _mark_read(conversation, reader="visitor", up_to=up_to)


def do_mark_read_by_agent(*, conversation: ChatConversation, acting_user: Agent) -> bool:
    """An agent has the chat open: the visitor's messages so far count as read."""
    newest = (
        Message.objects.filter(ticket__chat_conversations=conversation, is_public=True)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if newest is None:
        return False
    return _mark_read(conversation, reader="agent", up_to=newest)


def _first_name(agent: Agent) -> str:
    return agent.name.split()[0] if agent.name.split() else agent.name


@transaction.atomic
def do_accept_chat(*, conversation: ChatConversation, acting_user: Agent) -> bool:
    """The agent takes the chat: it is assigned to them (a transfer if someone else had it) and
    the visitor is told who answers. False when it was theirs already."""
    ticket = conversation.ticket
    if ticket is None:
        raise Conflict("The visitor has not written yet")
    if ticket.assignee_id == acting_user.pk:
        return False
    do_assign(ticket=ticket, assignee=acting_user, acting_user=acting_user, rule=CHAT_RULE)
    with translation.override(conversation.language):
        text = _("%(name)s from our team is now with you in the chat.") % {
            "name": _first_name(acting_user)
        }
    do_add_system_reply(ticket=ticket, text=text, rule=CHAT_RULE)
    return True


@transaction.atomic
def do_transfer_chat(
    *,
    conversation: ChatConversation,
    agent: Agent | None = None,
    team: Team | None = None,
    acting_user: Agent,
) -> None:
    """Hand the chat to another agent, or to a team's queue (nobody in it assigned yet); the
    ticket counts the transfer and the visitor is told they are being passed on."""
    ticket = conversation.ticket
    if ticket is None:
        raise Conflict("The visitor has not written yet")
    if (agent is None) == (team is None):
        raise InvalidInput("Transfer to an agent or to a team", errors={"to": ["one of"]})
    if agent is not None:
        do_assign(ticket=ticket, assignee=agent, acting_user=acting_user, rule=CHAT_RULE)
        with translation.override(conversation.language):
            text = _("We are passing you on to %(name)s, one moment please.") % {
                "name": _first_name(agent)
            }
    else:
        changed = do_change_team(ticket=ticket, team=team, acting_user=acting_user, rule=CHAT_RULE)
        if not changed:
            raise Conflict(f"The chat is already with {team}")
        do_assign(ticket=ticket, assignee=None, acting_user=acting_user, rule=CHAT_RULE)
        with translation.override(conversation.language):
            text = _("We are passing you on to a colleague, one moment please.")
    do_add_system_reply(ticket=ticket, text=text, rule=CHAT_RULE)


@transaction.atomic
def do_end_chat(*, conversation: ChatConversation, acting_user: Agent) -> bool:
    """The agent ends the chat: the visitor is told (they may write again, into the same
    conversation) and the ticket is solved unless a field required to solve is missing."""
    ticket = conversation.ticket
    if ticket is None:
        raise Conflict("The visitor has not written yet")
    now = timezone.now()
    ended = ChatConversation.objects.filter(pk=conversation.pk, ended_at__isnull=True).update(
        ended_at=now
    )
    if not ended:
        return False
    conversation.ended_at = now
    with translation.override(conversation.language):
        text = _("The chat has ended. Thank you! Write here any time to continue.")
    do_add_system_reply(ticket=ticket, text=text, rule=CHAT_RULE)
    if ticket.status not in {Status.SOLVED, Status.CLOSED}:
        # Fields required to solve may be missing: the agent fills them and solves later.
        with contextlib.suppress(InvalidInput), transaction.atomic():
            do_change_status(
                ticket=ticket, status=Status.SOLVED, acting_user=acting_user, rule=CHAT_RULE
            )
    publish_on_commit("chat.ended", conversation_id=conversation.pk, ticket_id=ticket.pk)
    return True


# A chat visitor proves the e-mail address they gave, and their chat joins that address's customer
# timeline. What a visitor types is only a claim, kept on the conversation: it is no identity of
# theirs, so it matches nobody's later e-mails or portal requests and joins them to nobody (anyone
# could type anyone's address). The address is sent a single-use, expiring link (only its digest
# is stored, see ``core.tokens``); opening it proves the visitor reads that mailbox. Then the
# visitor's customer is merged into the customer who has the address (the merge is recorded and
# can be undone), or, when nobody has it, the address becomes the visitor's verified identity.

# Links are kept this long after they expired, then purged.
KEEP_LINKS_FOR = datetime.timedelta(days=1)


def check_email_link_opening(*, client_ip: str) -> None:
    """Count one opening of a confirmation link's page from ``client_ip``; ``TooManyMessages``
    once the client opened more than its limit in the hour, so tokens cannot be tried at speed."""
    if not throttle.hit(
        "chat-email-link-open-ip",
        client_ip,
        limit=settings.CHAT_EMAIL_LINK_OPENS_PER_IP,
        window_seconds=HOUR,
    ):
        raise TooManyMessages("Too many confirmation links were opened; try again later")


def do_send_email_link(*, link_id: int) -> bool:
    """E-mail the verification link in the visitor's language (see ``send_link_email``)."""
    return send_link_email(
        ChatEmailVerification.objects.select_related("conversation__inbox"),
        link_id,
        language=lambda link: link.conversation.language,
        email=_link_email,
    )


def _link_email(link: ChatEmailVerification, token: str) -> EmailMessage:
    url = f"{settings.PUBLIC_URL}{reverse('chat:verify_email', args=[token])}"
    body = render_to_string(
        "chat/email/verify_email.txt",
        {
            "name": link.conversation.name,
            "chat": link.conversation.inbox.name,
            "url": url,
            "by_email": link.conversation.continues_by_email,
            "hours": settings.CHAT_EMAIL_LINK_HOURS,
        },
    )
    return EmailMessage(
        subject=_("Confirm your e-mail address for our chat"),
        body=body,
        to=[link.email],
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )


@transaction.atomic
def do_verify_visitor_email(*, token: str) -> Customer:
    """Use the link whose token this is: the address it was sent to is the visitor's, proved.
    Returns the customer whose timeline the chat is now in; ``NotFound`` when the link is
    unknown, used or expired (nothing changes then). Using one link retires the
    conversation's other links."""
    now = timezone.now()
    digest = token_digest(token)
    used = ChatEmailVerification.objects.filter(
        token_digest=digest, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if used != 1:
        raise NotFound("This link is unknown, used or expired")
    link = ChatEmailVerification.objects.select_related("conversation__ticket").get(
        token_digest=digest
    )
    conversation = link.conversation
    ChatEmailVerification.objects.filter(conversation=conversation, used_at__isnull=True).update(
        used_at=now
    )
    visitor = customer_with_identity(
        IdentityKind.CHAT, visitor_address(conversation.pk)
    ) or do_give_visitor_a_customer(conversation=conversation)
    # A merge moves the conversation to the address's customer (see do_move_chats_to_customer).
    customer = _join(visitor, link.email)
    if conversation.email == link.email:
        ChatConversation.objects.filter(pk=conversation.pk).update(email_verified_at=now)
        if conversation.continues_by_email:
            # Answers wait for the proof (see chat_reply_address): those the visitor missed
            # go to the address now.
            for reply in replies_awaiting_email(conversation):
                do_queue_email_delivery(message=reply)
    if conversation.ticket is not None:
        do_add_note(
            ticket=conversation.ticket,
            text=_joined_note(link.email, joined=customer.pk != visitor.pk),
            acting_user=None,
            rule=CHAT_RULE,
        )
    publish_on_commit(
        "chat.email_verified", conversation_id=conversation.pk, customer_id=customer.pk
    )
    return customer


def _join(visitor: Customer, email: str) -> Customer:
    """The visitor proved ``email``: merged into its customer, or given it as an identity."""
    owner = customer_with_identity(IdentityKind.EMAIL, email)
    if owner is None:
        try:
            do_add_identity(
                customer=visitor,
                identity=IdentityInput(IdentityKind.EMAIL, email, is_verified=True),
                acting_user=None,
            )
        except Conflict:
            # Somebody wrote from the address meanwhile: join them as below.
            owner = customer_with_identity(IdentityKind.EMAIL, email)
        else:
            return visitor
    assert owner is not None  # noqa: S101 - the address is somebody's now
    if owner.pk != visitor.pk:
        do_merge_customers(source=visitor, target=owner, acting_user=None)
    do_verify_identity(kind=IdentityKind.EMAIL, address=email, acting_user=None)
    return owner


def do_purge_email_links(*, now: datetime.datetime | None = None) -> int:
    """Forget verification links a day after they stopped working (used or expired)."""
    cutoff = (now or timezone.now()) - KEEP_LINKS_FOR
    deleted, _count = ChatEmailVerification.objects.filter(expires_at__lt=cutoff).delete()
    return deleted


def _joined_note(email: str, *, joined: bool) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        if joined:
            return _(
                "The visitor confirmed the address %(email)s with the link e-mailed to it: "
                "this chat joined the timeline of the customer with that address."
            ) % {"email": email}
        return _(
            "The visitor confirmed the address %(email)s with the link e-mailed to it: "
            "it is now their verified address."
        ) % {"email": email}
