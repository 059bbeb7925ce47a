"""Customer pages in a real browser: from a ticket to the customer's profile, their
conversation across channels, an edit, and a duplicate merged and the merge undone."""

from pathlib import Path

import pytest

from okienko.accounts.choices import Role
from okienko.customers.actions import do_create_organisation
from okienko.customers.models import CustomerMerge
from okienko.testing.factories import make_agent, make_customer, make_team, make_ticket
from okienko.tickets.actions import do_add_note, do_reply
from okienko.tickets.choices import Channel
from tests.e2e.conftest import phone_of, sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "okienko-demo-1"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_supervisor_reads_a_customers_history_edits_and_merges_a_duplicate(
    live_server, page, browser
):
    team = make_team(name="Obsługa zamówień")
    supervisor = make_agent(
        role=Role.SUPERVISOR, name="Ewa Kierowniczka", teams=[team], password=PASSWORD
    )
    firm = do_create_organisation(name="Hurtownia Ogrodnik", nip="5260250274", acting_user=None)
    zofia = make_customer(name="Zofia Wójcik", email="zofia.wojcik@poczta.example")
    duplicate = make_customer(name="Zofia W.", email="zosia.w@skrzynka.example")
    mail = make_ticket(
        requester=zofia,
        subject="Zamówienie 10241 nie dotarło",
        text="Dzień dobry, paczka miała być wczoraj, a śledzenie stoi od trzech dni.",
        team=team,
    )
    do_reply(
        ticket=mail, text="Sprawdzamy to z kurierem, odezwiemy się dziś.", acting_user=supervisor
    )
    call = make_ticket(
        requester=zofia,
        subject="Pytanie o termin dostawy",
        channel=Channel.PHONE,
        text="Czas rozmowy: 4 min\n\nPyta, czy kurier przyjedzie przed 12.",
        team=team,
    )
    do_add_note(ticket=call, text="Kurier potwierdził dostawę do 12:00.", acting_user=supervisor)
    make_ticket(
        requester=duplicate,
        subject="Zwrot butów – zły rozmiar",
        channel=Channel.WEB_FORM,
        text="Chcę oddać buty, rozmiar 38 jest za mały.",
        team=team,
    )

    page.set_viewport_size({"width": 1360, "height": 900})
    sign_in(page, live_server.url, supervisor.email, PASSWORD)
    page.goto(f"{live_server.url}/tickets/{mail.pk}/")
    page.locator("#ticket-customer").get_by_role("link", name="Zofia Wójcik").click()
    page.get_by_role("heading", name="Zofia Wójcik", level=1).wait_for()
    assert page.locator(".timeline > li").count() == 4
    assert page.locator(".timeline .label--channel").all_inner_texts() == [
        "TELEFON",
        "TELEFON",
        "E-MAIL",
        "E-MAIL",
    ]

    page.get_by_text("Edytuj", exact=True).click()
    page.get_by_label("Organizacja").select_option(label="Hurtownia Ogrodnik")
    page.get_by_role("button", name="Zapisz", exact=True).click()
    page.get_by_text("Klient zapisany.").wait_for()
    assert page.locator(".facts").get_by_text("NIP 5260250274").is_visible()

    page.get_by_text("Scal duplikat z tym klientem").click()
    page.get_by_label("Numer klienta lub e-mail duplikatu").fill("zosia.w@skrzynka.example")
    page.get_by_role("button", name="Scal", exact=True).click()
    page.get_by_text("Zofia W. scalono z tym klientem.").wait_for()
    assert page.locator(".timeline > li").count() == 5
    page.screenshot(path=str(SCREENSHOTS / "workspace-customer.png"), full_page=True)

    phone = phone_of(browser, page)
    phone_page = phone.new_page()
    phone_page.goto(f"{live_server.url}/customers/{zofia.pk}/")
    phone_page.get_by_role("heading", name="Zofia Wójcik", level=1).wait_for()
    phone_page.screenshot(path=str(SCREENSHOTS / "workspace-customer-phone.png"))
    phone.close()

    page.get_by_role("button", name="Cofnij scalenie").click()
    page.get_by_role("heading", name="Zofia W.", level=1).wait_for()
    assert CustomerMerge.objects.get().undone_at is not None
    assert page.locator(".timeline > li").count() == 1

    page.goto(f"{live_server.url}/customers/?q=zofia")
    assert page.locator("td.cell-subject").all_inner_texts() == ["Zofia W.", "Zofia Wójcik"]
    page.screenshot(path=str(SCREENSHOTS / "workspace-customers.png"), full_page=True)
    page.goto(f"{live_server.url}/organisations/{firm.pk}/")
    page.get_by_role("link", name="Zofia Wójcik").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workspace-organisation.png"), full_page=True)
