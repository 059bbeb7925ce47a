"""Reads for routing: who may take a ticket now, how loaded they are, and presence."""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from okienko.accounts.choices import Role
from okienko.accounts.models import Agent, Team
from okienko.accounts.selectors import agents
from okienko.routing.choices import Presence, SkillKind
from okienko.routing.models import AgentRouting, TeamRouting
from okienko.tickets.choices import Priority
from okienko.tickets.models import Ticket
from okienko.tickets.selectors import WORKING_STATUSES, category_path, working_ticket_counts

# How much of an agent's capacity an open ticket takes, by priority.
PRIORITY_WEIGHT = {
    Priority.URGENT: 4.0,
    Priority.HIGH: 2.0,
    Priority.NORMAL: 1.0,
    Priority.LOW: 0.5,
}


def team_routing(team_id: int | None) -> TeamRouting | None:
    if team_id is None:
        return None
    return TeamRouting.objects.select_related("escalation_team").filter(team_id=team_id).first()


def agent_routing(agent: Agent) -> AgentRouting | None:
    return AgentRouting.objects.filter(agent=agent).first()


def presence_of(agent: Agent) -> str:
    routing = agent_routing(agent)
    return routing.presence if routing else Presence.OFFLINE


def requirements(ticket: Ticket, kinds: Sequence[str]) -> dict[str, set[str]]:
    """What the agent of ``ticket`` must have, per skill kind: one of the values suffices (a
    skill for a category covers its subcategories)."""
    needed: dict[str, set[str]] = {}
    if SkillKind.LANGUAGE in kinds:
        needed[SkillKind.LANGUAGE] = {ticket.requester.language}
    if SkillKind.CHANNEL in kinds:
        needed[SkillKind.CHANNEL] = {ticket.channel}
    if SkillKind.CATEGORY in kinds and ticket.category_id is not None:
        needed[SkillKind.CATEGORY] = {str(pk) for pk in category_path(ticket.category_id)}
    return needed


def agent_loads(agent_ids: Sequence[int]) -> dict[int, float]:
    """Each agent's open tickets weighted by priority."""
    loads: dict[int, float] = defaultdict(float)
    for (agent_id, priority), count in working_ticket_counts(agent_ids).items():
        loads[agent_id] += PRIORITY_WEIGHT.get(Priority(priority), 1.0) * count
    return loads


@dataclass(frozen=True)
class Candidate:
    agent: Agent
    load: float
    capacity: int

    @property
    def share(self) -> float:
        return self.load / self.capacity


def candidates(team: Team, ticket: Ticket, kinds: Sequence[str]) -> list[Candidate]:
    """Online, active members of ``team`` with the skills ``ticket`` needs and room for it
    (its weight within their capacity), by agent id."""
    routings = list(
        AgentRouting.objects.filter(
            agent__teams=team, agent__is_active=True, presence=Presence.ONLINE
        )
        .select_related("agent")
        .prefetch_related("skills")
        .order_by("agent_id")
    )
    needed = requirements(ticket, kinds)
    weight = PRIORITY_WEIGHT.get(Priority(ticket.priority), 1.0)
    loads = agent_loads([routing.agent_id for routing in routings])
    found = []
    for routing in routings:
        skills: dict[str, set[str]] = defaultdict(set)
        for skill in routing.skills.all():
            skills[skill.kind].add(skill.value)
        if any(not (skills[kind] & values) for kind, values in needed.items()):
            continue
        load = loads.get(routing.agent_id, 0.0)
        if load + weight <= routing.capacity:
            found.append(Candidate(agent=routing.agent, load=load, capacity=routing.capacity))
    return found


def least_loaded_supervisor() -> Agent | None:
    """The supervisor who takes an escalation: online ones first, then the least loaded."""
    supervisors = list(agents().filter(role=Role.SUPERVISOR))
    if not supervisors:
        return None
    online = set(
        AgentRouting.objects.filter(agent__in=supervisors, presence=Presence.ONLINE).values_list(
            "agent_id", flat=True
        )
    )
    loads = agent_loads([agent.pk for agent in supervisors])
    return min(
        supervisors,
        key=lambda agent: (agent.pk not in online, loads.get(agent.pk, 0.0), agent.pk),
    )


def idle_agents(
    *, presence: str, seen_before: datetime.datetime, automatic_only: bool
) -> list[AgentRouting]:
    routings = AgentRouting.objects.select_related("agent").filter(
        presence=presence, last_seen_at__lt=seen_before
    )
    if automatic_only:
        routings = routings.filter(is_presence_automatic=True)
    return list(routings)


def teams_escalating_on_breach() -> list[int]:
    return list(
        TeamRouting.objects.filter(escalate_on_breach=True).values_list("team_id", flat=True)
    )


def waits_for_agent(*, team_id: int | None, assignee_id: int | None, status: str) -> bool:
    """Whether a ticket in this state is one routing looks at: a team's, unassigned, working."""
    return team_id is not None and assignee_id is None and status in WORKING_STATUSES


def anyone_online(team_id: int | None) -> bool:
    """Whether an active agent who takes tickets now is online (in the team, when given)."""
    online = AgentRouting.objects.filter(presence=Presence.ONLINE, agent__is_active=True)
    if team_id is not None:
        online = online.filter(agent__teams=team_id)
    return online.exists()
