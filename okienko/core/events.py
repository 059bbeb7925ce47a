"""The domain-event bus: actions publish after commit, subscribers react.

Handlers run in the committing thread after the transaction commits; anything slow they do is
handed to a Huey task. A failing handler is logged and does not stop the others (``robust``).
"""

import logging
from collections import defaultdict
from collections.abc import Callable
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


def publish_on_commit(name: str, **payload: Any) -> None:
    """Publish ``name`` once the surrounding transaction commits (at once outside one)."""
    event = DomainEvent(name, payload)
    transaction.on_commit(lambda: dispatch(event))
