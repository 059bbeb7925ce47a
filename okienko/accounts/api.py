"""REST endpoints of agents and teams (read-only)."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from okienko.accounts.schemas import AgentOut, TeamOut
from okienko.accounts.selectors import access_agent, access_team, agents, teams
from okienko.api.auth import acting_agent

router = Router(tags=["agents and teams"])


@router.get("/agents", response=list[AgentOut], summary="List active agents")
def list_agents(request: HttpRequest) -> Any:
    acting_agent(request)
    return agents()


@router.get("/agents/me", response=AgentOut, summary="The agent this token belongs to")
def get_me(request: HttpRequest) -> Any:
    agent = acting_agent(request)
    return access_agent(agent, agent.pk)


@router.get("/agents/{agent_id}", response=AgentOut, summary="Get an agent")
def get_agent(request: HttpRequest, agent_id: int) -> Any:
    return access_agent(acting_agent(request), agent_id)


@router.get("/teams", response=list[TeamOut], summary="List teams")
def list_teams(request: HttpRequest) -> Any:
    acting_agent(request)
    return teams()


@router.get("/teams/{team_id}", response=TeamOut, summary="Get a team")
def get_team(request: HttpRequest, team_id: int) -> Any:
    return access_team(acting_agent(request), team_id)
