"""An admin builds an automation rule and a macro in the browser: rows, inputs that suit the
chosen field or action, a dry run or preview on a ticket, save; screenshots for the docs."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from okienko.accounts.choices import Role
from okienko.automation.models import Macro, Rule
from okienko.testing.factories import make_agent, make_customer, make_team, make_ticket
from tests.e2e.conftest import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "okienko-demo-1"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_admin_builds_a_rule_without_writing_json(live_server, page):
    team = make_team(name="Obsługa zamówień")
    admin = make_agent(role=Role.ADMIN, name="Ada Admin", teams=[team], password=PASSWORD)
    make_agent(role=Role.SUPERVISOR, name="Szefowa Zmiany", teams=[team])
    urgent = make_ticket(team=team, priority="urgent", subject="Pilne: brak paczki")

    page.set_viewport_size({"width": 1280, "height": 1000})
    sign_in(page, live_server.url, admin.email, PASSWORD)
    page.get_by_role("link", name="Ustawienia").click()
    page.get_by_role("link", name="Automatyzacja").click()
    page.get_by_role("link", name="Nowy wyzwalacz").click()

    page.get_by_label("Nazwa").fill("Pilne zgłoszenia do kierownika")
    page.get_by_label("Kiedy").select_option("ticket_created")
    page.get_by_role("button", name="Dodaj warunek").click()
    page.locator("select[name='conditions-0-field']").select_option("priority")
    # The builder redraws: the value is now a list of priorities, not free text.
    page.locator("select[name='conditions-0-value']").select_option("urgent")
    page.locator("select[name='operations-0-type']").select_option("notify")
    page.locator("select[name='operations-0-to']").select_option("supervisors")
    page.wait_for_load_state("networkidle")  # the redraw lands before we type into it
    page.locator("textarea[name='operations-0-text']").fill(
        "Pilne zgłoszenie #{{ ticket.number }} od {{ customer.name }}"
    )
    page.get_by_role("button", name="Dodaj działanie").click()
    page.locator("select[name='operations-1-type']").select_option("add_tags")
    page.wait_for_load_state("networkidle")
    page.locator("input[name='operations-1-tags']").fill("pilne, kierownik")

    page.get_by_label("Sprawdź na zgłoszeniu nr").fill(str(urgent.pk))
    page.get_by_role("button", name="Sprawdź bez zapisywania").click()
    page.get_by_text("Reguła pasuje do tego zgłoszenia.").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-rule-builder.png"), full_page=True)
    assert Rule.objects.count() == 0

    page.get_by_role("button", name="Zapisz regułę").click()
    page.get_by_text("Zapisano regułę „Pilne zgłoszenia do kierownika”.").wait_for()
    rule = Rule.objects.get()
    assert rule.conditions == [{"field": "priority", "operator": "is", "value": "urgent"}]
    assert rule.operations == [
        {
            "type": "notify",
            "to": "supervisors",
            "text": "Pilne zgłoszenie #{{ ticket.number }} od {{ customer.name }}",
        },
        {"type": "add_tags", "tags": ["pilne", "kierownik"]},
    ]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_admin_builds_a_macro_and_an_agent_applies_it(live_server, page):
    team = make_team(name="Obsługa zamówień")
    admin = make_agent(role=Role.ADMIN, name="Ada Admin", teams=[team], password=PASSWORD)
    customer = make_customer(name="Zofia Wójcik", email="zofia@poczta.example")
    ticket = make_ticket(team=team, requester=customer, subject="Zwrot butów")

    page.set_viewport_size({"width": 1280, "height": 1000})
    sign_in(page, live_server.url, admin.email, PASSWORD)
    page.get_by_role("link", name="Ustawienia").click()
    page.get_by_role("link", name="Automatyzacja").click()
    page.get_by_role("link", name="Makra").click()
    page.get_by_role("link", name="Nowe makro").click()

    page.get_by_label("Nazwa").fill("Zwrot przyjęty")
    page.get_by_role("textbox", name="Odpowiedź (opcjonalnie)").fill(
        "Dzień dobry {{ customer.first_name }},\nzwrot w sprawie #{{ ticket.number }} przyjęty."
    )
    page.get_by_role("button", name="Dodaj działanie").click()
    page.locator("select[name='operations-0-type']").select_option("set_status")
    page.wait_for_load_state("networkidle")  # the redraw offers the statuses
    page.locator("select[name='operations-0-value']").select_option("pending")
    page.get_by_label("Podejrzyj odpowiedź na zgłoszeniu nr").fill(str(ticket.pk))
    page.get_by_role("button", name="Podejrzyj bez zapisywania").click()
    page.get_by_text(f"zwrot w sprawie #{ticket.pk} przyjęty.").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-macro-builder.png"), full_page=True)
    assert Macro.objects.count() == 0

    page.get_by_role("button", name="Zapisz makro").click()
    page.get_by_text("Zapisano makro „Zwrot przyjęty”.").wait_for()
    assert Macro.objects.get().operations == [{"type": "set_status", "value": "pending"}]

    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    page.locator("#macro").select_option(label="Zwrot przyjęty")
    page.get_by_role("button", name="Zastosuj").click()
    composer = page.locator("textarea[name='text']")
    expect(composer).to_have_value(f"Dzień dobry Zofia,\nzwrot w sprawie #{ticket.pk} przyjęty.")
    ticket.refresh_from_db()
    assert ticket.status == "pending"
