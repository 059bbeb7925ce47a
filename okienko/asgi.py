"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.settings")
django_application = get_asgi_application()

# Channels and the consumers need Django set up first.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from okienko.inboxes.chat.consumers import VisitorConsumer  # noqa: E402
from okienko.portal.consumers import PortalConsumer  # noqa: E402
from okienko.workspace.consumers import WorkspaceConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": URLRouter(
            [
                # The session cookie signs the agent (or the portal's customer) in; the Origin
                # check keeps other sites' pages out.
                path(
                    "ws/workspace/",
                    AllowedHostsOriginValidator(AuthMiddlewareStack(WorkspaceConsumer.as_asgi())),
                ),
                path(
                    "ws/portal/",
                    AllowedHostsOriginValidator(AuthMiddlewareStack(PortalConsumer.as_asgi())),
                ),
                # The chat widget lives on other sites: its consumer checks the Origin against
                # the widget's allowed sites and uses no cookie.
                path("ws/chat/<str:key>/", VisitorConsumer.as_asgi()),
            ]
        ),
    }
)
