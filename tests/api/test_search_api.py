import pytest

from okienko.accounts.choices import Role
from okienko.testing.factories import make_agent, make_customer, make_team, make_ticket, make_token
from tests.api.conftest import ApiClient, assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(live, tasks_run_at_once):
    team = make_team(name="Reklamacje")
    return {
        "complaint": live(
            make_ticket,
            subject="Reklamacja butów",
            text="Podeszwa odpadła po tygodniu.",
            team=team,
        ),
        "other": live(make_ticket, subject="Pytanie o buty", text="Czy są w rozmiarze 44?"),
        "customer": live(make_customer, name="Jan Butowski", email="jan@buty.example"),
        "team": team,
    }


def test_search_finds_inflected_words_with_snippets(admin_api, catalogue):
    response = admin_api.get("/search?q=reklamacji%20podeszwy")

    assert response.status_code == 200
    body = response.json()
    ticket = catalogue["complaint"]
    assert body["query"] == "reklamacji podeszwy"
    assert body["corrections"] == {}
    assert body["next_cursor"] is None
    assert body["items"] == [
        {
            "type": "ticket",
            "type_label": "Zgłoszenie",
            "id": ticket.pk,
            "title": f"#{ticket.pk} Reklamacja butów",
            "title_html": f"#{ticket.pk} <mark>Reklamacja</mark> butów",
            "snippet_html": "<mark>Podeszwa</mark> odpadła po tygodniu.",
            "details": {
                "number": ticket.pk,
                "status": "new",
                "priority": "normal",
                "requester": str(ticket.requester),
            },
        }
    ]


def test_type_filter_and_several_types(admin_api, catalogue):
    found = admin_api.get("/search?q=jan@buty.example&type=customer").json()["items"]
    assert [(item["type"], item["id"]) for item in found] == [
        ("customer", catalogue["customer"].pk)
    ]
    both = admin_api.get("/search?q=but&type=ticket&type=customer").json()["items"]
    assert {item["type"] for item in both} == {"ticket", "customer"}


def test_pages_continue_with_the_cursor(admin_api, catalogue):
    first = admin_api.get("/search?q=buty&type=ticket&limit=1").json()
    second = admin_api.get(f"/search?q=buty&type=ticket&limit=1&cursor={first['next_cursor']}")

    ids = [first["items"][0]["id"], second.json()["items"][0]["id"]]
    assert sorted(ids) == sorted([catalogue["complaint"].pk, catalogue["other"].pk])


def test_agent_of_another_team_does_not_find_the_team_ticket(catalogue):
    outsider = make_agent(teams=[make_team(name="Dostawy")])
    api = ApiClient(make_token(outsider))

    found = api.get("/search?q=buty&type=ticket").json()["items"]

    assert [item["id"] for item in found] == [catalogue["other"].pk]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("/search", 422),
        ("/search?q=%20", 422),
        ("/search?q=" + "a" * 201, 422),
        ("/search?q=buty&type=faq", 422),
        ("/search?q=buty&status=lost", 422),
        ("/search?q=buty&limit=0", 422),
        ("/search?q=buty&cursor=nonsense", 422),
    ],
)
def test_bad_requests_are_problems(admin_api, query, status):
    assert_problem(admin_api.get(query), status)


def test_search_needs_authentication(api_client):
    response = api_client.get("/api/v1/search?q=buty")

    assert_problem(response, 401)


def test_supervisor_sees_every_ticket(catalogue):
    api = ApiClient(make_token(make_agent(role=Role.SUPERVISOR)))

    found = api.get("/search?q=buty&type=ticket").json()["items"]

    assert len(found) == 2
