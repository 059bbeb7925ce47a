"""The realtime publisher: tell the browsers watching something that it changed.

Messages go to Channels groups (``ticket.<id>``, ``agent.<id>``, ``team.<id>``...). The in-memory
channel layer of the embedded mode belongs to the web server's event loop, while changes commit in
sync views and in Huey worker threads: those hand their messages to that loop thread-safely. With
Redis, sync code sends them itself, all of one change in one pipelined round trip; code on an
event loop schedules the send there. Any other layer, without a loop that serves WebSockets in
this process, gets them from an outbox thread of the process, in order.
"""

import asyncio
import atexit
import logging
import os
import queue
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
    current = _running_loop()
    try:
        if current is None and hasattr(layer, "group_send_all"):
            # The Redis layer's (see redis_channel_layer), named rather than imported: an
            # install without Redis never loads the Redis client. One round trip from this
            # thread costs less than handing the messages to another: two thread switches per
            # new ticket cost it more CPU (0.2 ms) than the send.
            layer.group_send_all(messages)
        elif loop is not None and loop.is_running():
            future = asyncio.run_coroutine_threadsafe(_group_send(layer, messages), loop)
            future.add_done_callback(_log_failure)
        elif current is not None:
            # Sync code called from a running loop's own thread cannot wait for the send.
            task = current.create_task(_group_send(layer, messages))
            _pending.add(task)
            task.add_done_callback(_pending.discard)
        else:
            _outbox().post(messages)
    except Exception:
        logger.exception("realtime messages to %s failed", [group for group, _ in messages])


class _Outbox:
    """The sender of a process that serves no WebSocket (a worker, a command), for a layer
    without ``group_send_all``: a thread of its own; the caller does not wait for the layer.
    The thread sends the batches in the order they were posted, those posted while it was
    sending together, on an event loop of its own, kept for the process so that the layer's
    connections are kept too (a loop per send, as ``async_to_sync`` makes, gave it a new
    connection every time)."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[list[Message] | threading.Event] = queue.SimpleQueue()
        self.loop: asyncio.AbstractEventLoop | None = None
        threading.Thread(target=self._send_posted, name="realtime-send", daemon=True).start()

    def post(self, messages: list[Message]) -> None:
        self.queue.put(messages)

    def _send_posted(self) -> None:
        while True:
            messages: list[Message] = []
            flushes: list[threading.Event] = []
            posted = self.queue.get()
            while True:
                if isinstance(posted, threading.Event):
                    flushes.append(posted)
                else:
                    messages.extend(posted)
                try:
                    posted = self.queue.get_nowait()
                except queue.Empty:
                    break
            if messages:
                self._send(messages)
            for flushed in flushes:
                flushed.set()

    def _send(self, messages: list[Message]) -> None:
        layer = get_channel_layer()
        try:
            if self.loop is None:
                self.loop = asyncio.new_event_loop()
            self.loop.run_until_complete(_group_send(layer, messages))
        except Exception:
            logger.exception("realtime messages to %s failed", [group for group, _ in messages])

    def flush(self, timeout: float) -> None:
        flushed = threading.Event()
        self.queue.put(flushed)
        if not flushed.wait(timeout):
            raise TimeoutError


FLUSH_TIMEOUT_SECONDS = 10
_own_outbox: tuple[int, _Outbox] | None = None
_own_outbox_lock = threading.Lock()


def _outbox() -> _Outbox:
    """This process's outbox, started on first use; per process id, so a forked child starts
    its own."""
    global _own_outbox  # noqa: PLW0603 - one outbox per process
    with _own_outbox_lock:
        if _own_outbox is None or _own_outbox[0] != os.getpid():
            _own_outbox = (os.getpid(), _Outbox())
            atexit.register(flush)
        return _own_outbox[1]


def flush(timeout: float = FLUSH_TIMEOUT_SECONDS) -> None:
    """Wait until what this process posted to its outbox is sent (at exit, so that a command's
    last messages are not lost with its thread)."""
    outbox = _own_outbox
    if outbox is None or outbox[0] != os.getpid():
        return
    try:
        outbox[1].flush(timeout)
    except Exception:
        logger.exception("realtime messages still unsent after %s s", timeout)


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
