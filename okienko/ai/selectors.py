"""Reads for the assistant bot: whether it answers on a ticket, what it offered, its metrics."""

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse

from okienko.ai.models import BotConversation, BotReply, InboxBot
from okienko.inboxes.selectors import inbox_id_of_ticket
from okienko.kb.models import Article
from okienko.tickets.choices import AuthorKind, Channel
from okienko.tickets.models import Message, Ticket


def feedback_requested(message_ids: Iterable[int]) -> set[int]:
    """Which of these messages are bot answers that asked the customer "did this help?"."""
    ids = list(message_ids)
    if not ids:
        return set()
    return set(
        BotReply.objects.filter(message_id__in=ids, asks_feedback=True).values_list(
            "message_id", flat=True
        )
    )


def bot_reply(message: Message) -> BotReply | None:
    return BotReply.objects.select_related("article").filter(message=message).first()


def inbox_bot(ticket: Ticket) -> InboxBot | None:
    """The bot settings of the inbox the ticket came through, if it came through one."""
    inbox_id = inbox_id_of_ticket(ticket.pk)
    if inbox_id is None:
        return None
    return (
        InboxBot.objects.select_related("inbox__team", "hand_off_team")
        .filter(inbox_id=inbox_id)
        .first()
    )


def is_handed_off(ticket: Ticket) -> bool:
    return BotConversation.objects.filter(ticket=ticket, handed_off_at__isnull=False).exists()


def bot_answers_on(ticket: Ticket) -> bool:
    """The bot answers first on a chat whose inbox enabled it, until it hands the
    conversation over or a person takes it (an assignee, or an agent's reply)."""
    if ticket.channel != Channel.CHAT or ticket.assignee_id is not None:
        return False
    bot = inbox_bot(ticket)
    if bot is None or not bot.is_enabled or is_handed_off(ticket):
        return False
    return not ticket.messages.filter(author_kind=AuthorKind.AGENT, is_public=True).exists()


def conversation_language(ticket: Ticket) -> str:
    """The language the bot last spoke on the ticket, else the customer's."""
    latest = (
        BotReply.objects.filter(ticket=ticket).order_by("-id").values_list("language", flat=True)
    )
    return latest.first() or ticket.requester.language or settings.LANGUAGE_CODE


def offered_articles(ticket: Ticket) -> list[BotReply]:
    """The bot's answers on the ticket that offered an article, oldest first."""
    return list(
        BotReply.objects.filter(ticket=ticket, article__isnull=False)
        .select_related("article")
        .order_by("created_at", "id")
    )


def article_url(article: Article) -> str:
    return settings.PUBLIC_URL + reverse("help:article", args=[article.language, article.slug])
