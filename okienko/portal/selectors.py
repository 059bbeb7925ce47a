"""Reads of the customer portal, scoped to the signed-in customer.

A customer sees the tickets they asked (and their organisation's, when it shares tickets), the
public messages of those tickets and the attachments of those messages: never internal notes.
Every lookup by an id from the browser goes through ``access_portal_*``; anything else is
``NotFound``, so nobody learns that someone else's ticket exists.
"""

from django.db.models import QuerySet
from django.utils import timezone

from okienko.core.errors import NotFound
from okienko.core.tokens import token_digest
from okienko.customers.models import Customer
from okienko.portal.models import SignInLink
from okienko.tickets.models import Attachment, Message, Ticket
from okienko.tickets.selectors import customer_visible_tickets


def list_portal_tickets(customer: Customer, *, before_id: int | None, limit: int) -> list[Ticket]:
    """One page of the customer's tickets, newest first, after the keyset cursor ``before_id``."""
    tickets = customer_visible_tickets(customer).select_related("assignee", "requester")
    if before_id is not None:
        tickets = tickets.filter(pk__lt=before_id)
    return list(tickets.order_by("-id")[:limit])


def access_portal_ticket(customer: Customer, ticket_id: int) -> Ticket:
    """The ticket, if ``customer`` may see it; otherwise ``NotFound``."""
    try:
        return (
            customer_visible_tickets(customer)
            .select_related("assignee", "requester", "category")
            .get(pk=ticket_id)
        )
    except Ticket.DoesNotExist as error:
        raise NotFound(f"Ticket {ticket_id} not found") from error


def public_thread(ticket: Ticket) -> QuerySet[Message]:
    """What the customer sees of the conversation: public messages only, oldest first."""
    return (
        Message.objects.filter(ticket=ticket, is_public=True)
        .select_related("author_agent", "author_customer")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def access_portal_attachment(customer: Customer, attachment_id: int) -> Attachment:
    """An attachment of a public message on a ticket ``customer`` may see; else ``NotFound``."""
    try:
        return Attachment.objects.get(
            pk=attachment_id,
            message__is_public=True,
            message__ticket__in=customer_visible_tickets(customer),
        )
    except Attachment.DoesNotExist as error:
        raise NotFound(f"Attachment {attachment_id} not found") from error


def is_usable_sign_in_link(token: str) -> bool:
    """Whether the token names a sent link that is neither used nor expired."""
    return SignInLink.objects.filter(
        token_digest=token_digest(token), used_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()
