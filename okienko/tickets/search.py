"""Tickets in search: the subject and every message; internal notes are found by agents only.

An agent finds the tickets ``visible_tickets`` shows them, a customer those the portal shows
them (``customer_visible_tickets``) and only by their public messages.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Agent
from okienko.customers.models import Customer
from okienko.search.registry import DocumentText, DocumentType, ResultSource, Searcher
from okienko.tickets.choices import Priority, Status
from okienko.tickets.models import Message, Ticket
from okienko.tickets.selectors import customer_visible_tickets, visible_tickets


def _ticket(payload: dict[str, Any]) -> list[int]:
    return [payload["ticket_id"]]


def _renamed(payload: dict[str, Any]) -> list[int]:
    # Status, assignee and the like are read from the ticket at search time: no reindexing.
    return [payload["ticket_id"]] if payload["field"] == "subject" else []


def _merged(payload: dict[str, Any]) -> list[int]:
    return [payload["source_id"], payload["target_id"]]


def _title(ticket_id: int, subject: str) -> str:
    return f"#{ticket_id} {subject}"


class TicketDocuments(DocumentType):
    name = "ticket"
    label = _("Ticket")
    filter_names = {"status": Status.values, "priority": Priority.values}
    events = {
        "ticket.created": _ticket,
        "ticket.message_added": _ticket,
        "ticket.updated": _renamed,
        # The source's messages moved to the target.
        "ticket.merged": _merged,
    }

    def objects(self) -> QuerySet[Ticket]:
        return Ticket.objects.all()

    def texts(self, object_ids: Sequence[int]) -> dict[int, DocumentText]:
        tickets = Ticket.objects.filter(pk__in=object_ids).values_list(
            "pk", "subject", "requester__language"
        )
        public: dict[int, list[str]] = {}
        internal: dict[int, list[str]] = {}
        messages = (
            Message.objects.filter(ticket_id__in=object_ids)
            .order_by("ticket_id", "created_at", "id")
            .values_list("ticket_id", "is_public", "text")
        )
        for ticket_id, is_public, text in messages:
            (public if is_public else internal).setdefault(ticket_id, []).append(text)
        return {
            pk: DocumentText(
                title=_title(pk, subject),
                public=public.get(pk, []),
                internal=internal.get(pk, []),
                language_hint=language,
            )
            for pk, subject, language in tickets
        }

    def visible(self, searcher: Searcher, filters: Mapping[str, str]) -> QuerySet[Any] | None:
        if isinstance(searcher, Agent):
            tickets = visible_tickets(searcher)
        elif isinstance(searcher, Customer):
            tickets = customer_visible_tickets(searcher)
        else:
            return None
        return tickets.filter(**filters).values("pk")

    def results(self, searcher: Searcher, object_ids: Sequence[int]) -> dict[int, ResultSource]:
        found = Ticket.objects.filter(pk__in=object_ids).select_related("requester")
        messages = Message.objects.filter(ticket_id__in=object_ids)
        if not isinstance(searcher, Agent):
            messages = messages.filter(is_public=True)
        texts: dict[int, list[str]] = {}
        rows = messages.order_by("ticket_id", "created_at", "id").values_list("ticket_id", "text")
        for ticket_id, text in rows:
            texts.setdefault(ticket_id, []).append(text)
        return {
            ticket.pk: ResultSource(
                title=_title(ticket.pk, ticket.subject),
                details={
                    "number": ticket.pk,
                    "status": ticket.status,
                    "priority": ticket.priority,
                    "requester": str(ticket.requester),
                },
                texts=texts.get(ticket.pk, []),
            )
            for ticket in found
        }
