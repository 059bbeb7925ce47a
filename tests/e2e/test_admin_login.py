from pathlib import Path

import pytest

from okienko.accounts.choices import Role
from okienko.testing.factories import make_agent, make_customer, make_ticket

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_admin_signs_in_and_reads_a_ticket_with_its_history(live_server, page):
    admin = make_agent(role=Role.ADMIN, name="Anna Admin", password="okienko-demo-1")
    customer = make_customer(name="Zofia Wójcik")
    ticket = make_ticket(
        requester=customer,
        subject="Reklamacja czajnika",
        text="Czajnik przestał grzać po tygodniu.",
    )

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", admin.email)
    page.fill("#id_password", "okienko-demo-1")
    page.click("input[type=submit]")
    page.get_by_role("link", name="Zgłoszenia").last.click()
    page.get_by_role("link", name="Reklamacja czajnika").click()
    page.get_by_text("Czajnik przestał grzać po tygodniu.").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "admin-ticket.png"), full_page=True)

    assert page.url.endswith(f"/admin/tickets/ticket/{ticket.pk}/change/")
    assert page.get_by_text("created").count() >= 1
    assert page.locator("input[name=_save]").count() == 0


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_agent_without_admin_role_cannot_enter_the_admin(live_server, page):
    agent = make_agent(role=Role.AGENT, password="okienko-demo-1")

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", agent.email)
    page.fill("#id_password", "okienko-demo-1")
    page.click("input[type=submit]")

    assert page.locator(".errornote").count() == 1
