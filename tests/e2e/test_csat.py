"""A customer answers the satisfaction survey from the e-mail link, on a phone."""

import re
from pathlib import Path

import pytest
from django.core import mail

from okienko.feedback.actions import do_send_csat_survey
from okienko.testing.factories import make_agent, make_customer, make_ticket
from okienko.tickets.actions import do_reply
from okienko.tickets.models import Ticket

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_customer_rates_the_service_from_the_email(live_server, page):
    customer = make_customer(name="Zofia Wójcik", email="zofia@poczta.example")
    ticket = make_ticket(requester=customer, subject="Zwrot butów – zły rozmiar")
    do_reply(ticket=ticket, text="Zwrot przyjęty.", acting_user=make_agent(), status="solved")
    do_send_csat_survey(ticket.pk)
    [survey_email] = [m for m in mail.outbox if "/portal/feedback/" in m.body]
    [path] = re.findall(r"http://[^/\s]+(/portal/feedback/\S+/)\?rating=4", survey_email.body)

    page.set_viewport_size({"width": 390, "height": 760})
    page.goto(f"{live_server.url}{path}?rating=4")
    page.get_by_role("heading", name="Jak nam poszło?").wait_for()
    assert page.get_by_label("Dobrze", exact=True).is_checked()
    page.get_by_label("Chcesz coś dodać?").fill("Szybko i bez problemu, dziękuję.")
    page.screenshot(path=str(SCREENSHOTS / "feedback-csat-phone.png"), full_page=True)
    page.get_by_role("button", name="Wyślij ocenę").click()
    page.get_by_role("heading", name="Dziękujemy!").wait_for()

    assert Ticket.objects.get(pk=ticket.pk).csat_rating == 4
