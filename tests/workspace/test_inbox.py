"""The inbox: sign-in required, exact counts per view, paging, filters, languages, queries."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from okienko.accounts.choices import Role
from okienko.sla.actions import do_refresh_open_tickets
from okienko.testing.factories import make_agent, make_round_the_clock_policy, make_ticket
from okienko.tickets.actions import do_change_status
from okienko.tickets.choices import Channel, Priority, Status


def ids(tickets) -> list[int]:
    return [ticket.pk for ticket in tickets]


@pytest.fixture
def inbox_data(agent, orders_team, complaints_team):
    """Tickets in every view, and one the agent may not see."""
    colleague = make_agent(teams=[complaints_team])
    tickets = {
        "mine_open": make_ticket(assignee=agent, team=orders_team),
        "mine_pending": make_ticket(assignee=agent, team=orders_team),
        "unassigned_no_team": make_ticket(),
        "unassigned_orders": make_ticket(team=orders_team, priority=Priority.HIGH),
        "hidden_complaints": make_ticket(team=complaints_team, assignee=colleague),
        "mine_solved": make_ticket(assignee=agent, team=orders_team, channel=Channel.PHONE),
    }
    do_change_status(ticket=tickets["mine_pending"], status=Status.PENDING, acting_user=agent)
    do_change_status(ticket=tickets["mine_solved"], status=Status.SOLVED, acting_user=agent)
    return tickets


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/inbox/", "/inbox/unassigned/", "/tickets/new/", "/tickets/1/"])
def test_pages_require_sign_in(path):
    response = Client().get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


@pytest.mark.django_db
def test_root_redirects_to_the_inbox(agent_client):
    response = agent_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/inbox/"


@pytest.mark.django_db
def test_active_agent_signs_in_with_e_mail_and_password():
    agent = make_agent(password="tajne-haslo-123")

    response = Client().post("/login/", {"username": agent.email, "password": "tajne-haslo-123"})

    assert response.status_code == 302
    assert response["Location"] == "/inbox/"


@pytest.mark.django_db
def test_deactivated_agent_cannot_sign_in():
    agent = make_agent(password="tajne-haslo-123")
    agent.is_active = False
    agent.save(update_fields=["is_active"])

    response = Client().post("/login/", {"username": agent.email, "password": "tajne-haslo-123"})

    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session


@pytest.mark.django_db
def test_sign_out_is_a_post(agent_client):
    assert agent_client.get("/logout/").status_code == 405

    response = agent_client.post("/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert agent_client.get("/inbox/").status_code == 302


@pytest.mark.django_db
def test_counts_of_every_view_are_exact(agent_client, inbox_data):
    response = agent_client.get("/inbox/")

    counts = {link.key: link.count for link in response.context["views"]}
    assert counts == {
        "mine": 2,
        "unassigned": 2,
        "my_teams": 3,
        "all_open": 4,
        "pending": 1,
        "solved": 1,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("mine", ["mine_pending", "mine_open"]),
        ("unassigned", ["unassigned_orders", "unassigned_no_team"]),
        ("my_teams", ["unassigned_orders", "mine_pending", "mine_open"]),
        ("all_open", ["unassigned_orders", "unassigned_no_team", "mine_pending", "mine_open"]),
        ("pending", ["mine_pending"]),
        ("solved", ["mine_solved"]),
    ],
)
def test_each_view_lists_its_tickets_newest_first(agent_client, inbox_data, view, expected):
    response = agent_client.get(f"/inbox/{view}/")

    assert ids(response.context["tickets"]) == [inbox_data[name].pk for name in expected]


@pytest.mark.django_db
def test_supervisor_sees_every_team_in_all_open(inbox_data):
    supervisor = make_agent(role=Role.SUPERVISOR)
    client = Client()
    client.force_login(supervisor)

    response = client.get("/inbox/all_open/")

    counts = {link.key: link.count for link in response.context["views"]}
    assert counts == {
        "mine": 0,
        "unassigned": 2,
        "my_teams": 0,
        "all_open": 5,
        "pending": 1,
        "solved": 1,
    }


@pytest.mark.django_db
def test_unknown_view_is_not_found(agent_client):
    assert agent_client.get("/inbox/everything/").status_code == 404


@pytest.mark.django_db
def test_filters_by_priority_channel_and_team(agent_client, inbox_data, orders_team):
    by_priority = agent_client.get("/inbox/all_open/", {"priority": "high"})
    by_channel = agent_client.get("/inbox/solved/", {"channel": "email"})
    by_team = agent_client.get("/inbox/all_open/", {"team": orders_team.pk})

    assert ids(by_priority.context["tickets"]) == [inbox_data["unassigned_orders"].pk]
    assert ids(by_channel.context["tickets"]) == []
    assert ids(by_team.context["tickets"]) == [
        inbox_data["unassigned_orders"].pk,
        inbox_data["mine_pending"].pk,
        inbox_data["mine_open"].pk,
    ]


@pytest.mark.django_db
def test_next_page_continues_after_the_last_ticket(agent_client, agent):
    tickets = [make_ticket(assignee=agent) for _ in range(52)]
    newest_first = [ticket.pk for ticket in reversed(tickets)]

    first = agent_client.get("/inbox/", {"priority": "normal"})
    second = agent_client.get("/inbox/", {"priority": "normal", "before": newest_first[49]})

    assert ids(first.context["tickets"]) == newest_first[:50]
    assert first.context["next_before"] == newest_first[49]
    assert f'href="?priority=normal&amp;before={newest_first[49]}"' in first.content.decode()
    assert ids(second.context["tickets"]) == newest_first[50:]
    assert second.context["next_before"] is None


@pytest.mark.django_db
def test_labels_follow_the_agents_language(inbox_data, orders_team):
    polish = make_agent(language="pl", teams=[orders_team])
    english = make_agent(language="en", teams=[orders_team])
    polish_client, english_client = Client(), Client()
    polish_client.force_login(polish)
    english_client.force_login(english)

    polish_page = polish_client.get("/inbox/all_open/").content.decode()
    english_page = english_client.get("/inbox/all_open/").content.decode()

    assert '<html lang="pl">' in polish_page
    assert "Moje otwarte" in polish_page
    assert "Nieprzypisane" in polish_page
    assert "Następna strona" not in polish_page
    assert "Oczekuje na klienta" in polish_page
    assert '<html lang="en">' in english_page
    assert "My open" in english_page
    assert "Unassigned" in english_page
    assert "Pending (waiting on customer)" in english_page


@pytest.mark.django_db
@pytest.mark.parametrize("ticket_count", [5, 25])
def test_inbox_queries_do_not_grow_with_tickets(
    agent_client, agent, orders_team, django_assert_max_num_queries, ticket_count
):
    for _ in range(ticket_count):
        ticket = make_ticket(assignee=agent, team=orders_team, tags=["zwrot"])
    assert ticket.pk

    agent_client.get("/inbox/")  # the first visit sets the agent online once
    # session and agent, presence, saved views, team ids, counts, one id scan per unsolved
    # status (4), page, tags, SLA clocks, agents to assign to, unread notifications
    with django_assert_max_num_queries(16):
        response = agent_client.get("/inbox/")

    assert len(response.context["tickets"]) == ticket_count


@pytest.fixture
def deadlines(live, agent, orders_team):
    """Open tickets of the agent's team whose first reply falls due an hour after they came in,
    created out of deadline order, and one waiting on the customer (no running deadline)."""
    make_round_the_clock_policy(first_reply_minutes=60)
    now = timezone.now()
    tickets = {
        name: live(make_ticket, team=orders_team, at=now + datetime.timedelta(minutes=minutes))
        for name, minutes in [("in_2_h", 60), ("overdue", -120), ("in_1_h", 0)]
    }
    tickets["waiting"] = live(make_ticket, team=orders_team, at=now)
    live(do_change_status, ticket=tickets["waiting"], status=Status.PENDING, acting_user=agent)
    return tickets


@pytest.mark.django_db
def test_the_inbox_sorts_by_deadline_most_urgent_first(agent_client, deadlines):
    response = agent_client.get("/inbox/my_teams/", {"sort": "due"})

    page = response.content.decode()
    assert ids(response.context["tickets"]) == [
        deadlines[name].pk for name in ["overdue", "in_1_h", "in_2_h", "waiting"]
    ]
    assert '<option value="due" selected>' in page
    assert 'aria-sort="ascending"' in page
    assert "sla sla-over" in page
    assert 'href="?"' in page  # the "No." heading goes back to newest first


@pytest.mark.django_db
def test_sort_links_keep_the_filters_and_the_filters_keep_the_sort(agent_client, deadlines):
    newest = agent_client.get("/inbox/my_teams/", {"priority": "normal"}).content.decode()
    by_deadline = agent_client.get(
        "/inbox/my_teams/", {"priority": "normal", "sort": "due"}
    ).content.decode()

    assert 'href="?priority=normal&amp;sort=due"' in newest
    assert 'aria-sort="descending"' in newest
    assert 'href="?priority=normal"' in by_deadline  # back to newest, same filter
    assert 'href="?sort=due" class="button button--ghost"' in by_deadline  # clear filters only


@pytest.mark.django_db
def test_next_page_in_deadline_order_continues_after_the_last_ticket(agent_client, agent):
    make_round_the_clock_policy(first_reply_minutes=60)
    now = timezone.now()
    tickets = [
        make_ticket(assignee=agent, at=now - datetime.timedelta(minutes=n)) for n in range(52)
    ]
    do_refresh_open_tickets()
    most_urgent_first = [ticket.pk for ticket in reversed(tickets)]

    first = agent_client.get("/inbox/", {"priority": "normal", "sort": "due"})
    token = first.context["next_after"]
    second = agent_client.get("/inbox/", {"priority": "normal", "sort": "due", "after": token})

    assert ids(first.context["tickets"]) == most_urgent_first[:50]
    assert first.context["next_before"] is None
    assert f'href="?priority=normal&amp;sort=due&amp;after={token}"' in first.content.decode()
    assert ids(second.context["tickets"]) == most_urgent_first[50:]
    assert second.context["next_after"] is None
    assert not second.context["is_first_page"]


@pytest.mark.django_db
def test_a_bad_deadline_cursor_shows_the_first_page(agent_client, deadlines):
    response = agent_client.get("/inbox/my_teams/", {"sort": "due", "after": "jutro_7"})

    assert response.status_code == 200
    assert response.context["is_first_page"]
    assert ids(response.context["tickets"])[0] == deadlines["overdue"].pk


@pytest.mark.django_db
def test_sort_labels_follow_the_agents_language(orders_team, deadlines):
    polish = make_agent(language="pl", teams=[orders_team])
    client = Client()
    client.force_login(polish)

    page = client.get("/inbox/my_teams/").content.decode()

    assert "Kolejność" in page
    assert "Najnowsze najpierw" in page
    assert "Termin (najpilniejsze najpierw)" in page


@pytest.mark.django_db
def test_deadline_order_costs_one_query_more_per_status_than_newest_first(
    agent_client, agent, orders_team, deadlines
):
    agent_client.get("/inbox/my_teams/")  # the first visit sets the agent online once

    with CaptureQueriesContext(connection) as newest:
        agent_client.get("/inbox/my_teams/")
    with CaptureQueriesContext(connection) as by_deadline:
        agent_client.get("/inbox/my_teams/", {"sort": "due"})

    # The page is not full of deadlines: the tickets without one are read too, status by status.
    assert len(by_deadline) == len(newest) + 4
