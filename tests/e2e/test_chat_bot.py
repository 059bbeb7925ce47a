"""The chat bot in a real browser: a visitor on a shop page asks, the bot answers from the
help center with the article; the visitor asks for a person and the agent's ticket page shows
the whole conversation and the note with what the bot offered."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from okienko.ai.actions import do_set_inbox_bot
from okienko.routing.actions import do_set_presence
from okienko.routing.choices import Presence
from okienko.testing.factories import (
    make_agent,
    make_article,
    make_chat_widget,
    make_kb_category,
    make_team,
)
from okienko.tickets.models import Ticket
from tests.e2e.conftest import sign_in
from tests.e2e.test_chat_widget import PASSWORD, ShopSite

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def shop() -> Iterator[ShopSite]:
    site = ShopSite()
    yield site
    site.server.shutdown()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_bot_answers_from_the_help_center_then_hands_over_to_an_agent(
    asgi_server, shop, page, browser, tasks_run_at_once
):
    team = make_team(name="Czat sklepu")
    agent = make_agent(name="Ola Nowicka", teams=[team], password=PASSWORD)
    do_set_presence(agent=agent, presence=Presence.ONLINE)
    widget = make_chat_widget(name="Sklep Górski")
    do_set_inbox_bot(inbox=widget.inbox, is_enabled=True, hand_off_team=team)
    returns = make_kb_category(name="Zwroty", slug="zwroty")
    make_article(
        title="Jak zwrócić towar",
        slug="jak-zwrocic-towar",
        body="Towar kupiony przez internet możesz zwrócić bez podania przyczyny w ciągu "
        "14 dni od odbioru. Zgłoś zwrot na koncie: Moje zamówienia → Zwróć produkty.",
        category=returns,
    )
    make_article(
        title="Czas i koszt dostawy",
        slug="czas-i-koszt-dostawy",
        body="Paczkomat InPost kosztuje 12,99 zł, kurier DPD 16,99 zł.",
        category=make_kb_category(name="Dostawa", slug="dostawa"),
    )

    shop.open(page, asgi_server.url, widget.public_key)
    chat = page.locator("#okienko-chat")
    chat.get_by_role("button", name="Otwórz czat").click()
    chat.get_by_role("textbox", name="Twoja wiadomość").fill(
        "Jak mogę zwrócić towar kupiony w sklepie?"
    )
    chat.get_by_role("button", name="Wyślij").click()

    answer = chat.locator(".m.bot").first
    answer.wait_for()
    assert "jestem automatycznym asystentem" in answer.inner_text()
    assert "Jak zwrócić towar" in answer.inner_text()
    assert "/help/pl/articles/jak-zwrocic-towar/" in answer.inner_text()
    page.screenshot(path=SCREENSHOTS / "chat-bot-answer.png")

    chat.get_by_role("textbox", name="Twoja wiadomość").fill("Wolę porozmawiać z człowiekiem")
    chat.get_by_role("button", name="Wyślij").click()
    chat.get_by_text("Przekazuję naszą rozmowę osobie z naszego zespołu", exact=False).wait_for()

    ticket = Ticket.objects.get()
    assert ticket.team == team
    desk = browser.new_context(
        locale="pl-PL", timezone_id="Europe/Warsaw", viewport={"width": 1280, "height": 900}
    )
    agent_page = desk.new_page()
    sign_in(agent_page, asgi_server.url, agent.email, PASSWORD)
    agent_page.goto(f"{asgi_server.url}/tickets/{ticket.pk}/")
    agent_page.get_by_text(
        "Bot przekazał ten czat: klient poprosił o rozmowę z człowiekiem."
    ).wait_for()
    assert agent_page.get_by_text("Artykuły, które zaproponował bot:").count() == 1
    agent_page.screenshot(path=SCREENSHOTS / "chat-bot-hand-off-agent.png", full_page=True)
    desk.close()
