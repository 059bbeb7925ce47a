"""Writes for the web chat: widgets, conversations, visitors' messages and both sides' read state,
and the agent's accept, transfer and end.

A visitor's message goes the way of every inbound contact: written to the ledger first (its
client message id is the source id, so a resend after a lost acknowledgement finds the first
copy), then processed at once by the one pipeline, and only then acknowledged to the browser.
"""

import contextlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from okienko.accounts.models import Agent, Team
from okienko.core.errors import Conflict, DomainError, InvalidInput
from okienko.core.events import publish_on_commit
from okienko.customers.actions import (
    IdentityInput,
    do_add_identity,
    do_get_or_create_customer_by_identity,
)
from okienko.customers.choices import IdentityKind
from okienko.customers.models import Customer
from okienko.customers.normalize import normalize_address
from okienko.customers.selectors import customer_with_identity
from okienko.inboxes.actions import (
    RawInbound,
    do_create_inbox,
    do_process_inbound,
    do_record_inbound,
)
from okienko.inboxes.chat.adapter import VisitorMessage, encode, source_id, visitor_address
from okienko.inboxes.chat.selectors import is_pending, ledger_item, token_hash
from okienko.inboxes.choices import InboundStatus, InboxKind
from okienko.inboxes.models import ChatConversation, ChatWidget
from okienko.portal import throttle
from okienko.tickets.actions import (
    do_add_note,
    do_add_system_reply,
    do_assign,
    do_change_status,
    do_change_team,
)
from okienko.tickets.choices import Status
from okienko.tickets.models import Message, Ticket

MAX_CLIENT_ID_LENGTH = 64
MINUTE = 60
HOUR = 3600
MAX_NAME_LENGTH = 200
CHAT_RULE = "chat"


class TooManyMessages(DomainError):
    """A visitor or a client address sent more than the widget's limits allow."""

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
        by_visitor = throttle.hit(
            "chat-visitor",
            str(conversation_id),
            limit=settings.CHAT_MESSAGES_PER_VISITOR,
            window_seconds=MINUTE,
        )
        by_client = throttle.hit(
            "chat-ip", client_ip, limit=settings.CHAT_MESSAGES_PER_IP, window_seconds=MINUTE
        )
        allowed = by_visitor and by_client
    if not allowed:
        raise TooManyMessages("Too many messages; wait a minute and try again")


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
    *, conversation: ChatConversation, details: VisitorDetails
) -> ChatConversation:
    """Keep what the visitor told about themself; the consent answer is recorded with its
    wording and time, a withdrawal too. Once the conversation has a ticket, the agents get a
    note of it and the customer an e-mail identity (when nobody else has that address)."""
    details = _clean_details(details)
    now = timezone.now()
    changes: dict[str, object] = {"name": details.name or conversation.name}
    if details.email:
        changes["email"] = details.email
    if details.continues_by_email:
        changes["continues_by_email"] = True
    if details.marketing_consent != conversation.marketing_consent or (
        details.marketing_consent and not conversation.consent_at
    ):
        changes.update(
            marketing_consent=details.marketing_consent,
            consent_text=details.consent_text if details.marketing_consent else "",
            consent_at=now,
        )
    for field, value in changes.items():
        setattr(conversation, field, value)
    conversation.save(update_fields=list(changes))
    if conversation.customer_id is not None and details.email:
        _add_email(conversation.customer, details.email)
    if conversation.ticket is not None and details.continues_by_email:
        do_add_note(
            ticket=conversation.ticket,
            text=_("The visitor left the address %(email)s: replies go out by e-mail too.")
            % {"email": details.email},
            acting_user=None,
            rule=CHAT_RULE,
        )
    publish_on_commit("chat.details_changed", conversation_id=conversation.pk)
    return conversation


def _add_email(customer: Customer | None, email: str) -> None:
    """Give the chat's customer the address, unless another customer has it already (then an
    agent decides whether they are one person)."""
    if customer is None or customer_with_identity(IdentityKind.EMAIL, email) is not None:
        return
    try:
        do_add_identity(
            customer=customer,
            identity=IdentityInput(IdentityKind.EMAIL, email),
            acting_user=None,
        )
    except Conflict:
        return


def _visitor_customer(conversation: ChatConversation) -> None:
    """Give the visitor a customer once, before their first message, known by the conversation.

    The e-mail typed into the chat is not verified: it never joins the visitor to the customer
    who has that address (anyone could type anyone's), where an agent would then read that
    customer's history as the visitor's; an agent merges the two after checking. An address no
    customer has yet becomes the visitor's, so their later e-mails join this timeline."""
    if conversation.customer_id is not None:
        return
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
        if conversation.email:
            _add_email(customer, conversation.email)
    ChatConversation.objects.filter(pk=conversation.pk, customer__isnull=True).update(
        customer=customer
    )
    conversation.customer = customer


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
    (a new one for the first message, a follow-up after a closed one).

    Idempotent on the client's message id: a resend returns the message the first copy became.
    Not atomic on purpose: the ledger row commits before processing, so a crash in between
    leaves it for the sweep rather than losing it.
    """
    _check_message(message)
    external_id = source_id(conversation.pk, message.client_id)
    item = ledger_item(conversation.inbox_id, external_id)
    if item is None:
        _visitor_customer(conversation)
        raw = encode(message, visitor_name=conversation.name, ticket_id=conversation.ticket_id)
        [(item, _created)] = do_record_inbound(
            inbox=conversation.inbox, entries=[RawInbound(raw, external_id)], notify=False
        )
    if is_pending(item):
        [item] = do_process_inbound(items=[item])
    if item.status != InboundStatus.PROCESSED or item.message is None:
        raise InvalidInput(item.error or "The message could not be processed")
    received = item.message
    _follow_ticket(conversation, received.ticket, resumed=True)
    return received


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
