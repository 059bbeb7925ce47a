"""Bulk changes from the inbox: the summary says what changed and what was refused."""

import pytest
from django.contrib.messages import get_messages

from okienko.testing.factories import make_agent, make_ticket
from okienko.tickets.models import Ticket


def flashes(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_assign_to_me_from_the_inbox(agent_client, agent, orders_team, complaints_team):
    mine = make_ticket(team=orders_team)
    other = make_ticket(team=orders_team)
    hidden = make_ticket(team=complaints_team, assignee=make_agent(teams=[complaints_team]))

    response = agent_client.post(
        "/inbox/bulk/",
        {
            "ticket": [mine.pk, other.pk, hidden.pk],
            "operation": "assign",
            "assignee": "me",
            "next": "/inbox/unassigned/?priority=high",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/inbox/unassigned/?priority=high"
    assert flashes(response) == [
        ("success", f"Zmieniono 2 zgłoszenia: #{mine.pk}, #{other.pk}"),
        ("warning", f"Odmowa dla #{hidden.pk}: Ticket {hidden.pk} not found"),
    ]
    assert set(Ticket.objects.filter(assignee=agent).values_list("pk", flat=True)) == {
        mine.pk,
        other.pk,
    }


@pytest.mark.django_db
def test_unassign_and_set_status_and_priority(agent_client, agent, orders_team):
    ticket = make_ticket(team=orders_team, assignee=agent)

    for data in [
        {"operation": "assign", "assignee": "none"},
        {"operation": "status", "status": "pending"},
        {"operation": "priority", "priority": "urgent"},
    ]:
        agent_client.post("/inbox/bulk/", {"ticket": [ticket.pk], **data})

    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status, ticket.priority) == (None, "pending", "urgent")


@pytest.mark.django_db
def test_unchanged_tickets_are_said_to_be_so(agent_client, orders_team):
    ticket = make_ticket(team=orders_team, priority="high")

    response = agent_client.post(
        "/inbox/bulk/", {"ticket": [ticket.pk], "operation": "priority", "priority": "high"}
    )

    assert flashes(response) == [("info", f"Już były takie, bez zmian: #{ticket.pk}")]


@pytest.mark.django_db
def test_merge_goes_into_the_oldest_ticked_ticket(agent_client, orders_team):
    first, second, third = (make_ticket(team=orders_team) for _ in range(3))

    agent_client.post(
        "/inbox/bulk/", {"ticket": [third.pk, first.pk, second.pk], "operation": "merge"}
    )

    assert list(
        Ticket.objects.filter(merged_into=first).order_by("pk").values_list("pk", flat=True)
    ) == [
        second.pk,
        third.pk,
    ]


@pytest.mark.django_db
def test_nothing_ticked_or_nothing_chosen_changes_nothing(agent_client, orders_team):
    ticket = make_ticket(team=orders_team)

    empty = agent_client.post("/inbox/bulk/", {"operation": "priority", "priority": "low"})
    no_tag = agent_client.post("/inbox/bulk/", {"ticket": [ticket.pk], "operation": "tag"})

    # Messages not shown yet stay in the session: the second response carries both.
    assert flashes(empty) == [("error", "Zaznacz co najmniej jedno zgłoszenie.")]
    assert flashes(no_tag)[-1] == ("error", "Wybierz, co ustawić.")
    assert ticket.events.count() == 1  # created, nothing since


@pytest.mark.django_db
def test_bulk_is_post_only_and_never_leaves_the_site(agent_client, orders_team):
    ticket = make_ticket(team=orders_team)

    assert agent_client.get("/inbox/bulk/").status_code == 405
    response = agent_client.post(
        "/inbox/bulk/",
        {"ticket": [ticket.pk], "operation": "tag", "tag": "x", "next": "//evil.example/"},
    )
    assert response["Location"] == "/inbox/"
