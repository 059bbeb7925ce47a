"""Saved views in the inbox: defined in a form, listed with counts, private or shared."""

import pytest
from django.db import connection
from django.test import Client

from okienko.accounts.choices import Role
from okienko.testing.factories import make_agent, make_ticket
from okienko.tickets.actions import do_save_view
from okienko.tickets.choices import Priority, ViewAudience
from okienko.tickets.models import SavedView


def _client(agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client


@pytest.fixture
def admin(db):
    return make_agent(role=Role.ADMIN)


@pytest.mark.django_db
def test_an_agent_defines_a_view_and_opens_it(agent_client, agent, orders_team):
    urgent = make_ticket(priority=Priority.URGENT, team=orders_team)
    make_ticket(priority=Priority.LOW, team=orders_team)

    response = agent_client.post(
        "/inbox/views/new/",
        {"name": "Pilne", "priorities": ["urgent", "high"], "audience": "everyone"},
    )

    view = SavedView.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/inbox/saved/{view.pk}/"
    # An agent's view is theirs alone, whatever the request says.
    assert (view.owner, view.team) == (agent, None)
    assert view.filters == {"priorities": ["urgent", "high"]}
    page = agent_client.get(response["Location"])
    assert [ticket.pk for ticket in page.context["tickets"]] == [urgent.pk]
    counts = {link.key: link.count for link in page.context["views"]}
    assert counts[f"saved-{view.pk}"] == 1
    assert page.context["can_edit_view"] is True


@pytest.mark.django_db
def test_the_new_view_form_starts_from_the_inbox_filters(agent_client):
    response = agent_client.get("/inbox/views/new/?priority=urgent&channel=phone&q=faktura")

    form = response.context["form"]
    assert form["priorities"].value() == ["urgent"]
    assert form["channels"].value() == ["phone"]
    assert form["text"].value() == "faktura"
    assert "audience" not in form.fields


@pytest.mark.django_db
def test_a_view_without_a_name_is_refused(agent_client):
    response = agent_client.post("/inbox/views/new/", {"name": " "})

    assert response.status_code == 422
    assert SavedView.objects.count() == 0


@pytest.mark.django_db
def test_a_colleagues_view_cannot_be_reached(agent_client):
    colleague = make_agent()
    theirs = do_save_view(
        view=None, name="Moje", filters={}, audience=ViewAudience.PERSONAL, acting_user=colleague
    )

    assert agent_client.get(f"/inbox/saved/{theirs.pk}/").status_code == 404
    assert agent_client.get(f"/inbox/views/{theirs.pk}/").status_code == 404
    assert agent_client.post(f"/inbox/views/{theirs.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
def test_a_shared_view_is_shown_to_agents_but_only_admins_edit_it(agent_client, admin, agent):
    response = _client(admin).post(
        "/inbox/views/new/",
        {"name": "Pilne dla wszystkich", "audience": "everyone", "priorities": ["urgent"]},
    )
    shared = SavedView.objects.get()
    assert response.status_code == 302
    assert shared.owner is None

    page = agent_client.get("/inbox/")
    assert f"saved-{shared.pk}" in [link.key for link in page.context["views"]]
    assert agent_client.get(f"/inbox/saved/{shared.pk}/").context["can_edit_view"] is False
    assert agent_client.get(f"/inbox/views/{shared.pk}/").status_code == 403
    assert agent_client.post(f"/inbox/views/{shared.pk}/delete/").status_code == 403
    assert SavedView.objects.filter(pk=shared.pk).exists()


@pytest.mark.django_db
def test_sharing_with_a_team_needs_the_team(admin):
    response = _client(admin).post("/inbox/views/new/", {"name": "Zespół", "audience": "team"})

    assert response.status_code == 422
    assert SavedView.objects.count() == 0


@pytest.mark.django_db
def test_the_owner_removes_their_view(agent_client, agent):
    view = do_save_view(
        view=None, name="Moje", filters={}, audience=ViewAudience.PERSONAL, acting_user=agent
    )

    response = agent_client.post(f"/inbox/views/{view.pk}/delete/")

    assert response.status_code == 302
    assert SavedView.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("view_count", [1, 6])
def test_saved_views_do_not_add_queries(
    agent_client,
    agent,
    orders_team,
    django_assert_max_num_queries,
    view_count,
    live,
    tasks_run_at_once,
):
    for number in range(view_count):
        do_save_view(
            view=None,
            name=f"Widok {number}",
            filters={"tag": "zwrot", "priorities": ["high"], "text": "zamówienie"},
            audience=ViewAudience.PERSONAL,
            acting_user=agent,
        )
    view = SavedView.objects.first()
    live(
        make_ticket,
        team=orders_team,
        tags=["zwrot"],
        priority=Priority.HIGH,
        subject="Zamówienie 1",
    )
    agent_client.get("/inbox/")  # the first visit sets the agent online once

    # session and agent, presence, saved views, team ids, the tag's id, the texts' words in
    # the search vocabulary and counts, the tag's id, the text's words and one id scan per
    # status (6: "any status" reads each status's index range), page, tags, SLA clocks, agents
    # to assign to, unread notifications; for the counts and for the page also, on PostgreSQL
    # the planner's estimate of the text's matches, on SQLite the number of documents and the
    # text's matches counted up to a limit
    estimates = 2 if connection.vendor == "postgresql" else 4
    with django_assert_max_num_queries(22 + estimates):
        response = agent_client.get(f"/inbox/saved/{view.pk}/")

    assert len(response.context["tickets"]) == 1
