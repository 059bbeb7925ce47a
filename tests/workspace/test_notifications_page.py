"""The bell, the notifications page with its settings, and the live refresh of a ticket page."""

import pytest

from okienko.notifications.actions import NotificationInput, do_notify
from okienko.notifications.choices import NotificationKind
from okienko.notifications.models import Notification, NotificationPreference
from okienko.testing.factories import make_agent, make_team, make_ticket
from tests.workspace.conftest import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(orders_team):
    return make_ticket(team=orders_team, subject="Zamówienie 10241 nie dotarło")


def notify(agent, ticket, detail="Pilne"):
    [notification] = do_notify(
        [NotificationInput(agent.pk, NotificationKind.RULE, ticket_id=ticket.pk, detail=detail)]
    )
    return notification


def test_the_bell_shows_the_unread_count(agent_client, agent, ticket):
    page = agent_client.get("/inbox/").content.decode()
    assert 'data-unread="0" hidden' in page

    notify(agent, ticket)
    notify(agent, ticket)

    page = agent_client.get("/inbox/").content.decode()
    assert 'data-unread="2">2</span>' in page


def test_the_page_lists_notifications_and_marks_them_read(agent_client, agent, ticket):
    first = notify(agent, ticket, "Klient VIP czeka")
    notify(agent, ticket, "Druga sprawa")

    page = agent_client.get("/notifications/").content.decode()
    assert f"#{ticket.pk} Zamówienie 10241 nie dotarło: Klient VIP czeka" in page
    assert page.count("notification--unread") == 2

    response = agent_client.get(f"/notifications/{first.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    assert Notification.objects.filter(read_at__isnull=True).count() == 1

    response = agent_client.post("/notifications/read/")
    assert response.status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_another_agents_notification_is_not_found(agent_client, orders_team, ticket):
    colleague = make_agent(name="Jan Kowal", teams=[orders_team])
    theirs = notify(colleague, ticket)

    assert agent_client.get(f"/notifications/{theirs.pk}/").status_code == 404
    agent_client.post("/notifications/read/")
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_settings_are_saved_per_kind(agent_client, agent):
    page = agent_client.get("/notifications/").content.decode()
    assert "Przypisano mi zgłoszenie" in page

    data = {f"{kind}-in_app": "on" for kind in NotificationKind.values}
    data[f"{NotificationKind.SLA_WARNING}-email"] = "on"
    del data[f"{NotificationKind.CUSTOMER_REPLIED}-in_app"]
    response = agent_client.post("/notifications/", data)

    assert response.status_code == 302
    saved = {
        p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(agent=agent)
    }
    assert saved[NotificationKind.SLA_WARNING] == (True, True)
    assert saved[NotificationKind.CUSTOMER_REPLIED] == (False, False)
    assert saved[NotificationKind.ASSIGNED] == (True, False)


def test_the_notifications_page_needs_a_signed_in_agent(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_live_refresh_of_a_ticket_leaves_the_composer_alone(agent_client, ticket):
    response = agent_client.get(f"/tickets/{ticket.pk}/live/", headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    for part in ("thread", "ticket-header", "ticket-properties", "ticket-history", "ticket-sla"):
        assert f'id="{part}"' in body
    assert body.count('hx-swap-oob="true"') == 6
    assert 'id="composer"' not in body


def test_the_live_refresh_is_scoped_like_the_page(agent_client):
    hidden = make_ticket(team=make_team(name="Reklamacje"))

    assert agent_client.get(f"/tickets/{hidden.pk}/live/", headers=HTMX).status_code == 404


def test_a_ticket_page_tells_the_script_what_it_shows(agent_client, ticket):
    page = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()

    assert f'data-ticket-id="{ticket.pk}"' in page
    assert f'data-live-url="/tickets/{ticket.pk}/live/"' in page
    assert 'id="collision"' in page
    assert "workspace/live.js" in page
