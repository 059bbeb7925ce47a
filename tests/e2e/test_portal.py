"""The customer portal in a real browser: sign in by the e-mailed link, submit a request with a
photo, see the agent's answer and reply; screenshots for the docs."""

import datetime
import re
import uuid
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from okienko.testing.factories import (
    make_agent,
    make_category,
    make_customer,
    make_round_the_clock_policy,
    make_ticket,
)
from okienko.tickets.actions import do_reply
from okienko.tickets.choices import Status
from okienko.tickets.models import Ticket
from tests.e2e.conftest import phone_of

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LINK = re.compile(r"(http://\S+/portal/sign-in/[\w-]+/)")
PHONE = {"width": 390, "height": 844}
# A 2×2 JPEG-named PNG is enough: the portal stores photos as they come.
PHOTO = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02\x00\x00\x00"
    b"\xfd\xd4\x9as\x00\x00\x00\x16IDATx\x9cc\xf8\xcf\xc0\xf0\x9f\x81\x81\x81\xe1?\x03\x00"
    b"\x1d\xf0\x04\xfd\xa5\xd1\x8e\x1f\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _history(customer, agent):
    """Two earlier requests: one solved, one waiting on the customer."""
    week_ago = timezone.now() - datetime.timedelta(days=7)
    solved = make_ticket(
        requester=customer, subject="Faktura VAT do zamówienia 10233", assignee=agent, at=week_ago
    )
    do_reply(
        ticket=solved,
        text="Faktura jest już w załączniku.",
        status=Status.SOLVED,
        acting_user=agent,
        at=week_ago + datetime.timedelta(hours=2),
    )
    yesterday = timezone.now() - datetime.timedelta(days=1)
    waiting = make_ticket(
        requester=customer, subject="Zmiana adresu dostawy", assignee=agent, at=yesterday
    )
    do_reply(
        ticket=waiting,
        text="Prosimy o nowy adres z kodem pocztowym.",
        status=Status.PENDING,
        acting_user=agent,
        at=yesterday + datetime.timedelta(hours=1),
    )


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_customer_signs_in_by_link_submits_a_request_and_answers_the_agent(
    live_server, page, browser, settings, tasks_run_at_once
):
    settings.PUBLIC_URL = live_server.url
    # Sign-in requests are counted in a cache of this test's own, not in a shared Redis.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"portal-e2e-{uuid.uuid4().hex}",
        }
    }
    make_round_the_clock_policy(first_reply_minutes=4 * 60)
    make_category(name="Reklamacje")
    make_category(name="Dostawa")
    agent = make_agent(name="Ola Nowicka")
    customer = make_customer(name="Zofia Wójcik", email="zofia.wojcik@poczta.example")
    _history(customer, agent)

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/portal/")
    page.get_by_label("E-mail").fill("zofia.wojcik@poczta.example")
    page.screenshot(path=str(SCREENSHOTS / "portal-sign-in-phone.png"))
    page.get_by_role("button", name="Wyślij mi link do logowania").click()
    page.get_by_role("heading", name="Sprawdź pocztę").wait_for()

    link = LINK.search(mail.outbox[-1].body)
    assert link is not None
    assert mail.outbox[-1].to == ["zofia.wojcik@poczta.example"]
    page.goto(link.group(1))
    page.get_by_role("button", name="Dalej").click()
    page.get_by_role("heading", name="Moje zgłoszenia").wait_for()

    page.set_viewport_size({"width": 1100, "height": 800})
    page.get_by_role("link", name="Nowe zgłoszenie").click()
    page.get_by_label("Temat").fill("Pęknięty ekran telefonu")
    page.get_by_label("Kategoria").select_option(label="Reklamacje")
    page.get_by_label("Opis").fill(
        "Telefon z zamówienia 10241 przyszedł z pękniętym ekranem. Zdjęcie w załączniku."
    )
    page.get_by_label("Zdjęcia").set_input_files(
        files=[{"name": "ekran.png", "mimeType": "image/png", "buffer": PHOTO}]
    )
    page.screenshot(path=str(SCREENSHOTS / "portal-new-request.png"), full_page=True)
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    page.get_by_text("Dziękujemy, mamy Twoje zgłoszenie").wait_for()

    ticket = Ticket.objects.get(subject="Pęknięty ekran telefonu")
    assert ticket.requester == customer
    assert [a.filename for a in ticket.messages.get().attachments.all()] == ["ekran.png"]

    page.get_by_role("link", name="Moje zgłoszenia").click()
    new_row = page.locator(".request-item", has_text="Pęknięty ekran telefonu")
    new_row.get_by_text("Przyjęte, wkrótce się tym zajmiemy").wait_for()
    assert re.search(r"Odpowiemy (dziś|jutro) do \d\d:\d\d\.", new_row.inner_text())
    page.locator(".request-item", has_text="Zmiana adresu dostawy").get_by_text(
        "Czekamy na Twoją odpowiedź"
    ).wait_for()
    page.screenshot(path=str(SCREENSHOTS / "portal-requests.png"), full_page=True)

    do_reply(
        ticket=ticket,
        text="Bardzo nam przykro. Wyślemy kuriera po telefon – kiedy będzie Pani w domu?",
        status=Status.PENDING,
        acting_user=agent,
    )
    new_row.click()
    page.get_by_text("Wyślemy kuriera po telefon").wait_for()
    page.get_by_label("Twoja odpowiedź").fill("Jutro od 9 do 15, ul. Lipowa 3, Łódź.")
    page.get_by_role("button", name="Wyślij odpowiedź").click()
    page.get_by_text("Twoja odpowiedź została wysłana.").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "portal-request.png"), full_page=True)

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.messages.order_by("id").last().text == "Jutro od 9 do 15, ul. Lipowa 3, Łódź."
    assert page.locator(".message").count() == 3

    phone = phone_of(browser, page)
    phone_page = phone.new_page()
    phone_page.goto(f"{live_server.url}/portal/requests/")
    phone_page.get_by_role("heading", name="Moje zgłoszenia").wait_for()
    phone_page.screenshot(path=str(SCREENSHOTS / "portal-requests-phone.png"), full_page=True)
    phone_page.goto(f"{live_server.url}/portal/requests/{ticket.pk}/")
    phone_page.get_by_text("Jutro od 9 do 15").wait_for()
    phone_page.screenshot(path=str(SCREENSHOTS / "portal-request-phone.png"), full_page=True)
    phone.close()
