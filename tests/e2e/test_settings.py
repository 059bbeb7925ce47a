"""The admin's settings in a real browser: a new agent invited into a team (who sets a password
from the e-mail), a colleague deactivated."""

import re
from pathlib import Path

import pytest
from django.core import mail

from okienko.accounts.choices import Role
from okienko.accounts.models import Agent
from okienko.ai.models import InboxBot, LanguageModelCall, LanguageModelSettings
from okienko.testing.factories import (
    make_agent,
    make_category,
    make_chat_widget,
    make_team,
    make_ticket,
)
from okienko.testing.llm import fake_language_model
from tests.e2e.conftest import phone_of, sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "okienko-demo-1"
INVITATION = re.compile(r"(http://\S+/invitation/[\w-]+/)")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_admin_invites_an_agent_and_deactivates_another(
    live_server, page, browser, settings, tasks_run_at_once, own_rate_limits
):
    settings.PUBLIC_URL = live_server.url
    orders = make_team(name="Obsługa zamówień")
    make_team(name="Reklamacje")
    admin = make_agent(role=Role.ADMIN, name="Ada Admin", teams=[orders], password=PASSWORD)
    leaving = make_agent(name="Piotr Odchodzący", teams=[orders])

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, admin.email, PASSWORD)
    page.get_by_role("link", name="Ustawienia").click()
    page.get_by_role("link", name="Nowy konsultant").click()
    page.get_by_label("Imię i nazwisko").fill("Marek Zieliński")
    page.get_by_label("E-mail", exact=True).fill("marek.zielinski@sklep.example")
    page.get_by_label("Rola").select_option("supervisor")
    page.get_by_label("Reklamacje").check()
    assert page.get_by_label("Wyślij zaproszenie e-mailem").is_checked()
    page.screenshot(path=str(SCREENSHOTS / "workspace-settings-new-agent.png"), full_page=True)
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_text("Zapisano konsultanta Marek Zieliński.").wait_for()
    page.get_by_text("Zaproszenie do ustawienia hasła jest w drodze").wait_for()

    # Marek opens the link from the e-mail in his own browser, sets a password and is in.
    invitation = INVITATION.search(mail.outbox[-1].body)
    assert invitation is not None
    assert mail.outbox[-1].to == ["marek.zielinski@sklep.example"]
    marek_context = browser.new_context(locale="pl-PL", timezone_id="Europe/Warsaw")
    marek_page = marek_context.new_page()
    marek_page.goto(invitation.group(1))
    marek_page.get_by_text("Witamy, Marek Zieliński!").wait_for()
    marek_page.get_by_label("Nowe hasło", exact=True).fill("moje-haslo-2026")
    marek_page.get_by_label("Nowe hasło (powtórz)").fill("moje-haslo-2026")
    marek_page.screenshot(path=str(SCREENSHOTS / "workspace-invitation.png"))
    marek_page.get_by_role("button", name="Ustaw hasło i zaloguj się").click()
    marek_page.get_by_text("Hasło ustawione. Witamy w Okienku!").wait_for()
    marek_context.close()

    page.get_by_role("link", name="Piotr Odchodzący").click()
    page.get_by_label("Aktywny (może się logować)").uncheck()
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_text("Zapisano konsultanta Piotr Odchodzący.").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-settings-agents.png"), full_page=True)

    marek = Agent.objects.get(email="marek.zielinski@sklep.example")
    assert (marek.role, [team.name for team in marek.teams.all()]) == ("supervisor", ["Reklamacje"])
    leaving.refresh_from_db()
    assert leaving.is_active is False
    assert page.locator("tr.is-inactive .cell-subject").all_inner_texts() == ["Piotr Odchodzący"]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_admin_defines_a_custom_field(live_server, page, browser):
    admin = make_agent(role=Role.ADMIN, name="Ada Admin", password=PASSWORD)

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, admin.email, PASSWORD)
    page.get_by_role("link", name="Ustawienia").click()
    page.get_by_role("link", name="Pola dodatkowe").click()
    page.get_by_label("Etykieta").fill("Firma kurierska")
    page.get_by_label("Klucz (w API i regułach)").fill("kurier")
    page.get_by_label("Rodzaj", exact=True).select_option("choice")
    page.get_by_label("Opcje, po jednej w wierszu").fill("InPost\nDPD\nPoczta Polska")
    page.get_by_label("Trzeba wypełnić przed rozwiązaniem zgłoszenia").check()
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_text("Zapisano.").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-settings-custom-fields.png"), full_page=True)

    assert page.locator("td.cell-subject").all_inner_texts() == ["Firma kurierska"]
    phone = phone_of(browser, page)
    phone_page = phone.new_page()
    phone_page.goto(f"{live_server.url}/settings/fields/")
    phone_page.get_by_role("heading", name="Pola dodatkowe").wait_for()
    phone_page.screenshot(path=str(SCREENSHOTS / "workspace-settings-phone.png"))
    phone.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_admin_renames_and_merges_tags_and_removes_a_category_in_use(live_server, page):
    admin = make_agent(role=Role.ADMIN, name="Ada Admin", password=PASSWORD)
    delivery = make_category(name="Dostawa")
    make_category(name="Wysyłka")
    ticket = make_ticket(subject="Paczka nie dotarła", tags=["zwrot", "zwroty"], category=delivery)

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, admin.email, PASSWORD)
    page.goto(f"{live_server.url}/settings/tags/")
    page.get_by_role("link", name="zwroty").click()
    page.get_by_label("Scal z").select_option(label="zwrot")
    page.screenshot(path=str(SCREENSHOTS / "workspace-settings-tag.png"), full_page=True)
    page.get_by_role("button", name="Scal", exact=True).click()
    page.get_by_text("Scalono z tagiem zwrot").wait_for()
    page.get_by_role("link", name="zwrot", exact=True).click()
    page.get_by_label("Nazwa").fill("zwrot towaru")
    page.get_by_role("button", name="Zmień nazwę").click()
    page.get_by_text("Zmieniono nazwę tagu").wait_for()

    page.goto(f"{live_server.url}/settings/categories/")
    page.get_by_role("link", name="Dostawa").click()
    page.get_by_role("button", name="Usuń").click()
    page.get_by_text("Jest w użyciu: wybierz, dokąd przenieść").wait_for()
    page.get_by_label("Przenieś do").select_option(label="Wysyłka")
    page.screenshot(path=str(SCREENSHOTS / "workspace-settings-category-removal.png"))
    page.get_by_role("button", name="Usuń").click()
    page.get_by_text("Usunięto.").wait_for()

    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    history = page.locator("#ticket-history")
    history.get_by_text("zwrot towaru").first.wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-ticket-tag-history.png"), full_page=True)
    ticket.refresh_from_db()
    assert list(ticket.tags.values_list("name", flat=True)) == ["zwrot towaru"]
    assert ticket.category.name == "Wysyłka"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_admin_switches_the_chat_bot_on_in_the_workspace(live_server, page):
    widget = make_chat_widget(name="Czat sklepu")
    admin = make_agent(role=Role.ADMIN, name="Ada Admin", password=PASSWORD)

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, admin.email, PASSWORD)
    page.get_by_role("link", name="Ustawienia").click()
    page.get_by_role("link", name="Bot asystent").click()
    form = page.locator("form", has=page.get_by_role("heading", name="Czat sklepu"))
    form.get_by_label("Bot odpowiada pierwszy").check()
    form.get_by_label("Próg pewności").fill("0.6")
    form.get_by_role("button", name="Zapisz").click()
    page.get_by_text("Zapisano ustawienia bota w Czat sklepu.").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-settings-bot.png"), full_page=True)

    bot = InboxBot.objects.get(inbox=widget.inbox)
    assert (bot.is_enabled, bot.confidence_threshold) == (True, 0.6)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_admin_tests_the_language_model_connection(live_server, page):
    admin = make_agent(role=Role.ADMIN, name="Ada Admin", password=PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, admin.email, PASSWORD)

    with fake_language_model("OK") as fake:
        LanguageModelSettings.objects.create(
            is_enabled=False, base_url=fake.url, model="bielik-11b", api_key="sekretny-klucz"
        )
        page.goto(f"{live_server.url}/settings/bot/")
        page.get_by_role("button", name="Sprawdź połączenie").click()
        page.get_by_text("Model bielik-11b odpowiedział w").wait_for()
        # The log of calls below is refreshed with the test call.
        page.locator("#model-calls").get_by_text("bielik-11b").wait_for()
        page.locator("#model-test").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "workspace-settings-bot-model-test.png"))

        fake.status = 401
        page.get_by_role("button", name="Sprawdź połączenie").click()
        page.get_by_text("Serwer odrzucił zapytanie (HTTP 401)").wait_for()

    assert [call.error == "" for call in LanguageModelCall.objects.order_by("id")] == [True, False]
    assert page.locator("#model-calls tbody tr").count() == 2
