"""Saved views and bulk changes over the API: the same actions and permission checks as the
inbox pages, problem+json for every refusal."""

import pytest

from okienko.accounts.choices import Role
from okienko.testing.factories import make_agent, make_ticket, make_token
from okienko.tickets.models import SavedView, Ticket, TicketEvent
from tests.api.conftest import ApiClient, assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def ola_api(ola) -> ApiClient:
    return ApiClient(make_token(ola))


URGENT_MINE = {
    "name": "Moje pilne",
    "filters": {"priorities": ["urgent", "high"], "assignee": "me", "tag": " VIP "},
}


def test_an_agent_saves_a_view_lists_it_and_reads_its_tickets(ola_api, ola, orders):
    mine = make_ticket(subject="Pilne moje", priority="urgent", assignee=ola, tags=["vip"])
    make_ticket(subject="Pilne cudze", priority="urgent", tags=["vip"], team=orders)

    created = ola_api.post("/views", URGENT_MINE)

    assert created.status_code == 201
    view = created.json()
    assert (view["name"], view["audience"], view["team"]) == ("Moje pilne", "personal", None)
    assert view["filters"] == {"priorities": ["urgent", "high"], "assignee": "me", "tag": "vip"}
    assert [v["name"] for v in ola_api.get("/views").json()] == ["Moje pilne"]
    tickets = ola_api.get(f"/views/{view['id']}/tickets").json()
    assert [t["id"] for t in tickets["items"]] == [mine.pk]


def test_an_agent_changes_and_removes_their_own_view(ola_api):
    view_id = ola_api.post("/views", URGENT_MINE).json()["id"]

    changed = ola_api.put(f"/views/{view_id}", {"name": "Pilne", "filters": {"statuses": ["open"]}})
    removed = ola_api.delete(f"/views/{view_id}")

    assert changed.status_code == 200
    assert changed.json()["filters"] == {"statuses": ["open"]}
    assert removed.status_code == 204
    assert_problem(ola_api.get(f"/views/{view_id}"), 404)
    assert SavedView.objects.count() == 0


def test_only_an_admin_shares_a_view_and_changes_a_shared_one(ola_api, admin_api, orders):
    refused = ola_api.post("/views", {**URGENT_MINE, "audience": "everyone"})
    shared = admin_api.post("/views", {**URGENT_MINE, "audience": "team", "team_id": orders.pk})
    view_id = shared.json()["id"]
    seen = ola_api.get("/views").json()
    change = ola_api.put(f"/views/{view_id}", {"name": "Moje"})
    removal = ola_api.delete(f"/views/{view_id}")

    assert_problem(refused, 403)
    assert shared.status_code == 201
    assert shared.json()["team"] == {"id": orders.pk, "name": "Obsługa zamówień"}
    assert [v["id"] for v in seen] == [view_id]
    assert_problem(change, 403)
    assert_problem(removal, 403)
    assert SavedView.objects.get().name == "Moje pilne"


def test_another_agents_personal_view_is_not_found(ola_api, orders):
    jan_api = ApiClient(make_token(make_agent(name="Jan Kowal", teams=[orders])))
    view_id = jan_api.post("/views", URGENT_MINE).json()["id"]

    for response in (
        ola_api.get(f"/views/{view_id}"),
        ola_api.get(f"/views/{view_id}/tickets"),
        ola_api.put(f"/views/{view_id}", {"name": "Przejęty"}),
        ola_api.delete(f"/views/{view_id}"),
    ):
        assert_problem(response, 404)
    assert SavedView.objects.get().name == "Moje pilne"


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"name": ""}, 422),
        ({"name": "X", "filters": {"statuses": ["lost"]}}, 422),
        ({"name": "X", "filters": {"assignee": "someone"}}, 422),
        ({"name": "X", "audience": "team"}, 403),
        ({"name": "X", "team_id": 999999, "audience": "team"}, 404),
    ],
)
def test_a_bad_view_is_refused(ola_api, payload, status):
    assert_problem(ola_api.post("/views", payload), status)
    assert SavedView.objects.count() == 0


def test_bulk_changes_each_ticket_as_on_its_page_and_refuses_those_out_of_reach(
    ola_api, ola, orders, complaints
):
    first = make_ticket(team=orders)
    second = make_ticket(team=orders, priority="high")
    foreign = make_ticket(team=complaints)

    response = ola_api.post(
        "/tickets/bulk",
        {
            "ticket_ids": [first.pk, second.pk, foreign.pk],
            "priority": "high",
            "assignee_id": ola.pk,
            "add_tags": ["Zwrot"],
        },
    )

    assert response.status_code == 200
    assert response.json() == {
        "changed": [first.pk, second.pk],
        "unchanged": [],
        "refused": {str(foreign.pk): f"Ticket {foreign.pk} not found"},
    }
    first.refresh_from_db()
    assert (first.priority, first.assignee, list(first.tags.values_list("name", flat=True))) == (
        "high",
        ola,
        ["zwrot"],
    )
    assert TicketEvent.objects.filter(ticket=first, field="priority", actor_agent=ola).exists()
    foreign.refresh_from_db()
    assert (foreign.priority, foreign.assignee) == ("normal", None)


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"ticket_ids": [1]}, 422),
        ({"ticket_ids": [], "priority": "high"}, 422),
        ({"ticket_ids": list(range(1, 202)), "priority": "high"}, 422),
        ({"ticket_ids": [1], "priority": "whenever"}, 422),
        ({"ticket_ids": [1], "assignee_id": 999999}, 404),
    ],
)
def test_a_bad_bulk_change_is_refused(ola_api, orders, payload, status):
    make_ticket(team=orders)

    assert_problem(ola_api.post("/tickets/bulk", payload), status)
    assert not TicketEvent.objects.filter(field__in=["priority", "assignee"]).exists()


def test_bulk_merge_into_a_ticket_in_reach(ola_api, orders, complaints):
    target = make_ticket(team=orders)
    duplicate = make_ticket(team=orders)
    foreign = make_ticket(team=complaints)

    merged = ola_api.post(
        "/tickets/bulk/merge", {"ticket_ids": [duplicate.pk, target.pk], "target_id": target.pk}
    )
    out_of_reach = ola_api.post(
        "/tickets/bulk/merge", {"ticket_ids": [target.pk], "target_id": foreign.pk}
    )

    assert merged.json() == {"changed": [duplicate.pk], "unchanged": [target.pk], "refused": {}}
    assert Ticket.objects.get(pk=duplicate.pk).merged_into_id == target.pk
    assert_problem(out_of_reach, 404)
    assert Ticket.objects.get(pk=target.pk).merged_into_id is None


def test_the_inbox_endpoints_need_a_token(client):
    for method, path in [("get", "/views"), ("post", "/views"), ("post", "/tickets/bulk")]:
        response = getattr(client, method)(f"/api/v1{path}", content_type="application/json")
        assert_problem(response, 401)


def test_a_team_view_is_not_listed_for_agents_outside_the_team(admin_api, complaints):
    supervisor_api = ApiClient(make_token(make_agent(role=Role.SUPERVISOR)))
    admin_api.post("/views", {**URGENT_MINE, "audience": "team", "team_id": complaints.pk})

    assert supervisor_api.get("/views").json() == []
