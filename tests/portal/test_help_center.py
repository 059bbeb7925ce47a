import pytest
from django.test import Client
from django.utils import translation

from okienko.kb.actions import do_save_category
from okienko.kb.choices import ArticleStatus
from okienko.kb.documents import CategoryInput
from okienko.kb.models import Article, ArticleFeedback, Brand
from okienko.testing.factories import make_article, make_kb_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery():
    return do_save_category(
        data=CategoryInput(
            slug="dostawa",
            name="Dostawa",
            translations={"en": {"name": "Delivery", "description": ""}},
        )
    )


def test_home_lists_categories_and_public_articles_only(delivery):
    make_article(title="Czas dostawy", slug="czas-dostawy", category=delivery)
    make_article(title="Procedura dla kurierów", visibility="internal", category=delivery)
    make_article(title="Szkic o paczkomatach", status=ArticleStatus.DRAFT, category=delivery)
    make_article(title="Stary cennik", status=ArticleStatus.ARCHIVED, category=delivery)
    make_article(title="Do przeglądu", status=ArticleStatus.REVIEW, category=delivery)
    page = Client().get("/help/pl/").content.decode()
    assert "Czas dostawy" in page
    for hidden in (
        "Procedura dla kurierów",
        "Szkic o paczkomatach",
        "Stary cennik",
        "Do przeglądu",
    ):
        assert hidden not in page
    assert Client().get("/help/pl/categories/dostawa/").status_code == 200


def test_unpublished_and_internal_articles_are_not_found(delivery):
    internal = make_article(slug="wewnetrzny", visibility="internal", category=delivery)
    draft = make_article(slug="szkic", status=ArticleStatus.DRAFT, category=delivery)
    for article in (internal, draft):
        assert Client().get(f"/help/pl/articles/{article.slug}/").status_code == 404
        response = Client().post(f"/help/pl/articles/{article.slug}/feedback/", {"helpful": "yes"})
        assert response.status_code == 404
    assert not ArticleFeedback.objects.exists()
    sitemap = Client().get("/sitemap.xml").content.decode()
    assert "wewnetrzny" not in sitemap
    assert "szkic" not in sitemap


def test_article_in_the_visitors_language_and_views_counted(delivery):
    original = make_article(title="Czas dostawy", slug="czas-dostawy", category=delivery)
    english = make_article(
        title="Delivery time",
        slug="delivery-time",
        language="en",
        source=original,
        category=delivery,
        body="Two days.",
    )
    response = Client().get("/help/en/articles/delivery-time/")
    assert response.status_code == 200
    assert response.context["is_fallback"] is False
    assert "Two days." in response.content.decode()
    # The Polish slug in the English help center leads to the English translation.
    redirect = Client().get("/help/en/articles/czas-dostawy/")
    assert (redirect.status_code, redirect["Location"]) == (301, "/help/en/articles/delivery-time/")
    english.refresh_from_db()
    assert english.views == 1
    english_home = Client().get("/help/en/").content.decode()
    assert "Delivery time" in english_home
    assert "Czas dostawy" not in english_home
    assert "Delivery" in english_home


def test_missing_translation_falls_back_visibly(delivery):
    make_article(title="Zwrot w paczkomacie", slug="zwrot-w-paczkomacie", category=delivery)
    with translation.override("en"):
        response = Client().get("/help/en/articles/zwrot-w-paczkomacie/")
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["is_fallback"] is True
    assert "This article is not available in English; it is shown in Polish." in page
    assert '<article class="card help-article" lang="pl">' in page
    assert "Zwrot w paczkomacie" in Client().get("/help/en/").content.decode()


def test_feedback_is_recorded_and_rate_limited(delivery, settings):
    article = make_article(slug="platnosci", category=delivery)
    client = Client()
    response = client.post(
        "/help/pl/articles/platnosci/feedback/", {"helpful": "no", "comment": "Brak BLIK-a"}
    )
    assert response.status_code == 302
    for _attempt in range(19):
        client.post("/help/pl/articles/platnosci/feedback/", {"helpful": "yes"})
    refused = client.post("/help/pl/articles/platnosci/feedback/", {"helpful": "yes"})
    assert refused.status_code == 429
    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (19, 1)
    assert ArticleFeedback.objects.count() == 20
    assert Client().post("/help/pl/articles/platnosci/feedback/", {}).status_code == 422


def test_links_between_articles_reach_public_ones_only(delivery):
    make_article(slug="zwroty", title="Zwroty", category=delivery)
    make_article(slug="tajne", title="Tajne", visibility="internal", category=delivery)
    make_article(slug="linki", body="Zobacz [[zwroty]] oraz [[tajne|to]].", category=delivery)
    page = Client().get("/help/pl/articles/linki/").content.decode()
    assert '<a href="/help/pl/articles/zwroty/"' in page
    assert "/articles/tajne/" not in page


def test_sitemap_lists_public_pages(delivery):
    make_article(slug="czas-dostawy", category=delivery)
    response = Client().get("/sitemap.xml")
    assert response["Content-Type"].startswith("application/xml")
    body = response.content.decode()
    assert "<loc>http://127.0.0.1:8000/help/pl/articles/czas-dostawy/</loc>" in body
    assert "<loc>http://127.0.0.1:8000/help/pl/categories/dostawa/</loc>" in body


def test_brand_name_and_colours_are_configurable(delivery):
    Brand.objects.create(name="Sklep Kwiatek", primary_colour="#aa3366", tagline="Pomoc 24/7")
    make_article(category=delivery)
    page = Client().get("/help/pl/").content.decode()
    assert "Sklep Kwiatek" in page
    assert "--primary: #aa3366" in page


def test_help_redirects_to_the_visitors_language():
    response = Client().get("/help/", headers={"Accept-Language": "en"})
    assert response["Location"] == "/help/en/"
    assert Client().get("/help/xx/").status_code == 404


def test_home_query_count_does_not_grow_with_articles(delivery, django_assert_max_num_queries):
    other = make_kb_category(slug="platnosci")
    for number in range(12):
        make_article(slug=f"a-{number}", category=delivery if number % 2 else other)
    with django_assert_max_num_queries(6):
        Client().get("/help/pl/")
    with django_assert_max_num_queries(6):
        Client().get("/help/en/")
    assert Article.objects.count() == 12
