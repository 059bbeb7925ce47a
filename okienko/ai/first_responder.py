"""The assistant bot as the web chat's first responder (registered in ``AiConfig.ready``)."""

from collections.abc import Iterable

from okienko.ai.actions import hand_off_to_human, record_bot_feedback
from okienko.ai.choices import HandOffReason
from okienko.ai.selectors import bot_answers_on, bot_enabled_on_inbox, feedback_requested
from okienko.tickets.models import Message, Ticket


class BotFirstResponder:
    def is_enabled_on_inbox(self, inbox_id: int) -> bool:
        return bot_enabled_on_inbox(inbox_id)

    def answers_on(self, ticket: Ticket) -> bool:
        return bot_answers_on(ticket)

    def asks_feedback(self, message_ids: Iterable[int]) -> set[int]:
        return feedback_requested(message_ids)

    def hand_off_on_request(self, ticket: Ticket) -> bool:
        return hand_off_to_human(ticket, reason=HandOffReason.CUSTOMER_ASKED)

    def record_feedback(self, message: Message, *, helpful: bool) -> bool:
        return record_bot_feedback(message, helpful=helpful)
