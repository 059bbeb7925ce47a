"""The rule builder: admins build automation rules from rows, never JSON, and try them first."""

import pytest

from okienko.automation.actions import RuleInput, do_save_rule
from okienko.automation.models import Rule
from okienko.testing.factories import make_ticket
from okienko.workspace.rule_forms import ConditionRow, OperationRow
from tests.workspace.conftest import rows

pytestmark = pytest.mark.django_db


def submission(conditions, operations, **rule) -> dict[str, object]:
    return {
        "name": "Pilne od VIP",
        "description": "",
        "event": "ticket_created",
        "match": "all",
        "position": "3",
        "is_active": "on",
        **rule,
        **rows("conditions", conditions),
        **rows("operations", operations),
    }


def test_only_admins_reach_the_rules(agent_client):
    assert agent_client.get("/settings/rules/").status_code == 403
    assert agent_client.get("/settings/rules/new/trigger/").status_code == 403
    assert agent_client.post("/settings/rules/new/trigger/", {}).status_code == 403


def test_an_admin_builds_a_rule_from_rows_into_the_registries_json(
    admin_client, orders_team, agent
):
    data = submission(
        [
            {"field": "priority", "operator": "in", "value": ["high", "urgent"]},
            {"field": "hours_since_created", "operator": "greater_than", "value": "2,5"},
            {"field": "team", "operator": "is", "value": str(orders_team.pk)},
            {"field": "subject", "operator": "contains", "value": "reklamacja"},
            {"field": "business_hours_now", "operator": "is", "value": "false"},
            {"field": "assignee", "operator": "is_empty", "value": ""},
        ],
        [
            {"type": "add_tags", "tags": "vip, pilne "},
            {"type": "assign", "agent_id": str(agent.pk)},
            {"type": "notify", "to": "supervisors", "agent_id": "", "text": "#{{ ticket.number }}"},
            {"type": "set_priority", "value": "urgent"},
        ],
    )

    response = admin_client.post("/settings/rules/new/trigger/", data)

    rule = Rule.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/settings/rules/{rule.pk}/"
    assert (rule.kind, rule.event, rule.position, rule.is_active) == (
        "trigger",
        "ticket_created",
        3,
        True,
    )
    assert rule.conditions == [
        {"field": "priority", "operator": "in", "value": ["high", "urgent"]},
        {"field": "hours_since_created", "operator": "greater_than", "value": 2.5},
        {"field": "team", "operator": "is", "value": orders_team.pk},
        {"field": "subject", "operator": "contains", "value": "reklamacja"},
        {"field": "business_hours_now", "operator": "is", "value": False},
        {"field": "assignee", "operator": "is_empty", "value": None},
    ]
    assert rule.operations == [
        {"type": "add_tags", "tags": ["vip", "pilne"]},
        {"type": "assign", "agent_id": agent.pk},
        {"type": "notify", "to": "supervisors", "text": "#{{ ticket.number }}"},
        {"type": "set_priority", "value": "urgent"},
    ]


def test_a_saved_rule_fills_the_rows_back_unchanged():
    conditions = [
        {"field": "priority", "operator": "in", "value": ["high", "urgent"]},
        {"field": "tags", "operator": "in", "value": ["vip", "b2b"]},
        {"field": "hours_in_status", "operator": "greater_than", "value": 72},
        {"field": "business_hours_now", "operator": "is", "value": True},
    ]
    operations = [
        {"type": "remove_tags", "tags": ["nowe"]},
        {"type": "notify", "to": "agent", "agent_id": 7, "text": "Zobacz"},
    ]
    for condition in conditions:
        row = ConditionRow(data=_bound("c", ConditionRow.initial_of(condition)), prefix="c")
        assert row.is_valid(), row.errors
        assert row.condition() == condition
    for operation in operations:
        initial = OperationRow.initial_of(operation)
        row = OperationRow(data=_bound("o", initial), prefix="o")
        row.fields.get("agent_id") and row.fields["agent_id"].choices.append(("7", "Agent 7"))
        assert row.is_valid(), row.errors
        assert row.operation() == operation


def _bound(prefix: str, initial: dict[str, object]):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, value in initial.items():
        if isinstance(value, list):
            data.setlist(f"{prefix}-{key}", value)
        else:
            data[f"{prefix}-{key}"] = value
    return data


def test_changing_a_rows_field_redraws_its_value_input(admin_client, orders_team):
    data = submission([{"field": "team", "operator": "is", "value": ""}], [{"type": "escalate"}])

    response = admin_client.post("/settings/rules/new/trigger/?redraw=1", data)

    page = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{orders_team.pk}">Obsługa zamówień</option>' in page
    assert Rule.objects.count() == 0
    assert "field-error" not in page


def test_rows_are_added_and_removed_without_saving(admin_client):
    data = submission(
        [
            {"field": "subject", "operator": "contains", "value": "faktura"},
            {"field": "subject", "operator": "contains", "value": "zwrot", "DELETE": "on"},
        ],
        [{"type": "escalate"}],
        add="conditions",
    )

    page = admin_client.post("/settings/rules/new/trigger/?redraw=1", data).content.decode()

    assert 'name="conditions-TOTAL_FORMS" value="2"' in page
    assert 'value="faktura"' in page
    assert "zwrot" not in page
    assert Rule.objects.count() == 0


@pytest.mark.parametrize(
    ("condition", "operation", "error"),
    [
        (
            {"field": "hours_since_created", "operator": "greater_than", "value": "dużo"},
            {"type": "escalate"},
            "Wpisz liczbę",
        ),
        (
            {"field": "subject", "operator": "contains", "value": "x"},
            {"type": "add_note", "text": "Dzień dobry {{ klient.imie }}"},
            "unknown placeholders: klient.imie",
        ),
    ],
)
def test_a_bad_row_is_shown_with_its_error_and_nothing_is_saved(
    admin_client, condition, operation, error
):
    response = admin_client.post(
        "/settings/rules/new/trigger/", submission([condition], [operation])
    )

    assert response.status_code == 422
    assert error in response.content.decode()
    assert Rule.objects.count() == 0


def test_a_draft_is_tried_on_a_ticket_without_saving(admin_client, orders_team):
    urgent = make_ticket(team=orders_team, priority="urgent")
    low = make_ticket(team=orders_team, priority="low")
    data = submission(
        [{"field": "priority", "operator": "is", "value": "urgent"}],
        [{"type": "add_tags", "tags": "pilne"}],
        dry_run="1",
    )

    matching = admin_client.post("/settings/rules/new/trigger/", {**data, "ticket": urgent.pk})
    other = admin_client.post("/settings/rules/new/trigger/", {**data, "ticket": low.pk})
    missing = admin_client.post("/settings/rules/new/trigger/", {**data, "ticket": "999999"})

    assert "Reguła pasuje do tego zgłoszenia" in matching.content.decode()
    assert "Reguła nie pasuje do tego zgłoszenia" in other.content.decode()
    assert missing.status_code == 422
    assert Rule.objects.count() == 0


def test_a_rule_is_edited_and_deleted(admin_client):
    rule = do_save_rule(
        data=RuleInput(
            kind="time",
            name="Zamknij rozwiązane",
            conditions=[
                {"field": "status", "operator": "is", "value": "solved"},
                {"field": "hours_in_status", "operator": "greater_than", "value": 96},
            ],
            operations=[{"type": "set_status", "value": "closed"}],
        )
    )
    page = admin_client.get(f"/settings/rules/{rule.pk}/").content.decode()
    assert 'value="Zamknij rozwiązane"' in page
    assert 'name="event"' not in page  # time rules have no event
    assert admin_client.get("/settings/rules/").content.decode().count("Zamknij rozwiązane") == 1

    data = submission(
        [{"field": "status", "operator": "is", "value": "solved"}],
        [{"type": "set_status", "value": "closed"}],
        name="Zamknij rozwiązane po 4 dniach",
        event="",
    )
    assert admin_client.post(f"/settings/rules/{rule.pk}/", data).status_code == 302
    rule.refresh_from_db()
    assert rule.name == "Zamknij rozwiązane po 4 dniach"
    assert rule.conditions == [{"field": "status", "operator": "is", "value": "solved"}]

    assert admin_client.post(f"/settings/rules/{rule.pk}/delete/").status_code == 302
    assert Rule.objects.count() == 0
