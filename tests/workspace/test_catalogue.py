"""The admin's pages for tiers, categories, tags and custom fields."""

import pytest
from django.test import Client

from okienko.accounts.choices import Role
from okienko.customers.models import Tier
from okienko.testing.factories import (
    make_agent,
    make_category,
    make_custom_field,
    make_customer,
    make_ticket,
)
from okienko.tickets.models import Category, CustomField, Tag


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(make_agent(role=Role.ADMIN))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/settings/tiers/", "/settings/categories/", "/settings/fields/", "/settings/tags/"]
)
def test_only_admins_see_them(agent_client, path):
    assert agent_client.get(path).status_code == 403


@pytest.mark.django_db
def test_only_admins_change_them(agent_client):
    unused = Tag.objects.create(name="stary")

    tier = agent_client.post("/settings/tiers/", {"name": "X", "slug": "x", "position": 1})
    tag = agent_client.post(f"/settings/tags/{unused.pk}/delete/")

    assert (tier.status_code, tag.status_code) == (403, 403)
    assert not Tier.objects.filter(slug="x").exists()
    assert Tag.objects.filter(pk=unused.pk).exists()


@pytest.mark.django_db
def test_unknown_kinds_are_not_found(admin_client):
    assert admin_client.get("/settings/planets/").status_code == 404


@pytest.mark.django_db
def test_tiers_are_added_and_renamed_with_their_slug_kept(admin_client):
    added = admin_client.post("/settings/tiers/", {"name": "VIP", "slug": "vip", "position": 5})
    again = admin_client.post("/settings/tiers/", {"name": "VIP 2", "slug": "vip", "position": 6})
    tier = Tier.objects.get(slug="vip")
    renamed = admin_client.post(
        f"/settings/tiers/{tier.pk}/", {"name": "Klient VIP", "slug": "other", "position": 1}
    )

    assert (added.status_code, again.status_code, renamed.status_code) == (302, 422, 302)
    tier.refresh_from_db()
    assert (tier.name, tier.slug, tier.position) == ("Klient VIP", "vip", 1)


@pytest.mark.django_db
def test_a_category_never_goes_under_its_own_subcategory(admin_client):
    parent = make_category(name="Zamówienia")
    child = make_category(name="Zwroty", parent=parent)

    loop = admin_client.post(
        f"/settings/categories/{parent.pk}/", {"name": "Zamówienia", "parent": child.pk}
    )
    moved = admin_client.post(f"/settings/categories/{child.pk}/", {"name": "Zwroty", "parent": ""})

    assert loop.status_code == 422
    assert moved.status_code == 302
    assert list(Category.objects.order_by("name").values_list("name", "parent")) == [
        ("Zamówienia", None),
        ("Zwroty", None),
    ]


@pytest.mark.django_db
def test_custom_fields_keep_key_and_type_and_choice_fields_need_choices(admin_client):
    empty = admin_client.post(
        "/settings/fields/", {"label": "Kurier", "key": "kurier", "field_type": "choice"}
    )
    added = admin_client.post(
        "/settings/fields/",
        {
            "label": "Kurier",
            "key": "kurier",
            "field_type": "choice",
            "choices": "InPost\nDPD\n\nPoczta Polska",
            "is_required_to_solve": "on",
        },
    )
    field = CustomField.objects.get()
    changed = admin_client.post(
        f"/settings/fields/{field.pk}/",
        {"label": "Firma kurierska", "key": "inny", "field_type": "text", "choices": "InPost\nDHL"},
    )

    assert (empty.status_code, added.status_code, changed.status_code) == (422, 302, 302)
    field.refresh_from_db()
    assert (
        field.key,
        field.field_type,
        field.label,
        field.choices,
        field.is_required_to_solve,
    ) == (
        "kurier",
        "choice",
        "Firma kurierska",
        ["InPost", "DHL"],
        False,
    )


@pytest.mark.django_db
def test_only_tags_no_ticket_carries_are_removed(admin_client):
    make_ticket(tags=["zwrot"])
    unused = Tag.objects.create(name="stary")
    used = Tag.objects.get(name="zwrot")

    admin_client.post(f"/settings/tags/{unused.pk}/delete/")
    admin_client.post(f"/settings/tags/{used.pk}/delete/")

    assert list(Tag.objects.values_list("name", flat=True)) == ["zwrot"]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 8])
def test_catalogue_pages_do_not_grow_with_items(admin_client, django_assert_max_num_queries, count):
    parent = make_category()
    for number in range(count):
        make_category(name=f"Podkategoria {number}", parent=parent)
        make_custom_field(key=f"pole_{number}", field_type="text")
    admin_client.get("/settings/categories/")

    for path in ["/settings/categories/", "/settings/fields/", "/settings/tags/"]:
        # session and admin, presence, items, the form's choices, unread notifications
        with django_assert_max_num_queries(6):
            assert admin_client.get(path).status_code == 200


@pytest.mark.django_db
def test_an_admin_renames_a_tag_and_merges_another_into_it(admin_client):
    ticket = make_ticket(tags=["zwrot", "zwroty"])
    zwrot, zwroty = Tag.objects.get(name="zwrot"), Tag.objects.get(name="zwroty")

    page = admin_client.get(f"/settings/tags/{zwrot.pk}/")
    clash = admin_client.post(
        f"/settings/tags/{zwrot.pk}/", {"operation": "rename", "name": "zwroty"}
    )
    renamed = admin_client.post(
        f"/settings/tags/{zwrot.pk}/", {"operation": "rename", "name": "Zwrot towaru"}
    )
    merged = admin_client.post(
        f"/settings/tags/{zwroty.pk}/", {"operation": "merge", "replacement": zwrot.pk}
    )

    assert page.status_code == 200
    assert clash.status_code == 422
    assert "Inny tag ma już tę nazwę: zamiast tego scal z nim." in clash.content.decode()
    assert (renamed.status_code, merged.status_code) == (302, 302)
    assert list(ticket.tags.values_list("name", flat=True)) == ["zwrot towaru"]


@pytest.mark.django_db
def test_only_admins_rename_merge_and_remove(agent_client):
    make_ticket(tags=["zwrot"], category=make_category(name="Dostawa"))
    tag, category = Tag.objects.get(), Category.objects.get()

    renamed = agent_client.post(f"/settings/tags/{tag.pk}/", {"operation": "rename", "name": "x"})
    removed = agent_client.post(f"/settings/categories/{category.pk}/delete/")

    assert (renamed.status_code, removed.status_code) == (403, 403)
    assert Tag.objects.get().name == "zwrot"
    assert Category.objects.filter(pk=category.pk).exists()


@pytest.mark.django_db
def test_removing_a_category_in_use_asks_where_its_tickets_go(admin_client):
    delivery = make_category(name="Dostawa")
    shipping = make_category(name="Wysyłka")
    ticket = make_ticket(category=delivery)

    page = admin_client.get(f"/settings/categories/{delivery.pk}/").content.decode()
    refused = admin_client.post(f"/settings/categories/{delivery.pk}/delete/", {})
    removed = admin_client.post(
        f"/settings/categories/{delivery.pk}/delete/", {"replacement": shipping.pk}
    )

    assert "Zgłoszenia: 1" in page
    assert refused.status_code == 422
    assert "Jest w użyciu: wybierz, dokąd przenieść to, co w nim jest." in refused.content.decode()
    assert removed.status_code == 302
    ticket.refresh_from_db()
    assert ticket.category == shipping


@pytest.mark.django_db
def test_removing_a_tier_moves_its_customers(admin_client):
    gold = Tier.objects.create(name="Złoty", slug="zloty", position=5)
    silver = Tier.objects.create(name="Srebrny", slug="srebrny", position=4)
    customer = make_customer(tier=gold)

    removed = admin_client.post(f"/settings/tiers/{gold.pk}/delete/", {"replacement": silver.pk})

    assert removed.status_code == 302
    customer.refresh_from_db()
    assert customer.tier == silver
    assert not Tier.objects.filter(pk=gold.pk).exists()


@pytest.mark.django_db
def test_custom_fields_are_not_removed_here(admin_client):
    field = make_custom_field(key="numer_zamowienia", field_type="text")

    response = admin_client.post(f"/settings/fields/{field.pk}/delete/")

    assert response.status_code == 404
    assert CustomField.objects.filter(pk=field.pk).exists()
