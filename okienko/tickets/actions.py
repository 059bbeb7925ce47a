"""Writes for tickets: the only code that changes tickets, messages and their history.

Every change is a conditional ``UPDATE ... WHERE <field> = <old value>`` (which behaves alike on
SQLite and PostgreSQL, where ``select_for_update`` would not), appends a ``TicketEvent`` and
publishes a domain event after commit.
"""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from operator import attrgetter
from pathlib import PurePosixPath
from typing import Any, ParamSpec, cast

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Field, Model, Subquery
from django.utils import timezone

from okienko.accounts.models import Agent, Team
from okienko.core.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from okienko.core.events import publish_on_commit
from okienko.core.html import html_to_text, sanitize_html
from okienko.core.persistence import insert_linked, insert_rows, remember_related, update_each
from okienko.customers.actions import do_get_or_create_customer_by_identity
from okienko.customers.choices import IdentityKind
from okienko.customers.models import Customer
from okienko.tickets.choices import (
    UNSOLVED_STATUSES,
    AuthorKind,
    Channel,
    CustomFieldType,
    Direction,
    EventKind,
    Priority,
    Status,
    ViewAudience,
)
from okienko.tickets.custom_fields import missing_fields_to_solve, validate_custom_fields
from okienko.tickets.models import (
    Attachment,
    Category,
    CustomField,
    Message,
    SavedView,
    Tag,
    Ticket,
    TicketEvent,
    TicketTag,
)
from okienko.tickets.selectors import (
    ASSIGNEE_ME,
    ASSIGNEE_NOBODY,
    access_ticket,
    can_manage_saved_view,
    category_path,
)

MAX_TAG_LENGTH = 64
# Read once: ``Choices.values`` builds its list anew at each use, and every new ticket checks both.
_CHANNEL_VALUES = Channel.values
_PRIORITY_VALUES = Priority.values


@dataclass(frozen=True)
class AttachmentInput:
    """A file to attach to a new message."""

    filename: str
    content_type: str
    content: bytes
    content_id: str = ""


def _actor_kind(acting_user: Agent | None) -> str:
    return AuthorKind.AGENT if acting_user is not None else AuthorKind.SYSTEM


def _label(value: Any) -> Any:
    """How a value is kept in the history: objects by id and name, so it reads after deletion."""
    if isinstance(value, Model):
        return {"id": value.pk, "name": getattr(value, "name", str(value))}
    return value


def _event(
    ticket: Ticket,
    kind: str,
    *,
    at: datetime.datetime,
    acting_user: Agent | None,
    actor_kind: str | None = None,
    field: str = "",
    old: Any = None,
    new: Any = None,
    rule: str = "",
    message: Message | None = None,
) -> TicketEvent:
    return TicketEvent(
        ticket=ticket,
        kind=kind,
        field=field,
        old_value=_label(old),
        new_value=_label(new),
        actor_kind=actor_kind or _actor_kind(acting_user),
        actor_agent=acting_user,
        rule=rule,
        message=message,
        created_at=at,
    )


def _tag_names(names: Iterable[str]) -> list[str]:
    cleaned = sorted({name.strip().lower() for name in names if name.strip()})
    too_long = [name for name in cleaned if len(name) > MAX_TAG_LENGTH]
    if too_long:
        raise InvalidInput(f"Tags longer than {MAX_TAG_LENGTH} characters: {too_long}")
    return cleaned


def _tags_named(names: Iterable[str]) -> list[Tag]:
    cleaned = _tag_names(names)
    if not cleaned:
        return []
    Tag.objects.bulk_create([Tag(name=name) for name in cleaned], ignore_conflicts=True)
    return list(Tag.objects.filter(name__in=cleaned))


def _check_choice(value: str, choices: Sequence[str], field: str) -> None:
    if value not in choices:
        raise InvalidInput(
            f"{value!r} is not a valid {field}", errors={field: [f"one of {list(choices)}"]}
        )


def _new_message(
    ticket: Ticket,
    *,
    author_kind: str,
    direction: str,
    is_public: bool,
    text: str,
    html: str,
    at: datetime.datetime,
    author_agent: Agent | None = None,
    author_customer: Customer | None = None,
    channel: str | None = None,
    external_id: str = "",
    attachments: Sequence[AttachmentInput] = (),
    quoted_text: str = "",
) -> Message:
    """A checked, unsaved message (its attachments are checked, saved by ``_attach``)."""
    clean_html = sanitize_html(html) if html else ""
    text = text.strip() or html_to_text(clean_html)
    if not text and not attachments:
        raise InvalidInput("A message needs text or an attachment", errors={"text": ["empty"]})
    for attachment in attachments:
        _check_attachment(attachment)
    return Message(
        ticket=ticket,
        author_kind=author_kind,
        author_agent=author_agent,
        author_customer=author_customer,
        direction=direction,
        is_public=is_public,
        channel=channel or ticket.channel,
        text=text,
        html=clean_html,
        external_id=external_id,
        quoted_text=quoted_text,
        created_at=at,
    )


def _create_message(
    ticket: Ticket, *, attachments: Sequence[AttachmentInput] = (), **fields: Any
) -> Message:
    message = _new_message(ticket, attachments=attachments, **fields)
    message.save()
    for attachment in attachments:
        _attach(message, attachment)
    return message


def _check_attachment(attachment: AttachmentInput) -> None:
    limit = settings.MAX_ATTACHMENT_BYTES
    if len(attachment.content) > limit:
        raise InvalidInput(
            f"{attachment.filename} is larger than the limit of {limit} bytes",
            errors={"attachments": ["too large"]},
        )


def _attach(message: Message, attachment: AttachmentInput) -> Attachment:
    filename = attachment.filename.replace("/", "_").replace("\\", "_").strip() or "attachment"
    stored = Attachment(
        message=message,
        filename=filename[:255],
        content_type=attachment.content_type or "application/octet-stream",
        size=len(attachment.content),
        content_id=attachment.content_id,
    )
    # On disk under a generated name: a sender's file name can be long, odd or hostile.
    extension = PurePosixPath(filename).suffix[:16].lower()
    stored.file.save(f"{uuid.uuid4().hex}{extension}", ContentFile(attachment.content), save=False)
    stored.save()
    return stored


@dataclass(frozen=True)
class NewTicket:
    """A ticket to open with its first message: the arguments of
    ``do_create_ticket_with_message`` but the acting agent."""

    subject: str
    requester: Customer
    channel: str
    text: str
    html: str = ""
    author_kind: str = AuthorKind.CUSTOMER
    priority: str = Priority.NORMAL
    team: Team | None = None
    assignee: Agent | None = None
    category: Category | None = None
    tags: Iterable[str] = ()
    custom_fields: dict[str, Any] | None = None
    attachments: Sequence[AttachmentInput] = ()
    external_id: str = ""
    quoted_text: str = ""
    cc: Sequence[Customer] = ()
    follow_up_of: Ticket | None = None
    rule: str = ""
    at: datetime.datetime | None = None


@dataclass
class _Opening:
    """A ``NewTicket`` checked and made into unsaved rows."""

    new: NewTicket
    ticket: Ticket
    message: Message
    tags: list[Tag]
    copied: list[Customer]


def _opening(new: NewTicket, *, acting_user: Agent | None) -> _Opening:
    """Check ``new`` and make its ticket and message, unsaved; raises ``InvalidInput``."""
    at = new.at or timezone.now()
    subject = new.subject.strip()
    if not subject:
        raise InvalidInput("A ticket needs a subject", errors={"subject": ["empty"]})
    _check_choice(new.channel, _CHANNEL_VALUES, "channel")
    _check_choice(new.priority, _PRIORITY_VALUES, "priority")
    _check_choice(new.author_kind, [AuthorKind.CUSTOMER, AuthorKind.AGENT], "author_kind")
    if new.author_kind == AuthorKind.AGENT and acting_user is None:
        raise InvalidInput("An agent-written first message needs the acting agent")
    _refuse_inactive(new.assignee)
    ticket = Ticket(
        subject=subject[:255],
        status=Status.OPEN if new.assignee else Status.NEW,
        priority=new.priority,
        channel=new.channel,
        requester=new.requester,
        assignee=new.assignee,
        team=new.team,
        category=new.category,
        custom_fields=validate_custom_fields(new.custom_fields or {}),
        follow_up_of=new.follow_up_of,
        created_at=at,
        updated_at=at,
        last_message_at=at,
    )
    is_customer = new.author_kind == AuthorKind.CUSTOMER
    message = _new_message(
        ticket,
        author_kind=new.author_kind,
        is_public=True,
        text=new.text,
        html=new.html,
        at=at,
        direction=Direction.INBOUND if is_customer else Direction.OUTBOUND,
        author_customer=new.requester if is_customer else None,
        author_agent=None if is_customer else acting_user,
        external_id=new.external_id,
        attachments=new.attachments,
        quoted_text=new.quoted_text,
    )
    return _Opening(
        new=new,
        ticket=ticket,
        message=message,
        tags=[],
        copied=_others(new.cc, new.requester),
    )


def _opened_events(opening: _Opening, *, acting_user: Agent | None) -> list[TicketEvent]:
    """The ``created`` event of a new ticket, and ``follow_up_opened`` on the ticket it
    continues."""
    new, ticket = opening.new, opening.ticket
    is_customer = new.author_kind == AuthorKind.CUSTOMER
    snapshot = {
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": new.priority,
        "channel": new.channel,
        "requester": _label(new.requester),
        "assignee": _label(new.assignee),
        "team": _label(new.team),
        "category": _label(new.category),
        "tags": [tag.name for tag in opening.tags],
        "custom_fields": ticket.custom_fields,
        "cc": [_label(customer) for customer in opening.copied],
        "follow_up_of": new.follow_up_of.pk if new.follow_up_of else None,
    }
    events = [
        _event(
            ticket,
            EventKind.CREATED,
            at=ticket.created_at,
            acting_user=acting_user,
            new=snapshot,
            rule=new.rule,
            message=opening.message,
            actor_kind=AuthorKind.CUSTOMER if is_customer and not acting_user else None,
        )
    ]
    if new.follow_up_of is not None:
        events.append(
            _event(
                new.follow_up_of,
                EventKind.FOLLOW_UP_OPENED,
                at=ticket.created_at,
                acting_user=acting_user,
                new={"ticket_id": ticket.pk},
                rule=new.rule,
            )
        )
    return events


def do_create_tickets_with_messages(
    tickets: Sequence[NewTicket], *, acting_user: Agent | None
) -> list[tuple[Ticket, Message]]:
    """Open tickets, each with its first message, written by the customer or by an agent for
    them; returns each ticket and message, in order. Set-based: one statement per table for
    all of them, so a channel that receives many at once (an e-mail batch) writes them
    together. Nothing is written if any of them is invalid (``InvalidInput``).

    ``follow_up_of`` links a closed ticket the customer wrote about again; its history records
    the follow-up too.
    """
    names = [_tag_names(new.tags) for new in tickets]
    openings = [_opening(new, acting_user=acting_user) for new in tickets]
    return _write_openings(openings, names, acting_user=acting_user)


def _write_openings(
    openings: list[_Opening], names: list[list[str]], *, acting_user: Agent | None
) -> list[tuple[Ticket, Message]]:
    by_name = {tag.name: tag for tag in _tags_named(name for each in names for name in each)}
    for opening, each in zip(openings, names, strict=True):
        opening.tags = [by_name[name] for name in each]
    if len(openings) == 1 and _fits_one_statement(openings[0]):
        insert_linked(_rows_of(openings[0], acting_user=acting_user))
    else:
        _write_by_table(openings, acting_user=acting_user)
    for opening in openings:
        ticket, message = opening.ticket, opening.message
        remember_related(ticket, "tags", sorted(opening.tags, key=attrgetter("name")))
        # Team, assignee and status ride along so that routing can pass over a ticket nobody
        # routes (no team, or assigned already) without reading it back.
        publish_on_commit(
            "ticket.created",
            ticket_id=ticket.pk,
            message_id=message.pk,
            channel=str(ticket.channel),
            team_id=ticket.team_id,
            assignee_id=ticket.assignee_id,
            status=str(ticket.status),
        )
    return [(opening.ticket, opening.message) for opening in openings]


def _fits_one_statement(opening: _Opening) -> bool:
    """Whether ``_rows_of`` holds all that ``opening`` writes: attachments are files first, and
    a follow-up's event on the earlier ticket names the new ticket's number."""
    return not opening.new.attachments and opening.new.follow_up_of is None


def _rows_of(opening: _Opening, *, acting_user: Agent | None) -> list[Model]:
    """The rows of a new ticket, in an order where each row's ticket or message comes first."""
    ticket = opening.ticket
    return [
        ticket,
        *[TicketTag(ticket=ticket, tag=tag) for tag in opening.tags],
        *[Ticket.cc.through(ticket=ticket, customer=customer) for customer in opening.copied],
        opening.message,
        *_opened_events(opening, acting_user=acting_user),
    ]


# Everything was checked before, so inside a caller's transaction (an e-mail batch) the writes
# take no savepoint of their own, which would cost two statements: a database error here ends
# the caller's transaction too.
@transaction.atomic(savepoint=False)
def _write_by_table(openings: list[_Opening], *, acting_user: Agent | None) -> None:
    """Write the rows of ``openings``, one statement per table for all of them."""
    insert_rows([opening.ticket for opening in openings])
    TicketTag.objects.bulk_create(
        [TicketTag(ticket=o.ticket, tag=tag) for o in openings for tag in o.tags]
    )
    Ticket.cc.through.objects.bulk_create(
        [
            Ticket.cc.through(ticket_id=o.ticket.pk, customer_id=customer.pk)
            for o in openings
            for customer in o.copied
        ]
    )
    insert_rows([opening.message for opening in openings])
    for opening in openings:
        for attachment in opening.new.attachments:
            _attach(opening.message, attachment)
    insert_rows(
        [
            event
            for opening in openings
            for event in _opened_events(opening, acting_user=acting_user)
        ]
    )


def do_create_ticket_with_message(
    *,
    subject: str,
    requester: Customer,
    channel: str,
    text: str,
    html: str = "",
    author_kind: str = AuthorKind.CUSTOMER,
    priority: str = Priority.NORMAL,
    team: Team | None = None,
    assignee: Agent | None = None,
    category: Category | None = None,
    tags: Iterable[str] = (),
    custom_fields: dict[str, Any] | None = None,
    attachments: Sequence[AttachmentInput] = (),
    external_id: str = "",
    quoted_text: str = "",
    cc: Sequence[Customer] = (),
    follow_up_of: Ticket | None = None,
    acting_user: Agent | None,
    rule: str = "",
    at: datetime.datetime | None = None,
) -> tuple[Ticket, Message]:
    """Open a ticket with its first message (``do_create_tickets_with_messages`` of one);
    returns both (a channel names the message in its ledger without reading it back)."""
    new = NewTicket(
        subject=subject,
        requester=requester,
        channel=channel,
        text=text,
        html=html,
        author_kind=author_kind,
        priority=priority,
        team=team,
        assignee=assignee,
        category=category,
        tags=tags,
        custom_fields=custom_fields,
        attachments=attachments,
        external_id=external_id,
        quoted_text=quoted_text,
        cc=cc,
        follow_up_of=follow_up_of,
        rule=rule,
        at=at,
    )
    return do_create_tickets_with_messages([new], acting_user=acting_user)[0]


P = ParamSpec("P")


def _ticket_only(create: Callable[P, tuple[Ticket, Message]]) -> Callable[P, Ticket]:
    def create_ticket(*args: P.args, **kwargs: P.kwargs) -> Ticket:
        ticket, _message = create(*args, **kwargs)
        return ticket

    create_ticket.__doc__ = "``do_create_ticket_with_message``, returning the ticket."
    return create_ticket


# The same arguments, checked by mypy at every call.
do_create_ticket = _ticket_only(do_create_ticket_with_message)


def _others(customers: Sequence[Customer], requester: Customer) -> list[Customer]:
    """The distinct customers other than the requester, in the order given."""
    unique = {customer.pk: customer for customer in customers if customer.pk != requester.pk}
    return list(unique.values())


@transaction.atomic
def do_create_ticket_for_email(
    *, requester_email: str, requester_name: str = "", acting_user: Agent | None, **fields: Any
) -> Ticket:
    """Open a ticket for whoever uses this e-mail address, matching or creating the customer."""
    requester, _ = do_get_or_create_customer_by_identity(
        kind=IdentityKind.EMAIL,
        address=requester_email,
        name=requester_name,
        acting_user=acting_user,
    )
    return do_create_ticket(requester=requester, acting_user=acting_user, **fields)


def _refuse_inactive(assignee: Agent | None) -> None:
    if assignee is not None and not assignee.is_active:
        raise InvalidInput(f"{assignee.name} is deactivated", errors={"assignee": ["inactive"]})


def _refuse_if_closed(ticket: Ticket) -> None:
    if ticket.merged_into_id is not None:
        raise Conflict(f"Ticket #{ticket.pk} was merged into #{ticket.merged_into_id}")
    if ticket.status == Status.CLOSED:
        raise Conflict(f"Ticket #{ticket.pk} is closed; open a follow-up ticket instead")


def _message_added_event(
    message: Message,
    *,
    acting_user: Agent | None,
    actor_kind: str | None = None,
    rule: str = "",
) -> TicketEvent:
    return _event(
        message.ticket,
        EventKind.MESSAGE_ADDED,
        at=message.created_at,
        acting_user=acting_user,
        actor_kind=actor_kind,
        new={"message_id": message.pk, "is_public": message.is_public},
        rule=rule,
        message=message,
    )


def _publish_message_added(message: Message) -> None:
    publish_on_commit(
        "ticket.message_added",
        ticket_id=message.ticket_id,
        message_id=message.pk,
        channel=str(message.channel),
        is_public=message.is_public,
        author_kind=message.author_kind,
    )


def _message_added(
    message: Message, *, acting_user: Agent | None, actor_kind: str | None = None, rule: str = ""
) -> None:
    _message_added_event(message, acting_user=acting_user, actor_kind=actor_kind, rule=rule).save()
    _publish_message_added(message)


@transaction.atomic
def do_reply(
    *,
    ticket: Ticket,
    text: str,
    html: str = "",
    attachments: Sequence[AttachmentInput] = (),
    status: str | None = None,
    acting_user: Agent,
    rule: str = "",
    at: datetime.datetime | None = None,
) -> Message:
    """Send the customer a public reply; optionally set the status at the same time."""
    at = at or timezone.now()
    _refuse_if_closed(ticket)
    message = _create_message(
        ticket,
        author_kind=AuthorKind.AGENT,
        author_agent=acting_user,
        direction=Direction.OUTBOUND,
        is_public=True,
        text=text,
        html=html,
        at=at,
        attachments=attachments,
    )
    Ticket.objects.filter(pk=ticket.pk).update(
        reply_count=F("reply_count") + 1, last_message_at=at, updated_at=at
    )
    Ticket.objects.filter(pk=ticket.pk, first_response_at__isnull=True).update(first_response_at=at)
    ticket.refresh_from_db(fields=["reply_count", "first_response_at", "last_message_at"])
    _message_added(message, acting_user=acting_user, rule=rule)
    new_status = status or (Status.OPEN if ticket.status == Status.NEW else None)
    if new_status:
        do_change_status(
            ticket=ticket, status=new_status, acting_user=acting_user, rule=rule, at=at
        )
    return message


@transaction.atomic
def do_add_note(
    *,
    ticket: Ticket,
    text: str,
    html: str = "",
    attachments: Sequence[AttachmentInput] = (),
    acting_user: Agent | None,
    rule: str = "",
    at: datetime.datetime | None = None,
) -> Message:
    """Add an internal note that only agents see; allowed on closed tickets too. Without an
    acting agent the system writes it (e.g. "this reply could not be delivered")."""
    at = at or timezone.now()
    message = _create_message(
        ticket,
        author_kind=_actor_kind(acting_user),
        author_agent=acting_user,
        direction=Direction.INTERNAL,
        is_public=False,
        text=text,
        html=html,
        at=at,
        attachments=attachments,
    )
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=at)
    _message_added(message, acting_user=acting_user, rule=rule)
    return message


@dataclass(frozen=True)
class CustomerMessage:
    """A customer's message on a ticket: the arguments of ``do_add_customer_message``."""

    ticket: Ticket
    text: str
    html: str = ""
    attachments: Sequence[AttachmentInput] = ()
    author: Customer | None = None
    channel: str | None = None
    external_id: str = ""
    quoted_text: str = ""
    cc: Sequence[Customer] = ()
    reopens: bool = True
    at: datetime.datetime | None = None


@transaction.atomic
def do_add_customer_messages(added: Sequence[CustomerMessage]) -> list[Message]:
    """Record customers' messages, in order; a pending or solved ticket opens again for the
    agents. Set-based: the messages and their events are written in one statement each, so a
    channel that receives many at once (an e-mail batch) writes them together. Nothing is
    written if any of them is refused (a closed ticket, an empty message).

    ``reopens=False`` for automatic mail (out-of-office replies): kept on the ticket without
    pulling it back into the queue.
    """
    now = timezone.now()
    messages = []
    for each in added:
        _refuse_if_closed(each.ticket)
        messages.append(
            _new_message(
                each.ticket,
                author_kind=AuthorKind.CUSTOMER,
                author_customer=each.author or each.ticket.requester,
                direction=Direction.INBOUND,
                is_public=True,
                text=each.text,
                html=each.html,
                at=each.at or now,
                channel=each.channel,
                external_id=each.external_id,
                quoted_text=each.quoted_text,
                attachments=each.attachments,
            )
        )
    insert_rows(messages)
    for each, message in zip(added, messages, strict=True):
        for attachment in each.attachments:
            _attach(message, attachment)
    # A ticket's newest message last, whatever order they came in.
    tickets = {}
    for message in sorted(messages, key=lambda message: message.created_at):
        message.ticket.last_message_at = message.ticket.updated_at = message.created_at
        tickets[message.ticket_id] = message.ticket
    update_each(Ticket.objects.all(), list(tickets.values()), ["last_message_at", "updated_at"])
    insert_rows(
        [
            _message_added_event(message, acting_user=None, actor_kind=AuthorKind.CUSTOMER)
            for message in messages
        ]
    )
    for each, message in zip(added, messages, strict=True):
        _publish_message_added(message)
        ticket, at = each.ticket, message.created_at
        _add_cc(ticket, each.cc, at=at)
        if each.reopens and ticket.status in {Status.PENDING, Status.SOLVED}:
            _change_field(
                ticket,
                "status",
                Status.OPEN,
                acting_user=None,
                actor_kind=AuthorKind.CUSTOMER,
                rule="",
                at=at,
                extra=_status_side_effects(ticket.status, Status.OPEN, at),
            )
    return messages


def do_add_customer_message(
    *,
    ticket: Ticket,
    text: str,
    html: str = "",
    attachments: Sequence[AttachmentInput] = (),
    author: Customer | None = None,
    channel: str | None = None,
    external_id: str = "",
    quoted_text: str = "",
    cc: Sequence[Customer] = (),
    reopens: bool = True,
    at: datetime.datetime | None = None,
) -> Message:
    """Record a customer's message (``do_add_customer_messages`` of one)."""
    added = CustomerMessage(
        ticket=ticket,
        text=text,
        html=html,
        attachments=attachments,
        author=author,
        channel=channel,
        external_id=external_id,
        quoted_text=quoted_text,
        cc=cc,
        reopens=reopens,
        at=at,
    )
    return do_add_customer_messages([added])[0]


def _add_cc(ticket: Ticket, customers: Sequence[Customer], *, at: datetime.datetime) -> None:
    """Copy more people on the conversation; the history records who was added."""
    if not customers:
        return
    before = list(ticket.cc.order_by("pk"))
    known = {customer.pk for customer in before}
    added = [c for c in _others(customers, ticket.requester) if c.pk not in known]
    if not added:
        return
    ticket.cc.add(*added)
    _event(
        ticket,
        EventKind.FIELD_CHANGED,
        at=at,
        acting_user=None,
        actor_kind=AuthorKind.CUSTOMER,
        field="cc",
        old=[_label(customer) for customer in before],
        new=[_label(customer) for customer in [*before, *added]],
    ).save()


def _change_field(
    ticket: Ticket,
    field: str,
    new_value: Any,
    *,
    acting_user: Agent | None,
    rule: str,
    at: datetime.datetime,
    actor_kind: str | None = None,
    extra: dict[str, Any] | None = None,
) -> bool:
    """Set one field if it still has the value we read; record the event. False if unchanged."""
    attname = cast(Field, Ticket._meta.get_field(field)).attname
    old_raw = getattr(ticket, attname)
    new_raw = new_value.pk if isinstance(new_value, Model) else new_value
    if old_raw == new_raw:
        return False
    old_value = getattr(ticket, field)
    extra = extra or {}
    rows = Ticket.objects.filter(pk=ticket.pk, **{attname: old_raw}).update(
        **{attname: new_raw}, updated_at=at, **extra
    )
    if rows != 1:
        raise Conflict(f"Ticket #{ticket.pk} was changed meanwhile; reload it and try again")
    setattr(ticket, field, new_value)
    if extra:
        ticket.refresh_from_db(fields=list(extra))
    _event(
        ticket,
        EventKind.FIELD_CHANGED,
        at=at,
        acting_user=acting_user,
        actor_kind=actor_kind,
        field=field,
        old=old_value,
        new=new_value,
        rule=rule,
    ).save()
    publish_on_commit(
        "ticket.updated",
        ticket_id=ticket.pk,
        field=field,
        actor_id=acting_user.pk if acting_user else None,
    )
    return True


def _status_side_effects(old: str, new: str, at: datetime.datetime) -> dict[str, Any]:
    effects: dict[str, Any] = {}
    if new == Status.SOLVED:
        effects["solved_at"] = at
    elif new == Status.CLOSED:
        effects["closed_at"] = at
    elif old == Status.SOLVED and new in UNSOLVED_STATUSES:
        effects.update(solved_at=None, reopen_count=F("reopen_count") + 1)
    return effects


@transaction.atomic
def do_change_status(
    *,
    ticket: Ticket,
    status: str,
    acting_user: Agent | None,
    rule: str = "",
    at: datetime.datetime | None = None,
) -> bool:
    """Move the ticket to ``status``; closed tickets stay closed (follow-ups are new tickets)."""
    _check_choice(status, Status.values, "status")
    if ticket.status == status:
        return False
    _refuse_if_closed(ticket)
    if status in {Status.SOLVED, Status.CLOSED}:
        missing = missing_fields_to_solve(ticket.custom_fields)
        if missing:
            raise InvalidInput(
                "Fill in the required fields before solving",
                errors={key: ["required to solve"] for key in missing},
            )
    return _set_status(ticket, status, acting_user=acting_user, rule=rule, at=at or timezone.now())


# What a requester may do to their own ticket's status (in the portal): call it solved, or
# reopen it once solved.
CUSTOMER_STATUSES = (Status.SOLVED, Status.OPEN)


@transaction.atomic
def do_change_status_by_customer(
    *, ticket: Ticket, status: str, at: datetime.datetime | None = None
) -> bool:
    """The requester marks their request solved (no fields required, unlike an agent) or reopens
    a solved one; closed tickets stay closed. The history names the customer as the actor."""
    _check_choice(status, CUSTOMER_STATUSES, "status")
    if ticket.status == status:
        return False
    _refuse_if_closed(ticket)
    if status == Status.OPEN and ticket.status != Status.SOLVED:
        raise Conflict(f"Ticket #{ticket.pk} is not solved, so it cannot be reopened")
    at = at or timezone.now()
    return _change_field(
        ticket,
        "status",
        status,
        acting_user=None,
        actor_kind=AuthorKind.CUSTOMER,
        rule="",
        at=at,
        extra=_status_side_effects(ticket.status, status, at),
    )


def _set_status(
    ticket: Ticket, status: str, *, acting_user: Agent | None, rule: str, at: datetime.datetime
) -> bool:
    extra = _status_side_effects(ticket.status, status, at)
    if status == Status.CLOSED and ticket.solved_at is None:
        extra["solved_at"] = at
    return _change_field(
        ticket, "status", status, acting_user=acting_user, rule=rule, at=at, extra=extra
    )


@transaction.atomic
def do_change_priority(
    *,
    ticket: Ticket,
    priority: str,
    acting_user: Agent | None,
    rule: str = "",
    at: datetime.datetime | None = None,
) -> bool:
    """Set the ticket's priority."""
    _check_choice(priority, _PRIORITY_VALUES, "priority")
    return _change_field(
        ticket, "priority", priority, acting_user=acting_user, rule=rule, at=at or timezone.now()
    )


def _transfer_extra(old_id: int | None, new_id: int | None) -> dict[str, Any]:
    # Handing a ticket from one owner to another is a transfer; first assignment is not.
    if old_id is not None and new_id is not None and old_id != new_id:
        return {"transfer_count": F("transfer_count") + 1}
    return {}


@transaction.atomic
def do_assign(
    *,
    ticket: Ticket,
    assignee: Agent | None,
    acting_user: Agent | None,
    rule: str = "",
    at: datetime.datetime | None = None,
) -> bool:
    """Give the ticket to ``assignee`` (``None`` unassigns); a new ticket becomes open."""
    _refuse_inactive(assignee)
    at = at or timezone.now()
    changed = _change_field(
        ticket,
        "assignee",
        assignee,
        acting_user=acting_user,
        rule=rule,
        at=at,
        extra=_transfer_extra(ticket.assignee_id, assignee.pk if assignee else None),
    )
    if changed and assignee is not None and ticket.status == Status.NEW:
        do_change_status(
            ticket=ticket, status=Status.OPEN, acting_user=acting_user, rule=rule, at=at
        )
    return changed


@transaction.atomic
def do_change_team(
    *,
    ticket: Ticket,
    team: Team | None,
    acting_user: Agent | None,
    rule: str = "",
    at: datetime.datetime | None = None,
    counts_as_transfer: bool = True,
) -> bool:
    """Move the ticket to another team's queue."""
    return _change_field(
        ticket,
        "team",
        team,
        acting_user=acting_user,
        rule=rule,
        at=at or timezone.now(),
        extra=(
            _transfer_extra(ticket.team_id, team.pk if team else None) if counts_as_transfer else {}
        ),
    )


CSAT_RATINGS = range(1, 6)


@transaction.atomic
def do_record_csat(
    *, ticket: Ticket, rating: int, comment: str = "", at: datetime.datetime | None = None
) -> None:
    """The requester rated the service on this ticket (1-5), perhaps again: the latest rating
    stays on the ticket, every answer in its history (with the comment)."""
    if rating not in CSAT_RATINGS:
        raise InvalidInput("A rating is 1 to 5", errors={"rating": [str(rating)]})
    at = at or timezone.now()
    old = ticket.csat_rating
    Ticket.objects.filter(pk=ticket.pk).update(csat_rating=rating)
    ticket.csat_rating = rating
    _event(
        ticket,
        EventKind.CSAT_RECEIVED,
        at=at,
        acting_user=None,
        actor_kind=AuthorKind.CUSTOMER,
        field="csat_rating",
        old=old,
        new={"rating": rating, "comment": comment} if comment else rating,
    ).save()
    publish_on_commit("ticket.csat_received", ticket_id=ticket.pk, rating=rating)


@transaction.atomic
def do_escalate(
    *,
    ticket: Ticket,
    level: int,
    team: Team | None,
    assignee: Agent | None,
    acting_user: Agent | None,
    rule: str = "",
    at: datetime.datetime | None = None,
) -> None:
    """Raise the ticket to escalation ``level`` and hand it to ``team`` and ``assignee`` (None
    leaves it to the team's queue); recorded and counted."""
    at = at or timezone.now()
    _refuse_if_closed(ticket)
    old_level = ticket.escalation_level
    if level <= old_level:
        raise InvalidInput(f"Ticket #{ticket.pk} is at escalation level {old_level} already")
    rows = Ticket.objects.filter(pk=ticket.pk, escalation_level=old_level).update(
        escalation_level=level, escalation_count=F("escalation_count") + 1, updated_at=at
    )
    if rows != 1:
        raise Conflict(f"Ticket #{ticket.pk} was escalated meanwhile; reload it and try again")
    ticket.refresh_from_db(fields=["escalation_level", "escalation_count"])
    _event(
        ticket,
        EventKind.ESCALATED,
        at=at,
        acting_user=acting_user,
        field="escalation_level",
        old=old_level,
        new=level,
        rule=rule,
    ).save()
    do_change_team(ticket=ticket, team=team, acting_user=acting_user, rule=rule, at=at)
    do_assign(ticket=ticket, assignee=assignee, acting_user=acting_user, rule=rule, at=at)
    publish_on_commit("ticket.escalated", ticket_id=ticket.pk, level=level)


@transaction.atomic
def do_change_category(
    *,
    ticket: Ticket,
    category: Category | None,
    acting_user: Agent | None,
    rule: str = "",
    at: datetime.datetime | None = None,
) -> bool:
    """Set what the ticket is about."""
    return _change_field(
        ticket, "category", category, acting_user=acting_user, rule=rule, at=at or timezone.now()
    )


@transaction.atomic
def do_change_subject(
    *,
    ticket: Ticket,
    subject: str,
    acting_user: Agent | None,
    rule: str = "",
    at: datetime.datetime | None = None,
) -> bool:
    """Rename the ticket."""
    subject = subject.strip()
    if not subject:
        raise InvalidInput("A ticket needs a subject", errors={"subject": ["empty"]})
    return _change_field(
        ticket,
        "subject",
        subject[:255],
        acting_user=acting_user,
        rule=rule,
        at=at or timezone.now(),
    )


@transaction.atomic
def do_set_custom_fields(
    *,
    ticket: Ticket,
    values: dict[str, Any],
    acting_user: Agent | None,
    rule: str = "",
    at: datetime.datetime | None = None,
) -> bool:
    """Update custom field values; ``None`` clears a field."""
    merged = {**ticket.custom_fields, **values}
    merged = {key: value for key, value in merged.items() if value is not None}
    return _change_field(
        ticket,
        "custom_fields",
        validate_custom_fields(merged),
        acting_user=acting_user,
        rule=rule,
        at=at or timezone.now(),
    )


@transaction.atomic
def do_set_tags(
    *,
    ticket: Ticket,
    names: Iterable[str],
    acting_user: Agent | None,
    rule: str = "",
    at: datetime.datetime | None = None,
) -> bool:
    """Replace the ticket's tags with ``names``."""
    at = at or timezone.now()
    old = sorted(ticket.tags.values_list("name", flat=True))
    tags = _tags_named(names)
    new = sorted(tag.name for tag in tags)
    if old == new:
        return False
    ticket.tags.set(tags)
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=at)
    _event(
        ticket,
        EventKind.FIELD_CHANGED,
        at=at,
        acting_user=acting_user,
        field="tags",
        old=old,
        new=new,
        rule=rule,
    ).save()
    publish_on_commit("ticket.updated", ticket_id=ticket.pk, field="tags")
    return True


# The order matters: an assignment opens a new ticket before a requested status applies.
_UPDATERS = {
    "subject": lambda t, v, **kw: do_change_subject(ticket=t, subject=v, **kw),
    "priority": lambda t, v, **kw: do_change_priority(ticket=t, priority=v, **kw),
    "team": lambda t, v, **kw: do_change_team(ticket=t, team=v, **kw),
    "assignee": lambda t, v, **kw: do_assign(ticket=t, assignee=v, **kw),
    "category": lambda t, v, **kw: do_change_category(ticket=t, category=v, **kw),
    "tags": lambda t, v, **kw: do_set_tags(ticket=t, names=v, **kw),
    "custom_fields": lambda t, v, **kw: do_set_custom_fields(ticket=t, values=v, **kw),
    "status": lambda t, v, **kw: do_change_status(ticket=t, status=v, **kw),
}


def do_update_ticket(
    *,
    ticket: Ticket,
    changes: dict[str, Any],
    acting_user: Agent | None,
    rule: str = "",
    at: datetime.datetime | None = None,
) -> list[str]:
    """Apply several field changes at once, all or nothing; returns the fields that changed.

    On failure ``ticket`` is reloaded, so the caller's object matches the rolled-back row.
    """
    unknown = set(changes) - set(_UPDATERS)
    if unknown:
        raise InvalidInput(f"Cannot change {sorted(unknown)}")
    try:
        return _apply_updates(
            ticket, changes, acting_user=acting_user, rule=rule, at=at or timezone.now()
        )
    except DomainError:
        ticket.refresh_from_db()
        raise


@transaction.atomic
def _apply_updates(
    ticket: Ticket,
    changes: dict[str, Any],
    *,
    acting_user: Agent | None,
    rule: str,
    at: datetime.datetime,
) -> list[str]:
    # Moving a ticket to another team's agent is one hand-over, counted once (by the assignee).
    options = {"team": {"counts_as_transfer": "assignee" not in changes}}
    return [
        field
        for field, update in _UPDATERS.items()
        if field in changes
        and update(
            ticket,
            changes[field],
            acting_user=acting_user,
            rule=rule,
            at=at,
            **options.get(field, {}),
        )
    ]


@transaction.atomic
def do_merge_tickets(
    *, source: Ticket, target: Ticket, acting_user: Agent, at: datetime.datetime | None = None
) -> Ticket:
    """Merge ``source`` into ``target``: its messages and tags move, it closes pointing there.

    Each ticket keeps its own history, and both record the merge.
    """
    at = at or timezone.now()
    if source.pk == target.pk:
        raise InvalidInput("A ticket cannot be merged into itself")
    _refuse_if_closed(source)
    _refuse_if_closed(target)
    moved = Message.objects.filter(ticket=source).update(ticket=target)
    merged_tags = {*target.tags.values_list("name", flat=True)}
    merged_tags |= {*source.tags.values_list("name", flat=True)}
    do_set_tags(ticket=target, names=merged_tags, acting_user=acting_user, at=at)
    # Read both tickets' counters in the UPDATE itself: the objects in hand may be stale.
    both = Ticket.objects.filter(pk__in=[source.pk, target.pk])
    Ticket.objects.filter(pk=target.pk).update(
        reply_count=F("reply_count") + Subquery(both.filter(pk=source.pk).values("reply_count")),
        last_message_at=Subquery(
            both.order_by(F("last_message_at").desc(nulls_last=True)).values("last_message_at")[:1]
        ),
        updated_at=at,
    )
    # A duplicate closes as it is: fields required to solve apply to solving, not to merging.
    _set_status(source, Status.CLOSED, acting_user=acting_user, rule="", at=at)
    _change_field(source, "merged_into", target, acting_user=acting_user, rule="", at=at)
    TicketEvent.objects.bulk_create(
        [
            _event(source, EventKind.MERGED_INTO, at=at, acting_user=acting_user, new=target.pk),
            _event(
                target,
                EventKind.MERGED_FROM,
                at=at,
                acting_user=acting_user,
                new={"ticket": source.pk, "messages": moved},
            ),
        ]
    )
    publish_on_commit("ticket.merged", source_id=source.pk, target_id=target.pk)
    target.refresh_from_db()
    return target


def do_move_tickets_to_customer(
    *, source: Customer, target: Customer, acting_user: Agent | None
) -> list[int]:
    """Part of a customer merge: ``source``'s tickets and messages now belong to ``target``."""
    ticket_ids = list(Ticket.objects.filter(requester=source).values_list("id", flat=True))
    Message.objects.filter(author_customer=source).update(author_customer=target)
    _hand_tickets_over(
        ticket_ids, source, target, kind=EventKind.REQUESTER_MERGED, acting_user=acting_user
    )
    return ticket_ids


def do_return_tickets_to_customer(
    *, source: Customer, target: Customer, moved_ids: Sequence[int], acting_user: Agent | None
) -> None:
    """Part of undoing a customer merge: the tickets that moved to ``target`` are ``source``'s
    again, with the messages ``target`` is named the author of on them."""
    ticket_ids = list(
        Ticket.objects.filter(pk__in=moved_ids, requester=target).values_list("id", flat=True)
    )
    Message.objects.filter(ticket_id__in=ticket_ids, author_customer=target).update(
        author_customer=source
    )
    _hand_tickets_over(
        ticket_ids, target, source, kind=EventKind.FIELD_CHANGED, acting_user=acting_user
    )


def _hand_tickets_over(
    ticket_ids: list[int], old: Customer, new: Customer, *, kind: str, acting_user: Agent | None
) -> None:
    """Give the tickets another requester, recorded in each ticket's history."""
    at = timezone.now()
    Ticket.objects.filter(pk__in=ticket_ids).update(requester=new, updated_at=at)
    _record_changes(
        "requester",
        [(ticket_id, _label(old), _label(new)) for ticket_id in ticket_ids],
        kind=kind,
        acting_user=acting_user,
        at=at,
    )


def _record_changes(
    field: str,
    changes: list[tuple[int, Any, Any]],
    *,
    acting_user: Agent | None,
    at: datetime.datetime,
    kind: str = EventKind.FIELD_CHANGED,
) -> None:
    """The history of a change made to many tickets at once, by (ticket id, old, new): one
    insert, and the change published for each ticket after commit."""
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=ticket_id,
            kind=kind,
            field=field,
            old_value=old,
            new_value=new,
            actor_kind=_actor_kind(acting_user),
            actor_agent=acting_user,
            created_at=at,
        )
        for ticket_id, old, new in changes
    )
    for ticket_id, _old, _new in changes:
        publish_on_commit("ticket.updated", ticket_id=ticket_id, field=field)


def do_set_external_id(*, message: Message, external_id: str) -> bool:
    """Give a message the id its channel knows it by (our e-mail Message-ID), once."""
    updated = Message.objects.filter(pk=message.pk, external_id="").update(external_id=external_id)
    if updated:
        message.external_id = external_id
    return bool(updated)


@transaction.atomic
def do_add_system_reply(
    *, ticket: Ticket, text: str, rule: str, html: str = "", author_kind: str = AuthorKind.SYSTEM
) -> Message:
    """A public message the system (an acknowledgement) or the bot (an answer from the
    knowledge base) sends the customer; it is not an agent's answer, so it leaves the
    first-response time and reply count alone."""
    _check_choice(author_kind, [AuthorKind.SYSTEM, AuthorKind.BOT], "author_kind")
    at = timezone.now()
    message = _create_message(
        ticket,
        author_kind=author_kind,
        direction=Direction.OUTBOUND,
        is_public=True,
        text=text,
        html=html,
        at=at,
    )
    _message_added(message, acting_user=None, actor_kind=author_kind, rule=rule)
    return message


@transaction.atomic
def do_record_hand_off(*, ticket: Ticket, reason: str, rule: str) -> TicketEvent:
    """The bot gave the conversation to the agents (the customer asked, it could not answer,
    or it failed): a history entry, and ``ticket.handed_off`` for whoever alerts agents."""
    event = _event(
        ticket,
        EventKind.HANDED_OFF,
        at=timezone.now(),
        acting_user=None,
        actor_kind=AuthorKind.BOT,
        new={"reason": reason},
        rule=rule,
    )
    event.save()
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=event.created_at)
    publish_on_commit("ticket.handed_off", ticket_id=ticket.pk, reason=reason)
    return event


@dataclass(frozen=True)
class SlaEvent:
    """Something the SLA domain tells a ticket's history: a policy applied, a warning, a breach."""

    ticket_id: int
    kind: str
    field: str
    old: Any
    new: Any
    at: datetime.datetime


_SLA_EVENT_KINDS = (EventKind.SLA_POLICY, EventKind.SLA_WARNING, EventKind.SLA_BREACHED)


def do_record_sla_events(events: Sequence[SlaEvent]) -> None:
    """Write SLA happenings into the tickets' histories in one insert, and publish each one as
    ``ticket.<kind>`` (e.g. ``ticket.sla_breached``) for automation and notifications."""
    for event in events:
        _check_choice(event.kind, _SLA_EVENT_KINDS, "kind")
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=event.ticket_id,
            kind=event.kind,
            field=event.field,
            old_value=event.old,
            new_value=event.new,
            actor_kind=AuthorKind.SYSTEM,
            rule="SLA",
            created_at=event.at,
        )
        for event in events
    )
    for event in events:
        publish_on_commit(
            f"ticket.{event.kind}", ticket_id=event.ticket_id, field=event.field, new=event.new
        )


MAX_VIEW_TEXT = 200
_VIEW_CHOICES = {
    "statuses": Status.values,
    "priorities": Priority.values,
    "channels": Channel.values,
}
_VIEW_IDS = ("team_id", "category_id", "tier_id")


def _clean_view_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters of a saved view in their stored shape, empty ones left out."""
    unknown = set(filters) - {*_VIEW_CHOICES, *_VIEW_IDS, "assignee", "tag", "text"}
    if unknown:
        raise InvalidInput(f"Unknown filters {sorted(unknown)}")
    cleaned: dict[str, Any] = {}
    for key, allowed in _VIEW_CHOICES.items():
        values = list(dict.fromkeys(filters.get(key) or ()))
        for value in values:
            _check_choice(value, allowed, key)
        if values:
            cleaned[key] = values
    for key in _VIEW_IDS:
        if filters.get(key) is not None:
            cleaned[key] = int(filters[key])
    assignee = str(filters.get("assignee") or "")
    if assignee and assignee not in (ASSIGNEE_ME, ASSIGNEE_NOBODY) and not assignee.isdigit():
        raise InvalidInput(f"{assignee!r} is not an assignee", errors={"assignee": [assignee]})
    tag = str(filters.get("tag") or "").strip().lower()
    text = str(filters.get("text") or "").strip()
    if len(text) > MAX_VIEW_TEXT or len(tag) > MAX_TAG_LENGTH:
        raise InvalidInput("The text or tag of a view is too long")
    cleaned.update({key: value for key, value in [("assignee", assignee), ("tag", tag)] if value})
    if text:
        cleaned["text"] = text
    return cleaned


@transaction.atomic
def do_save_view(
    *,
    view: SavedView | None,
    name: str,
    filters: dict[str, Any],
    audience: str,
    team: Team | None = None,
    acting_user: Agent,
) -> SavedView:
    """Create a saved inbox view (``view`` None) or change one. An agent keeps views for
    themselves (private: only they change them); only an admin shares one with everyone or with
    a team, or changes a shared one."""
    _check_choice(audience, ViewAudience.values, "audience")
    name = name.strip()
    if not name:
        raise InvalidInput("A view needs a name", errors={"name": ["empty"]})
    if view is not None and not can_manage_saved_view(acting_user, view):
        raise PermissionDenied("Only its owner or an administrator changes this view")
    if audience != ViewAudience.PERSONAL and not acting_user.is_staff:
        raise PermissionDenied("Only administrators share views")
    if audience == ViewAudience.TEAM and team is None:
        raise InvalidInput("Choose the team to share the view with", errors={"team": ["empty"]})
    is_new = view is None
    view = view or SavedView()
    view.owner = acting_user if audience == ViewAudience.PERSONAL else None
    view.team = team if audience == ViewAudience.TEAM else None
    view.name = name[:100]
    view.filters = _clean_view_filters(filters)
    if is_new:
        view.save()
    else:
        view.save(update_fields=["owner", "team", "name", "filters"])
    return view


def do_delete_saved_view(*, view: SavedView, acting_user: Agent) -> None:
    """Remove a saved view: the owner's own, or a shared one by an admin."""
    if not can_manage_saved_view(acting_user, view):
        raise PermissionDenied("Only its owner or an administrator removes this view")
    view.delete()


# Bulk actions: the same change to many tickets, each through the single-ticket actions.

MAX_BULK_TICKETS = 200


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk action did to each ticket: changed, already as asked, or refused (why)."""

    changed: list[int] = dataclass_field(default_factory=list)
    unchanged: list[int] = dataclass_field(default_factory=list)
    refused: dict[int, str] = dataclass_field(default_factory=dict)


def _for_each_ticket(
    ticket_ids: Sequence[int], acting_user: Agent, apply: Callable[[Ticket], bool]
) -> BulkOutcome:
    """Run ``apply`` on each ticket ``acting_user`` may see, each in its own transaction: one
    refusal (a ticket out of reach, closed, changed meanwhile) leaves the others done."""
    unique = list(dict.fromkeys(ticket_ids))
    if len(unique) > MAX_BULK_TICKETS:
        raise InvalidInput(f"At most {MAX_BULK_TICKETS} tickets at once")
    outcome = BulkOutcome()
    for ticket_id in unique:
        try:
            ticket = access_ticket(acting_user, ticket_id)
            changed = apply(ticket)
        except DomainError as error:
            outcome.refused[ticket_id] = error.detail
            continue
        (outcome.changed if changed else outcome.unchanged).append(ticket_id)
    return outcome


def do_bulk_update(
    *,
    ticket_ids: Sequence[int],
    changes: dict[str, Any],
    add_tags: Sequence[str] = (),
    acting_user: Agent,
) -> BulkOutcome:
    """Apply the same ``changes`` (as ``do_update_ticket`` takes them) and add ``add_tags`` to
    each of the tickets; every change is recorded on its ticket like a change made by hand."""

    def apply(ticket: Ticket) -> bool:
        ticket_changes = dict(changes)
        if add_tags:
            current = [tag.name for tag in ticket.tags.all()]
            ticket_changes["tags"] = [*current, *add_tags]
        return bool(
            do_update_ticket(ticket=ticket, changes=ticket_changes, acting_user=acting_user)
        )

    return _for_each_ticket(ticket_ids, acting_user, apply)


def do_bulk_merge(*, ticket_ids: Sequence[int], target_id: int, acting_user: Agent) -> BulkOutcome:
    """Merge each of the tickets into the ticket ``target_id`` (which the agent must see too);
    the target itself, if listed, stays as it is."""
    target = access_ticket(acting_user, target_id)

    def apply(ticket: Ticket) -> bool:
        if ticket.pk == target.pk:
            return False
        do_merge_tickets(source=ticket, target=target, acting_user=acting_user)
        return True

    return _for_each_ticket(ticket_ids, acting_user, apply)


# What tickets are described with, as admins define it: categories, tags, custom fields.


def do_save_category(
    *, category: Category | None, name: str, parent: Category | None, acting_user: Agent | None
) -> Category:
    """Create a category or rename and move one; it never sits under itself or its own
    subcategory, and names are unique under one parent."""
    name = name.strip()
    if not name:
        raise InvalidInput("A category needs a name", errors={"name": ["empty"]})
    category = category or Category()
    if category.pk is not None and parent is not None and category.pk in category_path(parent.pk):
        raise InvalidInput(
            "A category cannot sit under itself or its subcategory", errors={"parent": ["loop"]}
        )
    category.name, category.parent = name[:100], parent
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError as error:
        raise Conflict(f"There is a category {name!r} there already") from error
    return category


def do_delete_unused_tag(*, tag: Tag, acting_user: Agent | None) -> None:
    """Remove a tag no ticket carries (removing one in use would change tickets unrecorded)."""
    if tag.ticket_links.exists():
        raise Conflict(f"Tag {tag.name!r} is on tickets; remove it from them first")
    tag.delete()


def _clean_tag_name(name: str) -> str:
    cleaned = name.strip().lower()
    if not cleaned:
        raise InvalidInput("A tag needs a name", errors={"name": ["empty"]})
    if len(cleaned) > MAX_TAG_LENGTH:
        raise InvalidInput(
            f"A tag is at most {MAX_TAG_LENGTH} characters", errors={"name": ["too long"]}
        )
    return cleaned


def _record_tag_replaced(
    tag: Tag, new_name: str, *, acting_user: Agent | None, at: datetime.datetime
) -> None:
    """Before ``tag`` gives way to ``new_name`` on its tickets: record on each of them the tags
    it had and will have, and publish the change after commit."""
    carrying = TicketTag.objects.filter(tag=tag).values("ticket_id")
    names: dict[int, set[str]] = defaultdict(set)
    for ticket_id, name in TicketTag.objects.filter(ticket_id__in=carrying).values_list(
        "ticket_id", "tag__name"
    ):
        names[ticket_id].add(name)
    Ticket.objects.filter(pk__in=carrying).update(updated_at=at)
    _record_changes(
        "tags",
        [
            (ticket_id, sorted(before), sorted((before - {tag.name}) | {new_name}))
            for ticket_id, before in names.items()
        ],
        acting_user=acting_user,
        at=at,
    )


def do_retarget_saved_views(*, key: str, old: Any, new: Any) -> None:
    """Saved views that filter by ``key`` = ``old`` now filter by ``new`` (None: not by it),
    when what they name was renamed, merged or removed."""
    for view in SavedView.objects.filter(**{f"filters__{key}": old}):
        view.filters = {k: v for k, v in view.filters.items() if k != key}
        if new is not None:
            view.filters[key] = new
        view.save(update_fields=["filters"])


@transaction.atomic
def do_rename_tag(*, tag: Tag, name: str, acting_user: Agent | None) -> Tag:
    """Give a tag another name: the tickets that carry it keep it (each records the change in
    its history); saved views filtering by it follow, and so do rules and macros (``tag.renamed``,
    after commit). A name another tag has is refused:
    merge into that tag instead."""
    new_name = _clean_tag_name(name)
    if new_name == tag.name:
        return tag
    if Tag.objects.filter(name=new_name).exists():
        raise Conflict(
            f"There is a tag {new_name!r} already; merge into it instead",
            errors={"name": ["taken"]},
        )
    _record_tag_replaced(tag, new_name, acting_user=acting_user, at=timezone.now())
    do_retarget_saved_views(key="tag", old=tag.name, new=new_name)
    publish_on_commit("tag.renamed", old=tag.name, new=new_name)
    tag.name = new_name
    tag.save(update_fields=["name"])
    return tag


@transaction.atomic
def do_merge_tags(*, source: Tag, target: Tag, acting_user: Agent | None) -> Tag:
    """Put ``target`` on every ticket that carries ``source`` and remove ``source``: each ticket
    records the change in its history; saved views, rules and macros naming ``source`` follow."""
    if source.pk == target.pk:
        raise InvalidInput("A tag cannot be merged into itself", errors={"target": ["same"]})
    _record_tag_replaced(source, target.name, acting_user=acting_user, at=timezone.now())
    TicketTag.objects.bulk_create(
        [
            TicketTag(ticket_id=ticket_id, tag=target)
            for ticket_id in TicketTag.objects.filter(tag=source).values_list(
                "ticket_id", flat=True
            )
        ],
        ignore_conflicts=True,
    )
    do_retarget_saved_views(key="tag", old=source.name, new=target.name)
    publish_on_commit("tag.renamed", old=source.name, new=target.name)
    source.delete()
    return target


@transaction.atomic
def do_delete_category(
    *, category: Category, replacement: Category | None, acting_user: Agent | None
) -> None:
    """Remove a category. Its tickets move to ``replacement``, each recording the change; with
    tickets and no replacement it is refused, as it is while it has subcategories. Saved views
    filtering by it follow the replacement or stop filtering by category."""
    if replacement is not None and replacement.pk == category.pk:
        raise InvalidInput(
            "Choose another category to move the tickets to", errors={"replacement": ["same"]}
        )
    if category.children.exists():
        raise Conflict(
            f"Category {category.name!r} has subcategories; move or remove them first",
            errors={"category": ["has subcategories"]},
        )
    at = timezone.now()
    moved = list(Ticket.objects.filter(category=category).values_list("id", flat=True))
    if moved and replacement is None:
        raise Conflict(
            f"{len(moved)} tickets are in {category.name!r}; choose a category to move them to",
            errors={"replacement": ["required"]},
        )
    Ticket.objects.filter(category=category).update(category=replacement, updated_at=at)
    _record_changes(
        "category",
        [(ticket_id, _label(category), _label(replacement)) for ticket_id in moved],
        acting_user=acting_user,
        at=at,
    )
    do_retarget_saved_views(
        key="category_id", old=category.pk, new=replacement.pk if replacement else None
    )
    category.delete()


def do_save_custom_field(
    *,
    field: CustomField | None,
    label: str,
    is_required_to_solve: bool,
    choices: Sequence[str] = (),
    key: str = "",
    field_type: str = "",
    acting_user: Agent | None,
) -> CustomField:
    """Define a ticket custom field, or change one's label, choices and whether it must be
    filled in to solve. Its key and type are set once: the tickets' values depend on them."""
    label = label.strip()
    if not label:
        raise InvalidInput("A field needs a label", errors={"label": ["empty"]})
    if field is None:
        _check_choice(field_type, CustomFieldType.values, "field_type")
        field = CustomField(key=key.strip().lower(), field_type=field_type)
    cleaned_choices = [choice.strip() for choice in choices if choice.strip()]
    if field.field_type == CustomFieldType.CHOICE and not cleaned_choices:
        raise InvalidInput("A choice field needs choices", errors={"choices": ["empty"]})
    field.label = label[:100]
    field.choices = cleaned_choices if field.field_type == CustomFieldType.CHOICE else []
    field.is_required_to_solve = is_required_to_solve
    try:
        with transaction.atomic():
            field.save()
    except IntegrityError as error:
        raise Conflict(
            f"A field {field.key!r} exists already", errors={"key": ["taken"]}
        ) from error
    return field
