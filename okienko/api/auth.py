"""API authentication: personal bearer tokens, or the browser session of a signed-in agent."""

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from okienko.accounts.actions import do_record_token_use
from okienko.accounts.models import Agent
from okienko.accounts.selectors import active_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Agent | None:
        found = active_token(token)
        if found is None:
            return None
        if found.use_due:
            do_record_token_use(token_id=found.token_id)
        return found.agent


class AgentSessionAuth(SessionAuth):
    """Session auth (CSRF-checked by django-ninja) for agents of the workspace."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Agent | None:
        user = request.user
        if isinstance(user, Agent) and user.is_active:
            return user
        return None


def acting_agent(request: HttpRequest) -> Agent:
    """The agent a request authenticated as (every endpoint requires authentication)."""
    agent = request.auth  # type: ignore[attr-defined]
    assert isinstance(agent, Agent)  # noqa: S101  (auth guarantees it; narrows the type)
    return agent
