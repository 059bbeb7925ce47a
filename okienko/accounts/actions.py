"""Writes for agents, teams and API tokens."""

import hashlib
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from okienko.accounts.choices import Role
from okienko.accounts.models import Agent, ApiToken, Team
from okienko.core.errors import Conflict, InvalidInput, PermissionDenied
from okienko.core.events import publish_on_commit

TOKEN_PREFIX = "okt_"  # noqa: S105  (a marker that makes leaked tokens greppable, no secret)
# Recording every single use would turn each API read into a write; once a minute is enough.
TOKEN_USE_RECORD_INTERVAL = timedelta(minutes=1)


def token_digest(raw_token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is as safe as a slow one and keeps auth cheap.
    return hashlib.sha256(raw_token.encode()).hexdigest()


def do_create_agent(
    *,
    email: str,
    name: str,
    password: str | None,
    role: str = Role.AGENT,
    language: str = "pl",
    teams: Sequence[Team] = (),
    acting_user: Agent | None,
) -> Agent:
    """Create an agent, a member of ``teams``; a ``None`` password leaves the account unusable
    until one is set."""
    if role not in Role.values:
        raise InvalidInput(f"Unknown role {role!r}", errors={"role": [f"one of {Role.values}"]})
    agent = Agent(
        email=email.strip().lower(), name=name.strip() or email, role=role, language=language
    )
    agent.set_password(password)
    try:
        with transaction.atomic():
            agent.save()
    except IntegrityError as error:
        raise Conflict(f"An agent with e-mail {agent.email} already exists") from error
    if teams:
        agent.teams.add(*teams)
    return agent


AGENT_FIELDS = ("name", "role", "language", "is_active")


@transaction.atomic
def do_update_agent(*, agent: Agent, changes: dict[str, Any], acting_user: Agent | None) -> Agent:
    """Change an agent's name, role, language, teams (``teams``: the whole new set) or whether
    they may sign in. Nobody demotes or deactivates themselves, so an admin always remains to
    undo a change; a deactivated agent goes offline and their open tickets to colleagues."""
    unknown = set(changes) - {*AGENT_FIELDS, "teams"}
    if unknown:
        raise InvalidInput(f"Cannot change {sorted(unknown)}")
    if changes.get("role", agent.role) not in Role.values:
        raise InvalidInput("Unknown role", errors={"role": [str(changes["role"])]})
    is_self = acting_user is not None and acting_user.pk == agent.pk
    demoted = changes.get("role", agent.role) != agent.role
    if is_self and (demoted or changes.get("is_active", True) is False):
        raise PermissionDenied("You cannot change your own role or deactivate yourself")
    was_active = agent.is_active
    fields = [field for field in AGENT_FIELDS if field in changes]
    for field in fields:
        setattr(agent, field, changes[field])
    agent.name = agent.name.strip() or agent.email
    if fields:
        agent.save(update_fields=fields)
    if "teams" in changes:
        agent.teams.set(changes["teams"])
    if was_active and not agent.is_active:
        publish_on_commit("agent.deactivated", agent_id=agent.pk)
    return agent


def do_rename_team(*, team: Team, name: str, acting_user: Agent | None) -> Team:
    """Give a team another name; names stay unique."""
    name = name.strip()
    if not name:
        raise InvalidInput("A team needs a name", errors={"name": ["empty"]})
    team.name = name
    try:
        with transaction.atomic():
            team.save(update_fields=["name"])
    except IntegrityError as error:
        raise Conflict(f"A team named {name!r} already exists") from error
    return team


def do_create_team(*, name: str, members: Sequence[Agent] = (), acting_user: Agent | None) -> Team:
    """Create a team with its first members."""
    try:
        with transaction.atomic():
            team = Team.objects.create(name=name.strip())
    except IntegrityError as error:
        raise Conflict(f"A team named {name!r} already exists") from error
    if members:
        team.members.add(*members)
    return team


def do_add_team_member(*, team: Team, agent: Agent, acting_user: Agent | None) -> None:
    """Make ``agent`` a member of ``team`` (no-op when already one)."""
    team.members.add(agent)


def do_create_api_token(*, agent: Agent, name: str = "", acting_user: Agent | None) -> str:
    """Create a token for ``agent`` and return it; only its digest is kept, so show it now."""
    raw_token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        agent=agent,
        name=name,
        prefix=raw_token[: len(TOKEN_PREFIX) + 6],
        digest=token_digest(raw_token),
    )
    return raw_token


def do_revoke_api_token(*, token: ApiToken, acting_user: Agent | None) -> None:
    """Revoke ``token``; requests using it are refused from now on."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def do_record_token_use(*, token: ApiToken) -> None:
    """Note that ``token`` was used, at most once per interval."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < TOKEN_USE_RECORD_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
