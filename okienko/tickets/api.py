"""REST endpoints of tickets: parse, authorise, one action or selector, serialise."""

import base64
import binascii
import datetime
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply

from okienko.accounts.models import Agent
from okienko.accounts.selectors import access_agent, access_team
from okienko.api.auth import acting_agent
from okienko.api.idempotency import run_idempotent
from okienko.api.pagination import (
    DEFAULT_PAGE_SIZE,
    check_limit,
    decode_cursor,
    decode_deadline_cursor,
    next_cursor,
    next_deadline_cursor,
)
from okienko.core.downloads import safe_download
from okienko.core.errors import InvalidInput
from okienko.core.events import watching_published
from okienko.customers.selectors import access_customer
from okienko.sla.selectors import attach_sla
from okienko.tickets import actions
from okienko.tickets.choices import AuthorKind, Channel, Priority, Status, TicketOrder
from okienko.tickets.schemas import (
    AttachmentIn,
    BulkMergeIn,
    BulkOutcomeOut,
    BulkUpdateIn,
    EventOut,
    MergeIn,
    MessageCreateIn,
    MessageOut,
    SavedViewIn,
    SavedViewOut,
    TicketCreateIn,
    TicketOut,
    TicketPage,
    TicketUpdateIn,
)
from okienko.tickets.selectors import (
    DeadlineKey,
    TicketFilters,
    access_attachment,
    access_category,
    access_message,
    access_saved_view,
    access_ticket,
    list_tickets,
    list_tickets_by_deadline,
    saved_view_filters,
    saved_views,
    ticket_as_created,
    ticket_events,
    ticket_messages,
)

router = Router(tags=["tickets"])


class TicketListQuery(Schema):
    status: list[Status] = []
    priority: list[Priority] = []
    channel: list[Channel] = []
    assignee: str | None = None
    team: int | None = None
    requester: int | None = None
    organisation: int | None = None
    category: int | None = None
    tag: str | None = None
    created_after: datetime.datetime | None = None
    created_before: datetime.datetime | None = None
    sort: TicketOrder = Field(
        TicketOrder.NEWEST,
        description="newest: newest first; due: most urgent first, by the nearest running SLA "
        "deadline (sla_due_at, overdue first), tickets without one last, oldest first",
    )
    cursor: str | None = None
    limit: int = DEFAULT_PAGE_SIZE


def _assignee_filter(value: str | None, request: HttpRequest) -> int | None:
    """``me``, ``none`` (unassigned, encoded as 0) or an agent id."""
    if value is None:
        return None
    if value == "me":
        return acting_agent(request).pk
    if value == "none":
        return 0
    if not value.isdigit():
        raise InvalidInput("assignee must be an id, 'me' or 'none'", errors={"assignee": [value]})
    return int(value)


def _decoded_attachments(attachments: list[AttachmentIn]) -> list[actions.AttachmentInput]:
    decoded = []
    for index, attachment in enumerate(attachments):
        try:
            content = base64.b64decode(attachment.content_base64, validate=True)
        except (binascii.Error, ValueError) as error:
            raise InvalidInput(
                "Attachment content is not valid base64",
                errors={f"attachments.{index}.content_base64": ["invalid base64"]},
            ) from error
        decoded.append(
            actions.AttachmentInput(attachment.filename, attachment.content_type, content)
        )
    return decoded


def _ticket_body(ticket: Any) -> dict[str, Any]:
    return TicketOut.from_orm(ticket).model_dump(mode="json")


@router.get(
    "/tickets", response=TicketPage, summary="List tickets, newest first or most urgent first"
)
def list_tickets_endpoint(request: HttpRequest, query: Query[TicketListQuery]) -> dict[str, Any]:
    check_limit(query.limit)
    filters = TicketFilters(
        statuses=query.status,
        priorities=query.priority,
        channels=query.channel,
        assignee_id=_assignee_filter(query.assignee, request),
        team_id=query.team,
        requester_id=query.requester,
        organisation_id=query.organisation,
        category_id=query.category,
        tag=query.tag.strip().lower() if query.tag else None,
        created_after=query.created_after,
        created_before=query.created_before,
    )
    agent = acting_agent(request)
    if query.sort == TicketOrder.DUE:
        after = decode_deadline_cursor(query.cursor)
        tickets = list_tickets_by_deadline(agent, filters, after=after, limit=query.limit)
        keys = [DeadlineKey.of(ticket) for ticket in tickets]
        following = next_deadline_cursor(keys, query.limit)
    else:
        before_id = decode_cursor(query.cursor)
        tickets = list_tickets(agent, filters, before_id=before_id, limit=query.limit)
        following = next_cursor([ticket.pk for ticket in tickets], query.limit)
    attach_sla(tickets)
    return {"items": tickets, "next_cursor": following}


@router.post("/tickets", response={201: TicketOut}, summary="Create a ticket")
def create_ticket(request: HttpRequest, payload: TicketCreateIn) -> HttpResponse:
    agent = acting_agent(request)

    def create() -> dict[str, Any]:
        fields: dict[str, Any] = {
            "subject": payload.subject,
            "channel": payload.channel,
            "text": payload.message,
            "html": payload.html,
            "author_kind": payload.message_author,
            "priority": payload.priority,
            "assignee": access_agent(agent, payload.assignee_id) if payload.assignee_id else None,
            "team": access_team(agent, payload.team_id) if payload.team_id else None,
            "category": (
                access_category(agent, payload.category_id) if payload.category_id else None
            ),
            "tags": payload.tags,
            "custom_fields": payload.custom_fields,
            "attachments": _decoded_attachments(payload.attachments),
            "acting_user": agent,
        }
        with watching_published() as published:
            if payload.requester_id is not None:
                requester = access_customer(agent, payload.requester_id)
                ticket = actions.do_create_ticket(requester=requester, **fields)
            elif payload.requester is not None:
                ticket = actions.do_create_ticket_for_email(
                    requester_email=payload.requester.email,
                    requester_name=payload.requester.name,
                    **fields,
                )
            else:
                raise InvalidInput(
                    "Give the requester or requester_id", errors={"requester": ["required"]}
                )
        # No access check: the creator may have routed it to a team they cannot see. The
        # after-commit subscribers (SLA, routing, triggers) may have changed it.
        created = ticket_as_created(ticket, published)
        attach_sla([created])
        return _ticket_body(created)

    return run_idempotent(request, agent, create)


# Registered before /tickets/{ticket_id}, which would otherwise take "bulk" for an id.


@router.post(
    "/tickets/bulk",
    response=BulkOutcomeOut,
    summary="The same change to many tickets, each as if changed on its own",
)
def bulk_update(request: HttpRequest, payload: BulkUpdateIn) -> Any:
    agent = acting_agent(request)
    sent = payload.model_dump(exclude_unset=True, exclude={"ticket_ids", "add_tags"})
    if not sent and not payload.add_tags:
        raise InvalidInput("Nothing to change", errors={"changes": ["empty"]})
    return actions.do_bulk_update(
        ticket_ids=payload.ticket_ids,
        changes=_changes(agent, sent),
        add_tags=payload.add_tags,
        acting_user=agent,
    )


@router.post(
    "/tickets/bulk/merge",
    response=BulkOutcomeOut,
    summary="Merge many tickets into one (the target, if listed, stays as it is)",
)
def bulk_merge(request: HttpRequest, payload: BulkMergeIn) -> Any:
    return actions.do_bulk_merge(
        ticket_ids=payload.ticket_ids,
        target_id=payload.target_id,
        acting_user=acting_agent(request),
    )


@router.get("/tickets/{ticket_id}", response=TicketOut, summary="Get a ticket")
def get_ticket(request: HttpRequest, ticket_id: int) -> Any:
    ticket = access_ticket(acting_agent(request), ticket_id)
    attach_sla([ticket])
    return ticket


@router.patch("/tickets/{ticket_id}", response=TicketOut, summary="Change ticket fields")
def update_ticket(request: HttpRequest, ticket_id: int, payload: TicketUpdateIn) -> Any:
    agent = acting_agent(request)
    ticket = access_ticket(agent, ticket_id)
    changes = _changes(agent, payload.model_dump(exclude_unset=True))
    actions.do_update_ticket(ticket=ticket, changes=changes, acting_user=agent)
    return access_ticket(agent, ticket_id)


def _changes(agent: Agent, sent: dict[str, Any]) -> dict[str, Any]:
    """The fields sent, as ``do_update_ticket`` takes them: ids looked up through the caller's
    access, ``null`` clearing assignee, team or category."""
    changes: dict[str, Any] = {
        key: value
        for key, value in sent.items()
        if key in {"subject", "status", "priority", "tags", "custom_fields"}
    }
    if "assignee_id" in sent:
        changes["assignee"] = (
            access_agent(agent, sent["assignee_id"]) if sent["assignee_id"] else None
        )
    if "team_id" in sent:
        changes["team"] = access_team(agent, sent["team_id"]) if sent["team_id"] else None
    if "category_id" in sent:
        changes["category"] = (
            access_category(agent, sent["category_id"]) if sent["category_id"] else None
        )
    return changes


@router.get("/tickets/{ticket_id}/messages", response=list[MessageOut], summary="The thread")
def list_messages(request: HttpRequest, ticket_id: int) -> Any:
    agent = acting_agent(request)
    return ticket_messages(agent, access_ticket(agent, ticket_id))


@router.post(
    "/tickets/{ticket_id}/messages",
    response={201: MessageOut},
    summary="Reply, add an internal note, or record a customer's message",
)
def create_message(request: HttpRequest, ticket_id: int, payload: MessageCreateIn) -> HttpResponse:
    agent = acting_agent(request)
    ticket = access_ticket(agent, ticket_id)
    if payload.author == AuthorKind.CUSTOMER and not payload.is_public:
        raise InvalidInput("A customer's message is always public", errors={"is_public": ["false"]})
    if payload.status is not None and not (payload.author == "agent" and payload.is_public):
        raise InvalidInput("status goes with an agent's public reply", errors={"status": ["set"]})

    def create() -> dict[str, Any]:
        attachments = _decoded_attachments(payload.attachments)
        if payload.author == AuthorKind.CUSTOMER:
            message = actions.do_add_customer_message(
                ticket=ticket, text=payload.text, html=payload.html, attachments=attachments
            )
        elif payload.is_public:
            message = actions.do_reply(
                ticket=ticket,
                text=payload.text,
                html=payload.html,
                attachments=attachments,
                status=payload.status,
                acting_user=agent,
            )
        else:
            message = actions.do_add_note(
                ticket=ticket,
                text=payload.text,
                html=payload.html,
                attachments=attachments,
                acting_user=agent,
            )
        return MessageOut.from_orm(access_message(agent, ticket, message.pk)).model_dump(
            mode="json"
        )

    return run_idempotent(request, agent, create)


@router.get("/tickets/{ticket_id}/events", response=list[EventOut], summary="The history")
def list_events(request: HttpRequest, ticket_id: int) -> Any:
    agent = acting_agent(request)
    return ticket_events(agent, access_ticket(agent, ticket_id))


@router.post(
    "/tickets/{ticket_id}/merge",
    response=TicketOut,
    summary="Merge this ticket into another; returns the target",
)
def merge_ticket(request: HttpRequest, ticket_id: int, payload: MergeIn) -> Any:
    agent = acting_agent(request)
    source = access_ticket(agent, ticket_id)
    target = access_ticket(agent, payload.target_id)
    actions.do_merge_tickets(source=source, target=target, acting_user=agent)
    return access_ticket(agent, target.pk)


@router.get("/attachments/{attachment_id}", summary="Download an attachment")
def download_attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = access_attachment(acting_agent(request), attachment_id)
    return safe_download(
        attachment.file, filename=attachment.filename, content_type=attachment.content_type
    )


# Saved inbox views: an agent's own, and those an admin shares with everyone or a team.


@router.get("/views", response=list[SavedViewOut], summary="The saved views of the caller's inbox")
def list_views(request: HttpRequest) -> Any:
    return saved_views(acting_agent(request)).order_by("name", "id")


def _save_view(request: HttpRequest, view: Any, payload: SavedViewIn) -> Any:
    agent = acting_agent(request)
    team = access_team(agent, payload.team_id) if payload.team_id else None
    return actions.do_save_view(
        view=view,
        name=payload.name,
        filters=payload.filters.model_dump(exclude_none=True),
        audience=payload.audience,
        team=team,
        acting_user=agent,
    )


@router.post("/views", response={201: SavedViewOut}, summary="Save a view")
def create_view(request: HttpRequest, payload: SavedViewIn) -> HttpResponse:
    agent = acting_agent(request)

    def create() -> dict[str, Any]:
        view = _save_view(request, None, payload)
        return SavedViewOut.from_orm(view).model_dump(mode="json")

    return run_idempotent(request, agent, create)


@router.get("/views/{view_id}", response=SavedViewOut, summary="Get a saved view")
def get_view(request: HttpRequest, view_id: int) -> Any:
    return access_saved_view(acting_agent(request), view_id)


@router.put(
    "/views/{view_id}",
    response=SavedViewOut,
    summary="Change a saved view (its owner's own; a shared one by an admin)",
)
def replace_view(request: HttpRequest, view_id: int, payload: SavedViewIn) -> Any:
    view = access_saved_view(acting_agent(request), view_id)
    return _save_view(request, view, payload)


@router.delete("/views/{view_id}", response={204: None}, summary="Remove a saved view")
def delete_view(request: HttpRequest, view_id: int) -> Any:
    agent = acting_agent(request)
    actions.do_delete_saved_view(view=access_saved_view(agent, view_id), acting_user=agent)
    return Reply(204, None)


@router.get(
    "/views/{view_id}/tickets",
    response=TicketPage,
    summary="The tickets a saved view shows, newest first",
)
def view_tickets(
    request: HttpRequest, view_id: int, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> dict[str, Any]:
    check_limit(limit)
    agent = acting_agent(request)
    filters = saved_view_filters(agent, access_saved_view(agent, view_id))
    tickets = list_tickets(agent, filters, before_id=decode_cursor(cursor), limit=limit)
    attach_sla(tickets)
    return {"items": tickets, "next_cursor": next_cursor([t.pk for t in tickets], limit)}
