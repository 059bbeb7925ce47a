"""REST endpoints of routing: an agent's presence and escalating a ticket."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from okienko.api.auth import acting_agent
from okienko.routing import actions
from okienko.routing.choices import Presence
from okienko.routing.selectors import presence_of
from okienko.sla.selectors import attach_sla
from okienko.tickets.schemas import TicketOut
from okienko.tickets.selectors import access_ticket

router = Router(tags=["routing"])


class PresenceIn(Schema):
    presence: Presence


class PresenceOut(Schema):
    presence: Presence


@router.get("/agents/me/presence", response=PresenceOut, summary="Your presence")
def get_presence(request: HttpRequest) -> dict[str, Any]:
    return {"presence": presence_of(acting_agent(request))}


@router.put(
    "/agents/me/presence",
    response=PresenceOut,
    summary="Set your presence (online takes waiting tickets, offline hands yours over)",
)
def set_presence(request: HttpRequest, payload: PresenceIn) -> dict[str, Any]:
    routing = actions.do_set_presence(agent=acting_agent(request), presence=payload.presence)
    return {"presence": routing.presence}


@router.post(
    "/tickets/{ticket_id}/escalate",
    response=TicketOut,
    summary="Escalate a ticket one level (second line, then a supervisor)",
)
def escalate_ticket(request: HttpRequest, ticket_id: int) -> Any:
    agent = acting_agent(request)
    actions.do_escalate_ticket(ticket=access_ticket(agent, ticket_id), acting_user=agent)
    ticket = access_ticket(agent, ticket_id)
    attach_sla([ticket])
    return ticket
