from typing import Any

from django.http import HttpRequest

from okienko.routing.choices import Presence


def presence_choices(request: HttpRequest) -> dict[str, Any]:
    """The presence an agent can choose in the top bar of every page."""
    return {"presence_choices": Presence.choices}
