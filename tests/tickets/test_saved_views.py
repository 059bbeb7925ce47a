"""Saved inbox views: who may define and share them, who sees them, what each filter matches."""

import pytest

from okienko.accounts.choices import Role
from okienko.core.errors import InvalidInput, PermissionDenied
from okienko.customers.models import Tier
from okienko.testing.factories import (
    make_agent,
    make_category,
    make_customer,
    make_team,
    make_ticket,
)
from okienko.tickets.actions import do_delete_saved_view, do_save_view
from okienko.tickets.choices import Channel, Priority, Status, ViewAudience
from okienko.tickets.models import SavedView
from okienko.tickets.selectors import (
    inbox_counts,
    list_tickets,
    saved_view_filters,
    saved_views,
)


@pytest.fixture
def people():
    orders = make_team(name="Zamówienia")
    complaints = make_team(name="Reklamacje")
    return {
        "orders": orders,
        "complaints": complaints,
        "agent": make_agent(teams=[orders]),
        "colleague": make_agent(teams=[complaints]),
        "admin": make_agent(role=Role.ADMIN),
    }


def personal(agent, name="Moje pilne", **filters):
    return do_save_view(
        view=None, name=name, filters=filters, audience=ViewAudience.PERSONAL, acting_user=agent
    )


def listed(agent, view) -> list[int]:
    found = list_tickets(agent, saved_view_filters(agent, view), before_id=None, limit=50)
    return [ticket.pk for ticket in found]


@pytest.mark.django_db
def test_an_agent_keeps_a_view_for_themselves(people):
    view = personal(people["agent"], priorities=["urgent", "high"], statuses=["open"])

    assert view.owner == people["agent"]
    assert view.filters == {"statuses": ["open"], "priorities": ["urgent", "high"]}
    assert list(saved_views(people["agent"])) == [view]
    assert list(saved_views(people["colleague"])) == []


@pytest.mark.django_db
def test_an_agent_may_not_share_a_view(people):
    with pytest.raises(PermissionDenied):
        do_save_view(
            view=None,
            name="Dla wszystkich",
            filters={},
            audience=ViewAudience.EVERYONE,
            acting_user=people["agent"],
        )

    assert SavedView.objects.count() == 0


@pytest.mark.django_db
def test_an_admin_shares_with_everyone_or_with_one_team(people):
    everyone = do_save_view(
        view=None,
        name="Pilne",
        filters={"priorities": ["urgent"]},
        audience=ViewAudience.EVERYONE,
        acting_user=people["admin"],
    )
    orders_only = do_save_view(
        view=None,
        name="Zwroty",
        filters={"tag": "Zwrot"},
        audience=ViewAudience.TEAM,
        team=people["orders"],
        acting_user=people["admin"],
    )

    assert orders_only.filters == {"tag": "zwrot"}
    assert list(saved_views(people["agent"])) == [everyone, orders_only]
    assert list(saved_views(people["colleague"])) == [everyone]


@pytest.mark.django_db
def test_only_the_owner_changes_or_removes_a_personal_view(people):
    view = personal(people["agent"])

    with pytest.raises(PermissionDenied):
        do_save_view(
            view=view,
            name="Przejęty",
            filters={},
            audience=ViewAudience.PERSONAL,
            acting_user=people["colleague"],
        )
    with pytest.raises(PermissionDenied):
        do_delete_saved_view(view=view, acting_user=people["admin"])

    view.refresh_from_db()
    assert view.name == "Moje pilne"
    do_save_view(
        view=view,
        name="Poprawiony",
        filters={},
        audience=ViewAudience.PERSONAL,
        acting_user=people["agent"],
    )
    view.refresh_from_db()
    assert (view.name, view.owner) == ("Poprawiony", people["agent"])


@pytest.mark.django_db
def test_shared_views_are_the_admins_to_change(people):
    shared = do_save_view(
        view=None, name="Pilne", filters={}, audience="everyone", acting_user=people["admin"]
    )

    with pytest.raises(PermissionDenied):
        do_delete_saved_view(view=shared, acting_user=people["agent"])
    do_delete_saved_view(view=shared, acting_user=people["admin"])

    assert SavedView.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filters",
    [{"statuses": ["lost"]}, {"assignee": "someone"}, {"colour": "red"}, {"text": "x" * 201}],
)
def test_invalid_filters_are_refused(people, filters):
    with pytest.raises(InvalidInput):
        personal(people["agent"], **filters)

    assert SavedView.objects.count() == 0


@pytest.mark.django_db
def test_every_filter_matches_what_it_says(people, live, tasks_run_at_once):
    agent, orders = people["agent"], people["orders"]
    premium = Tier.objects.create(slug="premium-test", name="Premium")
    vip = make_customer(tier=premium)
    category = make_category(name="Zwroty")
    tickets = {
        "urgent_phone": make_ticket(priority=Priority.URGENT, channel=Channel.PHONE, team=orders),
        "mine_tagged": make_ticket(assignee=agent, tags=["zwrot"], team=orders),
        "vip_categorised": make_ticket(requester=vip, category=category),
        # Indexed for search, which the text filter reads.
        "subject": live(make_ticket, subject="Faktura VAT do zamówienia 10233"),
        "hidden": make_ticket(team=people["complaints"], priority=Priority.URGENT),
    }
    cases = {
        "urgent": ({"priorities": ["urgent"]}, ["urgent_phone"]),
        "phone": ({"channels": ["phone"]}, ["urgent_phone"]),
        "team": ({"team_id": orders.pk}, ["mine_tagged", "urgent_phone"]),
        "me": ({"assignee": "me"}, ["mine_tagged"]),
        "tag": ({"tag": "zwrot"}, ["mine_tagged"]),
        "category": ({"category_id": category.pk}, ["vip_categorised"]),
        "tier": ({"tier_id": premium.pk}, ["vip_categorised"]),
        "text": ({"text": "faktura"}, ["subject"]),
        "number": ({"text": f"#{tickets['mine_tagged'].pk}"}, ["mine_tagged"]),
        "digits": ({"text": "10233"}, ["subject"]),
        "open": ({"statuses": [Status.OPEN]}, ["mine_tagged"]),
    }

    for name, (filters, expected) in cases.items():
        view = personal(agent, name=name, **filters)
        expected_ids = sorted((tickets[key].pk for key in expected), reverse=True)
        assert listed(agent, view) == expected_ids, name


@pytest.mark.django_db
def test_counts_of_saved_views_come_with_the_standard_ones(people, django_assert_num_queries):
    agent = people["agent"]
    make_ticket(assignee=agent, tags=["zwrot"], team=people["orders"])
    make_ticket(tags=["zwrot"])
    make_ticket(tags=["zwrot"], team=people["complaints"])  # not the agent's to see
    make_ticket(priority=Priority.URGENT)
    tagged = personal(agent, name="Zwroty", tag="zwrot")
    urgent = personal(agent, name="Pilne", priorities=["urgent"])

    with django_assert_num_queries(3):  # the agent's team ids, the tag's id, one count query
        counts = inbox_counts(agent, [tagged, urgent])

    assert counts[f"saved-{tagged.pk}"] == 2
    assert counts[f"saved-{urgent.pk}"] == 1
    assert counts["all_open"] == 3


@pytest.mark.django_db
def test_counts_stop_one_past_the_cap_and_views_matching_nothing_count_zero(people, monkeypatch):
    monkeypatch.setattr("okienko.tickets.selectors.COUNT_CAP", 2)
    agent = people["agent"]
    for _ in range(4):
        make_ticket(assignee=agent, team=people["orders"])
    unknown_tag = personal(agent, name="Nic", tag="nie-ma-takiego")

    counts = inbox_counts(agent, [unknown_tag])

    assert counts["mine"] == 3
    assert counts[f"saved-{unknown_tag.pk}"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("small_tier", [1000, 1])
def test_a_tier_matches_alike_whether_its_customers_are_few_or_many(
    people, monkeypatch, small_tier
):
    monkeypatch.setattr("okienko.tickets.selectors.SMALL_TIER", small_tier)
    premium = Tier.objects.create(slug="premium-test", name="Premium")
    tickets = [make_ticket(requester=make_customer(tier=premium)) for _ in range(2)]
    make_ticket()
    view = personal(people["agent"], tier_id=premium.pk)

    assert listed(people["agent"], view) == sorted((ticket.pk for ticket in tickets), reverse=True)
    assert inbox_counts(people["agent"], [view])[f"saved-{view.pk}"] == 2
