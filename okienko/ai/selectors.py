"""Reads for the assistant bot: whether it answers on a ticket, which article answers a
question and how sure it is, what it offered, and its metrics."""

import datetime
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from okienko.accounts.choices import Role
from okienko.accounts.models import Agent
from okienko.ai import embeddings
from okienko.ai.intents import asks_for_person, is_small_talk, topic_of
from okienko.ai.llm import OpenAICompatible
from okienko.ai.models import (
    ArticleEmbedding,
    BotConversation,
    BotReply,
    InboxBot,
    LanguageModelCall,
    LanguageModelSettings,
)
from okienko.ai.retrieval import Embedded, KnowledgeIndex, Passage
from okienko.core.errors import NotFound, PermissionDenied
from okienko.inboxes.choices import InboxKind
from okienko.inboxes.models import Inbox
from okienko.inboxes.selectors import inbox_id_of_ticket
from okienko.kb.models import Article
from okienko.kb.selectors import public_article_texts, public_articles
from okienko.search.analysis import detect_language
from okienko.tickets.choices import AuthorKind, Channel
from okienko.tickets.models import Message, Ticket, TicketEvent

logger = logging.getLogger(__name__)

# Below these confidences the bot offers a person instead of an article, one per way of
# ranking (cosine similarity with embeddings, covered share of the question without). Tuned
# with `okienko bot eval okienko/ai/eval/helpcenter.jsonl --sweep` on the demo help center, for
# the best accuracy minus twice the wrong-answer rate: a wrong answer costs the customer more
# than an honest hand-off. okienko/ai/eval/helpcenter_holdout.jsonl was kept out of the tuning.
THRESHOLD_WITH_EMBEDDINGS = 0.525
THRESHOLD_WORDS_ONLY = 0.65


# Whether and where the bot answers


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
    return BotReply.objects.select_related("article", "ticket").filter(message=message).first()


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
    conversation over or a person takes it: an agent replied, or an agent (not routing)
    assigned the ticket, e.g. by accepting the chat."""
    if ticket.channel != Channel.CHAT:
        return False
    bot = inbox_bot(ticket)
    if bot is None or not bot.is_enabled or is_handed_off(ticket):
        return False
    if ticket.messages.filter(author_kind=AuthorKind.AGENT, is_public=True).exists():
        return False
    return not TicketEvent.objects.filter(
        ticket=ticket, field="assignee", actor_kind=AuthorKind.AGENT
    ).exists()


def has_spoken(ticket: Ticket) -> bool:
    return BotReply.objects.filter(ticket=ticket).exists()


def has_answered(message: Message) -> bool:
    return BotReply.objects.filter(question=message).exists()


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


# Finding the answer


@dataclass(frozen=True)
class Knowledge:
    """The public articles, ready to rank, as of ``version``."""

    version: str
    index: KnowledgeIndex
    articles: dict[int, Article]
    # (translation group, language) -> the article of that group in that language
    translations: dict[tuple[int, str], Article]


_knowledge: dict[bool, Knowledge] = {}


def _knowledge_version() -> str:
    rows = public_articles().order_by("id").values_list("pk", "updated_at", "version")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def _embedded(texts: list[tuple[Article, str]]) -> Embedded:
    """The stored embeddings of the articles, computed here for those not stored yet."""
    stored = {
        row.article_id: row
        for row in ArticleEmbedding.objects.filter(article__in=[article for article, _ in texts])
    }
    blocks, owners, missing = [], [], []
    for position, (article, text) in enumerate(texts):
        parts = embeddings.chunks(article.title, text)
        row = stored.get(article.pk)
        if row is not None and row.digest == embeddings.digest(parts):
            blocks.append(embeddings.from_bytes(bytes(row.vectors)))
            owners += [position] * len(blocks[-1])
        else:
            missing.append((position, parts))
    if missing:
        # Stored after each article change by a task; until it has run, computed here.
        logger.info("computing the embeddings of %d articles not stored yet", len(missing))
        every_part = [part for _position, parts in missing for part in parts]
        blocks.append(embeddings.encode(every_part))
        owners += [position for position, parts in missing for _part in parts]
    matrix = np.concatenate(blocks) if blocks else embeddings.encode([])
    return Embedded(matrix, owners)


def knowledge(*, uses_embeddings: bool) -> Knowledge:
    """The public articles ready to rank; analysed once per process and kept until an article
    changes."""
    version = _knowledge_version()
    cached = _knowledge.get(uses_embeddings)
    if cached is not None and cached.version == version:
        return cached
    texts = public_article_texts()
    passages = [
        Passage(article.pk, article.group_id, article.language, article.title, text)
        for article, text in texts
    ]
    built = Knowledge(
        version=version,
        index=KnowledgeIndex(passages, _embedded(texts) if uses_embeddings else None),
        articles={article.pk: article for article, _text in texts},
        translations={(article.group_id, article.language): article for article, _ in texts},
    )
    _knowledge[uses_embeddings] = built
    return built


@dataclass(frozen=True)
class Suggestion:
    """The article that best answers a question (in the customer's language when it is
    translated) and how sure the bot is, 0-1."""

    article: Article
    confidence: float


def suggest_article(question: str, *, language: str, uses_embeddings: bool) -> Suggestion | None:
    """The best public article for ``question``, however unsure; None when nothing matches."""
    known = knowledge(uses_embeddings=uses_embeddings)
    vector = embeddings.encode([question])[0] if uses_embeddings else None
    ranked = known.index.rank(question, question_vector=vector, limit=1)
    if not ranked:
        return None
    best = ranked[0].passage
    article = known.translations.get((best.group_id, language)) or known.articles[best.article_id]
    return Suggestion(article, ranked[0].confidence)


class Intent:
    """What the bot makes of a customer's message."""

    ANSWER = "answer"
    NO_ANSWER = "no_answer"
    PERSON_ASKED = "person_asked"
    SMALL_TALK = "small_talk"


@dataclass(frozen=True)
class Decision:
    intent: str
    language: str
    suggestion: Suggestion | None = None


def default_threshold(*, uses_embeddings: bool) -> float:
    return THRESHOLD_WITH_EMBEDDINGS if uses_embeddings else THRESHOLD_WORDS_ONLY


def decide(
    question: str,
    *,
    language_hint: str,
    uses_embeddings: bool | None = None,
    threshold: float | None = None,
) -> Decision:
    """What the bot does with ``question``: answer with an article it is confident about,
    hand over (asked for a person, or no confident answer), or just greet back."""
    language = detect_language(question, hint=language_hint)
    if asks_for_person(question):
        return Decision(Intent.PERSON_ASKED, language)
    if is_small_talk(question):
        return Decision(Intent.SMALL_TALK, language)
    if uses_embeddings is None:
        uses_embeddings = settings.BOT_USES_EMBEDDINGS
    if threshold is None:
        threshold = default_threshold(uses_embeddings=uses_embeddings)
    suggestion = suggest_article(
        topic_of(question), language=language, uses_embeddings=uses_embeddings
    )
    if suggestion is None or suggestion.confidence < threshold:
        return Decision(Intent.NO_ANSWER, language, suggestion)
    return Decision(Intent.ANSWER, language, suggestion)


def embeddings_to_refresh() -> list[tuple[Article, str]]:
    """Public articles whose stored embedding is missing or was computed from other text."""
    texts = public_article_texts()
    stored = dict(
        ArticleEmbedding.objects.filter(article__in=[article for article, _ in texts]).values_list(
            "article_id", "digest"
        )
    )
    return [
        (article, text)
        for article, text in texts
        if stored.get(article.pk) != embeddings.digest(embeddings.chunks(article.title, text))
    ]


def language_model_settings() -> LanguageModelSettings:
    """The language model setting (one row), unsaved with its defaults when never set."""
    return LanguageModelSettings.objects.order_by("pk").first() or LanguageModelSettings()


def language_model_calls(*, limit: int) -> list[LanguageModelCall]:
    """The latest calls to the language model, newest first: what left this install."""
    return list(LanguageModelCall.objects.order_by("-id")[:limit])


@dataclass(frozen=True)
class ChatInboxBot:
    """A chat inbox and its bot settings (unsaved defaults when never set)."""

    inbox: Inbox
    bot: InboxBot


def chat_inbox_bots() -> list[ChatInboxBot]:
    """Every chat inbox with its bot settings, by name (two queries)."""
    inboxes = list(Inbox.objects.filter(kind=InboxKind.CHAT).order_by("name"))
    bots = {
        bot.inbox_id: bot
        for bot in InboxBot.objects.filter(inbox__in=inboxes).select_related("hand_off_team")
    }
    return [ChatInboxBot(inbox, bots.get(inbox.pk) or InboxBot(inbox=inbox)) for inbox in inboxes]


def access_chat_inbox(user: Agent, inbox_id: int) -> Inbox:
    """A chat inbox whose bot ``user`` may configure: admins only."""
    if user.role != Role.ADMIN:
        raise PermissionDenied("Only admins configure the bot")
    inbox = Inbox.objects.filter(pk=inbox_id, kind=InboxKind.CHAT).first()
    if inbox is None:
        raise NotFound(f"No chat inbox {inbox_id}")
    return inbox


def language_model() -> OpenAICompatible | None:
    """The language model an admin configured to phrase answers, if one is switched on."""
    configured = LanguageModelSettings.objects.filter(is_enabled=True).order_by("pk").first()
    return None if configured is None else model_of(configured)


def model_of(configured: LanguageModelSettings) -> OpenAICompatible:
    """The endpoint, model and key of a language model setting, on or off."""
    return OpenAICompatible(
        base_url=configured.base_url,
        model=configured.model,
        api_key=configured.api_key,
        timeout_seconds=configured.timeout_seconds,
    )


# Metrics

METRICS_DAYS = 30


@dataclass(frozen=True)
class BotMetrics:
    """How the bot does over a period: chats it took part in, those it settled without a
    person, hand-offs, and the customers' answers to "did this help?"."""

    days: int
    conversations: int
    answered_without_human: int
    handed_off: int
    helpful: int
    not_helpful: int

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def answered_without_human_rate(self) -> float | None:
        return self._share(self.answered_without_human, self.conversations)

    @property
    def hand_off_rate(self) -> float | None:
        return self._share(self.handed_off, self.conversations)

    @property
    def helpful_rate(self) -> float | None:
        return self._share(self.helpful, self.helpful + self.not_helpful)


def bot_metrics(*, days: int = METRICS_DAYS, now: datetime.datetime | None = None) -> BotMetrics:
    """The bot's figures for the conversations it joined in the last ``days`` days."""
    since = (now or timezone.now()) - datetime.timedelta(days=days)
    conversations = BotConversation.objects.filter(started_at__gte=since)
    agent_replied = Message.objects.filter(
        ticket_id=OuterRef("ticket_id"), author_kind=AuthorKind.AGENT, is_public=True
    )
    offered = BotReply.objects.filter(ticket_id=OuterRef("ticket_id"), article__isnull=False)
    answers = BotReply.objects.filter(
        ticket__bot_conversation__started_at__gte=since, is_helpful__isnull=False
    )
    return BotMetrics(
        days=days,
        conversations=conversations.count(),
        answered_without_human=conversations.filter(handed_off_at__isnull=True)
        .filter(Exists(offered))
        .exclude(Exists(agent_replied))
        .count(),
        handed_off=conversations.filter(handed_off_at__isnull=False).count(),
        helpful=answers.filter(is_helpful=True).count(),
        not_helpful=answers.filter(is_helpful=False).count(),
    )


def bot_enabled_on_inbox(inbox_id: int) -> bool:
    """Whether the bot answers first in this inbox (the chat widget offers "talk to a human")."""
    return InboxBot.objects.filter(inbox_id=inbox_id, is_enabled=True).exists()
