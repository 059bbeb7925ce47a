"""Who answers a chat first, before a person: an interface the chat calls and another app (the
assistant bot, ``okienko.ai``) registers itself for. The chat never imports that app, so it
works the same when the bot is absent or switched off: then nobody answers first and every
chat waits for a person."""

from collections.abc import Iterable
from typing import Protocol

from okienko.core.errors import InvalidInput
from okienko.tickets.models import Message, Ticket


class FirstResponder(Protocol):
    def is_enabled_on_inbox(self, inbox_id: int) -> bool:
        """Whether it answers first in this inbox (the widget offers "talk to a human")."""
        ...

    def answers_on(self, ticket: Ticket) -> bool:
        """Whether it still answers on this chat ticket (no person has taken it yet)."""
        ...

    def asks_feedback(self, message_ids: Iterable[int]) -> set[int]:
        """Which of these messages are its answers asking "did this help?"."""
        ...

    def hand_off_on_request(self, ticket: Ticket) -> bool:
        """The visitor asked for a person: hand the chat over; False if it was already."""
        ...

    def record_feedback(self, message: Message, *, helpful: bool) -> bool:
        """The visitor's answer to "did this help?" under ``message``; InvalidInput when the
        message asked nothing, False when it was answered already."""
        ...


class NobodyFirst:
    """No first responder: every chat goes straight to the agents."""

    def is_enabled_on_inbox(self, inbox_id: int) -> bool:
        return False

    def answers_on(self, ticket: Ticket) -> bool:
        return False

    def asks_feedback(self, message_ids: Iterable[int]) -> set[int]:
        return set()

    def hand_off_on_request(self, ticket: Ticket) -> bool:
        return False

    def record_feedback(self, message: Message, *, helpful: bool) -> bool:
        raise InvalidInput(
            "This message did not ask for feedback", errors={"message": ["no question"]}
        )


_registered: list[FirstResponder] = []


def register_first_responder(responder: FirstResponder) -> None:
    """Make ``responder`` answer chats first (the last registered one counts)."""
    _registered.append(responder)


def first_responder() -> FirstResponder:
    return _registered[-1] if _registered else NobodyFirst()
