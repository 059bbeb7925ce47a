"""Deadlines in the inbox and the SLA panel of the ticket page."""

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from okienko.sla.actions import (
    CalendarInput,
    PolicyInput,
    TargetInput,
    do_save_calendar,
    do_save_policy,
    do_sweep_sla,
)
from okienko.sla.selectors import ticket_sla
from okienko.testing.factories import make_ticket
from okienko.tickets.actions import do_change_status, do_reply
from okienko.workspace.presenters import deadlines, duration, next_deadline

HOUR = timedelta(hours=1)
ALWAYS = {str(day): [["00:00", "00:00"]] for day in range(7)}


@pytest.fixture
def policy(db):
    calendar = do_save_calendar(
        data=CalendarInput(name="Całą dobę", country="", hours=ALWAYS, is_default=True)
    )
    return do_save_policy(
        data=PolicyInput(
            name="Standard",
            calendar=calendar,
            targets=[
                TargetInput("normal", "first_reply", 4 * 60),
                TargetInput("normal", "resolution", 24 * 60, business_hours=False),
            ],
        )
    )


def ago(**kwargs: float) -> datetime.datetime:
    return timezone.now() - timedelta(**kwargs)


def test_durations_read_at_a_glance():
    with translation.override("en"):
        assert duration(40) == "40 s"
        assert duration(25 * 60) == "25 min"
        assert duration(4 * 3600 + 15 * 60) == "4 h 15 min"
        assert duration(4 * 3600) == "4 h"
        assert duration(-(2 * 86400 + 3 * 3600)) == "2 d 3 h"


def test_deadline_states(policy, live, agent):
    # One instant for creating and reading: a slow machine must not shift "3 h 30 min left".
    now = timezone.now()

    def ago(**kwargs: float) -> datetime.datetime:
        return now - timedelta(**kwargs)

    fresh = live(make_ticket, at=ago(minutes=30))
    near = live(make_ticket, at=ago(hours=3, minutes=30))
    over = live(make_ticket, at=ago(hours=5))
    started = ago(hours=3)
    paused = live(make_ticket, at=started)
    live(do_change_status, ticket=paused, status="pending", acting_user=None, at=started + HOUR)
    answered = live(make_ticket, at=started)
    live(
        do_reply,
        ticket=answered,
        text="Odpowiedź",
        acting_user=agent,
        status="solved",
        at=started + 2 * HOUR,
    )
    with translation.override("en"):
        states = {
            ticket.pk: next_deadline(ticket_sla(ticket.pk, now=now), now)
            for ticket in (fresh, near, over, paused)
        }
        assert states[fresh.pk].state == "ok"
        assert states[fresh.pk].summary == "3 h 30 min left"
        assert states[near.pk].state == "near"
        assert states[over.pk].state == "over"
        assert states[over.pk].summary == "1 h overdue"
        assert states[paused.pk].state == "paused"
        assert states[paused.pk].summary.startswith("paused, 3 h left")
        items = deadlines(ticket_sla(answered.pk, now=now), now)
        assert [(item.metric, item.state) for item in items] == [
            ("First reply", "ok"),
            ("Resolution", "ok"),
        ]
        assert items[0].summary.startswith("met, 2 h early")
        assert next_deadline(ticket_sla(answered.pk, now=now), now) is None


def test_breached_after_the_sweep_reads_as_breached(policy, live, agent):
    ticket = live(make_ticket, at=ago(hours=5))
    do_sweep_sla()
    live(do_reply, ticket=ticket, text="Przepraszamy", acting_user=agent)
    now = timezone.now()
    with translation.override("en"):
        first = deadlines(ticket_sla(ticket.pk, now=now), now)[0]
    assert first.state == "over"
    assert first.summary.startswith("breached, 1 h late")


def test_the_inbox_shows_each_tickets_deadline(policy, live, agent_client):
    live(make_ticket, at=ago(hours=5), subject="Spóźnione")
    live(make_ticket, at=ago(minutes=10), subject="Świeże")
    make_ticket(subject="Bez terminu")  # no SLA refresh ran for it
    page = agent_client.get("/inbox/all_open/").content.decode()
    assert page.count('class="sla sla-over"') == 1
    assert page.count('class="sla sla-ok"') == 1
    assert "1 godz. po terminie" in page


def test_the_ticket_page_explains_the_deadline(policy, live, agent_client):
    ticket = live(make_ticket, at=ago(hours=1))
    do_sweep_sla(now=timezone.now() + timedelta(hours=4))
    page = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'id="ticket-sla"' in page
    assert "Standard" in page
    assert "Całą dobę" in page
    assert page.count('class="sla sla-') == 2
    # The sweep's alerts read in the history with the target they concern.
    assert "Przekroczenie SLA: Pierwsza odpowiedź" in page or "SLA breached: First reply" in page


def test_no_policy_is_said_plainly(db, agent_client):
    ticket = make_ticket()
    page = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'id="ticket-sla"' in page


def test_a_breach_the_sweep_raised_shows_as_overdue_whatever_this_servers_clock_says(policy, live):
    ticket = live(make_ticket, priority="normal")
    now = timezone.now()
    do_sweep_sla(now=now + 5 * HOUR)  # a sweep whose clock runs ahead of this server's

    with translation.override("en"):
        first_reply, resolution = deadlines(ticket_sla(ticket.pk, now=now), now)

    assert (first_reply.state, first_reply.summary) == ("over", "overdue")
    assert resolution.state == "ok"  # 5 h of 24: neither warned nor breached
