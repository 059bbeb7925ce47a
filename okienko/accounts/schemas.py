"""API shapes of agents and teams."""

from typing import Any

from ninja import Schema

from okienko.accounts.choices import Role


class TeamRef(Schema):
    id: int
    name: str


class AgentOut(Schema):
    id: int
    email: str
    name: str
    role: Role
    language: str
    time_zone: str
    teams: list[TeamRef]

    @staticmethod
    def resolve_teams(agent: Any) -> list[Any]:
        return list(agent.teams.all())


class AgentRef(Schema):
    id: int
    name: str


class TeamOut(Schema):
    id: int
    name: str
    members: list[AgentRef]

    @staticmethod
    def resolve_members(team: Any) -> list[Any]:
        return list(team.members.all())
