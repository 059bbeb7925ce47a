"""The chat without a first responder: the bot app registers itself, the chat never imports
it, and with nobody registered every chat simply waits for a person."""

import ast
from pathlib import Path

import pytest

from okienko.ai.actions import do_set_inbox_bot
from okienko.ai.first_responder import BotFirstResponder
from okienko.core.errors import InvalidInput
from okienko.inboxes.chat import responders
from okienko.inboxes.chat.actions import do_receive_visitor_message, do_start_conversation
from okienko.inboxes.chat.adapter import VisitorMessage
from okienko.inboxes.chat.presenters import messages_payload
from okienko.inboxes.chat.responders import NobodyFirst, first_responder
from okienko.tickets.choices import AuthorKind

INBOXES = Path(__file__).parents[2] / "okienko" / "inboxes"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    modules |= {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    return modules


def test_no_module_of_the_inboxes_imports_the_bot_app():
    importing = sorted(
        str(path.relative_to(INBOXES))
        for path in INBOXES.rglob("*.py")
        if any(module.startswith("okienko.ai") for module in _imported_modules(path))
    )

    assert importing == []


def test_the_bot_app_registers_itself_as_the_first_responder():
    assert isinstance(first_responder(), BotFirstResponder)


@pytest.mark.django_db
def test_without_a_first_responder_a_chat_goes_to_the_agents(monkeypatch, widget):
    monkeypatch.setattr(responders, "_registered", [])
    do_set_inbox_bot(inbox=widget.inbox, is_enabled=True)
    conversation, _token = do_start_conversation(widget=widget, language="pl")

    message = do_receive_visitor_message(
        conversation=conversation,
        message=VisitorMessage(conversation.pk, "c-1", "Jak zwrócić towar?"),
    )

    responder = first_responder()
    assert isinstance(responder, NobodyFirst)
    assert responder.is_enabled_on_inbox(widget.inbox_id) is False
    assert responder.answers_on(message.ticket) is False
    assert responder.hand_off_on_request(message.ticket) is False
    assert messages_payload([message], conversation.pk)[0]["feedback"] is False
    with pytest.raises(InvalidInput):
        responder.record_feedback(message, helpful=True)
    assert list(message.ticket.messages.values_list("author_kind", flat=True)) == [
        AuthorKind.CUSTOMER
    ]
