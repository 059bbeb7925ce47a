"""Notifications to agents: who is told of what, in the workspace and by e-mail, as they chose."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone, translation

from okienko.accounts.choices import Role
from okienko.automation.actions import RuleInput, do_save_rule
from okienko.core.errors import InvalidInput
from okienko.core.events import dispatching_in_batches
from okienko.notifications.actions import (
    NotificationInput,
    do_mark_read,
    do_notify,
    do_purge_read_notifications,
    do_save_preferences,
    do_send_notification_email,
)
from okienko.notifications.choices import NotificationKind
from okienko.notifications.models import Notification
from okienko.notifications.selectors import (
    describe,
    mentioned_agents,
    preferences_of,
    unread_count,
)
from okienko.sla.actions import do_sweep_sla
from okienko.testing.factories import (
    make_agent,
    make_customer,
    make_round_the_clock_policy,
    make_team,
    make_ticket,
)
from okienko.tickets.actions import do_add_customer_message, do_add_note, do_assign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_at_once")]


@pytest.fixture
def team(db):
    return make_team(name="Obsługa zamówień")


@pytest.fixture
def ola(team):
    return make_agent(name="Ola Nowicka", teams=[team])


@pytest.fixture
def jan(team):
    return make_agent(name="Jan Kowal", teams=[team])


@pytest.fixture
def ticket(team):
    customer = make_customer(name="Zofia Wójcik", email="zofia@poczta.example")
    return make_ticket(requester=customer, subject="Paczka nie dotarła", team=team)


def notifications_of(agent) -> list[tuple[str, int | None, bool]]:
    """(kind, ticket id, unread) of each notification of the agent, oldest first."""
    return [
        (notification.kind, notification.ticket_id, notification.read_at is None)
        for notification in Notification.objects.filter(agent=agent).order_by("id")
    ]


def handle(agent) -> str:
    return "@" + agent.email.split("@")[0]


def test_an_agent_assigned_a_ticket_is_told_in_the_workspace_and_by_email(live, ticket, ola, jan):
    live(do_assign, ticket=ticket, assignee=ola, acting_user=jan)

    assert notifications_of(ola) == [(NotificationKind.ASSIGNED, ticket.pk, True)]
    assert unread_count(ola) == 1
    [email] = mail.outbox
    assert email.to == [ola.email]
    assert email.subject == f"[Okienko] Jan Kowal przypisał(a) Ci #{ticket.pk} Paczka nie dotarła"
    assert f"http://127.0.0.1:8000/tickets/{ticket.pk}/" in email.body
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"


def test_nobody_is_told_about_what_they_did_themselves(live, ticket, ola):
    live(do_assign, ticket=ticket, assignee=ola, acting_user=ola)

    assert notifications_of(ola) == []
    assert mail.outbox == []


def test_an_automatic_assignment_names_no_actor(live, ticket, ola):
    live(do_assign, ticket=ticket, assignee=ola, acting_user=None, rule="Round robin")

    [notification] = Notification.objects.filter(agent=ola)
    with translation.override("en"):
        assert describe(notification) == f"#{ticket.pk} Paczka nie dotarła was assigned to you"
    with translation.override("pl"):
        assert describe(notification) == f"Przypisano Ci #{ticket.pk} Paczka nie dotarła"


def test_a_customer_reply_tells_the_assignee_in_the_workspace_only_by_default(live, ticket, ola):
    do_assign(ticket=ticket, assignee=ola, acting_user=None)
    Notification.objects.all().delete()

    live(do_add_customer_message, ticket=ticket, text="Czy są już jakieś wieści?")

    assert notifications_of(ola) == [(NotificationKind.CUSTOMER_REPLIED, ticket.pk, True)]
    assert mail.outbox == []


def test_replies_handled_in_one_batch_each_tell_their_ticket_assignee(live, ticket, ola, jan, team):
    other = make_ticket(team=team)
    unassigned = make_ticket(team=team)
    do_assign(ticket=ticket, assignee=ola, acting_user=None)
    do_assign(ticket=other, assignee=jan, acting_user=None)
    Notification.objects.all().delete()

    def reply_to_each():
        for replied in (ticket, other, unassigned, ticket):
            do_add_customer_message(ticket=replied, text="Czy są już jakieś wieści?")

    # As the inbound pipeline does: the batch's events reach the subscribers together.
    with dispatching_in_batches():
        live(reply_to_each)

    replied = (NotificationKind.CUSTOMER_REPLIED, ticket.pk, True)
    assert notifications_of(ola) == [replied, replied]
    assert notifications_of(jan) == [(NotificationKind.CUSTOMER_REPLIED, other.pk, True)]
    assert Notification.objects.count() == 3


def test_a_customer_reply_on_an_unassigned_ticket_tells_nobody(live, ticket, ola):
    live(do_add_customer_message, ticket=ticket, text="Halo?")

    assert Notification.objects.count() == 0


def test_a_mention_in_a_note_tells_the_mentioned_colleague_who_may_see_the_ticket(
    live, ticket, ola, jan
):
    outsider = make_agent(name="Ewa Obca", teams=[make_team(name="Reklamacje")])
    text = f"{handle(jan)} możesz zadzwonić do kuriera? {handle(outsider)} do wiadomości."

    live(do_add_note, ticket=ticket, text=text, acting_user=ola)

    assert notifications_of(jan) == [(NotificationKind.MENTIONED, ticket.pk, True)]
    assert notifications_of(outsider) == []
    [notification] = Notification.objects.filter(agent=jan)
    assert notification.actor == ola
    with translation.override("en"):
        assert describe(notification).startswith(f"Ola Nowicka mentioned you on #{ticket.pk}")


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("{jan} proszę o pomoc", ["jan"]),
        ("Proszę {jan}.", ["jan"]),
        ("napisz na {jan_email}", []),  # an e-mail address is not a mention
        ("{JAN} wielkimi literami", ["jan"]),
        ("@nikt-taki nie istnieje", []),
    ],
)
def test_mentions_are_agent_handles(ticket, jan, text, mentions):
    jan_handle = handle(jan)
    written = text.format(jan=jan_handle, JAN=jan_handle.upper(), jan_email=jan.email)

    expected = [jan.pk] if mentions else []
    assert mentioned_agents(written, ticket.pk) == expected


def test_an_sla_breach_tells_the_assignee_or_for_an_unassigned_ticket_the_team_supervisor(
    live, team, ola
):
    supervisor = make_agent(role=Role.SUPERVISOR, name="Szefowa Zmiany", teams=[team])
    make_agent(role=Role.SUPERVISOR, name="Inny Szef", teams=[make_team(name="Inny")])
    make_round_the_clock_policy(first_reply_minutes=60)
    assigned = live(make_ticket, team=team, assignee=ola)
    unassigned = live(make_ticket, team=team)

    live(do_sweep_sla, now=timezone.now() + datetime.timedelta(minutes=50))
    live(do_sweep_sla, now=timezone.now() + datetime.timedelta(minutes=61))

    assert notifications_of(ola) == [
        (NotificationKind.SLA_WARNING, assigned.pk, True),
        (NotificationKind.SLA_BREACHED, assigned.pk, True),
    ]
    assert notifications_of(supervisor) == [
        (NotificationKind.SLA_WARNING, unassigned.pk, True),
        (NotificationKind.SLA_BREACHED, unassigned.pk, True),
    ]
    assert Notification.objects.count() == 4
    breach = Notification.objects.get(agent=ola, kind=NotificationKind.SLA_BREACHED)
    with translation.override("en"):
        assert describe(breach) == (
            f"SLA breached on #{assigned.pk} {assigned.subject}: First reply is overdue"
        )
    # Breaches are e-mailed by default, warnings are not: one e-mail each.
    assert sorted(email.to[0] for email in mail.outbox) == sorted([ola.email, supervisor.email])


def test_without_any_supervisor_of_the_team_every_supervisor_and_admin_answers(live, ola):
    admin = make_agent(role=Role.ADMIN, name="Admin")
    supervisor = make_agent(role=Role.SUPERVISOR, name="Kierownik")
    make_round_the_clock_policy(first_reply_minutes=10)
    ticket = live(make_ticket)

    live(do_sweep_sla, now=timezone.now() + datetime.timedelta(minutes=11))

    kinds = {NotificationKind.SLA_WARNING, NotificationKind.SLA_BREACHED}
    for agent in (admin, supervisor):
        assert {kind for kind, _, _ in notifications_of(agent)} == kinds
    assert notifications_of(ola) == []
    assert Notification.objects.filter(ticket=ticket).count() == 4


def test_preferences_choose_the_ways_per_kind(live, ticket, ola, jan):
    assert {p.kind: (p.in_app, p.email) for p in preferences_of(ola)}[
        NotificationKind.CUSTOMER_REPLIED
    ] == (True, False)
    do_save_preferences(ola, {NotificationKind.ASSIGNED: (False, True)})

    live(do_assign, ticket=ticket, assignee=ola, acting_user=jan)

    # By e-mail only: recorded (for the e-mail) but never unread in the workspace.
    assert notifications_of(ola) == [(NotificationKind.ASSIGNED, ticket.pk, False)]
    assert unread_count(ola) == 0
    assert len(mail.outbox) == 1

    do_save_preferences(ola, {NotificationKind.ASSIGNED: (False, False)})
    live(do_assign, ticket=ticket, assignee=jan, acting_user=ola)
    live(do_assign, ticket=ticket, assignee=ola, acting_user=jan)
    assert len(notifications_of(ola)) == 1


def test_unknown_kinds_are_refused(ola):
    with pytest.raises(InvalidInput):
        do_save_preferences(ola, {"everything": (True, True)})
    with pytest.raises(InvalidInput):
        do_notify([NotificationInput(ola.pk, "everything")])


def test_deactivated_agents_are_not_told(ticket, ola):
    ola.is_active = False
    ola.save()

    assert do_notify([NotificationInput(ola.pk, NotificationKind.RULE, detail="x")]) == []


def test_an_email_is_sent_once_even_when_the_task_is_retried(ticket, ola):
    [notification] = do_notify(
        [NotificationInput(ola.pk, NotificationKind.RULE, ticket_id=ticket.pk, detail="Pilne")]
    )

    assert do_send_notification_email(ola.pk, [notification.pk]) is True
    assert do_send_notification_email(ola.pk, [notification.pk]) is False
    assert len(mail.outbox) == 1


def test_several_notifications_go_in_one_email_in_the_agents_language(ticket, team):
    anna = make_agent(name="Anna English", teams=[team], language="en")
    created = do_notify(
        [
            NotificationInput(anna.pk, NotificationKind.SLA_BREACHED, ticket.pk, detail=metric)
            for metric in ("first_reply", "resolution")
        ]
    )

    do_send_notification_email(anna.pk, [n.pk for n in created])

    [email] = mail.outbox
    assert email.subject == "[Okienko] 2 new notifications"
    assert "First reply is overdue" in email.body
    assert "Resolution is overdue" in email.body


def test_marking_read(ticket, ola):
    created = do_notify(
        [NotificationInput(ola.pk, NotificationKind.RULE, ticket.pk, detail=str(n)) for n in "abc"]
    )

    assert do_mark_read(ola, [created[0].pk]) == 1
    assert unread_count(ola) == 2
    assert do_mark_read(ola) == 2
    assert unread_count(ola) == 0


def test_read_notifications_are_purged_after_a_while_unread_ones_stay(ticket, ola):
    old_read, old_unread, fresh_read = do_notify(
        [NotificationInput(ola.pk, NotificationKind.RULE, ticket.pk, detail=n) for n in "abc"]
    )
    long_ago = timezone.now() - datetime.timedelta(days=91)
    Notification.objects.filter(pk=old_read.pk).update(read_at=long_ago)
    Notification.objects.filter(pk=old_unread.pk).update(created_at=long_ago)
    do_mark_read(ola, [fresh_read.pk])

    assert do_purge_read_notifications() == 1
    assert set(Notification.objects.values_list("pk", flat=True)) == {
        old_unread.pk,
        fresh_read.pk,
    }


def test_a_rule_notifies_the_team_supervisors_with_its_rendered_text(live, team, ola):
    supervisor = make_agent(role=Role.SUPERVISOR, name="Szefowa", teams=[team])
    do_save_rule(
        data=RuleInput(
            kind="trigger",
            name="Pilne zgłoszenie",
            event="ticket_created",
            conditions=[{"field": "priority", "operator": "is", "value": "urgent"}],
            operations=[
                {
                    "type": "notify",
                    "to": "supervisors",
                    "text": "Pilne od {{ customer.name }}: #{{ ticket.number }}",
                }
            ],
        )
    )
    customer = make_customer(name="Zofia Wójcik")

    ticket = live(make_ticket, requester=customer, team=team, priority="urgent")

    [notification] = Notification.objects.filter(agent=supervisor)
    assert notification.kind == NotificationKind.RULE
    assert describe(notification) == (
        f"#{ticket.pk} {ticket.subject}: Pilne zgłoszenie: Pilne od Zofia Wójcik: #{ticket.pk}"
    )
    assert notifications_of(ola) == []


@pytest.mark.parametrize(
    "operation",
    [
        {"type": "notify", "to": "everyone", "text": "x"},
        {"type": "notify", "to": "agent", "text": "x"},
        {"type": "notify", "to": "team", "text": ""},
        {"type": "notify", "to": "team", "text": "{{ nieznane }}"},
    ],
)
def test_a_notify_operation_is_checked_when_the_rule_is_saved(operation):
    with pytest.raises(InvalidInput):
        do_save_rule(
            data=RuleInput(
                kind="trigger", name="Zła", event="ticket_created", operations=[operation]
            )
        )


def test_demo_history_notifies_nobody(ticket, ola, jan, django_capture_on_commit_callbacks):
    from okienko.core.events import history_only

    with django_capture_on_commit_callbacks(execute=True), history_only():
        do_assign(ticket=ticket, assignee=ola, acting_user=jan)

    assert Notification.objects.count() == 0


def test_many_unassigned_alerts_reach_a_supervisor_as_one_digest(live, team, ola, client):
    supervisor = make_agent(role=Role.SUPERVISOR, name="Szefowa", teams=[team])
    make_round_the_clock_policy(first_reply_minutes=30)
    mine = live(make_ticket, team=team, assignee=ola)
    unassigned = [live(make_ticket, team=team) for _ in range(5)]

    live(do_sweep_sla, now=timezone.now() + datetime.timedelta(minutes=31))

    breaches = Notification.objects.filter(kind=NotificationKind.SLA_BREACHED)
    [digest] = breaches.filter(agent=supervisor)
    assert (digest.ticket, digest.detail) == (None, str(len(unassigned)))
    with translation.override("en"):
        assert describe(digest) == "SLA breached on 5 unassigned tickets"
    with translation.override("pl"):
        assert describe(digest) == "Przekroczono SLA w 5 nieprzypisanych zgłoszeniach"
    assert [n.ticket for n in breaches.filter(agent=ola)] == [mine]

    client.force_login(supervisor)
    response = client.get(f"/notifications/{digest.pk}/")
    assert response["Location"] == "/inbox/unassigned/?sort=due"
