"""The bot answering chats: from the public help center, in the customer's language, honest
about being a bot, handing over when asked, unsure or broken."""

import datetime
import logging

import pytest
from django.utils import timezone

from okienko.ai import selectors, tasks
from okienko.ai.actions import (
    do_answer_customer_message,
    do_refresh_article_embeddings,
    do_set_inbox_bot,
    hand_off_to_human,
    record_bot_feedback,
)
from okienko.ai.models import ArticleEmbedding, BotReply
from okienko.ai.selectors import bot_metrics, feedback_requested
from okienko.core.events import DomainEvent
from okienko.demo.load import CHAT_KEY, load_demo
from okienko.inboxes.chat.actions import do_receive_visitor_message, do_start_conversation
from okienko.inboxes.chat.adapter import VisitorMessage
from okienko.inboxes.models import ChatWidget
from okienko.kb import actions as kb_actions
from okienko.testing.factories import make_agent, make_chat_widget, make_customer, make_ticket
from okienko.testing.inbound import make_chat_ticket
from okienko.tickets.actions import do_add_customer_message, do_reply
from okienko.tickets.choices import AuthorKind, EventKind

pytestmark = pytest.mark.django_db


def _bot_messages(ticket):
    return list(ticket.messages.filter(author_kind=AuthorKind.BOT).order_by("id"))


def _hand_off_reason(ticket):
    return ticket.events.get(kind=EventKind.HANDED_OFF).new_value["reason"]


def test_the_bot_answers_a_chat_from_the_help_center(
    live, tasks_run_at_once, chat_inbox, help_center
):
    ticket = live(
        make_chat_ticket, inbox=chat_inbox, text="Jak mogę zwrócić towar kupiony w sklepie?"
    )

    [answer] = _bot_messages(ticket)
    assert answer.is_public is True
    assert answer.text.startswith("Dzień dobry, jestem automatycznym asystentem Okienko")
    assert "(bot, nie człowiek)" in answer.text
    assert "Jak zwrócić towar" in answer.text
    assert "http://127.0.0.1:8000/help/pl/articles/jak-zwrocic-towar/" in answer.text
    assert answer.text.endswith("Czy to pomogło?")
    assert 'href="http://127.0.0.1:8000/help/pl/articles/jak-zwrocic-towar/"' in answer.html
    reply = BotReply.objects.get(message=answer)
    assert reply.article == help_center["returns"]
    assert reply.language == "pl"
    assert reply.confidence >= selectors.THRESHOLD_WITH_EMBEDDINGS
    assert feedback_requested([answer.pk]) == {answer.pk}
    assert not ticket.events.filter(kind=EventKind.HANDED_OFF).exists()


def test_the_bot_answers_in_english_with_the_english_article(
    live, tasks_run_at_once, chat_inbox, help_center
):
    customer = make_customer(language="en")
    ticket = live(
        make_chat_ticket,
        inbox=chat_inbox,
        requester=customer,
        text="How can I return an item I bought online?",
    )

    [answer] = _bot_messages(ticket)
    assert answer.text.startswith("Hello, I am the automatic assistant of Okienko")
    assert "/help/en/articles/how-to-return-an-item/" in answer.text
    assert answer.text.endswith("Did this help?")
    assert BotReply.objects.get(message=answer).article == help_center["returns_en"]


def test_the_bot_answers_each_new_question_and_introduces_itself_once(
    live, tasks_run_at_once, chat_inbox, help_center
):
    ticket = live(make_chat_ticket, inbox=chat_inbox, text="Jak mogę zwrócić towar?")

    live(
        do_add_customer_message,
        ticket=ticket,
        text="A ile kosztuje dostawa kurierem DPD i paczkomatem?",
    )

    first, second = _bot_messages(ticket)
    assert "automatycznym asystentem" in first.text
    assert "automatycznym asystentem" not in second.text
    assert BotReply.objects.get(message=second).article == help_center["delivery"]


def test_asking_for_a_person_hands_the_chat_over(live, tasks_run_at_once, chat_inbox, chat_team):
    ticket = live(make_chat_ticket, inbox=chat_inbox, text="Chcę rozmawiać z konsultantem")

    ticket.refresh_from_db()
    assert ticket.team == chat_team
    assert _hand_off_reason(ticket) == "customer_asked"
    [told] = _bot_messages(ticket)
    assert "automatycznym asystentem" in told.text
    assert "Przekazuję naszą rozmowę" in told.text


def test_without_a_confident_answer_the_bot_does_not_guess(
    live, tasks_run_at_once, chat_inbox, help_center
):
    ticket = live(make_chat_ticket, inbox=chat_inbox, text="Czy sprzedajecie rowery elektryczne?")

    assert _hand_off_reason(ticket) == "no_answer"
    [told] = _bot_messages(ticket)
    assert "nie chcę zgadywać" in told.text
    assert not BotReply.objects.filter(ticket=ticket, article__isnull=False).exists()


def test_an_inbox_threshold_above_the_answers_confidence_makes_the_bot_hand_over(
    live, tasks_run_at_once, chat_inbox, chat_team, help_center
):
    do_set_inbox_bot(
        inbox=chat_inbox, is_enabled=True, hand_off_team=chat_team, confidence_threshold=1.0
    )

    ticket = live(
        make_chat_ticket, inbox=chat_inbox, text="Jak mogę zwrócić towar kupiony w sklepie?"
    )

    assert _hand_off_reason(ticket) == "no_answer"
    assert not BotReply.objects.filter(ticket=ticket, article__isnull=False).exists()


def test_internal_and_draft_articles_are_never_offered(chat_inbox, help_center):
    for text in ["Procedura przyjęcia zwrotu w magazynie", "Program lojalnościowy i punkty"]:
        ticket = make_chat_ticket(inbox=chat_inbox, text=text)

        do_answer_customer_message(message_id=ticket.messages.get().pk)

        offered = BotReply.objects.filter(ticket=ticket).values_list("article", flat=True)
        assert help_center["internal"].pk not in offered
        assert help_center["draft"].pk not in offered


def test_a_greeting_gets_a_greeting(live, tasks_run_at_once, chat_inbox, help_center):
    ticket = live(make_chat_ticket, inbox=chat_inbox, text="Dzień dobry")

    [greeting] = _bot_messages(ticket)
    assert greeting.text.endswith("Napisz pytanie, a poszukam odpowiedzi.")
    assert feedback_requested([greeting.pk]) == set()
    assert not ticket.events.filter(kind=EventKind.HANDED_OFF).exists()


def test_when_search_fails_the_chat_goes_to_a_person_and_the_failure_is_logged(
    live, tasks_run_at_once, chat_inbox, chat_team, help_center, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("the search index is gone")

    monkeypatch.setattr(selectors, "knowledge", broken)

    with caplog.at_level(logging.ERROR, logger="okienko.ai.actions"):
        ticket = live(make_chat_ticket, inbox=chat_inbox, text="Jak mogę zwrócić towar?")

    ticket.refresh_from_db()
    assert ticket.team == chat_team
    assert _hand_off_reason(ticket) == "bot_failed"
    [failure] = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert (
        failure.getMessage() == f"the bot failed on ticket {ticket.pk}: the chat goes to a person"
    )
    assert "the search index is gone" in str(failure.exc_info[1])
    [told] = _bot_messages(ticket)
    assert "Coś poszło nie tak po mojej stronie." in told.text


def test_when_the_bot_takes_too_long_the_chat_goes_to_a_person(
    live, tasks_run_at_once, chat_inbox, help_center, settings, caplog
):
    settings.BOT_TIMEOUT_SECONDS = -1

    with caplog.at_level(logging.ERROR, logger="okienko.ai.actions"):
        ticket = live(make_chat_ticket, inbox=chat_inbox, text="Jak mogę zwrócić towar?")

    assert _hand_off_reason(ticket) == "bot_failed"
    assert "BotTimeout: the answer took" in caplog.text
    assert not BotReply.objects.filter(ticket=ticket, article__isnull=False).exists()


def test_the_bot_stays_quiet_where_it_does_not_answer(chat_inbox, help_center):
    email = make_ticket(text="Jak mogę zwrócić towar?")
    disabled_inbox_ticket = make_chat_ticket(inbox=chat_inbox, text="Jak mogę zwrócić towar?")
    handed_off = make_chat_ticket(inbox=chat_inbox, text="Jak mogę zwrócić towar?")
    hand_off_to_human(handed_off, reason="customer_asked")
    taken = make_chat_ticket(inbox=chat_inbox, text="Jak mogę zwrócić towar?")
    do_reply(ticket=taken, text="Już pomagam!", acting_user=make_agent())
    bot_messages = {t.pk: len(_bot_messages(t)) for t in (handed_off, taken)}

    assert do_answer_customer_message(message_id=email.messages.get().pk) is False
    for ticket in (handed_off, taken):
        message = ticket.messages.filter(author_kind=AuthorKind.CUSTOMER).get()
        assert do_answer_customer_message(message_id=message.pk) is False
        assert len(_bot_messages(ticket)) == bot_messages[ticket.pk]
    do_set_inbox_bot(inbox=chat_inbox, is_enabled=False)
    message = disabled_inbox_ticket.messages.get()
    assert do_answer_customer_message(message_id=message.pk) is False
    assert _bot_messages(email) == []
    assert _bot_messages(disabled_inbox_ticket) == []


def test_a_message_is_answered_once(chat_inbox, help_center):
    ticket = make_chat_ticket(inbox=chat_inbox, text="Jak mogę zwrócić towar?")
    message = ticket.messages.get()

    assert do_answer_customer_message(message_id=message.pk) is True
    assert do_answer_customer_message(message_id=message.pk) is False

    assert len(_bot_messages(ticket)) == 1


def test_metrics_count_chats_settled_by_the_bot_hand_offs_and_helpfulness(
    live, chat_inbox, help_center
):
    settled = make_chat_ticket(inbox=chat_inbox, text="Jak mogę zwrócić towar?")
    do_answer_customer_message(message_id=settled.messages.get().pk)
    record_bot_feedback(_bot_messages(settled)[0], helpful=True)
    unhelpful = make_chat_ticket(inbox=chat_inbox, text="Ile kosztuje dostawa kurierem DPD?")
    do_answer_customer_message(message_id=unhelpful.messages.get().pk)
    record_bot_feedback(_bot_messages(unhelpful)[0], helpful=False)
    asked = make_chat_ticket(inbox=chat_inbox, text="Chcę rozmawiać z człowiekiem")
    do_answer_customer_message(message_id=asked.messages.get().pk)

    metrics = bot_metrics()

    assert metrics.conversations == 3
    assert metrics.answered_without_human == 1
    assert metrics.handed_off == 2
    assert (metrics.helpful, metrics.not_helpful) == (1, 1)
    assert metrics.hand_off_rate == pytest.approx(2 / 3)
    assert metrics.helpful_rate == pytest.approx(0.5)
    later = timezone.now() + datetime.timedelta(days=2)
    assert bot_metrics(days=1, now=later).hand_off_rate is None


def test_article_embeddings_are_stored_once_and_redone_when_the_article_changes(help_center):
    public = 3

    assert do_refresh_article_embeddings() == public
    assert do_refresh_article_embeddings() == 0
    stored = ArticleEmbedding.objects.get(article=help_center["delivery"])
    kb_actions.do_update_article(
        article=help_center["delivery"],
        changes={"body": "Kurier DPD kosztuje teraz 18,99 zł."},
        acting_user=make_agent(role="admin"),
    )
    assert do_refresh_article_embeddings() == 1

    assert ArticleEmbedding.objects.count() == public
    assert ArticleEmbedding.objects.get(article=help_center["delivery"]).digest != stored.digest


def test_a_visitor_in_the_chat_widget_gets_the_bot_then_a_person(
    live, tasks_run_at_once, chat_team, help_center
):
    # The whole way a widget message takes: ledger, pipeline, ticket, bot; the inbox's team
    # routes the ticket at once, yet the bot answers first until a person takes over.
    widget = make_chat_widget(name="Czat sklepu", team=chat_team)
    do_set_inbox_bot(inbox=widget.inbox, is_enabled=True)
    conversation, _token = do_start_conversation(widget=widget, language="pl")

    def say(text, client_id):
        return live(
            do_receive_visitor_message,
            conversation=conversation,
            message=VisitorMessage(conversation.pk, client_id, text),
        )

    question = say("Jak mogę zwrócić towar kupiony w sklepie?", "c-1")
    ticket = question.ticket
    [answer] = _bot_messages(ticket)
    assert BotReply.objects.get(message=answer).article == help_center["returns"]

    say("Wolę porozmawiać z człowiekiem", "c-2")

    ticket.refresh_from_db()
    assert _hand_off_reason(ticket) == "customer_asked"
    assert ticket.assignee.name == "Ola Czat"
    say("Halo?", "c-3")
    assert len(_bot_messages(ticket)) == 2


def test_the_demo_shop_chat_is_answered_by_the_bot_in_polish(live, tasks_run_at_once):
    load_demo(seed=3, customers=5, tickets=5)
    widget = ChatWidget.objects.get(public_key=CHAT_KEY)
    conversation, _token = do_start_conversation(widget=widget, language="pl")

    question = live(
        do_receive_visitor_message,
        conversation=conversation,
        message=VisitorMessage(conversation.pk, "c-1", "Paczka przyszła zgnieciona i mokra"),
    )

    [answer] = _bot_messages(question.ticket)
    assert BotReply.objects.get(message=answer).article.slug == "uszkodzona-przesylka"
    assert "Paczka przyszła uszkodzona" in answer.text


def test_only_customers_chat_messages_wake_the_bot(monkeypatch):
    queued = []
    monkeypatch.setattr(tasks, "answer_message", queued.append)
    events = [
        DomainEvent("ticket.created", {"message_id": 1, "channel": "chat"}),
        DomainEvent("ticket.created", {"message_id": 2, "channel": "email"}),
        DomainEvent(
            "ticket.message_added",
            {"message_id": 3, "channel": "chat", "author_kind": "customer", "is_public": True},
        ),
        DomainEvent(
            "ticket.message_added",
            {"message_id": 4, "channel": "chat", "author_kind": "bot", "is_public": True},
        ),
        DomainEvent(
            "ticket.message_added",
            {"message_id": 5, "channel": "email", "author_kind": "customer", "is_public": True},
        ),
    ]

    for event in events:
        tasks.answer_customer_message(event)

    assert queued == [1, 3]
