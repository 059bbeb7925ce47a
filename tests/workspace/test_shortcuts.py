"""What the keyboard shortcuts stand on: the help on every page, and the "assign to me" button
that "a" presses on a ticket page."""

import pytest

from okienko.testing.factories import make_ticket


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/inbox/", "/notifications/", "/tickets/new/"])
def test_every_page_offers_the_shortcuts_help(agent_client, path):
    page = agent_client.get(path).content.decode()

    assert 'id="shortcuts-help"' in page
    assert "workspace/shortcuts.js" in page
    assert 'aria-keyshortcuts="Shift+?"' in page


@pytest.mark.django_db
def test_assign_to_me_is_offered_until_the_ticket_is_mine(agent_client, agent, orders_team):
    ticket = make_ticket(team=orders_team)

    before = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    response = agent_client.post(
        "/inbox/bulk/",
        {
            "ticket": [ticket.pk],
            "operation": "assign",
            "assignee": "me",
            "next": f"/tickets/{ticket.pk}/",
        },
    )
    after = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()

    assert 'id="assign-to-me"' in before
    assert 'aria-keyshortcuts="a"' in before
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    assert 'id="assign-to-me"' not in after
