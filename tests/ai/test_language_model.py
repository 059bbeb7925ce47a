"""The optional language model: off by default; when an admin turns it on, it phrases the
answer from the found article only, cited, and every call is recorded with what was sent."""

import pytest

from okienko.ai.actions import do_answer_customer_message
from okienko.ai.admin import LanguageModelSettingsForm
from okienko.ai.models import BotReply, LanguageModelCall, LanguageModelSettings
from okienko.testing.inbound import make_chat_ticket
from okienko.testing.llm import fake_language_model
from okienko.tickets.choices import AuthorKind, EventKind

pytestmark = pytest.mark.django_db

QUESTION = "Jak mogę zwrócić towar kupiony w sklepie?"


def _configure(url: str) -> LanguageModelSettings:
    return LanguageModelSettings.objects.create(
        is_enabled=True, base_url=url, model="bielik-11b", api_key="sekret-klucz"
    )


def _answer(chat_inbox, text=QUESTION):
    ticket = make_chat_ticket(inbox=chat_inbox, text=text)
    do_answer_customer_message(message_id=ticket.messages.get().pk)
    return ticket


def test_the_model_phrases_the_answer_from_the_article_and_cites_it(chat_inbox, help_center):
    with fake_language_model("Możesz zwrócić towar w ciągu 14 dni od odbioru [1].") as fake:
        _configure(fake.url)
        ticket = _answer(chat_inbox)

    answer = ticket.messages.get(author_kind=AuthorKind.BOT)
    assert "Możesz zwrócić towar w ciągu 14 dni od odbioru [1]." in answer.text
    assert (
        "Źródło: [1] Jak zwrócić towar, http://127.0.0.1:8000/help/pl/articles/jak-zwrocic-towar/"
        in answer.text
    )
    assert answer.text.endswith("Czy to pomogło?")
    reply = BotReply.objects.get(message=answer)
    assert reply.is_generated is True
    assert reply.article == help_center["returns"]
    [request] = fake.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sekret-klucz"
    assert request["json"]["model"] == "bielik-11b"
    system, user = request["json"]["messages"]
    assert "using ONLY the article below" in system["content"]
    assert "Reply in Polish" in system["content"]
    assert QUESTION in user["content"]
    assert "[1] Jak zwrócić towar" in user["content"]
    assert "w ciągu 14 dni" in user["content"]
    assert "Procedura" not in user["content"]
    call = LanguageModelCall.objects.get()
    assert call.ticket == ticket
    assert call.sent == request["json"]["messages"]
    assert call.answer == "Możesz zwrócić towar w ciągu 14 dni od odbioru [1]."
    assert call.error == ""


def test_the_model_is_off_by_default(chat_inbox, help_center):
    with fake_language_model("nie powinno być wysłane") as fake:
        LanguageModelSettings.objects.create(base_url=fake.url)
        ticket = _answer(chat_inbox)

    assert fake.requests == []
    assert LanguageModelCall.objects.count() == 0
    assert BotReply.objects.get(ticket=ticket).is_generated is False


def test_when_the_article_does_not_answer_the_model_says_so_and_a_person_takes_over(
    chat_inbox, help_center
):
    with fake_language_model("NO_ANSWER") as fake:
        _configure(fake.url)
        ticket = _answer(chat_inbox)

    assert ticket.events.get(kind=EventKind.HANDED_OFF).new_value == {"reason": "no_answer"}
    assert not BotReply.objects.filter(ticket=ticket, article__isnull=False).exists()


def test_when_the_model_fails_the_bot_quotes_the_article_and_the_failure_is_recorded(
    chat_inbox, help_center
):
    with fake_language_model(status=503) as fake:
        _configure(fake.url)
        ticket = _answer(chat_inbox)

    reply = BotReply.objects.get(ticket=ticket)
    assert reply.is_generated is False
    assert reply.article == help_center["returns"]
    assert "Odpowiedź znajdziesz w tym artykule" in reply.message.text
    call = LanguageModelCall.objects.get()
    assert "503" in call.error
    assert call.answer == ""


def test_the_admin_form_keeps_the_stored_key_when_left_empty():
    stored = LanguageModelSettings.objects.create(api_key="sekret-klucz")
    form = LanguageModelSettingsForm(
        data={
            "is_enabled": "on",
            "base_url": "http://127.0.0.1:11434/v1",
            "model": "llama3.1",
            "api_key": "",
            "timeout_seconds": "10",
        },
        instance=stored,
    )

    assert form.is_valid(), form.errors
    form.save()

    stored.refresh_from_db()
    assert stored.api_key == "sekret-klucz"
    assert stored.is_enabled is True
    assert "sekret" not in repr(stored)
