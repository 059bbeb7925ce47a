"""Automatic assignment, presence, rebalancing and escalation."""

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone

from okienko.accounts.choices import Role
from okienko.core.errors import Conflict
from okienko.core.events import DomainEvent
from okienko.routing.actions import (
    do_escalate_ticket,
    do_mark_idle_agents,
    do_record_activity,
    do_route_ticket,
    do_set_presence,
)
from okienko.routing.choices import Presence, SkillKind, Strategy
from okienko.routing.models import AgentRouting, Skill, TeamRouting
from okienko.routing.selectors import presence_of
from okienko.routing.tasks import route_after_ticket_change
from okienko.sla.actions import (
    do_sweep_sla,
)
from okienko.testing.factories import (
    make_agent,
    make_customer,
    make_round_the_clock_policy,
    make_team,
    make_ticket,
)
from okienko.tickets.actions import do_assign
from okienko.tickets.choices import EventKind
from okienko.tickets.models import Ticket, TicketEvent


@pytest.fixture
def agents(db):
    return [make_agent(name=name) for name in ("Anna", "Bartek", "Celina")]


@pytest.fixture
def team(agents):
    team = make_team(name="Zamówienia", members=agents)
    TeamRouting.objects.create(team=team, strategy=Strategy.ROUND_ROBIN)
    return team


def online(*agents, capacity=10):
    for agent in agents:
        do_set_presence(agent=agent, presence=Presence.ONLINE)
        AgentRouting.objects.filter(agent=agent).update(capacity=capacity)


def assignee(ticket: Ticket):
    ticket.refresh_from_db()
    return ticket.assignee


def test_round_robin_takes_turns_among_online_agents(team, agents, live):
    online(agents[0], agents[2])  # Bartek is offline
    tickets = [live(make_ticket, team=team) for _ in range(4)]
    assert [assignee(ticket) for ticket in tickets] == [agents[0], agents[2], agents[0], agents[2]]
    event = TicketEvent.objects.filter(ticket=tickets[0], field="assignee").get()
    assert event.rule == "routing: round_robin"
    assert event.actor_kind == "system"
    assert Ticket.objects.get(pk=tickets[0].pk).status == "open"


def test_least_loaded_weighs_priorities_against_capacity(team, agents, live):
    TeamRouting.objects.filter(team=team).update(strategy=Strategy.LEAST_LOADED)
    online(agents[0], agents[1])
    AgentRouting.objects.filter(agent=agents[1]).update(capacity=20)
    urgent = live(make_ticket, team=team, priority="urgent")
    assert assignee(urgent) == agents[0]  # both empty: the lower id
    # Anna carries 4 of 10, Bartek 0 of 20: Bartek until his share passes hers.
    normal = [live(make_ticket, team=team) for _ in range(3)]
    assert [assignee(ticket) for ticket in normal] == [agents[1]] * 3
    fifth = live(make_ticket, team=team, priority="high")  # shares 0.4 vs 0.15
    assert assignee(fifth) == agents[1]


def test_nobody_with_room_leaves_the_ticket_in_the_queue(team, agents, live):
    online(agents[0], capacity=1)
    first = live(make_ticket, team=team)
    second = live(make_ticket, team=team)
    assert assignee(first) == agents[0]
    assert assignee(second) is None


def test_skills_decide_who_may_take_a_ticket(team, agents, live):
    TeamRouting.objects.filter(team=team).update(skill_kinds=[SkillKind.LANGUAGE])
    english = Skill.objects.create(kind=SkillKind.LANGUAGE, value="en", name="angielski")
    polish = Skill.objects.create(kind=SkillKind.LANGUAGE, value="pl", name="polski")
    online(*agents)
    AgentRouting.objects.get(agent=agents[0]).skills.add(polish)
    AgentRouting.objects.get(agent=agents[1]).skills.add(polish, english)
    john = make_customer(name="John", language="en")
    tickets = [live(make_ticket, team=team, requester=john) for _ in range(2)]
    assert [assignee(ticket) for ticket in tickets] == [agents[1], agents[1]]
    polish_ticket = live(make_ticket, team=team)
    assert assignee(polish_ticket) in {agents[0], agents[1]}


def test_manual_teams_and_assigned_tickets_are_left_alone(team, agents, live):
    TeamRouting.objects.filter(team=team).update(strategy=Strategy.MANUAL)
    online(agents[0])
    ticket = live(make_ticket, team=team)
    assert assignee(ticket) is None
    TeamRouting.objects.filter(team=team).update(strategy=Strategy.ROUND_ROBIN)
    mine = live(make_ticket, team=team, assignee=agents[2])
    assert do_route_ticket(mine.pk) is None
    assert assignee(mine) == agents[2]


def test_a_new_ticket_routing_would_pass_over_is_not_read_back(
    team, agents, django_assert_num_queries
):
    online(agents[0])
    for payload in (
        {"team_id": None, "assignee_id": None, "status": "new"},
        {"team_id": team.pk, "assignee_id": agents[0].pk, "status": "open"},
    ):
        with django_assert_num_queries(0):
            route_after_ticket_change(DomainEvent("ticket.created", {"ticket_id": 1, **payload}))


def test_coming_online_takes_the_waiting_tickets(team, agents, live):
    waiting = [live(make_ticket, team=team) for _ in range(3)]
    assert all(assignee(ticket) is None for ticket in waiting)
    live(do_set_presence, agent=agents[1], presence=Presence.ONLINE)
    assert [assignee(ticket) for ticket in waiting] == [agents[1]] * 3


def test_going_offline_hands_open_tickets_to_online_colleagues(team, agents, live):
    online(agents[0])
    tickets = [live(make_ticket, team=team) for _ in range(2)]
    online(agents[1])
    live(do_set_presence, agent=agents[0], presence=Presence.OFFLINE)
    assert [assignee(ticket) for ticket in tickets] == [agents[1], agents[1]]
    assert Ticket.objects.get(pk=tickets[0].pk).transfer_count == 0  # unassigned, then routed
    reasons = TicketEvent.objects.filter(ticket=tickets[0], field="assignee").values_list(
        "rule", flat=True
    )
    assert "routing: agent offline" in reasons


def test_teams_that_do_not_rebalance_keep_an_offline_agents_tickets(team, agents, live):
    TeamRouting.objects.filter(team=team).update(rebalance_when_offline=False)
    online(agents[0])
    ticket = live(make_ticket, team=team)
    online(agents[1])
    live(do_set_presence, agent=agents[0], presence=Presence.OFFLINE)
    assert assignee(ticket) == agents[0]


def test_inactivity_makes_agents_away_then_offline_and_activity_brings_them_back(agents):
    start = timezone.now()
    do_set_presence(agent=agents[0], presence=Presence.ONLINE, at=start)
    do_set_presence(agent=agents[1], presence=Presence.AWAY, at=start)  # chosen by the agent
    assert do_mark_idle_agents(now=start + timedelta(minutes=10)) == 0
    assert do_mark_idle_agents(now=start + timedelta(minutes=16)) == 1
    assert presence_of(agents[0]) == Presence.AWAY
    do_record_activity(agent=agents[0], at=start + timedelta(minutes=17))
    assert presence_of(agents[0]) == Presence.ONLINE
    do_mark_idle_agents(now=start + timedelta(minutes=40))
    do_mark_idle_agents(now=start + timedelta(minutes=120))
    assert presence_of(agents[0]) == Presence.OFFLINE
    assert presence_of(agents[1]) == Presence.AWAY  # a manual away is not overridden


def test_escalation_goes_to_second_line_then_a_supervisor(team, agents, live):
    second_line = make_team(name="Druga linia")
    TeamRouting.objects.filter(team=team).update(escalation_team=second_line)
    supervisor = make_agent(name="Szefowa", role=Role.SUPERVISOR)
    ticket = live(make_ticket, team=team, assignee=agents[0])
    assert do_escalate_ticket(ticket=ticket, acting_user=agents[0]) == 1
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee, ticket.escalation_level) == (second_line, None, 1)
    assert do_escalate_ticket(ticket=ticket, acting_user=agents[0]) == 2
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.escalation_level, ticket.escalation_count) == (supervisor, 2, 2)
    with pytest.raises(Conflict):
        do_escalate_ticket(ticket=ticket, acting_user=agents[0])
    levels = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ESCALATED).values_list(
        "old_value", "new_value"
    )
    assert list(levels) == [(0, 1), (1, 2)]


def test_an_sla_breach_escalates_when_the_team_wants_it(team, agents, live):
    TeamRouting.objects.filter(team=team).update(strategy=Strategy.MANUAL, escalate_on_breach=True)
    make_agent(name="Szefowa", role=Role.SUPERVISOR)
    make_round_the_clock_policy(first_reply_minutes=60)
    ticket = live(make_ticket, team=team, at=timezone.now() - datetime.timedelta(hours=2))
    live(do_sweep_sla)
    ticket.refresh_from_db()
    assert ticket.escalation_level == 2
    assert ticket.assignee.name == "Szefowa"
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ESCALATED)
    assert event.rule == "escalation: SLA breach"


def test_do_assign_to_someone_else_meanwhile_is_not_overwritten(team, agents):
    online(agents[0])
    ticket = make_ticket(team=team)
    stale = Ticket.objects.get(pk=ticket.pk)
    do_assign(ticket=ticket, assignee=agents[2], acting_user=None)
    assert do_route_ticket(stale.pk) is None
    assert assignee(ticket) == agents[2]


@pytest.fixture
def agent_client(agents, team):
    from django.test import Client

    client = Client()
    client.force_login(agents[0])
    return client


def test_opening_the_workspace_makes_an_agent_online_and_the_bar_shows_it(agent_client, agents):
    page = agent_client.get("/inbox/").content.decode()
    assert presence_of(agents[0]) == Presence.ONLINE
    assert 'class="presence-select presence--online"' in page


def test_the_agent_sets_presence_in_the_bar(agent_client, agents, team, live):
    online(agents[1])
    ticket = live(make_ticket, team=team, assignee=agents[0])
    response = live(
        agent_client.post,
        "/presence/",
        {"presence": "offline", "next": "/inbox/"},
        headers={"HX-Request": "true"},
    )
    assert "presence--offline" in response.content.decode()
    assert presence_of(agents[0]) == Presence.OFFLINE
    assert assignee(ticket) == agents[1]  # handed over on going offline
    response = agent_client.post("/presence/", {"presence": "away", "next": "//evil.example/"})
    assert response["Location"] == "/inbox/"
    assert presence_of(agents[0]) == Presence.AWAY


def test_signing_out_sets_the_agent_offline(agent_client, agents):
    agent_client.get("/inbox/")
    agent_client.post("/logout/")
    assert presence_of(agents[0]) == Presence.OFFLINE


def test_the_escalate_button(agent_client, agents, team, live):
    make_agent(name="Szefowa", role=Role.SUPERVISOR)
    ticket = live(make_ticket, team=team, assignee=agents[0])
    response = agent_client.post(f"/tickets/{ticket.pk}/escalate/", follow=True)
    page = response.content.decode()
    ticket.refresh_from_db()
    assert ticket.escalation_level == 2
    assert "Eskalacja" in page or "Escalated" in page
    again = agent_client.post(f"/tickets/{ticket.pk}/escalate/", follow=True)
    assert ticket.escalation_count == 1
    assert again.status_code == 200


def test_another_teams_ticket_cannot_be_escalated(agent_client, agents):
    other = make_team(name="Inni")
    ticket = make_ticket(team=other)
    assert agent_client.post(f"/tickets/{ticket.pk}/escalate/").status_code == 404
