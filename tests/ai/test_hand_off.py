"""Handing a chat to a human, and the customers' "did this help?"."""

import pytest

from okienko.ai.actions import hand_off_to_human, record_bot_feedback
from okienko.ai.choices import HandOffReason
from okienko.ai.models import BotReply
from okienko.ai.selectors import bot_answers_on, feedback_requested, is_handed_off
from okienko.core.errors import InvalidInput
from okienko.testing.factories import make_article, make_customer, make_ticket
from okienko.testing.inbound import make_chat_ticket
from okienko.tickets.actions import do_add_system_reply, do_change_status
from okienko.tickets.choices import AuthorKind, EventKind, Status

pytestmark = pytest.mark.django_db


def _bot_answer(ticket, article, *, asks_feedback=True):
    message = do_add_system_reply(
        ticket=ticket, text=f"Zobacz: {article.title}", rule="bot", author_kind=AuthorKind.BOT
    )
    BotReply.objects.create(
        message=message,
        ticket=ticket,
        article=article,
        confidence=0.9,
        language="pl",
        asks_feedback=asks_feedback,
        created_at=message.created_at,
    )
    return message


def test_hand_off_routes_to_the_team_and_tells_everyone(live, chat_inbox, chat_team):
    customer = make_customer(name="Jan Nowak")
    earlier = make_ticket(requester=customer, subject="Zwrot butów")
    ticket = make_chat_ticket(inbox=chat_inbox, text="Gdzie moja paczka?", requester=customer)
    article = make_article(title="Śledzenie przesyłki")
    _bot_answer(ticket, article)

    assert live(hand_off_to_human, ticket, reason=HandOffReason.CUSTOMER_ASKED) is True

    ticket.refresh_from_db()
    assert ticket.team == chat_team
    assert ticket.assignee.name == "Ola Czat"
    assert ticket.status == Status.OPEN
    event = ticket.events.get(kind=EventKind.HANDED_OFF)
    assert event.actor_kind == AuthorKind.BOT
    assert event.new_value == {"reason": "customer_asked"}
    told, note = ticket.messages.order_by("-id")[:2][::-1]
    assert told.author_kind == AuthorKind.BOT
    assert told.is_public is True
    assert "przekazuję" in told.text.lower()
    assert note.is_public is False
    assert "Śledzenie przesyłki" in note.text
    assert f"/help/pl/articles/{article.slug}/" in note.text
    assert f"#{earlier.pk} Zwrot butów" in note.text
    assert is_handed_off(ticket) is True
    assert bot_answers_on(ticket) is False


def test_hand_off_twice_changes_nothing_the_second_time(live, chat_inbox):
    ticket = make_chat_ticket(inbox=chat_inbox, text="Chcę rozmawiać z człowiekiem")
    live(hand_off_to_human, ticket, reason=HandOffReason.CUSTOMER_ASKED)
    messages = ticket.messages.count()

    assert live(hand_off_to_human, ticket, reason=HandOffReason.CUSTOMER_ASKED) is False

    assert ticket.messages.count() == messages
    assert ticket.events.filter(kind=EventKind.HANDED_OFF).count() == 1


def test_hand_off_works_without_any_bot_settings(live):
    ticket = make_ticket(text="Pomocy", channel="chat")

    assert live(hand_off_to_human, ticket, reason="  ") is True

    assert ticket.events.get(kind=EventKind.HANDED_OFF).new_value == {"reason": "customer_asked"}
    assert ticket.team is None


def test_hand_off_brings_a_solved_ticket_back(live, chat_inbox):
    ticket = make_chat_ticket(inbox=chat_inbox, text="Dziękuję")
    do_change_status(ticket=ticket, status=Status.SOLVED, acting_user=None)

    live(hand_off_to_human, ticket, reason="widget button")

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.events.get(kind=EventKind.HANDED_OFF).new_value == {"reason": "widget button"}


def test_helpful_feedback_counts_once_and_thanks_the_customer(live, chat_inbox):
    ticket = make_chat_ticket(inbox=chat_inbox, text="Jak zwrócić towar?")
    article = make_article(title="Jak zwrócić towar")
    message = _bot_answer(ticket, article)

    assert live(record_bot_feedback, message, helpful=True) is True
    assert live(record_bot_feedback, message, helpful=False) is False

    reply = BotReply.objects.get(message=message)
    assert reply.is_helpful is True
    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (1, 0)
    assert ticket.messages.order_by("-id").first().text.startswith("Cieszę się")
    assert is_handed_off(ticket) is False


def test_unhelpful_answer_hands_the_chat_to_a_person(live, chat_inbox, chat_team):
    ticket = make_chat_ticket(inbox=chat_inbox, text="Jak zwrócić towar?")
    article = make_article(title="Jak zwrócić towar")
    message = _bot_answer(ticket, article)

    live(record_bot_feedback, message, helpful=False)

    ticket.refresh_from_db()
    assert ticket.team == chat_team
    article.refresh_from_db()
    assert article.not_helpful_count == 1
    assert ticket.events.get(kind=EventKind.HANDED_OFF).new_value == {"reason": "not_helpful"}
    note = ticket.messages.filter(is_public=False).get()
    assert "Jak zwrócić towar" in note.text
    assert "nie pomógł" in note.text


def test_feedback_on_a_message_that_asked_nothing_is_refused(chat_inbox):
    ticket = make_chat_ticket(inbox=chat_inbox, text="Jak zwrócić towar?")
    message = _bot_answer(ticket, make_article(), asks_feedback=False)

    with pytest.raises(InvalidInput):
        record_bot_feedback(message, helpful=True)

    assert BotReply.objects.get(message=message).is_helpful is None
    assert (
        not ticket.messages.filter(author_kind=AuthorKind.CUSTOMER)
        .exclude(pk=ticket.messages.first().pk)
        .exists()
    )


def test_feedback_requested_names_the_bot_answers_that_asked(chat_inbox):
    ticket = make_chat_ticket(inbox=chat_inbox, text="Jak zwrócić towar?")
    asked = _bot_answer(ticket, make_article())
    silent = _bot_answer(ticket, make_article(), asks_feedback=False)
    customer_message = ticket.messages.first()

    found = feedback_requested([asked.pk, silent.pk, customer_message.pk])

    assert found == {asked.pk}
    assert feedback_requested([]) == set()


def test_the_bot_answers_first_only_on_an_enabled_chat_inbox(chat_inbox):
    chat = make_chat_ticket(inbox=chat_inbox, text="Jak zwrócić towar?")
    email = make_ticket(text="Jak zwrócić towar?")

    assert bot_answers_on(chat) is True
    assert bot_answers_on(email) is False
