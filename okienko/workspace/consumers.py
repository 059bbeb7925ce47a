"""The workspace's WebSocket: live ticket changes, notifications and who else is on a ticket.

One connection per open page, signed in through the session. The browser says which ticket it
shows (``watch``, checked like any request for that ticket) and whether its agent is typing; the
server pushes ticket ids that changed (the page fetches them over HTTP), notifications, and the
other agents viewing or typing on the same ticket.
"""

import asyncio
from typing import Any

from channels.db import database_sync_to_async
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from okienko.accounts.models import Agent
from okienko.accounts.selectors import team_ids_of
from okienko.core import realtime
from okienko.core.consumers import JsonConsumer
from okienko.core.errors import NotFound
from okienko.inboxes.chat.selectors import conversation_of_ticket
from okienko.tickets.selectors import access_ticket

NOT_SIGNED_IN = 4401
PRESENCE_STATES = ("joined", "viewing", "typing", "left")


def _groups_of(agent: Agent) -> list[str]:
    groups = [realtime.agent_group(agent.pk)]
    if agent.sees_all_tickets:
        return [*groups, realtime.EVERY_TICKET]
    teams = [realtime.team_group(team_id) for team_id in team_ids_of(agent)]
    return [*groups, *teams, realtime.TICKETS_WITHOUT_TEAM]


def _may_watch(agent: Agent, ticket_id: int) -> bool:
    try:
        access_ticket(agent, ticket_id)
    except NotFound:
        return False
    return True


def _chat_group(ticket_id: int) -> str | None:
    """The widget group of the ticket's chat visitor, who sees the agent typing."""
    conversation = conversation_of_ticket(ticket_id)
    return realtime.widget_group(conversation.pk) if conversation else None


class WorkspaceConsumer(JsonConsumer):
    agent: Agent
    joined: list[str]
    watching: int | None = None
    chat_group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not isinstance(user, Agent) or not user.is_active:
            await self.close(code=NOT_SIGNED_IN)
            return
        realtime.bind_serving_loop(asyncio.get_running_loop())
        self.agent = user
        self.joined = await database_sync_to_async(_groups_of)(user)
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self._stop_watching()
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        action = content.get("action")
        if action == "watch":
            await self._watch(content.get("ticket_id"))
        elif action in PRESENCE_STATES and self.watching is not None:
            await self._tell_watchers(action)

    async def _watch(self, ticket_id: object) -> None:
        await self._stop_watching()
        if not isinstance(ticket_id, int) or not await database_sync_to_async(_may_watch)(
            self.agent, ticket_id
        ):
            await self.send_json({"kind": "error", "reason": "no such ticket"})
            return
        self.watching = ticket_id
        self.chat_group = await database_sync_to_async(_chat_group)(ticket_id)
        await self.channel_layer.group_add(realtime.ticket_group(ticket_id), self.channel_name)
        await self._tell_watchers("joined")

    async def _stop_watching(self) -> None:
        if self.watching is None:
            return
        await self._tell_watchers("left")
        await self.channel_layer.group_discard(
            realtime.ticket_group(self.watching), self.channel_name
        )
        self.watching = None
        self.chat_group = None

    async def _tell_watchers(self, state: str) -> None:
        if self.watching is None:
            return
        if self.chat_group is not None and state in {"typing", "viewing", "left"}:
            await self.channel_layer.group_send(
                self.chat_group,
                {
                    "type": "chat.agent_typing",
                    "active": state == "typing",
                    "name": self.agent.name.split()[0] if self.agent.name else "",
                },
            )
        await self.channel_layer.group_send(
            realtime.ticket_group(self.watching),
            {
                "type": "ticket.presence",
                "sender": self.channel_name,
                "ticket_id": self.watching,
                "agent_id": self.agent.pk,
                "name": self.agent.name,
                "state": state,
            },
        )

    # Handlers of group messages (the ``type`` with dots as underscores).

    async def tickets_changed(self, message: dict[str, Any]) -> None:
        await self.send_json({"kind": "tickets", "ticket_ids": message["ticket_ids"]})

    async def ticket_presence(self, message: dict[str, Any]) -> None:
        # The same agent in a second tab is somebody else on the ticket too; only this very
        # page is not.
        if message["sender"] == self.channel_name or message["ticket_id"] != self.watching:
            return
        await self.send_json(
            {
                "kind": "presence",
                "agent_id": message["agent_id"],
                "name": message["name"],
                "state": message["state"],
            }
        )

    async def chat_typing(self, message: dict[str, Any]) -> None:
        # The chat's visitor is (no longer) typing: shown on their ticket's page.
        if message["ticket_id"] == self.watching:
            await self.send_json({"kind": "customer_typing", "active": message["active"]})

    async def chat_visitor_message(self, message: dict[str, Any]) -> None:
        # A chat visitor's message, in the ledger but not yet in the thread: shown on its
        # ticket's page until the thread has it.
        if message["ticket_id"] == self.watching:
            await self.send_json(
                {
                    "kind": "chat_message",
                    "ticket_id": message["ticket_id"],
                    "cid": message["cid"],
                    "source": message["source"],
                    "text": message["text"],
                    "files": message["files"],
                    "held": message["held"],
                }
            )

    async def chat_waiting(self, message: dict[str, Any]) -> None:
        with translation.override(self.agent.language):
            text = _("Live chat waiting: %(subject)s") % {"subject": message["subject"]}
        await self.send_json(
            {
                "kind": "chat_waiting",
                "ticket_id": message["ticket_id"],
                "subject": text,
                "url": reverse("workspace:ticket", args=[message["ticket_id"]]),
            }
        )

    async def notification(self, message: dict[str, Any]) -> None:
        notification_id = message["id"]
        url = ""
        if notification_id:
            url = reverse("workspace:open_notification", args=[notification_id])
        await self.send_json(
            {
                "kind": "notification",
                "id": notification_id,
                "text": message["text"],
                "url": url,
                "unread": message["unread"],
            }
        )
