"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class SyncChainASGIHandler(ASGIHandler):
    """Django's ASGI handler, with the middleware and the view run in one worker thread.

    Every view and most middleware (Django's own included) are synchronous. Django's async chain
    would hop between the event loop and a thread around each of them: thread, loop and thread
    again for the views of a synchronous chain, or a hop per middleware method once the chain is
    async (Django's middleware runs ``process_request`` and ``process_response`` through
    ``sync_to_async`` in async mode). One hop, as a WSGI server would run the request, costs the
    least CPU per request.

    Each request's thread is kept for later requests. Django's handler gives every request a new
    ``ThreadPoolExecutor`` of one thread, started for it and ended after it, whose start and
    teardown cost about as much CPU as the hops above.
    """

    def __init__(self) -> None:
        super().__init__()
        # Executors of one thread not serving a request now; as many as requests were ever
        # served at once.
        self._idle_request_threads: list[ThreadPoolExecutor] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)  # Django's refusal
            return
        executor = (
            self._idle_request_threads.pop()
            if self._idle_request_threads
            else ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")
        )
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            # A request cancelled mid-view leaves its work queued ahead of the next request's on
            # this thread: one thread still runs one request at a time.
            self._idle_request_threads.append(executor)

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        # The request's thread: the one its request_started and response.close run in too, so
        # the database connection it takes goes back to the pool when it ends.
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.settings")
django.setup(set_prefix=False)
django_application = SyncChainASGIHandler()

# Channels and the consumers need Django set up first.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from okienko.core.garbage import collect_on_a_timer  # noqa: E402
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


def serving_application() -> ProtocolTypeRouter:
    """``application`` for a server process (``okienko serve``, ``okienko web``, each worker),
    which collects its garbage on a timer (see ``core.garbage``)."""
    collect_on_a_timer()
    return application
