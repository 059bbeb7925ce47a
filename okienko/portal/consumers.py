"""The portal's WebSocket: a signed-in customer's open request page hears when it changed.

Signed in through the portal session (the customer id the magic link put there), never the
agents' authentication. The page says which request it shows (``watch``, checked like the page
itself); the server then pushes only that the request changed, and the page fetches itself again
over HTTP. Before passing a change on, the consumer checks again that the customer may still
see the request (a merge or another requester may have taken it away).
"""

import asyncio
from typing import Any

from channels.db import database_sync_to_async

from okienko.core import realtime
from okienko.core.consumers import JsonConsumer
from okienko.core.errors import NotFound
from okienko.customers.selectors import portal_customer
from okienko.portal.selectors import access_portal_ticket
from okienko.portal.views import CUSTOMER_KEY

NOT_SIGNED_IN = 4401


def _may_see(customer_id: int, ticket_id: int) -> bool:
    customer = portal_customer(customer_id)
    if customer is None:
        return False
    try:
        access_portal_ticket(customer, ticket_id)
    except NotFound:
        return False
    return True


class PortalConsumer(JsonConsumer):
    customer_id: int
    watching: int | None = None

    async def connect(self) -> None:
        session = self.scope.get("session")
        customer_id = await database_sync_to_async(session.get)(CUSTOMER_KEY) if session else None
        if not isinstance(customer_id, int) or (
            await database_sync_to_async(portal_customer)(customer_id) is None
        ):
            await self.close(code=NOT_SIGNED_IN)
            return
        realtime.bind_serving_loop(asyncio.get_running_loop())
        self.customer_id = customer_id
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self._stop_watching()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("action") == "watch":
            await self._watch(content.get("ticket_id"))

    async def _watch(self, ticket_id: object) -> None:
        await self._stop_watching()
        if not isinstance(ticket_id, int) or not await database_sync_to_async(_may_see)(
            self.customer_id, ticket_id
        ):
            await self.send_json({"kind": "error", "reason": "no such request"})
            return
        self.watching = ticket_id
        await self.channel_layer.group_add(
            realtime.portal_ticket_group(ticket_id), self.channel_name
        )

    async def _stop_watching(self) -> None:
        if self.watching is None:
            return
        await self.channel_layer.group_discard(
            realtime.portal_ticket_group(self.watching), self.channel_name
        )
        self.watching = None

    # Handler of group messages (the ``type`` with dots as underscores).

    async def request_changed(self, message: dict[str, Any]) -> None:
        ticket_id = message["ticket_id"]
        if ticket_id != self.watching:
            return
        if not await database_sync_to_async(_may_see)(self.customer_id, ticket_id):
            await self._stop_watching()
            await self.send_json({"kind": "gone", "ticket_id": ticket_id})
            return
        await self.send_json({"kind": "changed", "ticket_id": ticket_id})
