"""Writes for the assistant bot: its answers, the customers' "did this help?", and handing a
conversation to a human. Ticket changes go through ``tickets.actions`` like everybody's."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from okienko.accounts.models import Team
from okienko.ai.choices import HandOffReason
from okienko.ai.models import BotConversation, BotReply, InboxBot
from okienko.ai.selectors import (
    article_url,
    bot_reply,
    conversation_language,
    inbox_bot,
    offered_articles,
)
from okienko.core.errors import InvalidInput
from okienko.inboxes.models import Inbox
from okienko.kb.actions import do_record_feedback
from okienko.routing.actions import do_route_ticket
from okienko.tickets.actions import (
    do_add_note,
    do_add_system_reply,
    do_change_status,
    do_change_team,
    do_record_hand_off,
)
from okienko.tickets.choices import AuthorKind, Status
from okienko.tickets.models import Message, Ticket
from okienko.tickets.selectors import customer_visible_tickets

logger = logging.getLogger(__name__)

# The rule name the bot's changes carry in the ticket history (stored as written).
RULE = "bot"
MAX_REASON_LENGTH = 200
CUSTOMER_TICKETS_IN_NOTE = 5
# A handed-off conversation waits in these statuses; others come back to the queue.
WAITING_FOR_HUMAN = (Status.NEW, Status.OPEN)


def _reason_label(reason: str) -> str:
    return str(HandOffReason(reason).label) if reason in HandOffReason.values else reason


def hand_off_to_human(ticket: Ticket, *, reason: str) -> bool:
    """Give the conversation to the agents: the bot stops answering on the ticket, the ticket
    goes to the hand-off team's queue (and its routing picks an agent), the history records
    why, the customer is told a person takes over, and the agents get a note with the articles
    the bot offered and the customer's other tickets, so nobody asks the customer again.

    Safe to call at any time and more than once: returns False when the conversation was
    handed off already (nothing happens then)."""
    reason = reason.strip()[:MAX_REASON_LENGTH] or HandOffReason.CUSTOMER_ASKED
    with transaction.atomic():
        conversation, _created = BotConversation.objects.get_or_create(ticket=ticket)
        taken = BotConversation.objects.filter(
            pk=conversation.pk, handed_off_at__isnull=True
        ).update(handed_off_at=timezone.now(), hand_off_reason=reason)
        if not taken:
            return False
        do_record_hand_off(ticket=ticket, reason=reason, rule=RULE)
        if ticket.status not in WAITING_FOR_HUMAN and ticket.status != Status.CLOSED:
            do_change_status(ticket=ticket, status=Status.OPEN, acting_user=None, rule=RULE)
        team_changed = _move_to_hand_off_team(ticket)
        with translation.override(conversation_language(ticket)):
            do_add_system_reply(
                ticket=ticket,
                text=_(
                    "I am passing our conversation to a person from our team. They will see "
                    "everything we have written, so you will not need to repeat anything."
                ),
                rule=RULE,
                author_kind=AuthorKind.BOT,
            )
        do_add_note(ticket=ticket, text=_hand_off_note(ticket, reason), acting_user=None, rule=RULE)
        if not team_changed:
            # A team change routes the ticket by itself (routing follows ticket.updated).
            do_route_ticket(ticket.pk)
    logger.info("ticket %s handed off to a human: %s", ticket.pk, reason)
    return True


def _move_to_hand_off_team(ticket: Ticket) -> bool:
    bot = inbox_bot(ticket)
    team = (bot.hand_off_team or bot.inbox.team) if bot is not None else None
    if team is None or team.pk == ticket.team_id:
        return False
    return do_change_team(
        ticket=ticket, team=team, acting_user=None, rule=RULE, counts_as_transfer=False
    )


def _hand_off_note(ticket: Ticket, reason: str) -> str:
    """What the agent taking the chat needs, in the team's language: why, what the bot
    offered and how it went, and the customer's other tickets."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            _("The bot handed this chat over: %(reason)s.") % {"reason": _reason_label(reason)}
        ]
        offered = offered_articles(ticket)
        if offered:
            lines += ["", _("Articles the bot offered:")]
            outcome = {True: _("helped"), False: _("did not help"), None: _("no answer")}
            for reply in offered:
                assert reply.article is not None  # noqa: S101 - the selector's filter
                lines.append(
                    f"- {reply.article.title} ({article_url(reply.article)}): "
                    f"{outcome[reply.is_helpful]}"
                )
        else:
            lines += ["", _("The bot offered no article.")]
        others = list(
            customer_visible_tickets(ticket.requester)
            .exclude(pk=ticket.pk)
            .order_by("-id")[:CUSTOMER_TICKETS_IN_NOTE]
        )
        if others:
            lines += ["", _("The customer's other tickets:")]
            lines += [
                f"- #{other.pk} {other.subject} ({other.get_status_display()})" for other in others
            ]
        else:
            lines += ["", _("The customer has no other tickets.")]
        return "\n".join(lines)


def record_bot_feedback(message: Message, *, helpful: bool) -> bool:
    """The customer answered the bot's "did this help?" under ``message``. The first answer
    counts (on the bot's metrics and the article's counters); "no" hands the chat to a person.
    Returns False when the message was answered already (nothing changes then)."""
    reply = bot_reply(message)
    if reply is None or not reply.asks_feedback:
        raise InvalidInput(
            "This message did not ask for feedback", errors={"message": ["no question"]}
        )
    with transaction.atomic():
        answered = BotReply.objects.filter(pk=reply.pk, is_helpful__isnull=True).update(
            is_helpful=helpful, feedback_at=timezone.now()
        )
        if not answered:
            return False
        if reply.article is not None:
            do_record_feedback(article=reply.article, is_helpful=helpful)
        ticket = reply.ticket
        if helpful:
            with translation.override(reply.language):
                do_add_system_reply(
                    ticket=ticket,
                    text=_(
                        "I am glad it helped. If you have another question, just write it here."
                    ),
                    rule=RULE,
                    author_kind=AuthorKind.BOT,
                )
    if not helpful:
        hand_off_to_human(ticket, reason=HandOffReason.NOT_HELPFUL)
    return True


@transaction.atomic
def do_set_inbox_bot(
    *, inbox: Inbox, is_enabled: bool, hand_off_team: Team | None = None
) -> InboxBot:
    """Switch the bot on or off for ``inbox`` and say which team takes its hand-offs."""
    bot, _created = InboxBot.objects.update_or_create(
        inbox=inbox, defaults={"is_enabled": is_enabled, "hand_off_team": hand_off_team}
    )
    return bot
