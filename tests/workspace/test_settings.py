"""The admin's settings pages for agents and teams: admins only, through the actions."""

import pytest
from django.core import mail
from django.test import Client

from okienko.accounts.choices import Role
from okienko.accounts.models import Agent, Team
from okienko.routing.actions import do_set_presence
from okienko.routing.choices import Presence
from okienko.routing.selectors import presence_of
from okienko.testing.factories import make_agent, make_team, make_ticket
from tests.accounts.invitations import token_from_invitation


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
            "access": "set_now",
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
@pytest.mark.parametrize(
    ("password", "error"),
    [("123", "To hasło jest za krótkie."), ("", "Wpisz pierwsze hasło albo wyślij zaproszenie.")],
)
def test_a_first_password_set_now_must_be_given_and_strong(admin_client, password, error):
    response = admin_client.post(
        "/settings/agents/new/",
        {
            "name": "Marek",
            "email": "marek@sklep.example",
            "role": "agent",
            "language": "pl",
            "access": "set_now",
            "password": password,
        },
    )

    assert response.status_code == 422
    assert error in response.content.decode()
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


def new_agent_by_invitation(admin_client, capture, **fields):
    with capture(execute=True):
        return admin_client.post(
            "/settings/agents/new/",
            {
                "name": "Marek Zieliński",
                "email": "marek@sklep.example",
                "role": "agent",
                "language": "pl",
                "access": "invite",
                **fields,
            },
        )


@pytest.mark.django_db
@pytest.mark.usefixtures("tasks_run_at_once", "own_rate_limits")
def test_an_invited_agent_sets_a_password_from_the_e_mail_and_is_signed_in(
    admin_client, django_capture_on_commit_callbacks
):
    response = new_agent_by_invitation(admin_client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    marek = Agent.objects.get(email="marek@sklep.example")
    assert not marek.has_usable_password()
    assert mail.outbox[-1].subject == "Zaproszenie do Okienka"
    link = f"/invitation/{token_from_invitation()}/"
    browser = Client()
    opened = browser.get(link)
    assert opened.status_code == 200
    assert opened["Referrer-Policy"] == "same-origin"
    assert "Witamy, Marek Zieliński!" in opened.content.decode()

    mismatched = browser.post(
        link, {"new_password1": "moje-haslo-2026", "new_password2": "moje-haslo-2027"}
    )
    accepted = browser.post(
        link, {"new_password1": "moje-haslo-2026", "new_password2": "moje-haslo-2026"}
    )

    assert mismatched.status_code == 422
    assert (accepted.status_code, accepted["Location"]) == (302, "/inbox/")
    assert browser.get("/inbox/").status_code == 200
    assert Client().get(link).status_code == 404
    assert Client().login(username="marek@sklep.example", password="moje-haslo-2026")


@pytest.mark.django_db
@pytest.mark.usefixtures("tasks_run_at_once", "own_rate_limits")
def test_an_admin_sends_the_invitation_again_and_the_old_link_stops_working(
    admin_client, django_capture_on_commit_callbacks
):
    new_agent_by_invitation(admin_client, django_capture_on_commit_callbacks)
    marek = Agent.objects.get(email="marek@sklep.example")
    first = token_from_invitation()
    page = admin_client.get(f"/settings/agents/{marek.pk}/").content.decode()
    assert "Wyślij zaproszenie ponownie" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/settings/agents/{marek.pk}/invite/")

    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert Client().get(f"/invitation/{first}/").status_code == 404
    assert Client().get(f"/invitation/{token_from_invitation()}/").status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("tasks_run_at_once", "own_rate_limits")
def test_only_an_admin_invites_and_only_an_agent_without_a_password(
    agent_client, admin_client, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        by_agent = agent_client.post(f"/settings/agents/{agent.pk}/invite/")
        with_password = admin_client.post(f"/settings/agents/{agent.pk}/invite/", follow=True)

    assert by_agent.status_code == 403
    assert with_password.status_code == 200
    assert "Nie wysłano zaproszenia: konto jest nieaktywne albo ma już hasło." in (
        with_password.content.decode()
    )
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.usefixtures("own_rate_limits")
def test_an_unknown_invitation_link_is_not_found(client):
    response = client.get("/invitation/nie-ma-takiego/")

    assert response.status_code == 404
    assert "nieznany, wykorzystany albo wygasł" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("own_rate_limits")
def test_a_client_trying_many_invitation_links_is_stopped(client, settings):
    settings.PORTAL_SIGN_IN_PER_IP = 2
    answers = [client.get(f"/invitation/proba-{number}/").status_code for number in range(3)]

    assert answers == [404, 404, 429]
