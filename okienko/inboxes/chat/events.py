"""What the web chat does when something happens: the visitor's widgets see every public message
on their conversation's ticket (agent, bot, system, their own from another tab), the agent's
read mark, the end of the chat and the confirmation of the visitor's address (and its
withdrawal); agents hear of a
chat waiting for them, with a cue, and the pages open on a chat's ticket see a visitor's message
as soon as it is in the ledger."""

from typing import Any

from okienko.core import realtime
from okienko.core.events import DomainEvent, subscribe, subscribe_batch
from okienko.inboxes.chat.adapter import VisitorMessage, source_id
from okienko.inboxes.chat.presenters import messages_payload
from okienko.inboxes.chat.responders import first_responder
from okienko.inboxes.chat.selectors import (
    chat_waiting,
    conversation_by_id,
    conversations_of_tickets,
    visitor_messages,
)
from okienko.inboxes.models import ChatConversation
from okienko.tickets.selectors import ticket_audiences


def push_messages_to_visitors(events: list[DomainEvent]) -> None:
    """Public messages on chat tickets go to their visitors' open widgets (the conversations
    of a batch's tickets looked up at once)."""
    if not realtime.anyone_may_listen():
        return
    message_ids: dict[int, list[int]] = {}  # ticket id -> its new public messages
    for event in events:
        if event.payload["is_public"]:
            message_ids.setdefault(event.payload["ticket_id"], []).append(
                event.payload["message_id"]
            )
    if not message_ids:
        return
    for ticket_id, conversations in conversations_of_tickets(list(message_ids)).items():
        _push(conversations, ticket_id, message_ids[ticket_id])


def push_opened_ticket(event: DomainEvent) -> None:
    """A conversation's first message (or a follow-up) made a ticket: the messages written on it
    before the conversation pointed at it (the first, perhaps an automatic answer) go out now,
    and the agents hear of a new chat."""
    if not realtime.anyone_may_listen():
        return
    conversation = conversation_by_id(event.payload["conversation_id"])
    if conversation is None:
        return
    ticket_id = event.payload["ticket_id"]
    _push([conversation], ticket_id, [])
    # While the bot answers, nobody is waited for: its hand-off (ticket.handed_off) cues agents.
    if conversation.ticket is not None and not first_responder().answers_on(conversation.ticket):
        announce_waiting_chat(DomainEvent("chat.waiting", {"ticket_id": ticket_id}))


def _push(conversations: list[ChatConversation], ticket_id: int, message_ids: list[int]) -> None:
    """Send the visitors these messages (all of their conversation's, without ids)."""
    messages: list[realtime.Message] = []
    for conversation in conversations:
        shown = visitor_messages(conversation, message_ids=message_ids)
        group = realtime.widget_group(conversation.pk)
        messages.extend(
            (group, {"type": "chat.message", "ticket_id": ticket_id, "message": payload})
            for payload in messages_payload(shown, conversation.pk)
        )
    realtime.send_all(messages)


def visitor_message_event(
    ticket_id: int, message: VisitorMessage, *, held: bool = False
) -> dict[str, Any]:
    """The group message telling the pages open on ``ticket_id`` of a visitor's message that
    the pipeline has yet to make a ticket message (``held``: that it quarantined instead)."""
    return {
        "type": "chat.visitor_message",
        "ticket_id": ticket_id,
        "cid": message.client_id,
        "source": source_id(message.conversation_id, message.client_id),
        "text": message.text,
        "files": [attachment.filename for attachment in message.attachments],
        "held": held,
    }


def push_received_message(event: DomainEvent) -> None:
    """A visitor's message is durable in the ledger: the agents with its ticket open see it now;
    their page swaps it for the ticket message (same source id) once the pipeline made that."""
    payload = event.payload
    ticket_id = payload["ticket_id"]
    message = VisitorMessage(
        conversation_id=payload["conversation_id"],
        client_id=payload["client_id"],
        text=payload["text"],
    )
    realtime.send(
        realtime.ticket_group(ticket_id),
        {**visitor_message_event(ticket_id, message), "files": payload["files"]},
    )


def push_read_state(event: DomainEvent) -> None:
    """The agent read the visitor's messages: their widget shows it; the visitor read the
    agent's: the agent's ticket page shows it."""
    payload = event.payload
    if payload["reader"] == "agent":
        realtime.send(
            realtime.widget_group(payload["conversation_id"]),
            {"type": "chat.read", "up_to": payload["up_to"]},
        )
    elif payload["ticket_id"] is not None:
        realtime.send(
            realtime.ticket_group(payload["ticket_id"]),
            {"type": "tickets.changed", "ticket_ids": [payload["ticket_id"]]},
        )


def push_chat_ended(event: DomainEvent) -> None:
    realtime.send(realtime.widget_group(event.payload["conversation_id"]), {"type": "chat.ended"})


def push_email_verified(event: DomainEvent) -> None:
    """The visitor opened the link e-mailed to their address (in another tab, or on their
    phone): the widgets open on their conversation say it is confirmed at once."""
    realtime.send(
        realtime.widget_group(event.payload["conversation_id"]), {"type": "chat.email_verified"}
    )


def push_email_proof_withdrawn(event: DomainEvent) -> None:
    """The merge the proof joined was undone: the widgets open on the conversation say at once
    that the address is no longer confirmed."""
    realtime.send(
        realtime.widget_group(event.payload["conversation_id"]), {"type": "chat.email_unverified"}
    )


def announce_waiting_chat(event: DomainEvent) -> None:
    """A chat waits for an agent (new, or handed over by the bot): the people who may take it
    get a cue on whatever workspace page they have open."""
    if not realtime.anyone_may_listen():
        return
    ticket_id = event.payload["ticket_id"]
    waiting = chat_waiting(ticket_id)
    if waiting is None:
        return
    message = {"type": "chat.waiting", "ticket_id": ticket_id, "subject": waiting.subject}
    realtime.send_all(
        [
            (group, message)
            for audience in ticket_audiences([ticket_id])
            for group in realtime.audience_groups(audience.team_id, audience.assignee_id)
        ]
    )


def register() -> None:
    subscribe_batch("ticket.message_added")(push_messages_to_visitors)
    subscribe("chat.ticket_opened")(push_opened_ticket)
    subscribe("chat.message_received")(push_received_message)
    subscribe("chat.read")(push_read_state)
    subscribe("chat.ended")(push_chat_ended)
    subscribe("chat.email_verified")(push_email_verified)
    subscribe("chat.email_proof_withdrawn")(push_email_proof_withdrawn)
    subscribe("ticket.handed_off")(announce_waiting_chat)
