"""Reads for tickets, scoped to what the asking agent may see."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from okienko.accounts.models import Agent
from okienko.core.errors import NotFound
from okienko.tickets.models import Attachment, Category, CustomField, Message, Tag, Ticket


def visible_tickets(user: Agent) -> QuerySet[Ticket]:
    """Admins and supervisors see every ticket; an agent sees their teams' queues, tickets
    without a team, and whatever is assigned to them."""
    tickets = Ticket.objects.all()
    if user.sees_all_tickets:
        return tickets
    return tickets.filter(
        Q(team__in=user.teams.values("id")) | Q(team__isnull=True) | Q(assignee=user)
    )


def _with_relations(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.select_related("requester", "assignee", "team", "category").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("name"))
    )


def access_ticket(user: Agent, ticket_id: int) -> Ticket:
    """The ticket, if ``user`` may see it; otherwise ``NotFound``, not revealing it exists."""
    try:
        return _with_relations(visible_tickets(user)).get(pk=ticket_id)
    except Ticket.DoesNotExist as error:
        raise NotFound(f"Ticket {ticket_id} not found") from error


@dataclass(frozen=True)
class TicketFilters:
    """The filters of a ticket list; ``assignee_id`` 0 means "unassigned"."""

    statuses: Sequence[str] = ()
    priorities: Sequence[str] = ()
    channels: Sequence[str] = ()
    assignee_id: int | None = None
    team_id: int | None = None
    requester_id: int | None = None
    organisation_id: int | None = None
    category_id: int | None = None
    tag: str | None = None
    created_after: datetime.datetime | None = None
    created_before: datetime.datetime | None = None


def list_tickets(
    user: Agent, filters: TicketFilters, *, before_id: int | None, limit: int
) -> list[Ticket]:
    """One page of tickets, newest first, after the keyset cursor ``before_id``.

    Keyset pagination keeps every page an index range scan however deep the list goes.
    """
    tickets = visible_tickets(user)
    conditions = {
        "status__in": filters.statuses,
        "priority__in": filters.priorities,
        "channel__in": filters.channels,
        "team_id": filters.team_id,
        "requester_id": filters.requester_id,
        "category_id": filters.category_id,
        "requester__organisation_id": filters.organisation_id,
        "tags__name": filters.tag,
        "created_at__gte": filters.created_after,
        "created_at__lt": filters.created_before,
        "id__lt": before_id,
    }
    tickets = tickets.filter(**{key: value for key, value in conditions.items() if value})
    if filters.assignee_id is not None:
        tickets = tickets.filter(assignee_id=filters.assignee_id or None)
    return list(_with_relations(tickets).order_by("-id")[:limit])


def ticket_messages(user: Agent, ticket: Ticket) -> QuerySet[Message]:
    """The whole thread an agent sees: public messages and internal notes."""
    return (
        Message.objects.filter(ticket=ticket)
        .select_related("author_agent", "author_customer")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def access_message(user: Agent, ticket: Ticket, message_id: int) -> Message:
    try:
        return ticket_messages(user, ticket).get(pk=message_id)
    except Message.DoesNotExist as error:
        raise NotFound(f"Message {message_id} not found") from error


def ticket_events(user: Agent, ticket: Ticket) -> QuerySet:
    return ticket.events.select_related("actor_agent").order_by("created_at", "id")


def access_attachment(user: Agent, attachment_id: int) -> Attachment:
    """An attachment of a message on a ticket ``user`` may see."""
    try:
        return Attachment.objects.select_related("message").get(
            pk=attachment_id, message__ticket__in=visible_tickets(user)
        )
    except Attachment.DoesNotExist as error:
        raise NotFound(f"Attachment {attachment_id} not found") from error


def access_category(user: Agent, category_id: int) -> Category:
    try:
        return Category.objects.get(pk=category_id)
    except Category.DoesNotExist as error:
        raise NotFound(f"Category {category_id} not found") from error


def categories() -> QuerySet[Category]:
    return Category.objects.select_related("parent")


def tags() -> QuerySet[Tag]:
    return Tag.objects.all()


def custom_fields() -> QuerySet[CustomField]:
    return CustomField.objects.all()
