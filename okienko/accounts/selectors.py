"""Reads for agents, teams, invitations and API tokens."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from okienko.accounts.models import Agent, AgentInvitation, ApiToken, Team
from okienko.core.errors import NotFound
from okienko.core.tokens import token_digest


def active_token(raw_token: str) -> ApiToken | None:
    """The unrevoked token of an active agent matching ``raw_token``, or ``None``."""
    try:
        return ApiToken.objects.select_related("agent").get(
            digest=token_digest(raw_token), revoked_at__isnull=True, agent__is_active=True
        )
    except ApiToken.DoesNotExist:
        return None


def agents() -> QuerySet[Agent]:
    return Agent.objects.filter(is_active=True).prefetch_related("teams")


def assignable_agents(current_assignee_id: int | None) -> QuerySet[Agent]:
    """Active agents, and the current assignee even if deactivated (so a form shows it)."""
    return Agent.objects.filter(Q(is_active=True) | Q(pk=current_assignee_id)).order_by("name")


def access_agent(user: Agent, agent_id: int) -> Agent:
    """Any agent may look up colleagues (to assign, to mention)."""
    try:
        return agents().get(pk=agent_id)
    except Agent.DoesNotExist as error:
        raise NotFound(f"Agent {agent_id} not found") from error


def teams() -> QuerySet[Team]:
    return Team.objects.prefetch_related("members")


def access_team(user: Agent, team_id: int) -> Team:
    try:
        return teams().get(pk=team_id)
    except Team.DoesNotExist as error:
        raise NotFound(f"Team {team_id} not found") from error


def team_ids_of(agent: Agent) -> list[int]:
    return list(agent.teams.values_list("id", flat=True))


def active_agent_by_email(email: str) -> Agent | None:
    return Agent.objects.filter(email__iexact=email.strip(), is_active=True).first()


def any_agent(agent_id: int) -> Agent | None:
    """The agent, active or not (for the system reacting to a change of theirs)."""
    return Agent.objects.filter(pk=agent_id).first()


def all_agents() -> QuerySet[Agent]:
    """Every agent, deactivated ones too, with their teams: the admin's list."""
    return Agent.objects.prefetch_related("teams").order_by("-is_active", "name")


def access_any_agent(user: Agent, agent_id: int) -> Agent:
    """An agent, deactivated too, for an admin to manage."""
    try:
        return all_agents().get(pk=agent_id)
    except Agent.DoesNotExist as error:
        raise NotFound(f"Agent {agent_id} not found") from error


def invited_agent(token: str) -> Agent | None:
    """The agent an invitation link is for, while it may be used; else None."""
    invitation = (
        AgentInvitation.objects.select_related("agent")
        .filter(
            token_digest=token_digest(token),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            agent__is_active=True,
        )
        .first()
    )
    return invitation.agent if invitation is not None else None
