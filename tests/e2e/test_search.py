"""The global search in a real browser: suggestions as the agent types, then the results page."""

from pathlib import Path

import pytest

from okienko.accounts.choices import Role
from okienko.customers.actions import do_create_organisation
from okienko.search.actions import do_reindex
from okienko.testing.factories import make_agent, make_customer, make_team, make_ticket
from okienko.tickets.actions import do_add_note
from tests.e2e.conftest import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "okienko-demo-1"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_agent_finds_tickets_and_customers_from_the_top_bar(live_server, page):
    team = make_team(name="Obsługa zamówień")
    agent = make_agent(role=Role.AGENT, name="Ola Nowicka", teams=[team], password=PASSWORD)
    zofia = make_customer(name="Zofia Zamojska", email="zofia.zamojska@poczta.example")
    late = make_ticket(
        requester=zofia,
        subject="Zamówienie 10241 nie dotarło",
        text="Dzień dobry, paczka z zamówieniem miała być wczoraj, a śledzenie stoi.",
        team=team,
    )
    do_add_note(ticket=late, text="Kurier: zamówienie utknęło w sortowni.", acting_user=agent)
    make_ticket(
        subject="Faktura do zamówień z marca",
        text="Proszę o jedną fakturę zbiorczą do moich zamówień.",
        team=team,
    )
    make_ticket(subject="Zamówienie w innym zespole", team=make_team(name="Reklamacje"))
    do_create_organisation(name="Zamek Sp. z o.o.", nip="5260250274", acting_user=None)
    # The data above was written directly; the index is built as `okienko search reindex` does.
    do_reindex()

    page.set_viewport_size({"width": 1360, "height": 860})
    sign_in(page, live_server.url, agent.email, PASSWORD)
    box = page.locator("#topsearch-q")
    box.press_sequentially("zamówieniem", delay=30)
    suggestions = page.locator("#topsearch-results .search-hit")
    suggestions.first.wait_for()
    page.locator("#topsearch-results mark").first.wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-search-suggestions.png"))

    titles = suggestions.locator(".search-hit-title").all_inner_texts()
    assert any("Zamówienie 10241 nie dotarło" in title for title in titles)
    assert any("Faktura do zamówień z marca" in title for title in titles)
    assert not any("innym zespole" in title for title in titles)

    box.press("Enter")
    page.get_by_role("heading", name="Szukaj", exact=True).wait_for()
    page.locator(".search-results").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-search-results.png"), full_page=True)
    assert page.locator(".search-results > li").count() == 2

    box = page.locator("#topsearch-q")
    box.press_sequentially("zamojsk", delay=30)
    page.locator("#topsearch-results .search-type--customer").wait_for()
    page.locator("#topsearch-results .search-hit", has_text="Zofia Zamojska").click()
    page.wait_for_url(f"{live_server.url}/customers/{zofia.pk}/")
