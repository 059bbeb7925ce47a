"""Per-request preferences of the signed-in agent: interface language and time zone."""

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from okienko.accounts.models import Agent
from okienko.routing.actions import do_record_activity


def _agent_zone(agent: Agent) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(agent.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class AgentPreferencesMiddleware:
    """Activates the agent's language and time zone; placed after the authentication middleware.

    Anonymous requests keep what ``LocaleMiddleware`` chose (Polish unless the browser asks for
    English) and the install's time zone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, Agent) and user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
            timezone.activate(_agent_zone(user))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


# Requests that are not an agent at work in the workspace: they do not keep anyone online.
_NOT_WORKSPACE = ("/api/", "/admin/", "/static/", "/inbound/", "/portal/")


class AgentActivityMiddleware:
    """Keeps a working agent's presence: a workspace request marks them active (online again
    after an automatic away) and tells the page their presence (``request.agent_presence``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            isinstance(user, Agent)
            and user.is_authenticated
            and not request.path.startswith(_NOT_WORKSPACE)
        ):
            request.agent_presence = do_record_activity(agent=user)  # type: ignore[attr-defined]
        return self.get_response(request)
