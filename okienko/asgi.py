"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any, cast

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix


class SyncChainASGIHandler(ASGIHandler):
    """Django's ASGI handler, with all of a request's synchronous work in one call on one thread.

    Every view and most middleware (Django's own included) are synchronous. Django's handler
    hops between the event loop and a thread for the ``request_started`` signal, for the
    middleware and view, and for closing the response, and listens for the client's disconnect
    in a task of its own, which can only stop an async view. Here one call on the request's
    thread sends ``request_started``, builds the request, runs the middleware and the view and
    closes the response (``request_finished``: the database connection goes back to the pool
    before the answer is sent), as a WSGI server would; streamed responses are closed after
    they are sent.

    Each request's thread is kept for later requests: Django's handler starts a thread for every
    request and ends it afterwards.
    """

    def __init__(self) -> None:
        super().__init__()
        # Executors of one thread not serving a request now; as many as requests were ever
        # served at once.
        self._idle_request_threads: list[ThreadPoolExecutor] = []

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)  # Django's refusal
            return
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        executor = (
            self._idle_request_threads.pop()
            if self._idle_request_threads
            else ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")
        )
        try:
            async with ThreadSensitiveContext(executor=executor):
                response = await sync_to_async(self._respond, thread_sensitive=True)(
                    scope, body_file
                )
                await self.send_response(response, send)
                if response.streaming:
                    await sync_to_async(self._close, thread_sensitive=True)(response, body_file)
        finally:
            self._idle_request_threads.append(executor)

    def _respond(self, scope: dict[str, Any], body_file: IO[bytes]) -> HttpResponseBase:
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            # create_request gives the request or the response refusing it.
            response = cast(HttpResponseBase, error_response)
        else:
            response = self.get_response(request)
            response._handler_class = self.__class__  # type: ignore[attr-defined]
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            self._close(response, body_file)
        return response

    def _close(self, response: HttpResponseBase, body_file: IO[bytes]) -> None:
        response.close()
        body_file.close()


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
