"""The help-center categories page: supervisors and admins list, create, edit (names per
language, order) and delete empty categories; agents may not."""

import pytest
from django.test import Client

from okienko.accounts.choices import Role
from okienko.kb.models import Category
from okienko.testing.factories import make_agent, make_article, make_kb_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(make_agent(role=Role.SUPERVISOR))
    return client


def test_a_supervisor_creates_a_category_with_its_english_name(editor_client):
    response = editor_client.post(
        "/kb/categories/",
        {
            "name_pl": "Płatności",
            "description_pl": "Karty, BLIK, przelewy",
            "name_en": "Payments",
            "description_en": "",
            "slug": "",
            "position": "3",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/kb/categories/"
    category = Category.objects.get()
    assert (category.slug, category.name, category.description, category.position) == (
        "platnosci",
        "Płatności",
        "Karty, BLIK, przelewy",
        3,
    )
    assert category.translations == {"en": {"name": "Payments", "description": ""}}


def test_the_list_shows_names_per_language_in_order_with_article_counts(editor_client):
    later = make_kb_category(name="Zwroty", slug="zwroty", position=2)
    first = make_kb_category(name="Dostawa", slug="dostawa", position=1)
    make_article(category=later)

    response = editor_client.get("/kb/categories/")

    rows = [
        (row["category"].pk, row["names"], row["category"].article_count)
        for row in response.context["rows"]
    ]
    assert rows == [(first.pk, ["Dostawa", ""], 0), (later.pk, ["Zwroty", ""], 1)]
    page = response.content.decode()
    assert f"/kb/categories/{first.pk}/delete/" in page
    assert f"/kb/categories/{later.pk}/delete/" not in page


def test_editing_renames_reorders_and_translates(editor_client):
    category = make_kb_category(name="Konto", slug="konto")

    form = editor_client.get(f"/kb/categories/{category.pk}/").context["form"]
    response = editor_client.post(
        f"/kb/categories/{category.pk}/",
        {
            "name_pl": "Konto klienta",
            "description_pl": "",
            "name_en": "Your account",
            "description_en": "Sign-in and data",
            "slug": "konto",
            "position": "7",
        },
    )

    assert form.initial["name_pl"] == "Konto"
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.name, category.slug, category.position) == ("Konto klienta", "konto", 7)
    assert category.translations == {
        "en": {"name": "Your account", "description": "Sign-in and data"}
    }


def test_a_taken_address_is_refused_and_nothing_changes(editor_client):
    make_kb_category(name="Dostawa", slug="dostawa")

    response = editor_client.post(
        "/kb/categories/", {"name_pl": "Wysyłka", "slug": "dostawa", "position": "0"}
    )

    assert response.status_code == 422
    assert response.context["form"].errors["slug"]
    assert Category.objects.count() == 1


def test_an_empty_category_is_deleted_one_with_articles_stays(editor_client):
    empty = make_kb_category(name="Stara")
    used = make_kb_category(name="Zwroty")
    make_article(category=used)

    editor_client.post(f"/kb/categories/{empty.pk}/delete/")
    response = editor_client.post(f"/kb/categories/{used.pk}/delete/", follow=True)

    assert list(Category.objects.values_list("name", flat=True)) == ["Zwroty"]
    assert "„Zwroty” nadal ma artykuły" in response.content.decode()


def test_agents_may_not_change_categories(agent_client):
    category = make_kb_category(name="Dostawa")

    responses = [
        agent_client.get("/kb/categories/"),
        agent_client.post("/kb/categories/", {"name_pl": "Nowa", "position": "0"}),
        agent_client.post(f"/kb/categories/{category.pk}/delete/"),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    assert list(Category.objects.values_list("name", flat=True)) == ["Dostawa"]
    assert "/kb/categories/" not in agent_client.get("/kb/").content.decode()


def test_an_unknown_category_is_not_found(editor_client):
    assert editor_client.get("/kb/categories/999999/").status_code == 404
