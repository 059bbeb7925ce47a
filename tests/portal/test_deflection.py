"""Articles suggested while a customer writes a new request, and what is recorded of them."""

import pytest
from django.test import Client

from okienko.kb.choices import ArticleStatus
from okienko.kb.models import DeflectionAttempt
from okienko.testing.factories import make_article
from okienko.tickets.models import Ticket

pytestmark = pytest.mark.django_db

KEY = "formularz-zgloszenia-1"


@pytest.fixture
def articles(live, tasks_run_at_once):
    """Help-center articles, indexed through their events."""
    return {
        "returns": live(
            make_article,
            title="Jak zwrócić towar",
            slug="jak-zwrocic-towar",
            body="Zwrotu dokonasz w ciągu 14 dni w paczkomacie.",
        ),
        "complaints": live(
            make_article,
            title="Reklamacja uszkodzonej paczki",
            slug="reklamacja-paczki",
            body="Zrób zdjęcia paczki i opisz uszkodzenie.",
        ),
        "internal": live(
            make_article,
            title="Zwroty w magazynie",
            visibility="internal",
            body="Procedura zwrotów.",
        ),
        "draft": live(
            make_article, title="Zwroty firmowe", status=ArticleStatus.DRAFT, body="Zwroty."
        ),
        "english": live(
            make_article,
            title="Returns",
            slug="returns",
            language="en",
            body="Zwrot, returns within 14 days.",
        ),
    }


def _suggestions(client, **query):
    return client.get("/portal/requests/new/suggestions/", query)


def test_published_public_articles_in_the_customers_language_are_suggested(articles, portal_client):
    # Inflected, unaccented, and the whole subject matching no single article.
    response = _suggestions(portal_client, subject="Chcę zwrocic buty", description="", attempt=KEY)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Jak <mark>zwrócić</mark> towar" in page
    assert f"/portal/requests/new/articles/{articles['returns'].pk}/?attempt={KEY}" in page
    for hidden in ("Zwroty w magazynie", "Zwroty firmowe", "Returns"):
        assert hidden not in page


def test_the_description_s_words_suggest_too_and_the_best_match_comes_first(
    articles, portal_client
):
    page = _suggestions(
        portal_client,
        subject="Problem z zamówieniem",
        description="Dzień dobry, paczka przyszła uszkodzona, zwrócę towar.",
    ).content.decode()

    assert page.index("Reklamacja uszkodzonej") < page.index("Jak <mark>zwrócić</mark> towar")


def test_nothing_matching_suggests_nothing(articles, portal_client):
    page = _suggestions(portal_client, subject="Faktura", description="").content.decode()

    assert "article-row" not in page


def test_suggestions_are_for_signed_in_customers_only(articles):
    response = _suggestions(Client(), subject="zwrot")

    assert response.status_code == 302
    assert response["Location"] == "/portal/sign-in/"


def test_suggestions_are_rate_limited(articles, portal_client, settings):
    settings.PORTAL_SUGGESTIONS_PER_MINUTE = 2
    statuses = [_suggestions(portal_client, subject="zwrot").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_opening_a_suggestion_is_recorded_and_leads_to_the_article(
    articles, portal_client, customer
):
    response = portal_client.get(
        f"/portal/requests/new/articles/{articles['returns'].pk}/", {"attempt": KEY}
    )

    assert response.status_code == 302
    assert response["Location"] == "/help/pl/articles/jak-zwrocic-towar/"
    attempt = DeflectionAttempt.objects.get()
    assert (attempt.key, attempt.customer, attempt.article) == (KEY, customer, articles["returns"])
    assert attempt.submitted_at is None


def test_an_article_the_customer_may_not_read_is_not_found_and_not_recorded(
    articles, portal_client
):
    for hidden in ("internal", "draft"):
        response = portal_client.get(
            f"/portal/requests/new/articles/{articles[hidden].pk}/", {"attempt": KEY}
        )
        assert response.status_code == 404
    assert not DeflectionAttempt.objects.exists()


def test_submitting_after_opening_a_suggestion_is_recorded(articles, portal_client):
    portal_client.get(f"/portal/requests/new/articles/{articles['returns'].pk}/", {"attempt": KEY})

    response = portal_client.post(
        "/portal/requests/new/",
        {"subject": "Zwrot butów", "description": "Chcę jednak zwrócić buty.", "attempt": KEY},
    )

    ticket = Ticket.objects.get(subject="Zwrot butów")
    assert response.status_code == 302
    attempt = DeflectionAttempt.objects.get()
    assert (attempt.ticket, attempt.submitted_at is not None) == (ticket, True)


def test_the_new_request_form_carries_a_fresh_key_and_a_bad_one_does_not_stop_the_request(
    portal_client,
):
    first = portal_client.get("/portal/requests/new/").content.decode()
    second = portal_client.get("/portal/requests/new/").content.decode()

    response = portal_client.post(
        "/portal/requests/new/",
        {"subject": "Zwrot", "description": "Chcę zwrócić buty.", "attempt": "<zły klucz>"},
    )

    assert response.status_code == 302
    assert Ticket.objects.filter(subject="Zwrot").exists()
    assert not DeflectionAttempt.objects.exists()
    key = 'name="attempt" value="'
    assert key in first
    assert first[first.index(key) :][:60] != second[second.index(key) :][:60]
