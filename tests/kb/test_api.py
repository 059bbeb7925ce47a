import pytest
from django.test import Client

from okienko.accounts.choices import Role
from okienko.kb.choices import ArticleStatus
from okienko.kb.models import Article, Category
from okienko.testing.factories import make_agent, make_article, make_kb_category, make_token
from tests.api.conftest import ApiClient, assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_api():
    return ApiClient(make_token(make_agent(name="Adam Agent")))


def test_category_crud(admin_api):
    created = admin_api.post(
        "/kb/categories",
        {"name": "Dostawa", "translations": {"en": {"name": "Delivery"}}},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["slug"], body["translations"]) == (
        "dostawa",
        {"en": {"name": "Delivery", "description": ""}},
    )
    replaced = admin_api.put(f"/kb/categories/{body['id']}", {"name": "Dostawa i odbiór"})
    assert replaced.json()["name"] == "Dostawa i odbiór"
    assert [c["slug"] for c in admin_api.get("/kb/categories").json()] == ["dostawa-i-odbior"]
    assert admin_api.delete(f"/kb/categories/{body['id']}").status_code == 204
    assert not Category.objects.exists()


def test_agents_may_not_change_categories(agent_api):
    assert_problem(agent_api.post("/kb/categories", {"name": "Zwroty"}), 403)
    assert not Category.objects.exists()


def test_article_create_publish_edit_and_versions(admin_api):
    category = make_kb_category(slug="zwroty")
    created = admin_api.post(
        "/kb/articles",
        {
            "title": "Jak zwrócić towar",
            "body": "Masz 14 dni.",
            "category_id": category.pk,
            "status": "published",
            "visibility": "public",
        },
    )
    assert created.status_code == 201, created.content
    article = created.json()
    assert (article["slug"], article["language"], article["status"], article["version"]) == (
        "jak-zwrocic-towar",
        "pl",
        "published",
        1,
    )
    changed = admin_api.patch(
        f"/kb/articles/{article['id']}", {"body": "Masz 30 dni.", "version": 1}
    )
    assert changed.json()["version"] == 2
    stale = admin_api.patch(f"/kb/articles/{article['id']}", {"body": "x", "version": 1})
    assert_problem(stale, 409)
    versions = admin_api.get(f"/kb/articles/{article['id']}/versions").json()
    assert [(v["number"], v["body"]) for v in versions] == [
        (2, "Masz 30 dni."),
        (1, "Masz 14 dni."),
    ]
    diff = admin_api.get(f"/kb/articles/{article['id']}/diff?older=1&newer=2").json()
    assert [line["kind"] for line in diff] == ["same", "same", "removed", "added"]
    restored = admin_api.post(f"/kb/articles/{article['id']}/versions/1/restore")
    assert (restored.json()["version"], restored.json()["body"]) == (3, "Masz 14 dni.")


def test_translation_links_to_its_original(admin_api):
    original = make_article(title="Zwroty", slug="zwroty")
    created = admin_api.post(
        "/kb/articles",
        {
            "title": "Returns",
            "language": "en",
            "translation_of": original.pk,
            "category_id": original.category_id,
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["translation_of"] == original.pk
    assert_problem(
        admin_api.post(
            "/kb/articles",
            {"title": "Returns again", "language": "en", "translation_of": original.pk},
        ),
        409,
    )


def test_list_filters(admin_api, admin):
    category = make_kb_category()
    draft = make_article(status=ArticleStatus.DRAFT, category=category, acting_user=admin)
    make_article(status=ArticleStatus.PUBLISHED)
    page = admin_api.get(f"/kb/articles?status=draft&category={category.pk}").json()
    assert [item["id"] for item in page["items"]] == [draft.pk]
    mine = admin_api.get(f"/kb/articles?owner={admin.pk}").json()
    assert [item["id"] for item in mine["items"]] == [draft.pk]


def test_errors_are_problems(admin_api, agent_api):
    assert_problem(admin_api.get("/kb/articles/999999"), 404)
    assert_problem(admin_api.post("/kb/articles", {"body": "no title"}), 422)
    assert_problem(admin_api.post("/kb/articles", {"title": "X", "language": "xx"}), 422)
    assert_problem(admin_api.get("/kb/articles?limit=0"), 422)
    draft = make_article(status=ArticleStatus.REVIEW)
    assert_problem(agent_api.patch(f"/kb/articles/{draft.pk}", {"status": "published"}), 403)
    assert Article.objects.get(pk=draft.pk).status == ArticleStatus.REVIEW
    assert_problem(agent_api.delete(f"/kb/articles/{draft.pk}"), 403)
    assert Article.objects.filter(pk=draft.pk).exists()


def test_customers_and_strangers_get_nothing():
    make_article(title="Wewnętrzny cennik", visibility="internal")
    response = Client().get("/api/v1/kb/articles")
    assert_problem(response, 401)
    assert_problem(Client().get("/api/v1/kb/categories"), 401)
    deactivated = make_agent(role=Role.ADMIN)
    token = make_token(deactivated)
    deactivated.is_active = False
    deactivated.save(update_fields=["is_active"])
    assert_problem(ApiClient(token).get("/kb/articles"), 401)
