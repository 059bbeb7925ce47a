"""REST endpoints of inboxes and the inbound ledger (quarantine review and re-processing)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from okienko.accounts.choices import Role
from okienko.accounts.selectors import access_team
from okienko.api.auth import acting_agent
from okienko.api.pagination import DEFAULT_PAGE_SIZE, check_limit, decode_cursor, next_cursor
from okienko.core.errors import PermissionDenied
from okienko.inboxes import actions
from okienko.inboxes.choices import InboundStatus, InboxKind
from okienko.inboxes.models import EmailAccount, InboundItem, Inbox
from okienko.inboxes.schemas import (
    EmailAccountIn,
    EmailAccountOut,
    InboundItemOut,
    InboundItemPage,
    InboxCreateIn,
    InboxOut,
)
from okienko.inboxes.selectors import (
    access_inbound_item,
    email_account_of,
    list_inbound_items,
    visible_inboxes,
)

router = Router(tags=["inboxes"])


@router.get("/inboxes", response=list[InboxOut], summary="List the inboxes you can see")
def list_inboxes(request: HttpRequest) -> Any:
    return visible_inboxes(acting_agent(request))


@router.post("/inboxes", response={201: InboxOut}, summary="Create an inbox (admins)")
def create_inbox(request: HttpRequest, payload: InboxCreateIn) -> Status[Inbox]:
    agent = acting_agent(request)
    if agent.role != Role.ADMIN:
        raise PermissionDenied("Only admins configure inboxes")
    inbox = actions.do_create_inbox(
        name=payload.name,
        kind=payload.kind,
        address=payload.address,
        team=access_team(agent, payload.team_id) if payload.team_id else None,
        is_default=payload.is_default,
        acting_user=agent,
    )
    return Status(201, inbox)


def _admin_inbox(request: HttpRequest, inbox_id: int) -> Inbox:
    agent = acting_agent(request)
    if agent.role != Role.ADMIN:
        raise PermissionDenied("Only admins configure mailboxes")
    return get_object_or_404(Inbox, pk=inbox_id, kind=InboxKind.EMAIL)


@router.get(
    "/inboxes/{inbox_id}/email-account",
    response=EmailAccountOut,
    summary="A mailbox's settings and last fetch error (admins; secrets are not shown)",
)
def get_email_account(request: HttpRequest, inbox_id: int) -> EmailAccount:
    inbox = _admin_inbox(request, inbox_id)
    account = email_account_of(inbox)
    if account is None:
        raise Http404("This inbox has no mailbox settings yet")
    return account


@router.put(
    "/inboxes/{inbox_id}/email-account",
    response=EmailAccountOut,
    summary="Set a mailbox's IMAP, OAuth2 and SMTP settings (admins)",
)
def put_email_account(request: HttpRequest, inbox_id: int, payload: EmailAccountIn) -> EmailAccount:
    inbox = _admin_inbox(request, inbox_id)
    return actions.do_configure_email_account(
        inbox=inbox, values=payload.model_dump(), acting_user=acting_agent(request)
    )


@router.get("/inbound", response=InboundItemPage, summary="List inbound ledger items, newest first")
def list_inbound(
    request: HttpRequest,
    status: InboundStatus | None = None,
    inbox: int | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> dict[str, Any]:
    check_limit(limit)
    items = list_inbound_items(
        acting_agent(request),
        status=status,
        inbox_id=inbox,
        before_id=decode_cursor(cursor),
        limit=limit,
    )
    return {"items": items, "next_cursor": next_cursor([i.pk for i in items], limit)}


@router.get("/inbound/{item_id}/raw", summary="Download the raw message as it arrived")
def inbound_raw(request: HttpRequest, item_id: int) -> HttpResponse:
    item = access_inbound_item(acting_agent(request), item_id)
    response = HttpResponse(bytes(item.raw), content_type="application/octet-stream")
    extension = "json" if item.inbox.kind == InboxKind.CHAT else "eml"
    response["Content-Disposition"] = f'attachment; filename="inbound-{item.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post(
    "/inbound/{item_id}/reprocess",
    response=InboundItemOut,
    summary="Process a quarantined item again",
)
def reprocess_inbound(request: HttpRequest, item_id: int) -> InboundItem:
    agent = acting_agent(request)
    item = access_inbound_item(agent, item_id)
    return actions.do_reprocess_inbound(item=item, acting_user=agent)
