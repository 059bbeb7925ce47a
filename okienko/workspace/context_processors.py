from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from okienko.accounts.models import Agent
from okienko.notifications.selectors import unread_count
from okienko.routing.choices import Presence


def presence_choices(request: HttpRequest) -> dict[str, Any]:
    """The presence an agent can choose in the top bar of every page."""
    return {"presence_choices": Presence.choices}


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """The count on the bell in the top bar, read only by pages that show the bar."""
    user = getattr(request, "user", None)
    if not isinstance(user, Agent):
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
