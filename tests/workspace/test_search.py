import pytest
from django.test import Client

from okienko.testing.factories import make_agent, make_customer, make_team, make_ticket
from okienko.tickets.actions import do_change_status
from okienko.tickets.choices import Status
from tests.workspace.conftest import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(live, tasks_run_at_once, orders_team, complaints_team):
    return {
        "ours": live(
            make_ticket,
            subject="Zamówienie <b>10241</b> nie dotarło",
            text="Paczka utknęła w sortowni.",
            team=orders_team,
        ),
        "theirs": live(
            make_ticket,
            subject="Reklamacja paczki",
            text="Paczka zgnieciona.",
            team=complaints_team,
        ),
        "customer": live(make_customer, name="Paulina Paczkowska", email="paulina@poczta.example"),
    }


def test_suggestions_show_the_agents_hits_with_marks_and_links(agent_client, catalogue):
    response = agent_client.get("/search/suggestions/?q=paczki", headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    ours = catalogue["ours"]
    assert f'href="/tickets/{ours.pk}/"' in html
    assert "&lt;b&gt;10241&lt;/b&gt;" in html
    assert "<mark>Paczka</mark> utknęła" in html
    assert f'href="/tickets/{catalogue["theirs"].pk}/"' not in html
    assert "/search/?q=paczki" in html


def test_suggestions_find_customers_as_you_type(agent_client, catalogue):
    html = agent_client.get("/search/suggestions/?q=paulina@pocz", headers=HTMX).content.decode()

    assert f'href="/customers/{catalogue["customer"].pk}/"' in html


def test_one_letter_suggests_nothing(agent_client, catalogue):
    response = agent_client.get("/search/suggestions/?q=p", headers=HTMX)

    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_results_page_filters_by_type_and_status(agent_client, agent, live, catalogue):
    ours = catalogue["ours"]
    live(do_change_status, ticket=ours, status=Status.SOLVED, acting_user=agent)

    everything = agent_client.get("/search/?q=paczk").content.decode()
    customers = agent_client.get("/search/?q=paczk&type=customer").content.decode()
    open_tickets = agent_client.get("/search/?q=paczka&type=ticket&status=open").content.decode()
    solved = agent_client.get("/search/?q=paczka&type=ticket&status=solved").content.decode()

    assert f"/tickets/{ours.pk}/" in everything
    assert f"/customers/{catalogue['customer'].pk}/" in everything
    assert f"/tickets/{ours.pk}/" not in customers
    assert f"/customers/{catalogue['customer'].pk}/" in customers
    assert f"/tickets/{ours.pk}/" not in open_tickets
    assert f"/tickets/{ours.pk}/" in solved


def test_results_page_says_what_a_misspelled_word_was_searched_as(agent_client, catalogue):
    html = agent_client.get("/search/?q=sortownii").content.decode()

    assert "<s>sortownii</s> → sortowni" in html
    assert f"/tickets/{catalogue['ours'].pk}/" in html


def test_too_long_query_is_refused(agent_client):
    response = agent_client.get("/search/?q=" + "a" * 201)

    assert response.status_code == 422


def test_supervisor_finds_every_team_ticket(catalogue):
    client = Client()
    client.force_login(make_agent(role="supervisor", teams=[make_team(name="Inny")]))

    html = client.get("/search/?q=paczka&type=ticket").content.decode()

    assert f"/tickets/{catalogue['ours'].pk}/" in html
    assert f"/tickets/{catalogue['theirs'].pk}/" in html


def test_search_needs_a_signed_in_agent(client):
    response = client.get("/search/?q=paczka")

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_results_page_queries_do_not_grow_with_the_hits(agent_client, live, tasks_run_at_once):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_results() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = agent_client.get("/search/?q=kurtka")
        assert response.status_code == 200
        return len(captured)

    live(make_ticket, subject="Kurtka za mała", text="Kurtka nie pasuje.")
    live(make_customer, name="Anna Kurtka")
    queries_for_results()  # the first request of a session also records the agent's presence
    one = queries_for_results()
    for _ in range(5):
        live(make_ticket, subject="Kurtka zimowa", text="Pytanie o kurtkę.")
        live(make_customer, name="Jan Kurtka")

    assert queries_for_results() == one
