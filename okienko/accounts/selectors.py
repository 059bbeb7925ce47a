"""Reads for agents, teams, invitations and API tokens."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from okienko.accounts.models import Agent, AgentInvitation, ApiToken, Team
from okienko.core.errors import NotFound
from okienko.core.tokens import token_digest

# Recording every single use would turn each API read into a write; once a minute is enough.
TOKEN_USE_RECORD_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class ActiveToken:
    """An API token that authenticates: the agent it speaks for, and whether its use is due to
    be noted (``ApiToken.last_used_at``, at most once per ``TOKEN_USE_RECORD_INTERVAL``)."""

    token_id: int
    agent: Agent
    use_due: bool


# Every API request runs this. Raw SQL into one model costs a third of the CPU of the ORM's
# select_related query, which compiles its SQL anew on every call.
_AGENT_BY_DIGEST_SQL = """
    SELECT agent.*, token.id AS active_token_id,
        (token.last_used_at IS NULL OR token.last_used_at < %s) AS active_token_use_due
    FROM accounts_apitoken token JOIN accounts_agent agent ON agent.id = token.agent_id
    WHERE token.digest = %s AND token.revoked_at IS NULL AND agent.is_active
"""


def active_token(raw_token: str) -> ActiveToken | None:
    """The unrevoked token of an active agent matching ``raw_token``, or ``None``."""
    use_noted_since = ApiToken._meta.get_field("last_used_at").get_db_prep_value(
        timezone.now() - TOKEN_USE_RECORD_INTERVAL, connection
    )
    for agent in Agent.objects.raw(
        _AGENT_BY_DIGEST_SQL, [use_noted_since, token_digest(raw_token)]
    ):
        # The token's columns ride along as the row's extra attributes.
        token = vars(agent)
        return ActiveToken(token["active_token_id"], agent, bool(token["active_token_use_due"]))
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
