"""The inbox's tools in a real browser: saved views, bulk actions, keyboard shortcuts."""

from pathlib import Path

import pytest

from okienko.accounts.choices import Role
from okienko.search.actions import do_reindex
from okienko.testing.factories import make_agent, make_customer, make_team, make_ticket
from okienko.tickets.choices import Channel, Priority
from okienko.tickets.models import Ticket
from tests.e2e.conftest import phone_of, sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "okienko-demo-1"


def _morning(team):
    """A shop's morning queue: a few customers, a few channels, one urgent matter."""
    zofia = make_customer(name="Zofia Wójcik", email="zofia.wojcik@poczta.example")
    jan = make_customer(name="Jan Kowalski", email="jan.kowalski@poczta.example")
    firm = make_customer(name="Hurtownia Ogrodnik", email="biuro@ogrodnik.example")
    return [
        make_ticket(requester=jan, subject="Faktura VAT do zamówienia 10233", team=team),
        make_ticket(
            requester=zofia,
            subject="Zamówienie 10241 nie dotarło",
            priority=Priority.URGENT,
            team=team,
        ),
        make_ticket(
            requester=firm,
            subject="Reklamacja: pęknięty ekran telefonu",
            channel=Channel.PHONE,
            priority=Priority.HIGH,
            team=team,
        ),
        make_ticket(requester=zofia, subject="Pytanie o termin dostawy", channel=Channel.CHAT),
        make_ticket(
            requester=jan,
            subject="Zwrot butów – zły rozmiar",
            channel=Channel.WEB_FORM,
            priority=Priority.URGENT,
            tags=["zwrot"],
            team=team,
        ),
    ]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_agent_saves_the_filters_as_a_view(live_server, page):
    team = make_team(name="Obsługa zamówień")
    agent = make_agent(role=Role.AGENT, name="Ola Nowicka", teams=[team], password=PASSWORD)
    _morning(team)

    page.set_viewport_size({"width": 1360, "height": 860})
    sign_in(page, live_server.url, agent.email, PASSWORD)
    page.goto(f"{live_server.url}/inbox/all_open/")
    page.get_by_role("form", name="Filtry").get_by_label("Priorytet").select_option("urgent")
    page.get_by_role("button", name="Filtruj").click()
    page.get_by_role("link", name="Zapisz jako widok").click()
    page.get_by_label("Nazwa").fill("Pilne zamówień")
    page.locator("#id_team").select_option(label="Obsługa zamówień")
    page.screenshot(path=str(SCREENSHOTS / "workspace-saved-view-form.png"), full_page=True)
    page.get_by_role("button", name="Zapisz widok").click()
    page.get_by_role("heading", name="Pilne zamówień").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-saved-view.png"), full_page=True)

    assert page.locator(".view-link.is-current .count").inner_text() == "2"
    assert page.locator("td.cell-subject").all_inner_texts() == [
        "Zwrot butów – zły rozmiar",
        "Zamówienie 10241 nie dotarło",
    ]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_agent_filters_the_inbox_by_words_in_any_form(live_server, page):
    team = make_team(name="Obsługa zamówień")
    agent = make_agent(role=Role.AGENT, name="Ola Nowicka", teams=[team], password=PASSWORD)
    _morning(team)
    do_reindex()

    page.set_viewport_size({"width": 1360, "height": 860})
    sign_in(page, live_server.url, agent.email, PASSWORD)
    page.goto(f"{live_server.url}/inbox/all_open/")
    filters = page.get_by_role("form", name="Filtry")
    filters.get_by_label("Szukaj").fill("zamowieniu")
    filters.get_by_role("button", name="Filtruj").click()
    page.get_by_role("link", name="Zapisz jako widok").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-inbox-text-filter.png"), full_page=True)

    assert page.locator("td.cell-subject").all_inner_texts() == [
        "Zamówienie 10241 nie dotarło",
        "Faktura VAT do zamówienia 10233",
    ]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_agent_ticks_tickets_and_changes_them_at_once(live_server, page, browser):
    team = make_team(name="Obsługa zamówień")
    agent = make_agent(role=Role.AGENT, name="Ola Nowicka", teams=[team], password=PASSWORD)
    colleague = make_agent(role=Role.AGENT, name="Marek Zieliński", teams=[team])
    morning = _morning(team)

    page.set_viewport_size({"width": 1360, "height": 860})
    sign_in(page, live_server.url, agent.email, PASSWORD)
    page.goto(f"{live_server.url}/inbox/unassigned/")
    assert page.locator("#bulk").is_hidden()
    page.get_by_label(f"Zaznacz zgłoszenie #{morning[1].pk}").check()
    page.get_by_label(f"Zaznacz zgłoszenie #{morning[4].pk}").check()
    assert page.locator("[data-selected-count]").inner_text() == "2"
    page.get_by_label("Przypisz do").select_option(label="Marek Zieliński")
    page.screenshot(path=str(SCREENSHOTS / "workspace-bulk-selection.png"), full_page=True)
    page.get_by_role("button", name="Przypisz", exact=True).click()
    page.get_by_text("Zmieniono 2 zgłoszenia").wait_for()

    assert set(colleague.assigned_tickets.values_list("pk", flat=True)) == {
        morning[1].pk,
        morning[4].pk,
    }
    assert page.locator("td.cell-subject").count() == 3

    page.get_by_label("Zaznacz wszystkie zgłoszenia na tej stronie").check()
    assert page.locator("[data-selected-count]").inner_text() == "3"
    page.get_by_role("form", name="Zmień zaznaczone zgłoszenia").get_by_label("Tag").fill("poranek")
    page.get_by_role("button", name="Dodaj tag").click()
    page.get_by_text("Zmieniono 3 zgłoszenia").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-bulk-summary.png"), full_page=True)

    phone = phone_of(browser, page)
    phone_page = phone.new_page()
    phone_page.goto(f"{live_server.url}/inbox/all_open/")
    phone_page.get_by_label(f"Zaznacz zgłoszenie #{morning[4].pk}").check()
    phone_page.get_by_label(f"Zaznacz zgłoszenie #{morning[3].pk}").check()
    phone_page.evaluate("window.scrollTo(0, 0)")
    phone_page.screenshot(path=str(SCREENSHOTS / "workspace-bulk-phone.png"))
    phone.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_agent_works_the_queue_from_the_keyboard(live_server, page):
    team = make_team(name="Obsługa zamówień")
    agent = make_agent(role=Role.AGENT, name="Ola Nowicka", teams=[team], password=PASSWORD)
    morning = _morning(team)
    newest_first = [ticket.pk for ticket in reversed(morning)]

    page.set_viewport_size({"width": 1360, "height": 860})
    sign_in(page, live_server.url, agent.email, PASSWORD)
    page.goto(f"{live_server.url}/inbox/all_open/")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert page.locator("tr.is-focused .cell-number").inner_text() == f"#{newest_first[1]}"
    page.keyboard.press("x")
    assert page.locator("[data-selected-count]").inner_text() == "1"
    page.keyboard.press("Shift+?")
    page.get_by_role("dialog", name="Skróty klawiszowe").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-shortcuts.png"))
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/tickets/{newest_first[1]}/")

    page.keyboard.press("n")
    assert page.locator("#composer input[value=note]").is_checked()
    page.keyboard.type("Klient dzwonił, paczka u sąsiada? Sprawdzam.")  # "a", "j", "k" typed
    assert page.url.endswith(f"/tickets/{newest_first[1]}/")
    assert page.get_by_label("Wiadomość", exact=True).input_value().endswith("Sprawdzam.")
    page.keyboard.press("Escape")
    page.keyboard.press("a")
    page.get_by_text("Zmieniono 1 zgłoszenie").wait_for()
    assert Ticket.objects.get(pk=newest_first[1]).assignee == agent
    assert page.locator("#assign-to-me").count() == 0

    page.keyboard.press("j")
    page.wait_for_url(f"**/tickets/{newest_first[2]}/")
    page.keyboard.press("r")
    assert page.locator("#composer input[value=reply]").is_checked()
    assert page.evaluate("document.activeElement.name") == "text"
    page.keyboard.press("Escape")
    page.keyboard.press("u")
    page.wait_for_url("**/inbox/all_open/")
