import datetime

import pytest
from django.utils import timezone

from okienko.inboxes.actions import RawInbound, do_get_default_inbox, do_record_inbound
from okienko.inboxes.choices import InboundStatus, InboxKind
from okienko.inboxes.models import InboundItem
from okienko.inboxes.tasks import process_inbound, requeue_pending_inbound
from okienko.testing.mail import make_email
from okienko.tickets.models import Ticket


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_recorded_message_is_processed_by_the_queued_task(tasks_run_at_once):
    inbox = do_get_default_inbox(InboxKind.EMAIL)

    [(item, _created)] = do_record_inbound(
        inbox=inbox, entries=[RawInbound(make_email(), "x@poczta.example")]
    )

    item.refresh_from_db()
    assert item.status == InboundStatus.PROCESSED
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_the_task_is_quiet_about_a_missing_or_finished_item():
    inbox = do_get_default_inbox(InboxKind.EMAIL)
    [(item, _created)] = do_record_inbound(
        inbox=inbox, entries=[RawInbound(make_email(), "")], notify=False
    )

    assert process_inbound.call_local([item.pk]) == ["processed"]
    assert process_inbound.call_local([item.pk]) == ["processed"]
    assert process_inbound.call_local([item.pk + 1000]) == []
    assert Ticket.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_messages_recorded_together_are_processed_by_one_task_in_their_order():
    from huey.contrib.djhuey import HUEY

    HUEY.flush()
    inbox = do_get_default_inbox(InboxKind.EMAIL)
    first = make_email(subject="Zamówienie", message_id="<first@poczta.example>")
    reply = make_email(subject="Re: Zamówienie", in_reply_to="<first@poczta.example>")

    recorded = do_record_inbound(
        inbox=inbox, entries=[RawInbound(first, "first"), RawInbound(reply, "reply")]
    )

    assert HUEY.pending_count() == 1
    task = HUEY.dequeue()
    assert task.args == ([item.pk for item, _created in recorded],)
    assert HUEY.execute(task) == ["processed", "processed"]
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().messages.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sweep_requeues_items_whose_task_was_lost(tasks_run_at_once):
    inbox = do_get_default_inbox(InboxKind.EMAIL)
    [(old, _), (fresh, _)] = do_record_inbound(
        inbox=inbox,
        entries=[RawInbound(make_email(), ""), RawInbound(make_email(subject="Nowa"), "")],
        notify=False,
    )
    InboundItem.objects.filter(pk=old.pk).update(
        received_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    requeued = requeue_pending_inbound.call_local()

    assert requeued == 1
    statuses = dict(InboundItem.objects.values_list("pk", "status"))
    assert statuses == {old.pk: InboundStatus.PROCESSED, fresh.pk: InboundStatus.RECEIVED}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reply_whose_task_runs_first_waits_for_the_mail_it_answers():
    # Two fetches, two tasks; a second worker takes the later one first.
    inbox = do_get_default_inbox(InboxKind.EMAIL)
    first = make_email(subject="Zamówienie", message_id="<first@poczta.example>")
    reply = make_email(subject="Re: Zamówienie", in_reply_to="<first@poczta.example>")
    [(original, _)] = do_record_inbound(inbox=inbox, entries=[RawInbound(first, "first")])
    [(answer, _)] = do_record_inbound(inbox=inbox, entries=[RawInbound(reply, "reply")])

    assert process_inbound.call_local([answer.pk]) == ["processed"]

    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().messages.count() == 2
    assert process_inbound.call_local([original.pk]) == ["processed"]
    assert Ticket.objects.get().messages.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_mail_waiting_longer_than_its_task_should_is_left_to_the_sweep():
    inbox = do_get_default_inbox(InboxKind.EMAIL)
    [(stuck, _)] = do_record_inbound(
        inbox=inbox, entries=[RawInbound(make_email(subject="Stara"), "old")]
    )
    InboundItem.objects.filter(pk=stuck.pk).update(
        received_at=timezone.now() - datetime.timedelta(minutes=3)
    )
    [(fresh, _)] = do_record_inbound(
        inbox=inbox, entries=[RawInbound(make_email(subject="Nowa"), "new")]
    )

    assert process_inbound.call_local([fresh.pk]) == ["processed"]

    assert InboundItem.objects.get(pk=stuck.pk).status == InboundStatus.RECEIVED
