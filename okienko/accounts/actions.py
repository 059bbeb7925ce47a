"""Writes for agents, teams, invitations and API tokens."""

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from okienko.accounts.choices import Role
from okienko.accounts.models import Agent, AgentInvitation, ApiToken, Team
from okienko.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from okienko.core.events import publish_on_commit
from okienko.core.tokens import send_link_email, token_digest

TOKEN_PREFIX = "okt_"  # noqa: S105  (a marker that makes leaked tokens greppable, no secret)


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


# Invitations: the admin names the agent; the agent sets their own password from the e-mail.


@transaction.atomic
def do_invite_agent(*, agent: Agent, acting_user: Agent | None) -> AgentInvitation:
    """Queue an e-mail to ``agent`` with a link to set their first password, valid for
    ``AGENT_INVITATION_HOURS``; an earlier invitation not used yet stops working. Only an active
    agent who has no password yet is invited (a password is the agent's own to change)."""
    if not agent.is_active:
        raise Conflict(f"{agent.email} is deactivated; activate the agent before inviting")
    if agent.has_usable_password():
        raise Conflict(f"{agent.email} has set a password already")
    now = timezone.now()
    AgentInvitation.objects.filter(agent=agent, used_at__isnull=True).update(used_at=now)
    invitation = AgentInvitation.objects.create(
        agent=agent,
        invited_by=acting_user,
        created_at=now,
        expires_at=now + timedelta(hours=settings.AGENT_INVITATION_HOURS),
    )
    publish_on_commit("agent.invited", invitation_id=invitation.pk)
    return invitation


def do_send_agent_invitation(*, invitation_id: int) -> bool:
    """E-mail the invitation in the agent's language (see ``send_link_email``)."""
    return send_link_email(
        AgentInvitation.objects.select_related("agent", "invited_by"),
        invitation_id,
        language=lambda invitation: invitation.agent.language,
        email=_invitation_email,
    )


def _invitation_email(invitation: AgentInvitation, token: str) -> EmailMessage:
    url = f"{settings.PUBLIC_URL}{reverse('workspace:invitation', args=[token])}"
    body = render_to_string(
        "accounts/email/invitation.txt",
        {
            "agent": invitation.agent,
            "invited_by": invitation.invited_by,
            "url": url,
            "expires_at": invitation.expires_at,
        },
    )
    return EmailMessage(
        subject=_("You are invited to Okienko"),
        body=body,
        to=[invitation.agent.email],
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )


@transaction.atomic
def do_accept_agent_invitation(*, token: str, password: str, at: datetime | None = None) -> Agent:
    """Use the invitation whose token this is to set the agent's first password (validated by
    the caller's form); ``NotFound`` when it is unknown, used, expired or its agent deactivated."""
    now = at or timezone.now()
    digest = token_digest(token)
    used = AgentInvitation.objects.filter(
        token_digest=digest, used_at__isnull=True, expires_at__gt=now, agent__is_active=True
    ).update(used_at=now)
    if used != 1:
        raise NotFound("This invitation is unknown, used or expired")
    agent = AgentInvitation.objects.select_related("agent").get(token_digest=digest).agent
    agent.set_password(password)
    agent.save(update_fields=["password"])
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


def do_record_token_use(*, token_id: int) -> None:
    """Note that the token was used now (``active_token`` tells when that is due)."""
    ApiToken.objects.filter(pk=token_id).update(last_used_at=timezone.now())
