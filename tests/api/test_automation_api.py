"""/api/v1/automation/...: rules, dry runs, macros."""

from okienko.automation.actions import MacroInput, do_save_macro
from okienko.testing.factories import make_agent, make_customer, make_ticket, make_token
from tests.api.conftest import ApiClient, assert_problem

RULE = {
    "kind": "trigger",
    "event": "ticket_created",
    "name": "VIP pilnie",
    "conditions": [{"field": "tags", "operator": "contains", "value": "vip"}],
    "operations": [{"type": "set_priority", "value": "high"}],
}


def test_rules_round_trip_and_dry_run(admin_api):
    vocabulary = admin_api.get("/automation/vocabulary").json()
    assert "hours_in_status" in vocabulary["fields"]
    assert "send_email" in vocabulary["operations"]
    created = admin_api.post("/automation/rules", RULE)
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    vip = make_ticket(tags=["vip"])
    plain = make_ticket()
    result = admin_api.get(f"/automation/rules/{rule_id}/dry-run?ticket={vip.pk}").json()
    assert result["matches"] is True
    assert result["operations"] == RULE["operations"]
    assert (
        admin_api.get(f"/automation/rules/{rule_id}/dry-run?ticket={plain.pk}").json()["matches"]
        is False
    )
    replaced = admin_api.put(f"/automation/rules/{rule_id}", {**RULE, "is_active": False})
    assert replaced.json()["is_active"] is False
    assert [rule["name"] for rule in admin_api.get("/automation/rules").json()] == ["VIP pilnie"]
    assert admin_api.delete(f"/automation/rules/{rule_id}").status_code == 204


def test_invalid_rules_are_explained(admin_api):
    body = assert_problem(
        admin_api.post("/automation/rules", {**RULE, "operations": [{"type": "rm_rf"}]}), 422
    )
    assert "operations[0]" in body["errors"]


def test_agents_read_rules_but_only_admins_write(db, admin_api):
    agent_api = ApiClient(make_token(make_agent()))
    assert agent_api.get("/automation/rules").status_code == 200
    assert_problem(agent_api.post("/automation/rules", RULE), 403)


def test_a_macro_over_the_api_returns_a_draft_with_its_gaps(admin_api, admin):
    macro = do_save_macro(
        data=MacroInput(
            name="Dziękujemy",
            reply="Dzień dobry {{ customer.first_name }}, dziękujemy! {{ agent.name }}",
            operations=[{"type": "add_tags", "tags": ["podziękowanie"]}],
        )
    )
    ticket = make_ticket(requester=make_customer(name="Ewa Nowak"))
    assert [m["name"] for m in admin_api.get("/automation/macros").json()] == ["Dziękujemy"]
    draft = admin_api.post(f"/tickets/{ticket.pk}/macros/{macro.pk}").json()
    assert draft == {"text": "Dzień dobry Ewa, dziękujemy! Anna Admin", "missing": []}
    assert set(ticket.tags.values_list("name", flat=True)) == {"podziękowanie"}
    nameless = make_ticket(requester=make_customer(name=" "))
    gap = admin_api.post(f"/tickets/{nameless.pk}/macros/{macro.pk}").json()
    assert gap["missing"] == ["customer.first_name"]
    assert "[?customer.first_name]" in gap["text"]
