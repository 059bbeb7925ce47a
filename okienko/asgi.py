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

from okienko.portal.consumers import PortalConsumer  # noqa: E402
from okienko.workspace.consumers import WorkspaceConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        # The session cookie signs the agent in; the Origin check keeps other sites' pages out.
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(
                URLRouter(
                    [
                        path("ws/workspace/", WorkspaceConsumer.as_asgi()),
                        path("ws/portal/", PortalConsumer.as_asgi()),
                    ]
                )
            )
        ),
    }
)
