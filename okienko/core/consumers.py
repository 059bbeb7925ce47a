"""The base of Okienko's WebSocket consumers."""

from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer


class JsonConsumer(AsyncJsonWebsocketConsumer):
    """Channels' JSON WebSocket consumer, minus its trip to the database thread per message.

    Channels closes stale database connections before it hands a consumer any message (a frame
    from the browser, a group message), in the one thread that a process's consumers share for
    database work. Okienko's consumers reach the database only through
    ``database_sync_to_async``, which closes stale connections around each call already; the
    extra trip queued every message, even a typing cue or a message for an agent's page, behind
    the other consumers' queries (with thousands of chat widgets on a process, for hundreds of
    milliseconds).
    """

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
