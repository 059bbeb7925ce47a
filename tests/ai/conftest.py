import pytest

from okienko.accounts.choices import Role
from okienko.accounts.models import Team
from okienko.ai.actions import do_set_inbox_bot
from okienko.inboxes.models import Inbox
from okienko.kb import actions as kb_actions
from okienko.kb.models import Article
from okienko.routing.actions import do_set_presence
from okienko.routing.choices import Presence, Strategy
from okienko.routing.models import TeamRouting
from okienko.testing.factories import (
    make_agent,
    make_article,
    make_chat_widget,
    make_kb_category,
    make_team,
)


@pytest.fixture
def chat_team() -> Team:
    agent = make_agent(name="Ola Czat")
    team = make_team(name="Czat", members=[agent])
    TeamRouting.objects.create(team=team, strategy=Strategy.ROUND_ROBIN)
    do_set_presence(agent=agent, presence=Presence.ONLINE)
    return team


@pytest.fixture
def chat_inbox(chat_team: Team) -> Inbox:
    inbox = make_chat_widget(name="Czat na stronie").inbox
    do_set_inbox_bot(inbox=inbox, is_enabled=True, hand_off_team=chat_team)
    return inbox


@pytest.fixture
def help_center() -> dict[str, Article]:
    """A small public help center (a return article with its English translation, delivery)
    and articles the bot must never offer: an internal one and a draft."""
    editor = make_agent(role=Role.ADMIN)
    returns_category = make_kb_category(name="Zwroty", slug="zwroty")
    returns = make_article(
        title="Jak zwrócić towar",
        slug="jak-zwrocic-towar",
        body=(
            "Towar kupiony przez internet możesz zwrócić bez podania przyczyny w ciągu 14 dni "
            "od odbioru. Zgłoś zwrot na koncie: Moje zamówienia → Zwróć produkty."
        ),
        category=returns_category,
    )
    returns_en = kb_actions.do_create_article(
        title="How to return an item",
        slug="how-to-return-an-item",
        body="You can return goods bought online within 14 days of receiving them, no reason "
        "needed. Start the return in your account: My orders → Return products.",
        language="en",
        category=returns_category,
        source=returns,
        acting_user=editor,
    )
    kb_actions.do_take_article_to(article=returns_en, status="published", acting_user=editor)
    delivery = make_article(
        title="Czas i koszt dostawy",
        slug="czas-i-koszt-dostawy",
        body="Paczkomat InPost kosztuje 12,99 zł, kurier DPD 16,99 zł. Dostawa trwa 1-2 dni "
        "robocze; od 249 zł wysyłka jest darmowa.",
        category=make_kb_category(name="Dostawa", slug="dostawa"),
    )
    internal = make_article(
        title="Procedura przyjęcia zwrotu w magazynie",
        slug="procedura-zwrotu-magazyn",
        body="Tylko dla zespołu: sprawdź datę nadania paczki zwrotnej i kompletność zwrotu.",
        category=returns_category,
        visibility="internal",
    )
    draft = make_article(
        title="Program lojalnościowy i punkty",
        slug="program-lojalnosciowy",
        body="Za każde 10 zł dostajesz punkt.",
        category=returns_category,
        status="draft",
    )
    return {
        "returns": returns,
        "returns_en": returns_en,
        "delivery": delivery,
        "internal": internal,
        "draft": draft,
    }
