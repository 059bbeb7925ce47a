"""The macro builder: admins write a macro's reply and its ticket changes as rows, preview the
reply on a real ticket, and the agents' macro panel uses what they saved."""

import pytest

from okienko.automation.actions import MacroInput, do_save_macro
from okienko.automation.models import Macro
from okienko.testing.factories import make_customer, make_ticket
from tests.workspace.conftest import rows

pytestmark = pytest.mark.django_db

REPLY = "Dzień dobry {{ customer.first_name }},\nzwrot do zgłoszenia #{{ ticket.number }} przyjęty."


def submission(operations, **macro) -> dict[str, object]:
    return {
        "name": "Zwrot przyjęty",
        "reply": REPLY,
        "is_active": "on",
        **macro,
        **rows("operations", operations),
    }


def test_only_admins_reach_the_macros(agent_client):
    assert agent_client.get("/settings/macros/").status_code == 403
    assert agent_client.get("/settings/macros/new/").status_code == 403
    assert agent_client.post("/settings/macros/new/", submission([])).status_code == 403
    assert Macro.objects.count() == 0


def test_an_admin_builds_a_macro_from_rows_into_the_registries_json(admin_client, orders_team):
    data = submission(
        [
            {"type": "set_status", "value": "pending"},
            {"type": "add_tags", "tags": "zwrot, obsłużone "},
            {"type": "set_team", "team_id": str(orders_team.pk)},
        ]
    )

    response = admin_client.post("/settings/macros/new/", data)

    macro = Macro.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/settings/macros/{macro.pk}/"
    assert (macro.name, macro.reply, macro.is_active) == ("Zwrot przyjęty", REPLY, True)
    assert macro.operations == [
        {"type": "set_status", "value": "pending"},
        {"type": "add_tags", "tags": ["zwrot", "obsłużone"]},
        {"type": "set_team", "team_id": orders_team.pk},
    ]
    listing = admin_client.get("/settings/macros/").content.decode()
    assert "Zwrot przyjęty" in listing


def test_a_saved_macro_opens_with_its_rows_and_saves_unchanged(admin_client):
    operations = [{"type": "set_priority", "value": "high"}, {"type": "escalate"}]
    macro = do_save_macro(data=MacroInput(name="Pilne", reply=REPLY, operations=operations))

    page = admin_client.get(f"/settings/macros/{macro.pk}/").content.decode()
    assert 'name="operations-TOTAL_FORMS" value="2"' in page
    assert '<option value="high" selected>' in page

    edited = submission(
        operations=[{"type": "set_priority", "value": "high"}, {"type": "escalate"}]
    )
    edited |= {"name": "Pilne!", "is_active": ""}
    assert admin_client.post(f"/settings/macros/{macro.pk}/", edited).status_code == 302
    macro.refresh_from_db()
    assert (macro.name, macro.is_active, macro.operations) == ("Pilne!", False, operations)
    # An inactive macro stays editable by the admin.
    assert admin_client.get(f"/settings/macros/{macro.pk}/").status_code == 200


def test_an_unknown_placeholder_is_refused_on_the_reply_field(admin_client):
    data = submission([], reply="Dzień dobry {{ customer.imie }}")

    response = admin_client.post("/settings/macros/new/", data)

    page = response.content.decode()
    assert response.status_code == 422
    assert "customer.imie" in page
    assert Macro.objects.count() == 0


def test_a_macro_needs_a_reply_or_a_change(admin_client):
    response = admin_client.post("/settings/macros/new/", submission([], reply=""))

    assert response.status_code == 422
    assert Macro.objects.count() == 0


def test_rows_are_added_and_removed_without_saving(admin_client):
    data = submission(
        [{"type": "escalate"}, {"type": "add_tags", "tags": "x", "DELETE": "on"}],
        add="operations",
    )

    page = admin_client.post("/settings/macros/new/?redraw=1", data).content.decode()

    assert 'name="operations-TOTAL_FORMS" value="2"' in page
    assert 'value="x"' not in page
    assert Macro.objects.count() == 0


def test_the_reply_is_previewed_on_a_ticket_with_its_gaps_and_nothing_changes(
    admin_client, orders_team
):
    customer = make_customer(name="Zofia Wójcik", email="z@poczta.example")
    of_team = make_ticket(requester=customer, team=orders_team)
    without_team = make_ticket(requester=customer)
    reply = "Dzień dobry {{ customer.first_name }}, pisze {{ team.name }}."
    data = submission([{"type": "set_status", "value": "solved"}], reply=reply, preview="1")

    filled = admin_client.post("/settings/macros/new/", data | {"ticket": str(of_team.pk)})
    gap = admin_client.post("/settings/macros/new/", data | {"ticket": str(without_team.pk)})
    nowhere = admin_client.post("/settings/macros/new/", data | {"ticket": "999999"})

    assert filled.status_code == 200
    assert "Dzień dobry Zofia, pisze Obsługa zamówień." in filled.content.decode()
    assert "Dzień dobry Zofia, pisze [?team.name]." in gap.content.decode()
    assert nowhere.status_code == 422
    assert Macro.objects.count() == 0
    of_team.refresh_from_db()
    assert of_team.status != "solved"


def test_an_admin_deletes_a_macro(admin_client, agent_client):
    macro = do_save_macro(data=MacroInput(name="Stare", reply="Dziękujemy."))

    assert agent_client.post(f"/settings/macros/{macro.pk}/delete/").status_code == 403
    response = admin_client.post(f"/settings/macros/{macro.pk}/delete/")

    assert response.status_code == 302
    assert not Macro.objects.exists()
    assert admin_client.get(f"/settings/macros/{macro.pk}/").status_code == 404
