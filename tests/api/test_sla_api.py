"""/api/v1/sla/calendars, /api/v1/sla/policies and the SLA in a ticket's representation."""

import datetime

import pytest
from django.utils import timezone

from okienko.sla.choices import Metric
from okienko.testing.factories import make_agent, make_token
from tests.api.conftest import ApiClient, assert_problem

OFFICE = {str(day): [["08:00", "16:00"]] for day in range(5)}


@pytest.fixture
def calendar_id(admin_api) -> int:
    response = admin_api.post(
        "/sla/calendars",
        {
            "name": "Biuro",
            "hours": OFFICE,
            "closed_days": [{"date": "2026-12-31", "name": "Inwentaryzacja"}],
            "open_days": [{"date": "2026-12-05", "hours": [["09:00", "13:00"]]}],
            "is_default": True,
        },
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_calendars_are_created_read_replaced_and_deleted(admin_api, calendar_id):
    body = admin_api.get(f"/sla/calendars/{calendar_id}").json()
    assert body["hours"]["0"] == [["08:00", "16:00"]]
    assert body["closed_days"] == [{"date": "2026-12-31", "name": "Inwentaryzacja"}]
    holidays = {day["date"]: day["name"] for day in body["holidays"]}
    year = timezone.now().year
    assert f"{year}-11-11" in holidays
    assert f"{year}-12-24" in holidays  # Wigilia is a public holiday in Poland since 2025
    replaced = admin_api.put(
        f"/sla/calendars/{calendar_id}",
        {
            "name": "Biuro 24/7",
            "country": "",
            "hours": {str(d): [["00:00", "00:00"]] for d in range(7)},
        },
    )
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["holidays"] == []
    assert [c["name"] for c in admin_api.get("/sla/calendars").json()] == ["Biuro 24/7"]
    assert admin_api.delete(f"/sla/calendars/{calendar_id}").status_code == 204
    assert_problem(admin_api.get(f"/sla/calendars/{calendar_id}"), 404)


def test_invalid_calendars_are_refused_with_the_reason(admin_api):
    body = assert_problem(
        admin_api.post("/sla/calendars", {"name": "X", "hours": {"0": [["16:00", "08:00"]]}}), 422
    )
    assert "ends before it starts" in body["detail"]
    assert_problem(
        admin_api.post(
            "/sla/calendars", {"name": "X", "time_zone": "Nowhere/City", "hours": OFFICE}
        ),
        422,
    )


def test_policies_round_trip_in_order(admin_api, calendar_id):
    created = admin_api.post(
        "/sla/policies",
        {
            "name": "B2B",
            "position": 2,
            "conditions": {"tier": ["business"]},
            "targets": [{"priority": "normal", "metric": "first_reply", "minutes": 480}],
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["calendar_id"] == calendar_id
    admin_api.post(
        "/sla/policies",
        {
            "name": "Czat",
            "position": 1,
            "conditions": {"channel": ["chat"]},
            "targets": [
                {
                    "priority": "normal",
                    "metric": "first_reply",
                    "minutes": 2,
                    "business_hours": False,
                }
            ],
        },
    )
    listed = admin_api.get("/sla/policies").json()
    assert [policy["name"] for policy in listed] == ["Czat", "B2B"]
    assert listed[0]["targets"] == [
        {"priority": "normal", "metric": "first_reply", "minutes": 2, "business_hours": False}
    ]
    policy_id = created.json()["id"]
    replaced = admin_api.put(
        f"/sla/policies/{policy_id}",
        {"name": "B2B", "warn_percent": 50, "targets": []},
    )
    assert replaced.json()["warn_percent"] == 50
    assert replaced.json()["conditions"] == {}
    assert admin_api.delete(f"/sla/policies/{policy_id}").status_code == 204
    assert_problem(admin_api.get(f"/sla/policies/{policy_id}"), 404)


def test_invalid_policies_are_refused(admin_api, calendar_id):
    body = assert_problem(
        admin_api.post(
            "/sla/policies",
            {"name": "X", "conditions": {"colour": ["red"]}, "targets": []},
        ),
        422,
    )
    assert "colour" in body["errors"]
    assert_problem(
        admin_api.post("/sla/policies", {"name": "X", "calendar_id": 999, "targets": []}), 404
    )


def test_only_admins_change_sla_but_agents_read_it(db, admin_api, calendar_id):
    agent_api = ApiClient(make_token(make_agent()))
    assert agent_api.get("/sla/calendars").status_code == 200
    assert agent_api.get("/sla/policies").status_code == 200
    assert_problem(agent_api.post("/sla/calendars", {"name": "Y", "hours": OFFICE}), 403)
    assert_problem(agent_api.delete(f"/sla/calendars/{calendar_id}"), 403)
    assert_problem(agent_api.post("/sla/policies", {"name": "Y", "targets": []}), 403)


def test_a_ticket_carries_its_sla(admin_api, calendar_id, django_capture_on_commit_callbacks):
    admin_api.post(
        "/sla/policies",
        {
            "name": "Wszyscy",
            "targets": [
                {"priority": "normal", "metric": "first_reply", "minutes": 240},
                {"priority": "normal", "metric": "resolution", "minutes": 960},
            ],
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        created = admin_api.post(
            "/tickets",
            {
                "subject": "Paczka",
                "channel": "email",
                "message": "Gdzie paczka?",
                "requester": {"email": "a@example.com"},
            },
        )
    assert created.status_code == 201, created.content
    ticket_id = created.json()["id"]
    sla = admin_api.get(f"/tickets/{ticket_id}").json()["sla"]
    assert sla["policy"]["name"] == "Wszyscy"
    assert sla["calendar"] == "Biuro"
    targets = {target["metric"]: target for target in sla["targets"]}
    first = targets[Metric.FIRST_REPLY]
    assert first["target_minutes"] == 240
    assert first["paused"] is False
    assert first["outcome"] is None
    assert datetime.datetime.fromisoformat(first["due_at"]) > timezone.now()
    assert 0 < first["remaining_seconds"] <= 240 * 60
    with django_capture_on_commit_callbacks(execute=True):
        admin_api.patch(f"/tickets/{ticket_id}", {"status": "pending"})
    listed = admin_api.get("/tickets").json()["items"][0]["sla"]
    assert all(target["paused"] for target in listed["targets"])
    assert all(target["due_at"] is None for target in listed["targets"])


def test_a_ticket_without_a_policy_has_no_sla(admin_api):
    created = admin_api.post(
        "/tickets",
        {
            "subject": "Paczka",
            "channel": "email",
            "message": "?",
            "requester": {"email": "b@example.com"},
        },
    )
    assert created.json()["sla"] is None


def test_presence_and_escalation_over_the_api(admin_api, admin, django_capture_on_commit_callbacks):
    from okienko.accounts.choices import Role

    assert admin_api.get("/agents/me/presence").json() == {"presence": "offline"}
    assert admin_api.put("/agents/me/presence", {"presence": "online"}).json() == {
        "presence": "online"
    }
    assert_problem(admin_api.put("/agents/me/presence", {"presence": "busy"}), 422)
    make_agent(name="Szefowa", role=Role.SUPERVISOR)
    created = admin_api.post(
        "/tickets",
        {"subject": "Pilne", "message": "?", "requester": {"email": "c@example.com"}},
    ).json()
    assert created["escalation_level"] == 0
    escalated = admin_api.post(f"/tickets/{created['id']}/escalate").json()
    assert escalated["escalation_level"] == 2
    assert escalated["escalation_count"] == 1
    assert escalated["assignee"]["name"] == "Szefowa"
    assert_problem(admin_api.post(f"/tickets/{created['id']}/escalate"), 409)
