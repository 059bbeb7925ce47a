"""Issue 3's browser test: an agent replies on a ticket; the customer, signed in to the portal
by the e-mailed link, sees the reply appear on their open request page and answers; the agent's
open ticket page shows the answer without a reload; a second agent opening the same ticket sees,
and is seen by, the first (viewing, then typing). Several browsers at once, over real
WebSockets (uvicorn)."""

import re
from pathlib import Path

import pytest
from django.core import mail

from okienko.accounts.choices import Role
from okienko.testing.factories import make_agent, make_customer, make_team, make_ticket
from okienko.tickets.choices import Status
from tests.e2e.conftest import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "okienko-demo-1"
LINK = re.compile(r"(http://\S+/portal/sign-in/[\w-]+/)")
REPLY = "Wyślemy kuriera po telefon jutro rano. Czy będzie Pani w domu między 9 a 12?"
ANSWER = "Tak, będę w domu. Proszę dzwonić domofonem pod numer 12."


def live(page) -> None:
    """Wait for the page's WebSocket, and mark the page so that a reload would show."""
    page.wait_for_function("document.body.dataset.live === 'connected'")
    page.evaluate("window.notReloaded = true")


def not_reloaded(page) -> bool:
    return page.evaluate("window.notReloaded === true")


@pytest.mark.e2e
def test_reply_answer_and_collision_live_across_agents_and_the_portal(
    asgi_server, browser, settings, tasks_run_at_once, own_rate_limits
):
    base = asgi_server.url
    settings.PUBLIC_URL = base
    team = make_team(name="Obsługa zamówień")
    ola = make_agent(role=Role.AGENT, name="Ola Nowicka", teams=[team], password=PASSWORD)
    jan = make_agent(role=Role.AGENT, name="Jan Kowal", teams=[team], password=PASSWORD)
    customer = make_customer(name="Zofia Wójcik", email="zofia.wojcik@poczta.example")
    ticket = make_ticket(
        requester=customer,
        subject="Pęknięty ekran telefonu",
        text="Telefon z zamówienia 10241 przyszedł z pękniętym ekranem.",
        team=team,
        assignee=ola,
    )
    contexts = [browser.new_context(locale="pl-PL", timezone_id="Europe/Warsaw") for _ in range(3)]
    ola_page, jan_page, zofia_page = (context.new_page() for context in contexts)
    ola_page.set_viewport_size({"width": 1360, "height": 900})
    jan_page.set_viewport_size({"width": 1360, "height": 900})
    zofia_page.set_viewport_size({"width": 1000, "height": 900})

    # The customer signs in by the e-mailed link and opens her request.
    zofia_page.goto(f"{base}/portal/")
    zofia_page.get_by_label("E-mail").fill(customer.identities.get().address)
    zofia_page.get_by_role("button", name="Wyślij mi link do logowania").click()
    zofia_page.get_by_role("heading", name="Sprawdź pocztę").wait_for()
    link = LINK.search(mail.outbox[-1].body)
    assert link is not None
    zofia_page.goto(link.group(1))
    zofia_page.get_by_role("button", name="Dalej").click()
    zofia_page.get_by_role("link", name="Pęknięty ekran telefonu").click()
    live(zofia_page)

    # The agent opens the ticket and replies; the customer's page shows it without a reload.
    sign_in(ola_page, base, ola.email, PASSWORD)
    ola_page.goto(f"{base}/tickets/{ticket.pk}/")
    live(ola_page)
    ola_page.get_by_label("Wiadomość", exact=True).fill(REPLY)
    ola_page.get_by_role("button", name="Wyślij i ustaw: oczekuje").click()
    ola_page.locator(".message--agent", has_text=REPLY).wait_for()

    zofia_page.locator("#thread .message--agent", has_text=REPLY).wait_for()
    zofia_page.locator("#request-head").get_by_text("Czekamy na Twoją odpowiedź").wait_for()
    assert not_reloaded(zofia_page)
    zofia_page.screenshot(path=str(SCREENSHOTS / "portal-request-live-reply.png"), full_page=True)

    # A second agent opens the same ticket: each sees the other; Jan types, Ola sees it.
    sign_in(jan_page, base, jan.email, PASSWORD)
    jan_page.goto(f"{base}/tickets/{ticket.pk}/")
    live(jan_page)
    ola_page.locator("#collision").get_by_text("Jan Kowal").wait_for()
    jan_page.locator("#collision").get_by_text("Ola Nowicka").wait_for()
    jan_page.get_by_label("Wiadomość", exact=True).press_sequentially("Sprawdzę u kuriera")
    ola_page.locator("#collision").get_by_text("Jan Kowal (pisze odpowiedź…)").wait_for()

    # The customer answers; both agents' open pages show it without a reload.
    zofia_page.get_by_label("Twoja odpowiedź").fill(ANSWER)
    zofia_page.get_by_role("button", name="Wyślij odpowiedź").click()
    zofia_page.get_by_text("Twoja odpowiedź została wysłana.").wait_for()
    for agent_page in (ola_page, jan_page):
        agent_page.locator(".message--customer", has_text=ANSWER).wait_for()
        agent_page.locator("#ticket-header .badge--open").wait_for()
        assert not_reloaded(agent_page)
    # Jan's unfinished reply survived the update of the conversation around it.
    assert jan_page.get_by_label("Wiadomość", exact=True).input_value() == "Sprawdzę u kuriera"
    ola_page.screenshot(path=str(SCREENSHOTS / "workspace-ticket-live-collision.png"))

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert list(ticket.messages.order_by("id").values_list("text", flat=True))[1:] == [
        REPLY,
        ANSWER,
    ]
    for context in contexts:
        context.close()
