"""The domain-event bus: publish after commit, never on rollback, handlers isolated."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import transaction

from okienko.core.events import (
    DomainEvent,
    Handler,
    dispatch,
    dispatching_in_batches,
    history_only,
    publish_on_commit,
    subscribe,
    subscribe_batch,
    unsubscribe,
    unsubscribe_batch,
    watching_published,
)


class Rollback(Exception):
    """Raised to roll a transaction back."""


@pytest.fixture
def received():
    """Events named ``test.happened`` or ``test.other`` dispatched while the test runs."""
    events: list[DomainEvent] = []

    def record(event: DomainEvent) -> None:
        events.append(event)

    subscribe("test.happened")(record)
    subscribe("test.other")(record)
    yield events
    unsubscribe("test.happened", record)
    unsubscribe("test.other", record)


@contextmanager
def subscribed(name: str, handler: Handler) -> Iterator[None]:
    subscribe(name)(handler)
    try:
        yield
    finally:
        unsubscribe(name, handler)


def publish_then_roll_back(**payload) -> None:
    with transaction.atomic():
        publish_on_commit("test.happened", **payload)
        raise Rollback


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_event_is_dispatched_only_after_the_transaction_commits(received):
    with transaction.atomic():
        publish_on_commit("test.happened", ticket_id=7)
        before_commit = list(received)

    assert before_commit == []
    assert received == [DomainEvent("test.happened", {"ticket_id": 7})]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_event_is_not_dispatched_when_the_transaction_rolls_back(received):
    with pytest.raises(Rollback):
        publish_then_roll_back(ticket_id=7)

    assert received == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rolled_back_savepoint_drops_only_its_own_events(received):
    with transaction.atomic():
        publish_on_commit("test.happened", step="kept")
        with pytest.raises(Rollback):
            publish_then_roll_back(step="dropped")
        publish_on_commit("test.other", step="also kept")

    assert received == [
        DomainEvent("test.happened", {"step": "kept"}),
        DomainEvent("test.other", {"step": "also kept"}),
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_event_outside_a_transaction_is_dispatched_at_once(received):
    publish_on_commit("test.happened", ticket_id=7)

    assert received == [DomainEvent("test.happened", {"ticket_id": 7})]


@pytest.mark.django_db
def test_captured_on_commit_callbacks_dispatch_the_event(
    received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        publish_on_commit("test.happened", ticket_id=7)
    before = list(received)
    callbacks[0]()

    assert before == []
    assert len(callbacks) == 1
    assert received == [DomainEvent("test.happened", {"ticket_id": 7})]


def test_failing_handler_does_not_stop_the_others(received, caplog):
    def fail(event: DomainEvent) -> None:
        raise RuntimeError("handler broke")

    with subscribed("test.happened", fail), caplog.at_level(logging.ERROR):
        dispatch(DomainEvent("test.happened", {"ticket_id": 7}))

    assert received == [DomainEvent("test.happened", {"ticket_id": 7})]
    assert [record.getMessage() for record in caplog.records] == [
        f"handler {fail!r} failed for event test.happened"
    ]
    assert caplog.records[0].exc_info[0] is RuntimeError


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_failing_handler_after_commit_does_not_stop_the_others(received):
    def fail(event: DomainEvent) -> None:
        raise RuntimeError("handler broke")

    with subscribed("test.happened", fail), transaction.atomic():
        publish_on_commit("test.happened", ticket_id=7)

    assert received == [DomainEvent("test.happened", {"ticket_id": 7})]


def test_wildcard_handler_receives_every_event_after_the_named_ones():
    order: list[str] = []

    def named(event: DomainEvent) -> None:
        order.append(f"named {event.name}")

    def everything(event: DomainEvent) -> None:
        order.append(f"wildcard {event.name}")

    with subscribed("*", everything), subscribed("test.happened", named):
        dispatch(DomainEvent("test.happened"))
        dispatch(DomainEvent("test.unknown"))

    assert order == ["named test.happened", "wildcard test.happened", "wildcard test.unknown"]


def test_subscribing_twice_registers_the_handler_once():
    def count(event: DomainEvent) -> None:
        calls.append(event)

    calls: list[DomainEvent] = []
    subscribe("test.happened")(count)
    with subscribed("test.happened", count):
        dispatch(DomainEvent("test.happened"))
    dispatch(DomainEvent("test.happened"))

    assert calls == [DomainEvent("test.happened")]


def test_unsubscribed_handler_is_not_called(received):
    def count(event: DomainEvent) -> None:
        calls.append(event)

    calls: list[DomainEvent] = []
    subscribe("test.happened")(count)
    unsubscribe("test.happened", count)

    dispatch(DomainEvent("test.happened"))

    assert calls == []
    assert received == [DomainEvent("test.happened")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_history_only_publishes_nothing_and_ends_with_its_block(received):
    with history_only(), transaction.atomic():
        publish_on_commit("test.happened", ticket_id=1)
    with transaction.atomic():
        publish_on_commit("test.happened", ticket_id=2)

    assert received == [DomainEvent("test.happened", {"ticket_id": 2})]


@pytest.fixture
def batches():
    """The lists of events a batch handler of ``test.happened`` and ``test.other`` received."""
    calls: list[list[DomainEvent]] = []

    def record(events: list[DomainEvent]) -> None:
        calls.append(list(events))

    subscribe_batch("test.happened", "test.other")(record)
    yield calls
    unsubscribe_batch("test.happened", record)
    unsubscribe_batch("test.other", record)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_batch_handlers_get_a_blocks_events_together_when_it_ends(received, batches):
    with dispatching_in_batches():
        for number in (1, 2):
            with transaction.atomic():
                publish_on_commit("test.happened", ticket_id=number)
        with pytest.raises(Rollback):
            publish_then_roll_back(ticket_id=3)
        publish_on_commit("test.other", ticket_id=4)
        during = list(batches)

    # Plain handlers are not held back.
    assert len(received) == 3
    assert during == []
    assert batches == [
        [
            DomainEvent("test.happened", {"ticket_id": 1}),
            DomainEvent("test.happened", {"ticket_id": 2}),
            DomainEvent("test.other", {"ticket_id": 4}),
        ]
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outside_a_batch_a_batch_handler_gets_each_event_alone(batches):
    with transaction.atomic():
        publish_on_commit("test.happened", ticket_id=1)
        publish_on_commit("test.other", ticket_id=2)
    with dispatching_in_batches():
        pass
    publish_on_commit("test.happened", ticket_id=3)

    assert batches == [
        [DomainEvent("test.happened", {"ticket_id": 1})],
        [DomainEvent("test.other", {"ticket_id": 2})],
        [DomainEvent("test.happened", {"ticket_id": 3})],
    ]


def test_a_failing_batch_handler_is_logged_and_the_batch_still_ends(batches, caplog):
    def fail(events: list[DomainEvent]) -> None:
        raise RuntimeError("handler broke")

    subscribe_batch("test.happened")(fail)
    try:
        with caplog.at_level(logging.ERROR), dispatching_in_batches():
            dispatch(DomainEvent("test.happened", {"ticket_id": 7}))
    finally:
        unsubscribe_batch("test.happened", fail)

    assert batches == [[DomainEvent("test.happened", {"ticket_id": 7})]]
    assert [record.getMessage() for record in caplog.records] == [
        f"handler {fail!r} failed for events ['test.happened']"
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_watching_sees_the_blocks_events_and_those_its_handlers_publish_after_commit():
    def follow_up(event: DomainEvent) -> None:
        publish_on_commit("test.other", after=event.payload["ticket_id"])

    with subscribed("test.happened", follow_up):
        with watching_published() as published, transaction.atomic():
            publish_on_commit("test.happened", ticket_id=7)
        publish_on_commit("test.happened", ticket_id=8)

    assert published == [
        DomainEvent("test.happened", {"ticket_id": 7}),
        DomainEvent("test.other", {"after": 7}),
    ]


@pytest.mark.django_db
def test_watching_blocks_nest_and_history_only_events_are_not_seen():
    with watching_published() as outer:
        publish_on_commit("test.happened", ticket_id=1)
        with watching_published() as inner:
            publish_on_commit("test.happened", ticket_id=2)
            with history_only():
                publish_on_commit("test.happened", ticket_id=3)

    assert [event.payload["ticket_id"] for event in outer] == [1, 2]
    assert [event.payload["ticket_id"] for event in inner] == [2]
