"""The domain-event bus: actions publish after commit, subscribers react.

Handlers run in the committing thread after the transaction commits; anything slow they do is
handed to a Huey task. A failing handler is logged and does not stop the others (``robust``).

A handler whose work is cheaper for many events at once (one query, one realtime send, one
task) subscribes with ``subscribe_batch``: within ``dispatching_in_batches`` (a batch of inbound
mail) it gets the block's events together when the block ends, elsewhere each event alone.
"""

import contextvars
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened in a domain, e.g. ``ticket.created`` with the ticket's id."""

    name: str
    payload: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[DomainEvent], None]
BatchHandler = Callable[[list[DomainEvent]], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)
_batch_handlers: dict[str, list[BatchHandler]] = defaultdict(list)


def subscribe(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for events called ``name`` (``"*"`` receives every event)."""

    def register(handler: Handler) -> Handler:
        if handler not in _handlers[name]:
            _handlers[name].append(handler)
        return handler

    return register


def unsubscribe(name: str, handler: Handler) -> None:
    _handlers[name].remove(handler)


def subscribe_batch(*names: str) -> Callable[[BatchHandler], BatchHandler]:
    """Register a handler taking a list of events for the events called ``names``; the events
    of one batch (of any of these names) reach it in one call, in the order they were
    dispatched."""

    def register(handler: BatchHandler) -> BatchHandler:
        for name in names:
            if handler not in _batch_handlers[name]:
                _batch_handlers[name].append(handler)
        return handler

    return register


def unsubscribe_batch(name: str, handler: BatchHandler) -> None:
    _batch_handlers[name].remove(handler)


@dataclass
class _Batch:
    events: dict[BatchHandler, list[DomainEvent]] = field(default_factory=dict)
    is_open: bool = True


# Set by ``dispatching_in_batches``. Events are dispatched in a copy of the context they were
# published in, so one whose commit comes after the block ended finds it closed.
_batch: ContextVar[_Batch | None] = ContextVar("event_batch", default=None)


@contextmanager
def dispatching_in_batches() -> Iterator[None]:
    """Hand the events dispatched in this block to batch handlers together when it ends, one
    call per handler: a batch of fifty new tickets is announced live with one query and one
    send, its SLA clocks set in one transaction, its search index written by one task."""
    batch = _Batch()
    token = _batch.set(batch)
    try:
        yield
    finally:
        # Also after an error: the events gathered belong to committed changes.
        _batch.reset(token)
        batch.is_open = False
        for handler, events in batch.events.items():
            _run_batch(handler, events)


def dispatch(event: DomainEvent) -> None:
    for handler in [*_handlers[event.name], *_handlers["*"]]:
        try:
            handler(event)
        except Exception:
            logger.exception("handler %r failed for event %s", handler, event.name)
    batch = _batch.get()
    for batch_handler in _batch_handlers[event.name]:
        if batch is not None and batch.is_open:
            batch.events.setdefault(batch_handler, []).append(event)
        else:
            _run_batch(batch_handler, [event])


def _run_batch(handler: BatchHandler, events: list[DomainEvent]) -> None:
    try:
        handler(events)
    except Exception:
        logger.exception(
            "handler %r failed for events %s", handler, sorted({event.name for event in events})
        )


_history_only: ContextVar[bool] = ContextVar("history_only", default=False)


@contextmanager
def history_only() -> Iterator[None]:
    """Write history without live side effects: demo data or an import from another helpdesk
    must not e-mail customers about conversations that ended months ago."""
    token = _history_only.set(True)
    try:
        yield
    finally:
        _history_only.reset(token)


_watchers: ContextVar[tuple[list[DomainEvent], ...]] = ContextVar("event_watchers", default=())


@contextmanager
def watching_published() -> Iterator[list[DomainEvent]]:
    """The events published in this block: by the block itself and by the handlers that its
    commits run (they run in the block's context). Tells whether anything happened after a
    write besides the write's own events, e.g. whether a subscriber changed a new ticket."""
    published: list[DomainEvent] = []
    token = _watchers.set((*_watchers.get(), published))
    try:
        yield published
    finally:
        _watchers.reset(token)


def publish_on_commit(name: str, **payload: Any) -> None:
    """Publish ``name`` once the surrounding transaction commits (at once outside one)."""
    if _history_only.get():
        return
    event = DomainEvent(name, payload)
    for published in _watchers.get():
        published.append(event)
    # Handlers run in the context the event was published in, whenever the commit comes: a
    # chain of automation rules stays one chain even when an outer transaction holds the events.
    context = contextvars.copy_context()
    transaction.on_commit(lambda: context.run(dispatch, event))
