"""Tags renamed and merged, categories removed: tickets keep what describes them, and every
change to a ticket is in its history."""

import pytest

from okienko.core.errors import Conflict, InvalidInput
from okienko.testing.factories import make_agent, make_category, make_ticket
from okienko.tickets.actions import (
    do_delete_category,
    do_merge_tags,
    do_rename_tag,
    do_save_view,
)
from okienko.tickets.models import Category, Tag, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return make_agent(role="admin", name="Ada Admin")


def tags_of(ticket) -> list[str]:
    return sorted(ticket.tags.values_list("name", flat=True))


def last_change(ticket, field: str) -> tuple:
    event = TicketEvent.objects.filter(ticket=ticket, field=field).latest("id")
    return event.old_value, event.new_value, event.actor_agent_id


def test_a_renamed_tag_stays_on_its_tickets_and_each_records_it(
    admin, django_capture_on_commit_callbacks
):
    first = make_ticket(tags=["zwrot", "vip"])
    second = make_ticket(tags=["zwrot"])
    untouched = make_ticket(tags=["vip"])
    view = do_save_view(
        view=None, name="Zwroty", filters={"tag": "zwrot"}, audience="personal", acting_user=admin
    )
    tag = Tag.objects.get(name="zwrot")

    with django_capture_on_commit_callbacks() as published:
        do_rename_tag(tag=tag, name="  Zwrot-Towaru ", acting_user=admin)

    assert (tags_of(first), tags_of(second), tags_of(untouched)) == (
        ["vip", "zwrot-towaru"],
        ["zwrot-towaru"],
        ["vip"],
    )
    assert last_change(first, "tags") == (["vip", "zwrot"], ["vip", "zwrot-towaru"], admin.pk)
    assert last_change(second, "tags") == (["zwrot"], ["zwrot-towaru"], admin.pk)
    assert not TicketEvent.objects.filter(ticket=untouched, field="tags").exists()
    view.refresh_from_db()
    assert view.filters == {"tag": "zwrot-towaru"}
    assert len(published) == 3  # each ticket's change, and the rename (rules and macros follow)


def test_a_tag_is_not_renamed_to_another_tags_name(admin):
    make_ticket(tags=["zwrot", "reklamacja"])
    tag = Tag.objects.get(name="zwrot")

    with pytest.raises(Conflict):
        do_rename_tag(tag=tag, name="Reklamacja", acting_user=admin)
    with pytest.raises(InvalidInput):
        do_rename_tag(tag=tag, name="   ", acting_user=admin)

    assert sorted(Tag.objects.values_list("name", flat=True)) == ["reklamacja", "zwrot"]
    assert not TicketEvent.objects.filter(field="tags", actor_agent=admin).exists()


def test_merging_tags_puts_the_target_on_every_ticket_once(admin):
    both = make_ticket(tags=["zwrot", "zwroty"])
    only_source = make_ticket(tags=["zwroty", "vip"])
    source, target = Tag.objects.get(name="zwroty"), Tag.objects.get(name="zwrot")

    do_merge_tags(source=source, target=target, acting_user=admin)

    assert (tags_of(both), tags_of(only_source)) == (["zwrot"], ["vip", "zwrot"])
    assert last_change(both, "tags") == (["zwrot", "zwroty"], ["zwrot"], admin.pk)
    assert last_change(only_source, "tags") == (["vip", "zwroty"], ["vip", "zwrot"], admin.pk)
    assert not Tag.objects.filter(name="zwroty").exists()
    with pytest.raises(InvalidInput):
        do_merge_tags(source=target, target=target, acting_user=admin)


def test_a_category_with_tickets_goes_only_with_a_replacement(admin):
    delivery = make_category(name="Dostawa")
    delivery_id = delivery.pk
    shipping = make_category(name="Wysyłka")
    ticket = make_ticket(category=delivery)
    view = do_save_view(
        view=None,
        name="Dostawy",
        filters={"category_id": delivery.pk},
        audience="personal",
        acting_user=admin,
    )

    with pytest.raises(Conflict) as refused:
        do_delete_category(category=delivery, replacement=None, acting_user=admin)
    assert refused.value.errors == {"replacement": ["required"]}
    assert Category.objects.filter(pk=delivery.pk).exists()

    do_delete_category(category=delivery, replacement=shipping, acting_user=admin)

    ticket.refresh_from_db()
    assert ticket.category == shipping
    assert last_change(ticket, "category") == (
        {"id": delivery_id, "name": "Dostawa"},
        {"id": shipping.pk, "name": "Wysyłka"},
        admin.pk,
    )
    view.refresh_from_db()
    assert view.filters == {"category_id": shipping.pk}
    assert not Category.objects.filter(pk=delivery_id).exists()


def test_an_unused_category_goes_and_one_with_subcategories_stays(admin):
    unused = make_category(name="Inne")
    parent = make_category(name="Reklamacje")
    make_category(name="Elektronika", parent=parent)

    do_delete_category(category=unused, replacement=None, acting_user=admin)
    with pytest.raises(Conflict) as refused:
        do_delete_category(category=parent, replacement=None, acting_user=admin)

    assert refused.value.errors == {"category": ["has subcategories"]}
    assert sorted(Category.objects.values_list("name", flat=True)) == [
        "Elektronika",
        "Reklamacje",
    ]
