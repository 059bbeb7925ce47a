"""The agent workspace in a real browser: sign in, inbox, ticket, reply; screenshots for docs."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from okienko.accounts.choices import Role
from okienko.testing.factories import (
    make_agent,
    make_customer,
    make_round_the_clock_policy,
    make_team,
    make_ticket,
)
from okienko.tickets.actions import AttachmentInput, do_add_note, do_reply
from okienko.tickets.choices import Channel, Priority
from tests.e2e.conftest import phone_of

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "okienko-demo-1"


def sign_in(page, base_url: str, agent) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("E-mail").fill(agent.email)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()


def _shop_day(agent, team):
    """A few tickets as a shop's morning looks, one of them with a conversation so far."""
    customers = [
        make_customer(name="Zofia Wójcik", email="zofia.wojcik@poczta.example"),
        make_customer(name="Jan Kowalski", email="jan.kowalski@poczta.example"),
        make_customer(name="Małgorzata Nowak", email="m.nowak@poczta.example"),
    ]
    make_ticket(requester=customers[1], subject="Faktura VAT do zamówienia 10233", team=team)
    make_ticket(
        requester=customers[2],
        subject="Zwrot butów – zły rozmiar",
        channel=Channel.WEB_FORM,
        assignee=agent,
        team=team,
    )
    make_ticket(
        requester=customers[0],
        subject="Pytanie o termin dostawy",
        channel=Channel.PHONE,
        priority=Priority.LOW,
        assignee=agent,
    )
    ticket = make_ticket(
        requester=customers[0],
        subject="Zamówienie 10241 nie dotarło",
        text="Dzień dobry, paczka miała być wczoraj, a śledzenie stoi od trzech dni.",
        priority=Priority.HIGH,
        assignee=agent,
        team=team,
    )
    do_add_note(
        ticket=ticket,
        text="Kurier potwierdza, że paczka utknęła w sortowni w Strykowie.",
        attachments=[AttachmentInput("list-przewozowy.pdf", "application/pdf", b"%PDF-1.4")],
        acting_user=agent,
    )
    do_reply(
        ticket=ticket,
        text="Dzień dobry, sprawdzamy to z kurierem i wrócimy z informacją jeszcze dziś.",
        acting_user=agent,
    )
    return ticket


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_agent_signs_in_opens_a_ticket_and_replies(live_server, page, browser):
    team = make_team(name="Obsługa zamówień")
    agent = make_agent(role=Role.AGENT, name="Ola Nowicka", teams=[team], password=PASSWORD)
    ticket = _shop_day(agent, team)

    page.set_viewport_size({"width": 1360, "height": 860})
    page.goto(f"{live_server.url}/")
    page.get_by_label("E-mail").fill(agent.email)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("heading", name="Moje otwarte").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-inbox.png"), full_page=True)

    assert page.locator(".count[data-view=mine]").inner_text() == "3"
    page.get_by_role("link", name="Zamówienie 10241 nie dotarło").click()
    page.get_by_text("Notatka wewnętrzna").first.wait_for()
    page.get_by_label("Wiadomość", exact=True).fill(
        "Paczka jest już w drodze, dotrze jutro do 12:00. Przepraszamy za kłopot."
    )
    page.get_by_role("button", name="Wyślij i ustaw: oczekuje").click()
    page.locator(".message--agent", has_text="dotrze jutro do 12:00").wait_for()
    page.locator("#ticket-header .badge--pending").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-ticket.png"), full_page=True)

    assert page.url == f"{live_server.url}/tickets/{ticket.pk}/"
    assert page.locator(".message").count() == 4
    assert page.get_by_label("Wiadomość", exact=True).input_value() == ""
    assert page.locator("#id_status").input_value() == "pending"

    phone = phone_of(browser, page)
    phone_page = phone.new_page()
    phone_page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    phone_page.get_by_text("dotrze jutro do 12:00").wait_for()
    phone_page.screenshot(path=str(SCREENSHOTS / "workspace-ticket-phone.png"))
    phone.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_status_change_through_the_sidebar_updates_the_header(live_server, page):
    agent = make_agent(role=Role.AGENT, password=PASSWORD)
    ticket = make_ticket(subject="Zmiana adresu", assignee=agent)

    sign_in(page, live_server.url, agent)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    page.get_by_label("Priorytet").select_option("urgent")
    page.locator("#ticket-header .priority--urgent").wait_for()
    # The response re-renders the properties panel; change the next field only once it settled.
    page.wait_for_function(
        "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    page.get_by_label("Status").select_option("on_hold")
    page.locator("#ticket-header .badge--on_hold").wait_for()

    assert page.locator("#ticket-history").get_by_text("Wstrzymane").count() >= 1


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_inbox_sorted_by_deadline_shows_the_most_urgent_first(live_server, page):
    team = make_team(name="Obsługa zamówień")
    agent = make_agent(role=Role.AGENT, name="Ola Nowicka", teams=[team], password=PASSWORD)
    make_round_the_clock_policy(first_reply_minutes=4 * 60)  # normal priority only
    now = timezone.now()
    for subject, hours_ago, priority in [
        ("Zwrot butów – zły rozmiar", 1, Priority.NORMAL),
        ("Reklamacja: pęknięty ekran telefonu", 5, Priority.NORMAL),
        ("Zamówienie 10241 nie dotarło", 2, Priority.HIGH),
        ("Faktura VAT do zamówienia 10233", 3.5, Priority.NORMAL),
    ]:
        make_ticket(
            subject=subject,
            team=team,
            priority=priority,
            at=now - datetime.timedelta(hours=hours_ago),
        )

    sign_in(page, live_server.url, agent)
    page.goto(f"{live_server.url}/inbox/my_teams/")
    page.get_by_label("Kolejność").select_option("due")
    page.get_by_role("button", name="Filtruj").click()
    page.locator("th[aria-sort=ascending]").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-inbox-by-deadline.png"), full_page=True)

    assert page.url.endswith("/inbox/my_teams/?q=&priority=&channel=&team=&sort=due")
    assert page.locator("td.cell-subject").all_inner_texts() == [
        "Reklamacja: pęknięty ekran telefonu",
        "Faktura VAT do zamówienia 10233",
        "Zwrot butów – zły rozmiar",
        "Zamówienie 10241 nie dotarło",
    ]
    assert page.locator("tbody .sla").evaluate_all("els => els.map(el => el.className)") == [
        "sla sla-over",
        "sla sla-near",
        "sla sla-ok",
    ]
