"""Signing in to the portal by an e-mailed link: no password, no account enumeration."""

import datetime
import hashlib
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from okienko.core.errors import NotFound
from okienko.portal.actions import do_sign_in_with_link
from okienko.portal.models import SignInLink
from okienko.portal.views import CUSTOMER_KEY
from okienko.testing.factories import make_agent, make_customer
from tests.portal.conftest import signed_in_client, token_from_outbox

pytestmark = pytest.mark.usefixtures("tasks_run_at_once")

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def without_csrf_token(content: bytes) -> str:
    """A page as a person reads it: the CSRF token differs on every response."""
    return CSRF_TOKEN.sub("", content.decode())


@pytest.fixture
def ask_for_link(django_capture_on_commit_callbacks):
    def ask(client: Client, email: str, ip: str = "203.0.113.7"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/portal/sign-in/", {"email": email}, REMOTE_ADDR=ip)

    return ask


def test_a_known_address_gets_a_link_in_the_customers_language(customer, ask_for_link, settings):
    settings.PUBLIC_URL = "https://pomoc.sklep.example"
    english = make_customer(name="John Smith", email="john@mail.example", language="en")

    polish_answer = ask_for_link(Client(), "Zofia.Wojcik@poczta.example")
    english_answer = ask_for_link(Client(), "john@mail.example")

    assert polish_answer.status_code == english_answer.status_code == 302
    assert polish_answer["Location"] == english_answer["Location"] == "/portal/sign-in/sent/"
    polish, sent_in_english = mail.outbox
    assert polish.to == ["zofia.wojcik@poczta.example"]
    assert polish.subject == "Twój link do logowania w portalu klienta"
    assert polish.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "Dzień dobry Zofia Wójcik," in polish.body
    assert "https://pomoc.sklep.example/portal/sign-in/" in polish.body
    assert "działa raz, przez 30 minut" in polish.body
    assert sent_in_english.to == ["john@mail.example"]
    assert sent_in_english.subject == "Your sign-in link to the customer portal"
    assert "The link works once, for 30 minutes." in sent_in_english.body
    assert SignInLink.objects.filter(customer=english).count() == 1


def test_an_unknown_address_gets_the_same_answer_and_no_e_mail(customer, ask_for_link):
    known = ask_for_link(Client(), "zofia.wojcik@poczta.example")
    unknown = ask_for_link(Client(), "nikt@poczta.example")
    known_page = Client().get(known["Location"])
    unknown_page = Client().get(unknown["Location"])

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert without_csrf_token(unknown_page.content) == without_csrf_token(known_page.content)
    assert "Jeśli adres należy do jednego z naszych klientów" in unknown_page.content.decode()
    assert [message.to for message in mail.outbox] == [["zofia.wojcik@poczta.example"]]
    assert SignInLink.objects.count() == 1


def test_only_the_digest_of_the_token_is_stored(customer, ask_for_link):
    ask_for_link(Client(), "zofia.wojcik@poczta.example")
    token = token_from_outbox()

    link = SignInLink.objects.get()
    assert link.token_digest == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in SignInLink.objects.values_list(flat=False).get()]
    assert not any(token in value for value in stored)
    assert len(token) >= 40


def test_the_link_signs_in_once(customer, ask_for_link):
    ask_for_link(Client(), "zofia.wojcik@poczta.example")
    token = token_from_outbox()
    browser = Client()

    opened = browser.get(f"/portal/sign-in/{token}/")
    confirmed = browser.post(f"/portal/sign-in/{token}/")
    requests = browser.get("/portal/requests/")
    again = Client()
    reopened = again.get(f"/portal/sign-in/{token}/")
    reused = again.post(f"/portal/sign-in/{token}/")

    # Opening the link (as a mail scanner would) only asks to confirm; it uses nothing up.
    assert opened.status_code == 200
    assert opened["Referrer-Policy"] == "no-referrer"
    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/portal/requests/"
    assert browser.session[CUSTOMER_KEY] == customer.pk
    assert requests.status_code == 200
    assert (reopened.status_code, reused.status_code) == (404, 404)
    assert "Ten link już nie działa" in reused.content.decode()
    assert CUSTOMER_KEY not in again.session


def test_a_link_expires_after_thirty_minutes(customer, ask_for_link):
    ask_for_link(Client(), "zofia.wojcik@poczta.example")
    token = token_from_outbox()
    later = timezone.now() + datetime.timedelta(minutes=30, seconds=1)

    with pytest.raises(NotFound):
        do_sign_in_with_link(token=token, at=later)

    assert SignInLink.objects.get().used_at is None
    assert do_sign_in_with_link(token=token) == customer


def test_using_a_link_retires_the_customers_other_links(customer, ask_for_link):
    ask_for_link(Client(), "zofia.wojcik@poczta.example")
    first = token_from_outbox()
    ask_for_link(Client(), "zofia.wojcik@poczta.example")
    second = token_from_outbox()

    signed_in = Client().post(f"/portal/sign-in/{second}/")
    stale = Client().post(f"/portal/sign-in/{first}/")

    assert (signed_in.status_code, stale.status_code) == (302, 404)


def test_an_address_asking_too_often_is_refused_known_or_not(customer, ask_for_link, settings):
    settings.PORTAL_SIGN_IN_PER_ADDRESS = 3
    for ip in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        ask_for_link(Client(), "zofia.wojcik@poczta.example", ip=ip)
        ask_for_link(Client(), "nikt@poczta.example", ip=ip)

    known = ask_for_link(Client(), "zofia.wojcik@poczta.example", ip="198.51.100.4")
    unknown = ask_for_link(Client(), "nikt@poczta.example", ip="198.51.100.4")

    assert (known.status_code, unknown.status_code) == (429, 429)
    # The same page, but for the address echoed in the form.
    assert without_csrf_token(known.content).replace(
        "zofia.wojcik@poczta.example", "…"
    ) == without_csrf_token(unknown.content).replace("nikt@poczta.example", "…")
    assert "Zbyt wiele próśb o link" in known.content.decode()
    assert len(mail.outbox) == 3
    assert SignInLink.objects.count() == 3


def test_a_client_asking_too_often_is_refused(customer, ask_for_link, settings):
    settings.PORTAL_SIGN_IN_PER_IP = 2
    ask_for_link(Client(), "a@poczta.example")
    ask_for_link(Client(), "b@poczta.example")

    refused = ask_for_link(Client(), "zofia.wojcik@poczta.example")
    elsewhere = ask_for_link(Client(), "zofia.wojcik@poczta.example", ip="192.0.2.10")

    assert (refused.status_code, elsewhere.status_code) == (429, 302)
    assert [message.to for message in mail.outbox] == [["zofia.wojcik@poczta.example"]]


def test_link_pages_are_limited_per_client_ip_before_the_token_is_looked_at(
    customer, ask_for_link, settings
):
    settings.PORTAL_SIGN_IN_LINK_OPENS_PER_IP = 2
    ask_for_link(Client(), "zofia.wojcik@poczta.example")
    token = token_from_outbox()
    guesser = Client(REMOTE_ADDR="203.0.113.50")
    guesser.get(f"/portal/sign-in/{'a' * 43}/")
    guesser.get(f"/portal/sign-in/{'b' * 43}/")

    refused = guesser.post(f"/portal/sign-in/{token}/")
    english = guesser.get(f"/portal/sign-in/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    elsewhere = Client(REMOTE_ADDR="198.51.100.2")
    signed_in = elsewhere.post(f"/portal/sign-in/{token}/")

    assert (refused.status_code, english.status_code, signed_in.status_code) == (429, 429, 302)
    assert "Zbyt wiele żądań" in refused.content.decode()
    assert "opened too many times from your network" in english.content.decode()
    assert refused["Referrer-Policy"] == "no-referrer"
    assert CUSTOMER_KEY not in guesser.session
    assert elsewhere.session[CUSTOMER_KEY] == customer.pk


def test_the_sign_in_form_needs_its_csrf_token(customer):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/portal/sign-in/", {"email": "zofia.wojcik@poczta.example"})

    assert response.status_code == 403
    assert mail.outbox == []
    assert SignInLink.objects.count() == 0


def test_an_agents_session_grants_no_portal_access(db):
    agent_client = Client()
    agent_client.force_login(make_agent())

    response = agent_client.get("/portal/requests/")

    assert response.status_code == 302
    assert response["Location"] == "/portal/sign-in/"


def test_a_customers_session_grants_nothing_in_the_workspace(customer):
    client = signed_in_client(customer)

    inbox = client.get("/inbox/")
    api = client.get("/api/v1/tickets")

    assert inbox.status_code == 302
    assert inbox["Location"].startswith("/login/")
    assert api.status_code == 401


def test_signing_out_ends_the_portal_session(portal_client):
    response = portal_client.post("/portal/sign-out/")
    after = portal_client.get("/portal/requests/")

    assert response["Location"] == "/portal/sign-in/"
    assert after["Location"] == "/portal/sign-in/"


def test_signing_out_of_the_portal_keeps_an_agent_in_the_same_browser_signed_in(customer):
    browser = Client()
    browser.force_login(make_agent())
    session = browser.session
    session[CUSTOMER_KEY] = customer.pk
    session.save()

    browser.post("/portal/sign-out/")

    assert browser.get("/portal/requests/")["Location"] == "/portal/sign-in/"
    assert browser.get("/inbox/").status_code == 200
