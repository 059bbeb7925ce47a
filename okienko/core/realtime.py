"""The realtime publisher: tell the browsers watching something that it changed.

Messages go to Channels groups (``ticket.<id>``, ``agent.<id>``, ``team.<id>``...). The in-memory
channel layer of the embedded mode belongs to the web server's event loop, while changes commit in
sync views and in Huey worker threads: those hand their messages to that loop thread-safely. With
Redis a process that serves no WebSocket (a worker, a command) sends on a loop of its own, kept
for the process so that the layer's connection to Redis is kept too.
"""

import asyncio
import logging
import os
import threading
from concurrent.futures import Future
from typing import Any

from channels.layers import InMemoryChannelLayer, get_channel_layer

logger = logging.getLogger(__name__)

_serving_loop: asyncio.AbstractEventLoop | None = None


def bind_serving_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    """Remember the loop the WebSocket consumers of this process run on (set when one connects)."""
    global _serving_loop  # noqa: PLW0603 - one loop per process, set by its consumers
    _serving_loop = loop


Message = tuple[str, dict[str, Any]]


def send(group: str, message: dict[str, Any]) -> None:
    """Deliver ``message`` (with a ``type`` naming the consumer's handler) to everyone in
    ``group``; never raises, a browser that misses an update catches up on its next load."""
    send_all([(group, message)])


def anyone_may_listen() -> bool:
    """False where no message could reach a browser: no channel layer, or the in-memory layer
    (which reaches only this process's consumers) while none has connected (a worker, the
    bench). Publishers check it before reading what to send."""
    layer = get_channel_layer()
    if layer is None:
        return False
    return not (isinstance(layer, InMemoryChannelLayer) and _serving_loop is None)


def send_all(messages: list[Message]) -> None:
    """``send`` for several groups at once: one hand-over to an event loop for all of them."""
    if not messages or not anyone_may_listen():
        return
    layer = get_channel_layer()
    loop = _serving_loop
    try:
        if loop is not None and loop.is_running():
            future = asyncio.run_coroutine_threadsafe(_group_send(layer, messages), loop)
            future.add_done_callback(_log_failure)
        elif (current := _running_loop()) is not None:
            # Sync code called from a running loop's own thread cannot wait for the send.
            task = current.create_task(_group_send(layer, messages))
            _pending.add(task)
            task.add_done_callback(_pending.discard)
        else:
            # Waits, as a send always did here: what the caller does next may count on it.
            asyncio.run_coroutine_threadsafe(_group_send(layer, messages), _sending_loop()).result(
                timeout=SEND_TIMEOUT_SECONDS
            )
    except Exception:
        logger.exception("realtime messages to %s failed", [group for group, _ in messages])


SEND_TIMEOUT_SECONDS = 10
_own_loop: tuple[int, asyncio.AbstractEventLoop] | None = None
_own_loop_lock = threading.Lock()


def _sending_loop() -> asyncio.AbstractEventLoop:
    """This process's loop for sends, on a thread of its own, started on first use. (A loop per
    send, as ``async_to_sync`` makes, gave the Redis layer a new connection every time.) Kept
    per process id: a forked child starts its own."""
    global _own_loop  # noqa: PLW0603 - one sending loop per process
    with _own_loop_lock:
        if _own_loop is None or _own_loop[0] != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="realtime-send", daemon=True).start()
            _own_loop = (os.getpid(), loop)
        return _own_loop[1]


async def _group_send(layer: Any, messages: list[Message]) -> None:
    for group, message in messages:
        await layer.group_send(group, message)


_pending: set[asyncio.Task[None]] = set()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _log_failure(future: Future[None]) -> None:
    error = future.exception()
    if error is not None:
        logger.error("realtime message failed: %r", error)


# The groups, named in one place for publishers and consumers alike.
EVERY_TICKET = "tickets.all"
TICKETS_WITHOUT_TEAM = "tickets.no-team"


def ticket_group(ticket_id: int) -> str:
    return f"ticket.{ticket_id}"


def portal_ticket_group(ticket_id: int) -> str:
    """The customers' pages of a ticket: apart from the agents' ``ticket.<id>``, so that what
    only agents hear there (who is viewing or typing) never reaches a customer."""
    return f"portal-ticket.{ticket_id}"


def agent_group(agent_id: int) -> str:
    return f"agent.{agent_id}"


def team_group(team_id: int) -> str:
    return f"team.{team_id}"


def audience_groups(team_id: int | None, assignee_id: int | None) -> list[str]:
    """The groups of everyone who may see a ticket of this team and assignee: admins and
    supervisors, its team (or everyone, without one) and its assignee."""
    groups = [EVERY_TICKET, TICKETS_WITHOUT_TEAM if team_id is None else team_group(team_id)]
    if assignee_id is not None:
        groups.append(agent_group(assignee_id))
    return groups


def widget_group(conversation_id: int) -> str:
    """A web chat visitor's open widgets (every tab of theirs)."""
    return f"widget.{conversation_id}"
