"""Writes for routing: assigning tickets to agents, presence, and escalation."""

import datetime
import logging
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from okienko.accounts.models import Agent
from okienko.core.errors import Conflict, InvalidInput
from okienko.core.events import publish_on_commit
from okienko.routing.choices import Presence, Strategy
from okienko.routing.models import AgentRouting, TeamRouting
from okienko.routing.selectors import (
    Candidate,
    candidates,
    idle_agents,
    least_loaded_supervisor,
    team_routing,
    teams_escalating_on_breach,
    waits_for_agent,
)
from okienko.tickets.actions import do_assign, do_escalate
from okienko.tickets.choices import EscalationLevel
from okienko.tickets.models import Ticket
from okienko.tickets.selectors import (
    assigned_working_ticket_ids,
    ticket_by_number,
    unassigned_working_ticket_ids,
    unsolved_ticket_ids_in_teams,
)

logger = logging.getLogger(__name__)

# Presence follows activity: quiet this long and an online agent is away, then offline.
AWAY_AFTER = datetime.timedelta(minutes=15)
OFFLINE_AFTER = datetime.timedelta(minutes=60)
# Activity is written at most this often per agent.
ACTIVITY_RESOLUTION = datetime.timedelta(minutes=1)
# An agent coming online takes at most this many waiting tickets per team at once.
BACKLOG_BATCH = 50
SECOND_LINE, SUPERVISOR = EscalationLevel.SECOND_LINE, EscalationLevel.SUPERVISOR


def _pick(strategy: str, found: list[Candidate], last_agent_id: int | None) -> Candidate:
    if strategy == Strategy.ROUND_ROBIN:
        after = [candidate for candidate in found if candidate.agent.pk > (last_agent_id or 0)]
        return (after or found)[0]
    return min(found, key=lambda candidate: (candidate.share, candidate.load, candidate.agent.pk))


def do_route_ticket(ticket_id: int) -> Agent | None:
    """Give an unassigned ticket of a routed team to the agent its team's strategy picks:
    online, with the skills it needs and room for it. None when nobody fits (it waits in the
    team's queue until someone comes online)."""
    # Read before the transaction: most tickets need no routing, and on SQLite a transaction
    # takes the write lock. ``do_assign`` refuses if someone assigns the ticket meanwhile.
    ticket = ticket_by_number(ticket_id)
    if ticket is None or ticket.team_id is None:
        return None
    if not waits_for_agent(
        team_id=ticket.team_id, assignee_id=ticket.assignee_id, status=ticket.status
    ):
        return None
    with transaction.atomic():
        return _route(ticket, ticket.team_id)


def _route(ticket: Ticket, team_id: int) -> Agent | None:
    routing = TeamRouting.objects.select_for_update().filter(team_id=team_id).first()
    if routing is None or routing.strategy == Strategy.MANUAL:
        return None
    found = candidates(routing.team, ticket, routing.skill_kinds)
    if not found:
        return None
    chosen = _pick(routing.strategy, found, routing.last_assigned_agent_id).agent
    # Stored as written, not translated: the history reads the same in either language.
    rule = f"routing: {routing.strategy}"
    try:
        do_assign(ticket=ticket, assignee=chosen, acting_user=None, rule=rule)
    except Conflict:
        return None  # assigned meanwhile by someone else
    TeamRouting.objects.filter(pk=routing.pk).update(last_assigned_agent=chosen)
    return chosen


def _routing_of(agent: Agent) -> AgentRouting:
    routing, _created = AgentRouting.objects.select_for_update().get_or_create(agent=agent)
    return routing


def do_set_presence(
    *,
    agent: Agent,
    presence: str,
    automatic: bool = False,
    at: datetime.datetime | None = None,
) -> AgentRouting:
    """Set an agent online, away or offline. Going offline hands their open tickets back to
    teams that rebalance; coming online lets them take the tickets waiting in their teams."""
    if presence not in Presence.values:
        raise InvalidInput(f"{presence!r} is not a presence", errors={"presence": [presence]})
    at = at or timezone.now()
    with transaction.atomic():
        routing = _routing_of(agent)
        changed = routing.presence != presence
        routing.presence = presence
        routing.is_presence_automatic = automatic
        routing.last_seen_at = at if not automatic else routing.last_seen_at
        if changed:
            routing.presence_changed_at = at
        routing.save()
        if changed:
            publish_on_commit("agent.presence_changed", agent_id=agent.pk, presence=presence)
    if changed and presence == Presence.OFFLINE:
        _hand_back_tickets(agent)
    if changed and presence == Presence.ONLINE:
        _take_waiting_tickets(agent)
    return routing


def _hand_back_tickets(agent: Agent) -> None:
    team_ids = list(
        TeamRouting.objects.filter(team__members=agent, rebalance_when_offline=True)
        .exclude(strategy=Strategy.MANUAL)
        .values_list("team_id", flat=True)
    )
    rule = "routing: agent offline"
    for ticket_id in assigned_working_ticket_ids(assignee_id=agent.pk, team_ids=team_ids):
        ticket = ticket_by_number(ticket_id)
        if ticket is None:
            continue
        try:
            do_assign(ticket=ticket, assignee=None, acting_user=None, rule=rule)
        except Conflict:
            continue
        do_route_ticket(ticket_id)


def _take_waiting_tickets(agent: Agent) -> None:
    team_ids = (
        TeamRouting.objects.filter(team__members=agent)
        .exclude(strategy=Strategy.MANUAL)
        .values_list("team_id", flat=True)
    )
    for team_id in team_ids:
        for ticket_id in unassigned_working_ticket_ids(team_id=team_id, limit=BACKLOG_BATCH):
            do_route_ticket(ticket_id)


def do_record_activity(*, agent: Agent, at: datetime.datetime | None = None) -> str:
    """The agent did something: keep them online (back from an automatic away). Returns their
    presence."""
    at = at or timezone.now()
    routing = AgentRouting.objects.filter(agent=agent).first()
    if routing is None or (routing.is_presence_automatic and routing.presence != Presence.ONLINE):
        return do_set_presence(agent=agent, presence=Presence.ONLINE, at=at).presence
    if routing.last_seen_at is None or at - routing.last_seen_at >= ACTIVITY_RESOLUTION:
        AgentRouting.objects.filter(pk=routing.pk).update(last_seen_at=at)
    return routing.presence


def do_mark_idle_agents(*, now: datetime.datetime | None = None) -> int:
    """Online agents quiet for AWAY_AFTER become away, and away ones (by inactivity) quiet for
    OFFLINE_AFTER go offline, which hands their tickets back. Returns how many changed."""
    now = now or timezone.now()
    changed = 0
    for routing in idle_agents(
        presence=Presence.ONLINE, seen_before=now - AWAY_AFTER, automatic_only=False
    ):
        do_set_presence(agent=routing.agent, presence=Presence.AWAY, automatic=True, at=now)
        changed += 1
    for routing in idle_agents(
        presence=Presence.AWAY, seen_before=now - OFFLINE_AFTER, automatic_only=True
    ):
        do_set_presence(agent=routing.agent, presence=Presence.OFFLINE, automatic=True, at=now)
        changed += 1
    return changed


def do_escalate_ticket(*, ticket: Ticket, acting_user: Agent | None, rule: str = "") -> int:
    """Raise the ticket one level: first line -> the team's second line (when it has one) ->
    a supervisor. Returns the new level; Conflict when it is at the top already."""
    routing = team_routing(ticket.team_id)
    second_line = routing.escalation_team if routing else None
    if ticket.escalation_level < SECOND_LINE and second_line is not None:
        do_escalate(
            ticket=ticket,
            level=SECOND_LINE,
            team=second_line,
            assignee=None,
            acting_user=acting_user,
            rule=rule,
        )
        return SECOND_LINE
    if ticket.escalation_level < SUPERVISOR:
        supervisor = least_loaded_supervisor()
        if supervisor is None:
            raise Conflict("There is no supervisor to escalate to")
        do_escalate(
            ticket=ticket,
            level=SUPERVISOR,
            team=ticket.team,
            assignee=supervisor,
            acting_user=acting_user,
            rule=rule,
        )
        return SUPERVISOR
    raise Conflict(f"Ticket #{ticket.pk} is already with a supervisor")


def do_escalate_after_breaches(ticket_ids: Sequence[int]) -> int:
    """The automatic escalation rule: each breached ticket of a team that escalates on breaches
    goes one level up (up to a supervisor). Tickets of other teams cost one query in all, so a
    burst of breaches stays cheap. Returns how many were escalated."""
    team_ids = teams_escalating_on_breach()
    if not team_ids:
        return 0
    escalated = 0
    for ticket_id in unsolved_ticket_ids_in_teams(ticket_ids, team_ids=team_ids):
        ticket = ticket_by_number(ticket_id)
        if ticket is None or ticket.escalation_level >= SUPERVISOR:
            continue
        try:
            do_escalate_ticket(ticket=ticket, acting_user=None, rule="escalation: SLA breach")
        except Conflict as error:
            logger.warning("ticket %s not escalated after a breach: %s", ticket_id, error)
            continue
        escalated += 1
    return escalated
