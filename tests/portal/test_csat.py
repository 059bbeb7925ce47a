"""Satisfaction surveys: asked once when a ticket is solved, answered on a public page, the
rating kept on the ticket where rules and history see it."""

import re

import pytest
from django.core import mail
from django.test import Client

from okienko.automation.actions import RuleInput, do_save_rule
from okienko.feedback.models import CsatSurvey
from okienko.portal.survey_views import SURVEY_REQUESTS_PER_WINDOW
from okienko.testing.factories import make_agent, make_customer, make_ticket
from okienko.tickets.actions import do_change_status, do_reply
from okienko.tickets.choices import EventKind, Status
from okienko.tickets.models import Ticket, TicketEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_at_once")]


@pytest.fixture
def agent(db):
    return make_agent(name="Ola Nowicka")


@pytest.fixture
def ticket(db):
    customer = make_customer(name="Zofia Wójcik", email="zofia@poczta.example")
    return make_ticket(requester=customer, subject="Zwrot butów")


def solve(live, ticket, agent):
    live(do_reply, ticket=ticket, text="Zwrot przyjęty.", acting_user=agent, status=Status.SOLVED)


def surveys_sent() -> list:
    # The outbox also holds the agent's reply that solved the ticket.
    return [email for email in mail.outbox if "/portal/feedback/" in email.body]


def survey_link() -> str:
    [email] = surveys_sent()
    [link] = re.findall(r"(http://\S+/portal/feedback/\S+/)\?rating=5", email.body)
    return link.removeprefix("http://127.0.0.1:8000")


def test_a_solved_ticket_asks_its_requester_once_in_their_language(live, ticket, agent):
    solve(live, ticket, agent)

    [email] = surveys_sent()
    assert email.to == ["zofia@poczta.example"]
    assert email.subject == f"Jak nam poszło? [#{ticket.pk}]"
    assert email.body.count("/portal/feedback/") == 5
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    survey = CsatSurvey.objects.get()
    token = survey_link().split("/")[-2]
    assert token not in survey.token_digest  # only the digest is stored

    live(do_change_status, ticket=ticket, status=Status.OPEN, acting_user=agent)
    solve(live, ticket, agent)
    assert len(surveys_sent()) == 1


def test_no_survey_without_an_email_address_or_when_surveys_are_off(live, agent, settings):
    phone_only = make_ticket(requester=make_customer(name="Jan", email="jan@poczta.example"))
    phone_only.requester.identities.all().delete()
    solve(live, phone_only, agent)

    settings.CSAT_SURVEYS = False
    solve(live, make_ticket(), agent)

    assert surveys_sent() == []
    assert CsatSurvey.objects.count() == 0


def test_opening_the_link_only_asks_the_answer_counts_when_sent(live, ticket, agent):
    solve(live, ticket, agent)
    client = Client()
    link = survey_link()

    page = client.get(f"{link}?rating=5").content.decode()

    assert 'value="5" required checked' in page or "checked" in page.split('value="5"')[1][:40]
    assert CsatSurvey.objects.get().answered_at is None
    response = client.post(link, {"rating": "4", "comment": "Szybko i miło."})
    assert "Dziękujemy!" in response.content.decode()
    survey = CsatSurvey.objects.get()
    assert (survey.rating, survey.comment) == (4, "Szybko i miło.")
    assert Ticket.objects.get(pk=ticket.pk).csat_rating == 4
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.CSAT_RECEIVED)
    assert (event.actor_kind, event.new_value) == (
        "customer",
        {"rating": 4, "comment": "Szybko i miło."},
    )


def test_an_answer_may_change_until_the_ticket_is_closed(live, ticket, agent):
    solve(live, ticket, agent)
    client = Client()
    link = survey_link()
    client.post(link, {"rating": "2"})
    client.post(link, {"rating": "5"})
    assert Ticket.objects.get(pk=ticket.pk).csat_rating == 5

    live(do_change_status, ticket=ticket, status=Status.CLOSED, acting_user=agent)
    response = client.post(link, {"rating": "1"})

    assert response.status_code == 409
    assert Ticket.objects.get(pk=ticket.pk).csat_rating == 5


def test_bad_links_and_bad_ratings_are_refused(live, ticket, agent):
    solve(live, ticket, agent)
    client = Client()

    assert client.get("/portal/feedback/nie-ma-takiego/").status_code == 404
    response = client.post(survey_link(), {"rating": "9"})
    assert response.status_code == 422
    assert CsatSurvey.objects.get().answered_at is None


def test_a_low_rating_sets_off_a_trigger(live, ticket, agent):
    do_save_rule(
        data=RuleInput(
            kind="trigger",
            name="Niezadowolony klient",
            event="csat_received",
            conditions=[{"field": "csat_rating", "operator": "less_than", "value": 3}],
            operations=[{"type": "add_tags", "tags": ["niezadowolony"]}],
        )
    )
    solve(live, ticket, agent)

    with_callbacks = Client()
    live(with_callbacks.post, survey_link(), {"rating": "1", "comment": "Za długo."})

    assert list(ticket.tags.values_list("name", flat=True)) == ["niezadowolony"]


def test_the_survey_page_is_rate_limited_per_client_address(live, ticket, agent):
    solve(live, ticket, agent)
    link = survey_link()
    client = Client()
    for _ in range(SURVEY_REQUESTS_PER_WINDOW):
        assert client.get(link).status_code == 200

    refused = client.get(link)
    guessed = client.get("/portal/feedback/zgadywany-token/")
    elsewhere = Client(REMOTE_ADDR="10.1.2.3").get(link)

    assert (refused.status_code, guessed.status_code, elsewhere.status_code) == (429, 429, 200)
    assert CsatSurvey.objects.get().answered_at is None
