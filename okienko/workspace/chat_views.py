"""The agent's side of a live chat on its ticket page: accept, transfer, end, and the read mark."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from okienko.accounts.models import Agent
from okienko.accounts.selectors import access_agent, access_team
from okienko.core.errors import DomainError
from okienko.inboxes.chat.actions import (
    do_accept_chat,
    do_end_chat,
    do_mark_read_by_agent,
    do_transfer_chat,
)
from okienko.inboxes.chat.selectors import access_chat
from okienko.inboxes.models import ChatConversation
from okienko.tickets.selectors import access_ticket
from okienko.workspace.forms import ChatTransferForm
from okienko.workspace.views import _agent, _is_htmx, _ticket_context


def _answer(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """htmx gets the parts of the page the change touched; a plain form the ticket page."""
    if not _is_htmx(request):
        return redirect("workspace:ticket", ticket_id=ticket_id)
    agent = _agent(request)
    ticket = access_ticket(agent, ticket_id)
    return render(request, "workspace/partials/_ticket_live.html", _ticket_context(agent, ticket))


def _change_chat(
    request: HttpRequest, ticket_id: int, change: Callable[..., object]
) -> HttpResponse:
    """Apply ``change(conversation=, acting_user=)`` to the chat the agent may reach; a refusal
    is shown, not raised."""
    agent = _agent(request)
    conversation = access_chat(agent, ticket_id)
    try:
        change(conversation=conversation, acting_user=agent)
    except DomainError as error:
        messages.warning(request, str(error))
    return _answer(request, ticket_id)


@login_required
@require_POST
def accept(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The agent takes the chat."""
    return _change_chat(request, ticket_id, do_accept_chat)


@login_required
@require_POST
def transfer(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Hand the chat to another agent or team."""
    form = ChatTransferForm(request.POST, ticket=access_ticket(_agent(request), ticket_id))
    if not form.is_valid():
        return _answer(request, ticket_id)
    kind, target_id = form.target()

    def to_target(*, conversation: ChatConversation, acting_user: Agent) -> object:
        to_agent = kind == "agent"
        return do_transfer_chat(
            conversation=conversation,
            agent=access_agent(acting_user, target_id) if to_agent else None,
            team=None if to_agent else access_team(acting_user, target_id),
            acting_user=acting_user,
        )

    return _change_chat(request, ticket_id, to_target)


@login_required
@require_POST
def end(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """End the chat; the visitor may write again later."""
    return _change_chat(request, ticket_id, do_end_chat)


@login_required
@require_POST
def read(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The agent's open chat page has shown the visitor's messages so far."""
    agent = _agent(request)
    do_mark_read_by_agent(conversation=access_chat(agent, ticket_id), acting_user=agent)
    return HttpResponse(status=204)
