"""The admin's settings pages for agents and teams: admins only, through the actions."""

import pytest
from django.test import Client

from okienko.accounts.choices import Role
from okienko.accounts.models import Agent, Team
from okienko.routing.actions import do_set_presence
from okienko.routing.choices import Presence
from okienko.routing.selectors import presence_of
from okienko.testing.factories import make_agent, make_team, make_ticket


@pytest.fixture
def admin(db):
    return make_agent(role=Role.ADMIN, name="Ada Admin")


@pytest.fixture
def admin_client(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/settings/agents/"),
        ("get", "/settings/agents/new/"),
        ("post", "/settings/agents/new/"),
        ("get", "/settings/teams/"),
        ("post", "/settings/teams/"),
    ],
)
def test_settings_are_for_admins_only(agent_client, method, path):
    response = getattr(agent_client, method)(path, {"name": "Nowy zespół"})

    assert response.status_code == 403
    assert Team.objects.filter(name="Nowy zespół").count() == 0


@pytest.mark.django_db
def test_a_supervisor_may_not_change_an_agent(agent, orders_team):
    client = Client()
    client.force_login(make_agent(role=Role.SUPERVISOR))

    response = client.post(
        f"/settings/agents/{agent.pk}/", {"name": "X", "role": "admin", "language": "pl"}
    )

    assert response.status_code == 403
    agent.refresh_from_db()
    assert agent.role == Role.AGENT


@pytest.mark.django_db
def test_an_admin_creates_an_agent_who_can_sign_in(admin_client, orders_team):
    response = admin_client.post(
        "/settings/agents/new/",
        {
            "name": "Marek Zieliński",
            "email": "Marek@Sklep.example",
            "role": "agent",
            "language": "pl",
            "teams": [orders_team.pk],
            "password": "pierwsze-haslo-2026",
        },
    )

    assert response.status_code == 302
    marek = Agent.objects.get(email="marek@sklep.example")
    assert list(marek.teams.all()) == [orders_team]
    signed_in = Client().post(
        "/login/", {"username": "marek@sklep.example", "password": "pierwsze-haslo-2026"}
    )
    assert signed_in.status_code == 302


@pytest.mark.django_db
def test_a_weak_first_password_is_refused(admin_client):
    response = admin_client.post(
        "/settings/agents/new/",
        {
            "name": "Marek",
            "email": "marek@sklep.example",
            "role": "agent",
            "language": "pl",
            "password": "123",
        },
    )

    assert response.status_code == 422
    assert not Agent.objects.filter(email="marek@sklep.example").exists()


@pytest.mark.django_db
def test_an_admin_changes_role_and_teams(admin_client, agent, orders_team, complaints_team):
    response = admin_client.post(
        f"/settings/agents/{agent.pk}/",
        {
            "name": agent.name,
            "role": "supervisor",
            "language": "en",
            "teams": [complaints_team.pk],
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.role, agent.language, list(agent.teams.all())) == (
        "supervisor",
        "en",
        [complaints_team],
    )


@pytest.mark.django_db
def test_deactivating_an_agent_takes_them_offline_and_out_of_sign_in(
    admin_client, agent, orders_team, django_capture_on_commit_callbacks
):
    make_ticket(assignee=agent, team=orders_team)
    do_set_presence(agent=agent, presence=Presence.ONLINE)
    assert presence_of(agent) == Presence.ONLINE

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/settings/agents/{agent.pk}/",
            {"name": agent.name, "role": "agent", "language": "pl", "teams": [orders_team.pk]},
        )

    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.is_active is False
    assert presence_of(agent) == Presence.OFFLINE
    assert agent_client_cannot_sign_in(agent)


def agent_client_cannot_sign_in(agent) -> bool:
    response = Client().post("/login/", {"username": agent.email, "password": "haslo-testowe-123"})
    return response.status_code == 200


@pytest.mark.django_db
def test_an_admin_cannot_demote_or_deactivate_themselves(admin_client, admin):
    response = admin_client.post(
        f"/settings/agents/{admin.pk}/", {"name": admin.name, "role": "agent", "language": "pl"}
    )

    assert response.status_code == 422
    admin.refresh_from_db()
    assert (admin.role, admin.is_active) == (Role.ADMIN, True)


@pytest.mark.django_db
def test_teams_are_created_and_renamed_uniquely(admin_client, orders_team):
    created = admin_client.post("/settings/teams/", {"name": "Reklamacje premium"})
    clash = admin_client.post(f"/settings/teams/{orders_team.pk}/", {"name": "Reklamacje premium"})
    renamed = admin_client.post(f"/settings/teams/{orders_team.pk}/", {"name": "Zamówienia"})

    assert created.status_code == 302
    assert clash.status_code == 422
    assert renamed.status_code == 302
    assert sorted(Team.objects.values_list("name", flat=True)) == [
        "Reklamacje premium",
        "Zamówienia",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 10])
def test_agents_page_queries_do_not_grow_with_agents(
    admin_client, django_assert_max_num_queries, count
):
    team = make_team()
    for _ in range(count):
        make_agent(teams=[team])
    admin_client.get("/settings/agents/")

    # session and admin, presence, agents, their teams, unread notifications
    with django_assert_max_num_queries(6):
        response = admin_client.get("/settings/agents/")

    assert response.status_code == 200
