"""Bulk actions: each ticket through the single-ticket actions, with its own event and its own
permission check; a refusal leaves the other tickets changed."""

import pytest

from okienko.core.errors import InvalidInput, NotFound
from okienko.testing.factories import make_agent, make_team, make_ticket
from okienko.tickets.actions import (
    MAX_BULK_TICKETS,
    do_bulk_merge,
    do_bulk_update,
    do_change_status,
)
from okienko.tickets.choices import EventKind, Priority, Status
from okienko.tickets.models import Ticket, TicketEvent


@pytest.fixture
def desk():
    orders = make_team(name="Zamówienia")
    complaints = make_team(name="Reklamacje")
    agent = make_agent(teams=[orders])
    return {
        "agent": agent,
        "mine": make_ticket(team=orders),
        "teamless": make_ticket(priority=Priority.HIGH, tags=["vip"]),
        "hidden": make_ticket(team=complaints),
    }


def events(ticket, field):
    return list(
        TicketEvent.objects.filter(ticket=ticket, field=field).values_list(
            "old_value", "new_value", "actor_agent_id"
        )
    )


@pytest.mark.django_db
def test_priority_for_many_tickets_is_one_event_each_and_refuses_what_the_agent_cannot_see(desk):
    agent = desk["agent"]
    ids = [desk["mine"].pk, desk["teamless"].pk, desk["hidden"].pk]

    outcome = do_bulk_update(ticket_ids=ids, changes={"priority": "high"}, acting_user=agent)

    assert outcome.changed == [desk["mine"].pk]
    assert outcome.unchanged == [desk["teamless"].pk]
    assert outcome.refused == {desk["hidden"].pk: f"Ticket {desk['hidden'].pk} not found"}
    assert events(desk["mine"], "priority") == [("normal", "high", agent.pk)]
    desk["hidden"].refresh_from_db()
    assert desk["hidden"].priority == Priority.NORMAL
    assert events(desk["hidden"], "priority") == []


@pytest.mark.django_db
def test_assigning_opens_new_tickets_through_do_assign(desk):
    agent = desk["agent"]

    outcome = do_bulk_update(
        ticket_ids=[desk["mine"].pk, desk["teamless"].pk],
        changes={"assignee": agent},
        acting_user=agent,
    )

    assert outcome.changed == [desk["mine"].pk, desk["teamless"].pk]
    assert set(
        Ticket.objects.filter(pk__in=outcome.changed).values_list("assignee_id", "status")
    ) == {(agent.pk, Status.OPEN)}


@pytest.mark.django_db
def test_adding_a_tag_keeps_the_tags_each_ticket_has(desk):
    outcome = do_bulk_update(
        ticket_ids=[desk["mine"].pk, desk["teamless"].pk],
        changes={},
        add_tags=["Zwrot"],
        acting_user=desk["agent"],
    )

    assert outcome.changed == [desk["mine"].pk, desk["teamless"].pk]
    assert events(desk["teamless"], "tags") == [(["vip"], ["vip", "zwrot"], desk["agent"].pk)]
    assert events(desk["mine"], "tags") == [([], ["zwrot"], desk["agent"].pk)]


@pytest.mark.django_db
def test_a_refusal_by_the_action_is_reported_with_its_reason(desk):
    agent = desk["agent"]
    do_change_status(ticket=desk["teamless"], status=Status.CLOSED, acting_user=agent)

    outcome = do_bulk_update(
        ticket_ids=[desk["teamless"].pk, desk["mine"].pk],
        changes={"status": Status.PENDING},
        acting_user=agent,
    )

    assert outcome.changed == [desk["mine"].pk]
    assert list(outcome.refused) == [desk["teamless"].pk]
    assert "closed" in outcome.refused[desk["teamless"].pk]


@pytest.mark.django_db
def test_merging_many_into_one(desk):
    agent = desk["agent"]
    third = make_ticket()

    outcome = do_bulk_merge(
        ticket_ids=[desk["mine"].pk, desk["teamless"].pk, third.pk, desk["hidden"].pk],
        target_id=desk["mine"].pk,
        acting_user=agent,
    )

    assert outcome.changed == [desk["teamless"].pk, third.pk]
    assert outcome.unchanged == [desk["mine"].pk]
    assert list(outcome.refused) == [desk["hidden"].pk]
    assert set(Ticket.objects.filter(merged_into=desk["mine"]).values_list("pk", flat=True)) == {
        desk["teamless"].pk,
        third.pk,
    }
    assert TicketEvent.objects.filter(ticket=desk["mine"], kind=EventKind.MERGED_FROM).count() == 2
    assert Ticket.objects.get(pk=desk["hidden"].pk).merged_into_id is None


@pytest.mark.django_db
def test_merging_into_a_ticket_out_of_reach_is_refused_whole(desk):
    with pytest.raises(NotFound):
        do_bulk_merge(
            ticket_ids=[desk["mine"].pk],
            target_id=desk["hidden"].pk,
            acting_user=desk["agent"],
        )

    assert Ticket.objects.filter(merged_into__isnull=False).count() == 0


@pytest.mark.django_db
def test_too_many_tickets_at_once_are_refused(desk):
    with pytest.raises(InvalidInput):
        do_bulk_update(
            ticket_ids=list(range(1, MAX_BULK_TICKETS + 2)),
            changes={"priority": "low"},
            acting_user=desk["agent"],
        )
