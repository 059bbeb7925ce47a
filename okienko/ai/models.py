from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Team
from okienko.inboxes.models import Inbox
from okienko.kb.models import Article
from okienko.tickets.models import Message, Ticket


class InboxBot(models.Model):
    """Whether the assistant bot answers first in an inbox (the web chat), and where it hands
    conversations over."""

    inbox = models.OneToOneField(
        Inbox, on_delete=models.CASCADE, related_name="bot", verbose_name=_("inbox")
    )
    is_enabled = models.BooleanField(_("bot answers first"), default=False)
    hand_off_team = models.ForeignKey(
        Team,
        verbose_name=_("team that takes handed-off chats"),
        help_text=_("Empty: the inbox's team for new tickets."),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Below this confidence in an article the bot offers a person instead; empty: the tuned
    # default of the way it ranks articles (see ai.selectors).
    confidence_threshold = models.FloatField(
        _("confidence threshold"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )

    class Meta:
        verbose_name = _("inbox bot")
        verbose_name_plural = _("inbox bots")

    def __str__(self) -> str:
        return str(self.inbox)


class BotConversation(models.Model):
    """The bot's part in one ticket: it answers until it hands the conversation to a human."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="bot_conversation")
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    handed_off_at = models.DateTimeField(null=True, blank=True)
    hand_off_reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("bot conversation")
        verbose_name_plural = _("bot conversations")

    def __str__(self) -> str:
        return f"bot on #{self.ticket_id}"

    @property
    def is_handed_off(self) -> bool:
        return self.handed_off_at is not None


class BotReply(models.Model):
    """A message the bot posted: an answer with the article it offered, or an offer of a human
    when it found no confident answer; answers ask the customer whether they helped."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="bot_reply")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="bot_replies")
    # The customer message it answers; empty for the hand-off notice.
    question = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="bot_replies"
    )
    # The retrieval's confidence in the article, 0-1.
    confidence = models.FloatField(default=0.0)
    language = models.CharField(max_length=8)
    asks_feedback = models.BooleanField(default=False)
    is_helpful = models.BooleanField(null=True, blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)
    # Phrased by the configured language model rather than quoted from the article.
    is_generated = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("bot reply")
        verbose_name_plural = _("bot replies")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="bot_reply_ticket_created")]

    def __str__(self) -> str:
        return f"bot reply {self.message_id} on #{self.ticket_id}"


class ArticleEmbedding(models.Model):
    """The embeddings of one article's title and paragraphs, kept so the bot does not compute
    them per process; ``digest`` names the text they were computed from."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="embedding")
    digest = models.CharField(max_length=64)
    # float32 rows of the embedding's dimensions, one per chunk (see ai.embeddings).
    vectors = models.BinaryField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("article embedding")
        verbose_name_plural = _("article embeddings")

    def __str__(self) -> str:
        return f"embedding of article {self.article_id}"


class LanguageModelSettings(models.Model):
    """An optional language model that phrases the bot's answers from the article it found
    (any OpenAI-compatible chat-completions endpoint, e.g. a local Ollama). Off unless an admin
    turns it on: the question and the article then leave for that endpoint. One row.

    The key is kept as entered (the endpoint needs it); it never appears in logs or reprs."""

    is_enabled = models.BooleanField(_("phrase answers with the language model"), default=False)
    base_url = models.URLField(
        _("endpoint"),
        default="http://127.0.0.1:11434/v1",
        help_text=_("OpenAI-compatible API root; /chat/completions is added."),
    )
    model = models.CharField(_("model"), max_length=200, default="llama3.1")
    api_key = models.CharField(_("API key"), max_length=500, blank=True, default="")
    timeout_seconds = models.PositiveSmallIntegerField(_("timeout (seconds)"), default=15)

    class Meta:
        verbose_name = _("language model")
        verbose_name_plural = _("language model")

    def __str__(self) -> str:
        return f"{self.model} at {self.base_url}"

    def __repr__(self) -> str:
        return f"<LanguageModelSettings {self.pk} model={self.model!r} enabled={self.is_enabled}>"


class LanguageModelCall(models.Model):
    """What the bot sent to the language model and what came back: the record of every piece
    of a conversation that left this install."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    endpoint = models.CharField(_("endpoint"), max_length=300)
    model = models.CharField(_("model"), max_length=200)
    sent = models.JSONField(_("sent"))
    answer = models.TextField(_("answer"), blank=True, default="")
    error = models.TextField(_("error"), blank=True, default="")
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    created_at = models.DateTimeField(_("sent at"), db_index=True)

    class Meta:
        verbose_name = _("language model call")
        verbose_name_plural = _("language model calls")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"call {self.pk} to {self.model}"
