"""Deflection in a real browser: a customer writing a new request sees matching help-center
articles as they type and opens one; once they leave it at that, once they still send the
request. A supervisor sees the deflection rate. Screenshots for the docs."""

import datetime
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from okienko.accounts.choices import Role
from okienko.demo.knowledge import write_help_center
from okienko.kb.models import DeflectionAttempt
from okienko.portal.views import CUSTOMER_KEY
from okienko.search.actions import do_reindex
from okienko.testing.factories import make_agent, make_customer
from okienko.tickets.models import Ticket
from tests.e2e.conftest import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "haslo-testowe-123"
ARTICLE = "Jak zwrócić towar kupiony w sklepie"


@pytest.fixture
def help_center(own_cache):
    write_help_center(admin=make_agent(role=Role.ADMIN), seed=1)
    do_reindex(["article"])


def _signed_in_customer(page, base_url):
    session = SessionStore()
    session[CUSTOMER_KEY] = make_customer(name="Zofia Wójcik", language="pl").pk
    session.create()
    page.context.add_cookies([{"name": "sessionid", "value": session.session_key, "url": base_url}])


def _type_and_open_the_suggestion(page, base_url):
    page.goto(f"{base_url}/portal/requests/new/")
    page.get_by_label("Temat").press_sequentially("Jak zwrocic buty", delay=40)
    suggestion = page.get_by_role("link", name=ARTICLE)
    suggestion.wait_for()
    with page.context.expect_page() as opened:
        suggestion.click()
    article = opened.value
    article.get_by_role("heading", name=ARTICLE).wait_for()
    assert "/help/pl/articles/jak-zwrocic-towar/" in article.url
    return article


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_customer_finds_the_answer_while_writing_and_does_not_send(
    live_server, page, browser, help_center
):
    page.set_viewport_size({"width": 1100, "height": 900})
    _signed_in_customer(page, live_server.url)

    article = _type_and_open_the_suggestion(page, live_server.url)
    page.screenshot(path=str(SCREENSHOTS / "portal-deflection.png"), full_page=True)
    article.close()

    attempt = DeflectionAttempt.objects.get()
    assert (attempt.article.slug, attempt.submitted_at) == ("jak-zwrocic-towar", None)
    assert not Ticket.objects.exists()

    # An hour later the customer has not come back: the article answered them.
    DeflectionAttempt.objects.update(opened_at=timezone.now() - datetime.timedelta(hours=2))
    office = browser.new_context(locale="pl-PL", viewport={"width": 1280, "height": 800})
    supervisor = office.new_page()
    editor = make_agent(role=Role.SUPERVISOR, password=PASSWORD)
    sign_in(supervisor, live_server.url, editor.email, PASSWORD)
    supervisor.goto(f"{live_server.url}/kb/")
    supervisor.get_by_text("100%").wait_for()
    supervisor.get_by_text("nie wysłało zgłoszenia (1 z 1)").wait_for()
    supervisor.screenshot(path=str(SCREENSHOTS / "kb-deflection-rate.png"))
    office.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_customer_opens_a_suggestion_and_still_sends_the_request(live_server, page, help_center):
    page.set_viewport_size({"width": 1100, "height": 900})
    _signed_in_customer(page, live_server.url)

    article = _type_and_open_the_suggestion(page, live_server.url)
    article.close()
    page.get_by_label("Opis").fill("Buty są za małe, a minęło już 20 dni od dostawy.")
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    page.get_by_text("Dziękujemy, mamy Twoje zgłoszenie").wait_for()

    ticket = Ticket.objects.get(subject="Jak zwrocic buty")
    attempt = DeflectionAttempt.objects.get()
    assert (attempt.ticket, attempt.submitted_at is not None) == (ticket, True)
