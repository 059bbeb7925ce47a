import pytest

from okienko.accounts.actions import do_revoke_api_token
from okienko.accounts.models import ApiToken
from okienko.testing.factories import make_agent, make_team, make_token
from tests.api.conftest import ApiClient, assert_problem


@pytest.mark.django_db
def test_agents_and_teams_are_readable(admin_api, admin):
    colleague = make_agent(name="Piotr Zieliński")
    team = make_team(name="Reklamacje i zwroty", members=[colleague])

    me = admin_api.get("/agents/me").json()
    agents = admin_api.get("/agents").json()
    teams = admin_api.get("/teams").json()

    assert (me["id"], me["role"]) == (admin.pk, "admin")
    assert sorted(a["name"] for a in agents) == ["Anna Admin", "Piotr Zieliński"]
    assert admin_api.get(f"/agents/{colleague.pk}").json()["teams"] == [
        {"id": team.pk, "name": "Reklamacje i zwroty"}
    ]
    assert teams == [
        {
            "id": team.pk,
            "name": "Reklamacje i zwroty",
            "members": [{"id": colleague.pk, "name": "Piotr Zieliński"}],
        }
    ]
    assert admin_api.get(f"/teams/{team.pk}").json()["name"] == "Reklamacje i zwroty"
    assert_problem(admin_api.get("/agents/999999"), 404)
    assert_problem(admin_api.get("/teams/999999"), 404)


@pytest.mark.django_db
def test_revoked_token_and_deactivated_agent_are_refused(db):
    agent = make_agent()
    api = ApiClient(make_token(agent))
    assert api.get("/agents/me").status_code == 200

    do_revoke_api_token(token=ApiToken.objects.get(agent=agent), acting_user=None)

    assert_problem(api.get("/agents/me"), 401)
    other = make_agent()
    other_api = ApiClient(make_token(other))
    other.is_active = False
    other.save(update_fields=["is_active"])
    assert_problem(other_api.get("/agents/me"), 401)


@pytest.mark.django_db
def test_openapi_document_lists_the_endpoints(api_client):
    schema = api_client.get("/api/v1/openapi.json").json()

    assert schema["info"]["title"] == "Okienko API"
    for path in [
        "/api/v1/tickets",
        "/api/v1/tickets/{ticket_id}/messages",
        "/api/v1/customers",
        "/api/v1/organisations",
        "/api/v1/teams",
        "/api/v1/agents",
    ]:
        assert path in schema["paths"]
