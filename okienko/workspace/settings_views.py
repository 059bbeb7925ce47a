"""The admin's settings pages for people: agents (create, role, teams, deactivate) and teams.
Admins only: everyone else gets 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okienko.accounts import actions
from okienko.accounts.models import Agent
from okienko.accounts.selectors import access_any_agent, access_team, all_agents, teams
from okienko.core import errors
from okienko.workspace.rule_views import _admin
from okienko.workspace.settings_forms import AgentForm, NameForm
from okienko.workspace.views import UNPROCESSABLE


def _settings_admin(request: HttpRequest) -> Agent:
    try:
        return _admin(request)
    except PermissionDenied as error:
        raise PermissionDenied(_("Only admins change the settings.")) from error


@login_required
@require_GET
def agent_list(request: HttpRequest) -> HttpResponse:
    _settings_admin(request)
    return render(request, "workspace/settings_agents.html", {"agents": all_agents()})


@login_required
@require_http_methods(["GET", "POST"])
def agent_edit(request: HttpRequest, agent_id: int | None = None) -> HttpResponse:
    """A new agent (invited by e-mail, or with a first password), or an agent's role, teams
    and activity."""
    admin = _settings_admin(request)
    agent = access_any_agent(admin, agent_id) if agent_id is not None else None
    form = AgentForm(request.POST or None, agent=agent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if agent is None:
                agent = actions.do_create_agent(
                    email=data["email"],
                    name=data["name"],
                    password=data["password"],
                    role=data["role"],
                    language=data["language"],
                    teams=list(data["teams"]),
                    acting_user=admin,
                )
                if form.is_invitation:
                    actions.do_invite_agent(agent=agent, acting_user=admin)
                    messages.success(request, _invitation_sent(agent))
            else:
                actions.do_update_agent(agent=agent, changes=form.changes(agent), acting_user=admin)
        except errors.DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Agent %(name)s saved.") % {"name": agent.name})
            return redirect("workspace:settings_agents")
    context = {"form": form, "agent": agent}
    status = UNPROCESSABLE if form.errors else 200
    return render(request, "workspace/settings_agent.html", context, status=status)


def _invitation_sent(agent: Agent) -> str:
    return _("An invitation to set a password is on its way to %(email)s.") % {"email": agent.email}


@login_required
@require_POST
def agent_invite(request: HttpRequest, agent_id: int) -> HttpResponse:
    """Send an agent who has no password yet a (new) invitation; the earlier link stops
    working."""
    admin = _settings_admin(request)
    agent = access_any_agent(admin, agent_id)
    try:
        actions.do_invite_agent(agent=agent, acting_user=admin)
    except errors.Conflict:
        messages.error(
            request, _("No invitation was sent: the agent is deactivated or has a password.")
        )
    else:
        messages.success(request, _invitation_sent(agent))
    return redirect("workspace:settings_agent", agent_id=agent.pk)


@login_required
@require_http_methods(["GET", "POST"])
def team_list(request: HttpRequest) -> HttpResponse:
    """The teams with their members, and a new team."""
    admin = _settings_admin(request)
    form = NameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_create_team(name=form.cleaned_data["name"], acting_user=admin)
        except errors.DomainError as error:
            form.add_error("name", error.detail)
        else:
            messages.success(request, _("Team created."))
            return redirect("workspace:settings_teams")
    status = UNPROCESSABLE if form.errors else 200
    context = {"teams": teams(), "form": form}
    return render(request, "workspace/settings_teams.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    """Another name for a team (its members are chosen on each agent's page)."""
    admin = _settings_admin(request)
    team = access_team(admin, team_id)
    form = NameForm(request.POST or None, initial={"name": team.name})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_rename_team(team=team, name=form.cleaned_data["name"], acting_user=admin)
        except errors.DomainError as error:
            form.add_error("name", error.detail)
        else:
            messages.success(request, _("Team renamed."))
            return redirect("workspace:settings_teams")
    status = UNPROCESSABLE if form.errors else 200
    context = {"team": team, "form": form}
    return render(request, "workspace/settings_team.html", context, status=status)
