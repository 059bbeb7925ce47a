"""Writes for the assistant bot: its answers, the customers' "did this help?", handing a
conversation to a human, and the stored article embeddings. Ticket changes go through
``tickets.actions`` like everybody's."""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.html import format_html, linebreaks
from django.utils.translation import gettext as _

from okienko.accounts.models import Agent, Team
from okienko.ai import embeddings, llm
from okienko.ai.choices import HandOffReason
from okienko.ai.models import (
    ArticleEmbedding,
    BotConversation,
    BotReply,
    InboxBot,
    LanguageModelCall,
    LanguageModelSettings,
)
from okienko.ai.selectors import (
    Decision,
    Intent,
    article_url,
    bot_answers_on,
    bot_reply,
    conversation_language,
    decide,
    embeddings_to_refresh,
    has_answered,
    has_spoken,
    inbox_bot,
    language_model,
    language_model_settings,
    model_of,
    offered_articles,
)
from okienko.core.errors import InvalidInput
from okienko.inboxes.choices import InboxKind
from okienko.inboxes.models import Inbox
from okienko.kb.actions import do_record_feedback
from okienko.kb.models import Article
from okienko.kb.selectors import body_text, brand
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
from okienko.tickets.selectors import customer_visible_tickets, message_by_id

logger = logging.getLogger(__name__)

# The rule name the bot's changes carry in the ticket history (stored as written).
RULE = "bot"
MAX_REASON_LENGTH = 200
CUSTOMER_TICKETS_IN_NOTE = 5
# A handed-off conversation waits in these statuses; others come back to the queue.
WAITING_FOR_HUMAN = (Status.NEW, Status.OPEN)
# How much of an article the answer quotes before the link.
EXCERPT_CHARACTERS = 320


class BotTimeout(Exception):
    """The bot took longer than BOT_TIMEOUT_SECONDS over one answer."""


def _reason_label(reason: str) -> str:
    return str(HandOffReason(reason).label) if reason in HandOffReason.values else reason


def _introduction() -> str:
    return _(
        "Hello, I am the automatic assistant of %(brand)s (a bot, not a person). I answer "
        "from our help center, and you can ask for a person at any time."
    ) % {"brand": brand().name}


@transaction.atomic
def _post(
    ticket: Ticket,
    *,
    text: str,
    language: str,
    html: str = "",
    question: Message | None = None,
    article: Article | None = None,
    confidence: float = 0.0,
    asks_feedback: bool = False,
    is_generated: bool = False,
) -> BotReply:
    """Post a public bot message on the ticket, introduced the first time the bot speaks
    there, and keep what it was."""
    html = html or linebreaks(text, autoescape=True)
    if not has_spoken(ticket):
        introduction = _introduction()
        text = f"{introduction}\n\n{text}"
        html = format_html("<p>{}</p>", introduction) + html
    message = do_add_system_reply(
        ticket=ticket, text=text, html=html, rule=RULE, author_kind=AuthorKind.BOT
    )
    BotConversation.objects.get_or_create(ticket=ticket)
    return BotReply.objects.create(
        message=message,
        ticket=ticket,
        question=question,
        article=article,
        confidence=confidence,
        language=language,
        asks_feedback=asks_feedback,
        is_generated=is_generated,
        created_at=message.created_at,
    )


# Handing over to a person


def _hand_off_lead(reason: str) -> str:
    if reason == HandOffReason.NO_ANSWER:
        return _(
            "I could not find a certain answer to this in our help center, and I would "
            "rather not guess."
        )
    if reason == HandOffReason.BOT_FAILED:
        return _("Something went wrong on my side.")
    return ""


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
        language = conversation_language(ticket)
        with translation.override(language):
            passing = _(
                "I am passing our conversation to a person from our team. They will see "
                "everything we have written, so you will not need to repeat anything."
            )
            lead = _hand_off_lead(reason)
            _post(ticket, text=f"{lead} {passing}" if lead else passing, language=language)
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
        reason_text = _reason_label(reason)
        lines = [_("The bot handed this chat over: %(reason)s.") % {"reason": reason_text}]
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
            lines += [f"- #{t.pk} {t.subject} ({t.get_status_display()})" for t in others]
        else:
            lines += ["", _("The customer has no other tickets.")]
        return "\n".join(lines)


# Answering


def _excerpt(article: Article) -> str:
    """The beginning of the article, cut at a word."""
    text = " ".join(body_text(article, url_for=article_url).split())
    if len(text) <= EXCERPT_CHARACTERS:
        return text
    return text[:EXCERPT_CHARACTERS].rsplit(" ", 1)[0] + " …"


class ModelDeclined(Exception):
    """The language model found that the article does not answer the question."""


def _model_answer(ticket: Ticket, question: Message, decision: Decision) -> str | None:
    """The configured language model's answer from the found article, cited; None without a
    model or when it fails (the bot quotes the article then). Every call is recorded with
    what was sent."""
    model = language_model()
    suggestion = decision.suggestion
    if model is None or suggestion is None:
        return None
    article = suggestion.article
    sent = llm.prompt(
        question=question.text,
        title=article.title,
        url=article_url(article),
        text=body_text(article, url_for=article_url),
        language=decision.language,
        brand=brand().name,
    )
    call, failure = _recorded_call(model, sent, ticket=ticket)
    if failure is not None:
        logger.warning("the language model failed on ticket %s: %s", ticket.pk, call.error)
        return None
    if llm.declined(call.answer):
        raise ModelDeclined(call.answer)
    return call.answer


def _recorded_call(
    model: llm.OpenAICompatible, sent: llm.Messages, *, ticket: Ticket | None
) -> tuple[LanguageModelCall, llm.LanguageModelError | None]:
    """Send ``sent`` to the model and record the call, what was sent and what came back (or
    why nothing did); the failure, if any, beside the record."""
    started = time.monotonic()
    reply, failure = "", None
    try:
        reply = model.complete(sent)
    except llm.LanguageModelError as error:
        failure = error
    call = LanguageModelCall.objects.create(
        ticket=ticket,
        endpoint=model.endpoint,
        model=model.model,
        sent=sent,
        answer=reply,
        error=str(failure or ""),
        duration_ms=round((time.monotonic() - started) * 1000),
        created_at=timezone.now(),
    )
    return call, failure


# The test request: short, and answerable by any chat model.
TEST_PROMPT = "Reply with the single word OK."


@dataclass(frozen=True)
class LanguageModelTest:
    """What one test request to the saved language model showed: the recorded call, and why
    it failed (``failure`` None when the model answered)."""

    call: LanguageModelCall
    timeout_seconds: float
    failure: llm.Failure | None = None
    status_code: int | None = None


def do_test_language_model(*, acting_user: Agent) -> LanguageModelTest:
    """Send the saved language model (switched on or not) one short request, recorded like
    the bot's calls: an admin learns whether the endpoint, key and model work before the bot
    relies on them."""
    model = model_of(language_model_settings())
    call, failure = _recorded_call(model, [{"role": "user", "content": TEST_PROMPT}], ticket=None)
    logger.info(
        "agent %s tested the language model %s at %s: %s in %s ms",
        acting_user.pk,
        model.model,
        model.endpoint,
        failure.failure if failure else "answered",
        call.duration_ms,
    )
    if failure is None:
        return LanguageModelTest(call=call, timeout_seconds=model.timeout_seconds)
    return LanguageModelTest(
        call=call,
        timeout_seconds=model.timeout_seconds,
        failure=failure.failure,
        status_code=failure.status_code,
    )


def _answer(
    ticket: Ticket, question: Message, decision: Decision, generated: str | None
) -> BotReply:
    suggestion = decision.suggestion
    assert suggestion is not None  # noqa: S101 - an answer has one
    article = suggestion.article
    url = article_url(article)
    with translation.override(decision.language):
        asked = _("Did this help?")
        other_language = (
            _("(The article is available in Polish only.)")
            if article.language != decision.language
            else ""
        )
        if generated is not None:
            source = _("Source")
            text = "\n\n".join(
                part
                for part in (generated, f"{source}: {llm.CITATION} {article.title}, {url}", asked)
                if part
            )
            html = format_html(
                '{}<p>{}: {} <a href="{}">{}</a> {}</p><p>{}</p>',
                linebreaks(generated, autoescape=True),
                source,
                llm.CITATION,
                url,
                article.title,
                other_language,
                asked,
            )
        else:
            found = _("This article from our help center should answer it: %(title)s") % {
                "title": article.title
            }
            read = _("Read the whole article")
            excerpt = _excerpt(article)
            text = "\n\n".join(
                part for part in (found, other_language, excerpt, f"{read}: {url}", asked) if part
            )
            html = format_html(
                '<p>{}</p>{}<blockquote>{}</blockquote><p><a href="{}">{}</a></p><p>{}</p>',
                found,
                format_html("<p>{}</p>", other_language) if other_language else "",
                excerpt,
                url,
                read,
                asked,
            )
        return _post(
            ticket,
            text=text,
            html=html,
            language=decision.language,
            question=question,
            article=article,
            confidence=suggestion.confidence,
            asks_feedback=True,
            is_generated=generated is not None,
        )


def _greet(ticket: Ticket, question: Message, decision: Decision) -> BotReply:
    with translation.override(decision.language):
        return _post(
            ticket,
            text=_("How can I help? Write your question and I will look for the answer."),
            language=decision.language,
            question=question,
        )


def _decide_in_time(message: Message) -> Decision:
    started = time.monotonic()
    bot = inbox_bot(message.ticket)
    decision = decide(
        message.text,
        language_hint=message.ticket.requester.language,
        threshold=bot.confidence_threshold if bot is not None else None,
    )
    if time.monotonic() - started > settings.BOT_TIMEOUT_SECONDS:
        raise BotTimeout(f"the answer took {time.monotonic() - started:.1f} s")
    return decision


def do_answer_customer_message(*, message_id: int) -> bool:
    """The bot's turn after a customer's chat message: answer from the help center when it is
    sure, greet back a greeting, and otherwise hand the chat to a person. If the bot fails or
    takes too long, the chat goes to a person too and the failure is logged. Returns whether
    the bot did anything (it stays quiet on tickets it does not answer, and answers a
    message once)."""
    message = message_by_id(message_id)
    if message is None or message.author_kind != AuthorKind.CUSTOMER or not message.is_public:
        return False
    ticket = message.ticket
    if not bot_answers_on(ticket) or has_answered(message):
        return False
    try:
        decision = _decide_in_time(message)
    except Exception:
        logger.exception("the bot failed on ticket %s: the chat goes to a person", ticket.pk)
        return hand_off_to_human(ticket, reason=HandOffReason.BOT_FAILED)
    if decision.intent == Intent.PERSON_ASKED:
        return hand_off_to_human(ticket, reason=HandOffReason.CUSTOMER_ASKED)
    if decision.intent == Intent.NO_ANSWER:
        return hand_off_to_human(ticket, reason=HandOffReason.NO_ANSWER)
    if decision.intent == Intent.SMALL_TALK:
        _greet(ticket, message, decision)
        return True
    try:
        generated = _model_answer(ticket, message, decision)
    except ModelDeclined:
        return hand_off_to_human(ticket, reason=HandOffReason.NO_ANSWER)
    with transaction.atomic():
        _answer(ticket, message, decision, generated)
    return True


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
                _post(
                    ticket,
                    text=_(
                        "I am glad it helped. If you have another question, just write it here."
                    ),
                    language=reply.language,
                )
    if not helpful:
        hand_off_to_human(ticket, reason=HandOffReason.NOT_HELPFUL)
    return True


# Settings and stored embeddings


@transaction.atomic
def do_set_inbox_bot(
    *,
    inbox: Inbox,
    is_enabled: bool,
    hand_off_team: Team | None = None,
    confidence_threshold: float | None = None,
) -> InboxBot:
    """Switch the bot on or off for ``inbox``, say which team takes its hand-offs and below
    which confidence it offers a person (None: the tuned default)."""
    if inbox.kind != InboxKind.CHAT:
        raise InvalidInput("The bot answers in chat inboxes only", errors={"inbox": ["not chat"]})
    if confidence_threshold is not None and not 0 <= confidence_threshold <= 1:
        raise InvalidInput(
            "The threshold is a confidence between 0 and 1",
            errors={"confidence_threshold": ["out of range"]},
        )
    bot, _created = InboxBot.objects.update_or_create(
        inbox=inbox,
        defaults={
            "is_enabled": is_enabled,
            "hand_off_team": hand_off_team,
            "confidence_threshold": confidence_threshold,
        },
    )
    return bot


@transaction.atomic
def do_set_language_model(
    *,
    is_enabled: bool,
    base_url: str,
    model: str,
    api_key: str,
    timeout_seconds: int,
    acting_user: Agent,
) -> LanguageModelSettings:
    """Configure the optional language model that phrases the bot's answers (one setting).
    An empty ``api_key`` keeps the stored key: it is never shown back."""
    configured = language_model_settings()
    configured.is_enabled = is_enabled
    configured.base_url = base_url.strip()
    configured.model = model.strip()
    configured.api_key = api_key or configured.api_key
    configured.timeout_seconds = timeout_seconds
    configured.save()
    logger.info(
        "agent %s set the language model: %s at %s, %s",
        acting_user.pk,
        configured.model,
        configured.base_url,
        "on" if is_enabled else "off",
    )
    return configured


def do_refresh_article_embeddings() -> int:
    """Compute and store the embeddings of public articles that changed since (or were never
    embedded), so the bot does not compute them in every process. Returns how many."""
    refreshed = 0
    for article, text in embeddings_to_refresh():
        parts = embeddings.chunks(article.title, text)
        ArticleEmbedding.objects.update_or_create(
            article=article,
            defaults={
                "digest": embeddings.digest(parts),
                "vectors": embeddings.to_bytes(embeddings.encode(parts)),
                "updated_at": timezone.now(),
            },
        )
        refreshed += 1
    return refreshed
