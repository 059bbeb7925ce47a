"""The chat widget's WebSocket: one per open widget, on any site that embeds it.

The widget names its inbox by the public key in the URL and its visitor by a secret token it
sends in ``hello`` (none before the first message). Messages carry the browser's own id
(``cid``); the server acknowledges each once it is in the ledger (the first, which opens the
ticket, once processed too), and a resend of an unacknowledged message after a reconnect returns
the same acknowledgement, so nothing is lost and nothing is doubled. The pipeline then makes the
ledger item a ticket message in a thread of its own, in order; the widget gets it (with its
``cid``) as a ``message``, or an ``error`` when the pipeline quarantined it for staff to look
at. ``hello`` also names the last message the widget has, and the server sends what came after
it.

Protocol (JSON, ``type`` first). From the widget: ``hello {token, after, lang}``, ``message {cid,
text, files: [{name, type, data (base64)}]}``, ``typing {active}``, ``read {up_to}``,
``details {name, email, consent, consent_text, by_email}``. From the server: ``welcome``,
``token``, ``ack {cid, id?, message?}``, ``message``, ``typing``, ``read``, ``ended``, ``saved``,
``verified {conversation}`` (the visitor opened the link e-mailed to their address),
``unverified {conversation}`` (an undone customer merge withdrew that proof), ``error
{cid?, code, text}``.
"""

import asyncio
import base64
import binascii
import contextlib
import contextvars
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, TypeVar, cast

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.utils import translation
from django.utils.translation import gettext as _

from okienko.core import realtime
from okienko.core.consumers import JsonConsumer
from okienko.core.errors import DomainError, InvalidInput, NotFound
from okienko.inboxes.chat.actions import (
    RecordedMessage,
    TooManyMessages,
    VisitorDetails,
    VisitorWrite,
    check_visitor_allowance,
    do_hold_recorded_visitor_message,
    do_mark_read_by_visitor,
    do_process_recorded_visitor_messages,
    do_process_visitor_message,
    do_receive_visitor_message,
    do_record_visitor_messages,
    do_set_visitor_details,
    do_start_conversation,
)
from okienko.inboxes.chat.adapter import VisitorMessage
from okienko.inboxes.chat.events import visitor_message_event
from okienko.inboxes.chat.presenters import (
    conversation_payload,
    message_payload,
    messages_payload,
    widget_texts,
)
from okienko.inboxes.chat.responders import first_responder
from okienko.inboxes.chat.selectors import (
    availability,
    conversation_by_id,
    is_pending,
    origin_allowed,
    visitor_conversation,
    visitor_messages,
    widget_by_key,
)
from okienko.inboxes.models import ChatConversation, ChatWidget, InboundItem
from okienko.tickets.actions import AttachmentInput

NO_SUCH_WIDGET = 4404
T = TypeVar("T")
R = TypeVar("R")
logger = logging.getLogger(__name__)


class _Batches(Generic[T]):
    """Work the consumers hand to a thread of its own (apart from the thread the consumers'
    other database calls share), done in batches, in the order it came: each turn takes all
    that came meanwhile, so a burst of messages waits for one turn, not for one after another.

    ``run`` takes a batch and returns each one's result, an exception for one that failed.
    When a batch fails as a whole, each of its values is tried again alone, in order, so that
    one bad value fails only itself; ``give_up`` (if given) turns the error of a value that
    failed alone into its result (the pipeline quarantines its message).
    Each turn runs in a context of its own: it is no consumer's. Not sync_to_async, whose
    thread would hand every async_to_sync call (the realtime announcements) back to the loop
    of a consumer, which may stop before the turn ends and hold the thread, and the process's
    exit, for good.
    """

    def __init__(
        self,
        name: str,
        run: Callable[[list[T]], Sequence[object]],
        give_up: Callable[[T, Exception], object] | None = None,
    ) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._name = name
        self._run = run
        self._give_up = give_up
        self._lock = threading.Lock()
        self._waiting: list[tuple[T, asyncio.Future[object]]] = []

    async def do(self, value: T) -> object:
        """``value``'s result once its turn ended; raises what it failed with."""
        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._waiting.append((value, future))
        # One turn per value; a turn that finds the values taken by an earlier one is free.
        self._thread.submit(self._turn)
        result = await future
        if isinstance(result, BaseException):
            raise result
        return result

    def _turn(self) -> None:
        with self._lock:
            batch, self._waiting = self._waiting, []
        if not batch:
            return
        results = self._results([value for value, _ in batch])
        for (_value, future), result in zip(batch, results, strict=True):
            with contextlib.suppress(RuntimeError):  # the consumer's loop has closed
                future.get_loop().call_soon_threadsafe(_settle, future, result)

    def _results(self, values: list[T]) -> list[object]:
        """Each value's result: from one run of the batch, or, when that failed as a whole,
        from a run of each value alone, in order (one bad value must not fail the others)."""
        try:
            return list(self._attempt(self._run, values))
        except Exception as error:
            if len(values) == 1:
                logger.exception("%s failed", self._name)
                return [self._given_up(values[0], error)]
            logger.warning("%s: a batch of %d failed (%r)", self._name, len(values), error)
        return [result for value in values for result in self._results([value])]

    def _given_up(self, value: T, error: Exception) -> object:
        if self._give_up is None:
            return error
        try:
            return self._attempt(self._give_up, value, error)
        except Exception:
            logger.exception("%s could not give up on a value", self._name)
            return error

    @staticmethod
    def _attempt(function: Callable[..., R], *args: object) -> R:
        close_old_connections()
        try:
            return contextvars.Context().run(function, *args)
        finally:
            close_old_connections()


def _settle(future: asyncio.Future[object], result: object) -> None:
    if future.done():  # the consumer went away
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)


# Visitors' messages on their way to the ledger: a turn counts them against the limits and
# writes them in one transaction.
_ledger = _Batches("chat-ledger", do_record_visitor_messages)
# Then through the pipeline, into ticket messages: a turn processes them in one transaction.
# One that fails even alone is quarantined for staff, with the reason.
_pipeline = _Batches(
    "chat-pipeline", do_process_recorded_visitor_messages, do_hold_recorded_visitor_message
)


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def _widget(public_key: str, origin: str) -> ChatWidget | None:
    try:
        widget = widget_by_key(public_key)
    except NotFound:
        return None
    return widget if origin_allowed(widget, origin) else None


def _welcome(
    widget: ChatWidget, conversation: ChatConversation | None, after: int, language: str
) -> dict[str, Any]:
    messages = visitor_messages(conversation, after_id=after) if conversation else []
    ticket = conversation.ticket if conversation else None
    # "Talk to a human" while a bot answers: before the first message, and until a hand-off
    # or an agent taking the chat.
    responder = first_responder()
    offers_human = responder.is_enabled_on_inbox(widget.inbox_id) and (
        ticket is None or responder.answers_on(ticket)
    )
    return {
        "type": "welcome",
        "config": widget_texts(widget, availability(widget), language, offers_human=offers_human),
        "conversation": conversation_payload(conversation),
        "messages": messages_payload(messages, conversation.pk) if conversation else [],
    }


def _files(raw: object) -> tuple[AttachmentInput, ...]:
    """The message's files; ``InvalidInput`` for one that is not a file (a broken upload is
    refused as a whole, never sent without the file)."""
    if not isinstance(raw, list):
        return ()
    files = []
    for entry in raw[: settings.CHAT_MAX_FILES + 1]:
        try:
            if not isinstance(entry, dict):
                raise ValueError("not a file")
            content = base64.b64decode(str(entry.get("data", "")), validate=True)
        except (binascii.Error, ValueError) as error:
            raise InvalidInput(
                "An attachment could not be read", errors={"files": ["invalid"]}
            ) from error
        files.append(
            AttachmentInput(
                filename=str(entry.get("name", ""))[:255] or "file",
                content_type=str(entry.get("type", ""))[:100] or "application/octet-stream",
                content=content,
            )
        )
    return tuple(files)


def _language(value: object) -> str:
    code = str(value or "")[:2].lower()
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class VisitorConsumer(JsonConsumer):
    widget: ChatWidget
    conversation: ChatConversation | None = None
    language: str = settings.LANGUAGE_CODE
    client_ip: str = ""
    processing: set[asyncio.Task[None]]

    async def connect(self) -> None:
        self.processing = set()
        public_key = self.scope["url_route"]["kwargs"]["key"]
        origin = _header(self.scope, b"origin")
        widget = await database_sync_to_async(_widget)(public_key, origin)
        if widget is None:
            await self.close(code=NO_SUCH_WIDGET)
            return
        realtime.bind_serving_loop(asyncio.get_running_loop())
        self.widget = widget
        client = self.scope.get("client") or ("", 0)
        self.client_ip = str(client[0])
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.conversation is not None:
            await self._tell_agents_typing(active=False)
            await self.channel_layer.group_discard(
                realtime.widget_group(self.conversation.pk), self.channel_name
            )

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "hello":
            await self._hello(content)
        elif kind == "message":
            await self._message(content)
        elif kind == "details":
            await self._details(content)
        elif kind == "human":
            await self._human(content)
        elif kind == "feedback" and self.conversation is not None:
            await self._feedback(content)
        elif kind == "typing" and self.conversation is not None:
            await self._tell_agents_typing(active=bool(content.get("active")))
        elif kind == "read" and self.conversation is not None:
            up_to = content.get("up_to")
            if isinstance(up_to, int) and up_to > 0:
                await database_sync_to_async(do_mark_read_by_visitor)(
                    conversation=self.conversation, up_to=up_to
                )

    async def _hello(self, content: dict[str, Any]) -> None:
        self.language = _language(content.get("lang"))
        token = content.get("token")
        if token and self.conversation is None:
            conversation = await database_sync_to_async(visitor_conversation)(
                self.widget, str(token)
            )
            if conversation is not None:
                await self._join(conversation)
        after = content.get("after")
        welcome = await database_sync_to_async(_welcome)(
            self.widget, self.conversation, after if isinstance(after, int) else 0, self.language
        )
        await self.send_json(welcome)

    async def _join(self, conversation: ChatConversation) -> None:
        self.conversation = conversation
        await self.channel_layer.group_add(
            realtime.widget_group(conversation.pk), self.channel_name
        )

    async def _conversation(self) -> ChatConversation:
        """The visitor's conversation, started (and its token sent) on their first write."""
        if self.conversation is not None:
            return self.conversation
        await database_sync_to_async(check_visitor_allowance)(
            conversation_id=None, client_ip=self.client_ip
        )
        conversation, token = await database_sync_to_async(do_start_conversation)(
            widget=self.widget, language=self.language
        )
        await self._join(conversation)
        await self.send_json({"type": "token", "token": token})
        return conversation

    async def _message(self, content: dict[str, Any]) -> None:
        client_id = str(content.get("cid", ""))
        try:
            conversation = await self._conversation()
            text = content.get("text")
            message = VisitorMessage(
                conversation_id=conversation.pk,
                client_id=client_id,
                text=text if isinstance(text, str) else "",
                attachments=_files(content.get("files")),
            )
            written = VisitorWrite(conversation, message, self.client_ip)
            item = cast(InboundItem, await _ledger.do(written))
            if conversation.ticket_id is None or not is_pending(item):
                # The first message makes the ticket the next ones go to; a resend has its answer.
                received = await database_sync_to_async(_process)(conversation, item)
            else:
                received = None
                self._process_later(conversation, item, message)
        except DomainError as error:
            await self._refuse(error, client_id=client_id)
            return
        await self.send_json(
            {
                "type": "ack",
                "cid": client_id,
                "id": received["id"] if received else None,
                "message": received,
            }
        )

    def _process_later(
        self, conversation: ChatConversation, item: InboundItem, message: VisitorMessage
    ) -> None:
        task = asyncio.create_task(self._process_in_pipeline(conversation, item, message))
        self.processing.add(task)
        task.add_done_callback(self.processing.discard)

    async def _process_in_pipeline(
        self, conversation: ChatConversation, item: InboundItem, message: VisitorMessage
    ) -> None:
        """Make the acknowledged message a ticket message (the widget and the agents' pages
        get it from the pipeline's events); tell both when it was quarantined instead."""
        try:
            await _pipeline.do(RecordedMessage(conversation.pk, item.inbox_id, item.external_id))
        except DomainError as error:
            await self._refuse(error, client_id=message.client_id, held=True)
            ticket_id = conversation.ticket_id
            if ticket_id is not None:
                await self.channel_layer.group_send(
                    realtime.ticket_group(ticket_id),
                    visitor_message_event(ticket_id, message, held=True),
                )

    async def _details(self, content: dict[str, Any]) -> None:
        details = VisitorDetails(
            name=str(content.get("name") or ""),
            email=str(content.get("email") or ""),
            marketing_consent=bool(content.get("consent")),
            consent_text=str(content.get("consent_text") or ""),
            continues_by_email=bool(content.get("by_email")),
        )
        try:
            conversation = await self._conversation()
            await database_sync_to_async(do_set_visitor_details)(
                conversation=conversation, details=details, client_ip=self.client_ip
            )
        except DomainError as error:
            await self._refuse(error)
            return
        await self.send_json(
            {"type": "saved", "conversation": conversation_payload(self.conversation)}
        )

    async def _human(self, content: dict[str, Any]) -> None:
        """The visitor asks for a person: the bot hands the chat over (after recording their
        request as their first message, when they had not written yet)."""
        client_id = str(content.get("cid", ""))
        text = content.get("text")
        try:
            conversation = await self._conversation()
            received = await database_sync_to_async(_talk_to_human)(
                conversation, client_id, text if isinstance(text, str) else ""
            )
        except DomainError as error:
            await self._refuse(error, client_id=client_id)
            return
        if received is not None:
            await self.send_json(
                {"type": "ack", "cid": client_id, "id": received["id"], "message": received}
            )
        await self.send_json({"type": "handed_off"})

    async def _feedback(self, content: dict[str, Any]) -> None:
        message_id = content.get("message")
        if not isinstance(message_id, int) or self.conversation is None:
            return
        try:
            await database_sync_to_async(_record_feedback)(
                self.conversation, message_id, helpful=bool(content.get("helpful"))
            )
        except DomainError as error:
            await self._refuse(error)

    async def _refuse(self, error: DomainError, *, client_id: str = "", held: bool = False) -> None:
        with translation.override(self.language):
            if held:
                code = "held"
                text = _("Your message could not be added to the chat; our team will look at it.")
            elif isinstance(error, TooManyMessages):
                code, text = "rate_limited", _("Too many messages. Wait a minute, please.")
            elif "files" in error.errors:
                code, text = "invalid", _("A file could not be read. Please attach it again.")
            elif "email" in error.errors:
                code, text = "invalid", _("Please check the e-mail address.")
            else:
                code, text = "invalid", _("This message cannot be sent (too long or empty?).")
        await self.send_json({"type": "error", "cid": client_id, "code": code, "text": text})

    async def _tell_agents_typing(self, *, active: bool) -> None:
        conversation = self.conversation
        if conversation is None or conversation.ticket_id is None:
            return
        await self.channel_layer.group_send(
            realtime.ticket_group(conversation.ticket_id),
            {"type": "chat.typing", "ticket_id": conversation.ticket_id, "active": active},
        )

    # Handlers of group messages (the ``type`` with dots as underscores).

    async def chat_message(self, message: dict[str, Any]) -> None:
        if self.conversation is not None and message.get("ticket_id"):
            self.conversation.ticket_id = message["ticket_id"]
        await self.send_json({"type": "message", "message": message["message"]})

    async def chat_agent_typing(self, message: dict[str, Any]) -> None:
        await self.send_json(
            {"type": "typing", "active": message["active"], "name": message["name"]}
        )

    async def chat_read(self, message: dict[str, Any]) -> None:
        await self.send_json({"type": "read", "up_to": message["up_to"]})

    async def chat_ended(self, message: dict[str, Any]) -> None:
        await self.send_json({"type": "ended"})

    async def chat_email_verified(self, message: dict[str, Any]) -> None:
        await self._send_conversation("verified")

    async def chat_email_unverified(self, message: dict[str, Any]) -> None:
        await self._send_conversation("unverified")

    async def _send_conversation(self, kind: str) -> None:
        if self.conversation is None:
            return
        # Read again: the change happened behind this consumer's copy.
        fresh = await database_sync_to_async(conversation_by_id)(self.conversation.pk)
        if fresh is None:
            return
        self.conversation = fresh
        await self.send_json({"type": kind, "conversation": conversation_payload(fresh)})


def _receive(conversation: ChatConversation, message: VisitorMessage) -> dict[str, Any]:
    received = do_receive_visitor_message(conversation=conversation, message=message)
    return message_payload(received, conversation.pk)


def _process(conversation: ChatConversation, item: InboundItem) -> dict[str, Any]:
    received = do_process_visitor_message(conversation=conversation, item=item)
    return message_payload(received, conversation.pk)


def _talk_to_human(
    conversation: ChatConversation, client_id: str, text: str
) -> dict[str, Any] | None:
    received = None
    if conversation.ticket is None:
        received = _receive(conversation, VisitorMessage(conversation.pk, client_id, text))
    assert conversation.ticket is not None  # noqa: S101 - the first message made it
    first_responder().hand_off_on_request(conversation.ticket)
    return received


def _record_feedback(conversation: ChatConversation, message_id: int, *, helpful: bool) -> None:
    """The visitor's "did this help?" answer, on a message of their own conversation only."""
    shown = visitor_messages(conversation, message_ids=[message_id])
    if not shown:
        raise NotFound("No such message in this conversation")
    first_responder().record_feedback(shown[0], helpful=helpful)
