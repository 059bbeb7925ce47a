import uuid

import pytest
from django.test import Client

from okienko.accounts.choices import Role
from okienko.kb.choices import ArticleStatus
from okienko.search.selectors import search
from okienko.testing.factories import make_agent, make_article, make_customer, make_token
from tests.api.conftest import ApiClient, assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(live, tasks_run_at_once):
    """Help-center articles indexed through their events, as a request and a worker would."""
    return {
        "returns": live(
            make_article,
            title="Jak zwrócić towar",
            slug="jak-zwrocic-towar",
            body="Zwrotu dokonasz w ciągu 14 dni w paczkomacie.",
        ),
        "internal": live(
            make_article,
            title="Procedura zwrotów w magazynie",
            visibility="internal",
            body="Przyjęcie zwrotu: sprawdź kompletność.",
        ),
        "draft": live(
            make_article,
            title="Zwroty firmowe",
            status=ArticleStatus.DRAFT,
            body="Zwrot dla firm z fakturą korygującą.",
        ),
        "english": live(
            make_article,
            title="Delivery time",
            slug="delivery-time",
            language="en",
            body="Parcels arrive in one working day.",
        ),
    }


def _titles(searcher, query, **options):
    hits = search(searcher, query, doc_types=["article"], **options).hits
    return sorted(hit.title for hit in hits)


def test_inflected_words_find_articles_within_the_searchers_scope(articles):
    agent = make_agent()
    assert _titles(agent, "zwrotów") == [
        "Jak zwrócić towar",
        "Procedura zwrotów w magazynie",
        "Zwroty firmowe",
    ]
    assert _titles(None, "zwrotów") == ["Jak zwrócić towar"]
    assert _titles(make_customer(), "zwroty") == ["Jak zwrócić towar"]
    assert _titles(None, "paczkomacie", filters={"language": "en"}) == []
    assert _titles(None, "parcel") == ["Delivery time"]


def test_help_center_search_page(articles):
    page = Client().get("/help/pl/search/?q=zwrotu")
    assert [hit.title for hit in page.context["hits"]] == ["Jak zwrócić towar"]
    link = '<a class="article-row" href="/help/pl/articles/jak-zwrocic-towar/">'
    assert link in page.content.decode()
    # Nothing in English: the Polish article is offered, marked as Polish.
    english = Client().get("/help/en/search/?q=zwrot")
    assert [hit.title for hit in english.context["hits"]] == ["Jak zwrócić towar"]
    assert 'lang="pl">PL</span>' in english.content.decode()


def test_help_center_search_is_rate_limited(articles, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"help-search-{uuid.uuid4().hex}",
        }
    }
    client = Client()
    for _attempt in range(60):
        client.get("/help/pl/search/?q=zwrot")
    assert client.get("/help/pl/search/?q=zwrot").status_code == 429


def test_kb_search_api(articles):
    api = ApiClient(make_token(make_agent(role=Role.AGENT)))
    found = api.get("/kb/search?q=zwrocic&lang=pl")
    assert found.status_code == 200, found.content
    assert [(item["title"], item["details"]["slug"]) for item in found.json()["items"]] == [
        ("Jak zwrócić towar", "jak-zwrocic-towar")
    ]
    published = api.get("/kb/search?q=zwrot&status=published").json()["items"]
    assert {item["title"] for item in published} == {
        "Jak zwrócić towar",
        "Procedura zwrotów w magazynie",
    }
    assert_problem(api.get("/kb/search?q=zwrot&lang=xx"), 422)
    assert_problem(Client().get("/api/v1/kb/search?q=zwrot"), 401)


def test_workspace_search_box_finds_articles_and_opens_the_editor(articles):
    client = Client()
    client.force_login(make_agent())
    page = client.get("/search/?q=procedura&type=article")
    assert page.status_code == 200
    assert f'href="/kb/{articles["internal"].pk}/"' in page.content.decode()
