"""The domain-event bus: actions publish after commit, subscribers react.

Handlers run in the committing thread after the transaction commits; anything slow they do is
handed to a Huey task. A failing handler is logged and does not stop the others (``robust``).
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
_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for events called ``name`` (``"*"`` receives every event)."""

    def register(handler: Handler) -> Handler:
        if handler not in _handlers[name]:
            _handlers[name].append(handler)
        return handler

    return register


def unsubscribe(name: str, handler: Handler) -> None:
    _handlers[name].remove(handler)


def dispatch(event: DomainEvent) -> None:
    for handler in [*_handlers[event.name], *_handlers["*"]]:
        try:
            handler(event)
        except Exception:
            logger.exception("handler %r failed for event %s", handler, event.name)


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


def publish_on_commit(name: str, **payload: Any) -> None:
    """Publish ``name`` once the surrounding transaction commits (at once outside one)."""
    if _history_only.get():
        return
    event = DomainEvent(name, payload)
    # Handlers run in the context the event was published in, whenever the commit comes: a
    # chain of automation rules stays one chain even when an outer transaction holds the events.
    context = contextvars.copy_context()
    transaction.on_commit(lambda: context.run(dispatch, event))
