"""The document types search knows: each domain app registers its own.

A domain app describes its searchable objects with a ``DocumentType`` subclass and registers an
instance from its ``AppConfig.ready()`` (tickets in ``okienko/tickets/search.py``, customers and
organisations in ``okienko/customers/search.py``). Search never imports the domain apps; a type
tells it everything:

- ``name``/``label``: the ``type`` of the API and the tab in the workspace;
- ``objects()``: every object to index (``okienko search reindex`` walks it in id batches);
- ``texts(ids)``: what to index per object: a title, *public* texts (read by anyone who may see
  the object) and *internal* texts (agents only, e.g. a ticket's internal notes), with the
  language when it is known (otherwise it is detected, ``pl`` or ``en``);
- ``events``: the domain events after which objects must be indexed again, each with a
  function giving the affected ids; search subscribes to them and indexes in a Huey task;
- ``visible(searcher, filters)``: the objects a searcher may find, as a queryset of primary keys,
  or ``None`` when this type is not for them at all. Permission scoping is the domain's own
  selector (``visible_tickets``, the portal's tickets of a customer), so search shows nothing the
  domain would not. ``filters`` are the type's own (``filter_names``), e.g. ``status``;
- ``results(searcher, ids)``: what a hit shows: title, details and the texts its snippet is cut
  from, again only what that searcher may read.

A searcher is an ``Agent``, a portal ``Customer``, or ``None`` for an anonymous visitor of the
public help center. Internal texts match for agents only.

The knowledge base registers its articles the same way: ``texts`` gives the title, the body as
public text and the article's ``language``; ``visible`` returns published public articles for a
customer or visitor and internal ones too for agents, narrowed by the filters ``language`` and
``category``; ``events`` are its ``article.published``/``article.updated``/``article.archived``.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from django.db.models import QuerySet
from django.utils.functional import Promise

from okienko.core.errors import InvalidInput
from okienko.core.events import BatchHandler, DomainEvent, subscribe_batch

if TYPE_CHECKING:
    from okienko.accounts.models import Agent
    from okienko.customers.models import Customer

Searcher: TypeAlias = "Agent | Customer | None"
AffectedIds = Callable[[dict[str, Any]], Sequence[int]]


@dataclass(frozen=True)
class DocumentText:
    """What one object contributes to the index."""

    title: str
    public: Sequence[str] = ()
    internal: Sequence[str] = ()
    # "pl"/"en" when the object knows it; otherwise detected, with this as the hint for texts
    # too short to tell.
    language: str = ""
    language_hint: str = "pl"


@dataclass(frozen=True)
class ResultSource:
    """What a hit shows: a title, details (status, e-mail...) and the texts its snippet is cut
    from, in the order they are tried."""

    title: str
    details: Mapping[str, str | int | None] = field(default_factory=dict)
    texts: Sequence[str] = ()


class DocumentType(ABC):
    """One kind of searchable object, described by the domain app that owns it."""

    name: ClassVar[str]
    label: ClassVar[str | Promise]
    # Filter name -> the values it accepts (empty: any value).
    filter_names: ClassVar[Mapping[str, Sequence[str]]] = {}
    events: ClassVar[Mapping[str, AffectedIds]] = {}

    @abstractmethod
    def objects(self) -> QuerySet[Any]:
        """Every object of this type that belongs in the index."""

    @abstractmethod
    def texts(self, object_ids: Sequence[int]) -> dict[int, DocumentText]:
        """The text of each object; an id missing from the answer is removed from the index."""

    @abstractmethod
    def visible(self, searcher: Searcher, filters: Mapping[str, str]) -> QuerySet[Any] | None:
        """Primary keys of the objects ``searcher`` may find, or None if none ever."""

    @abstractmethod
    def results(self, searcher: Searcher, object_ids: Sequence[int]) -> dict[int, ResultSource]:
        """What each hit shows to ``searcher``; the ids are among those ``visible`` allowed."""

    def check_filters(self, filters: Mapping[str, str]) -> dict[str, str]:
        """The filters this type understands; a value it does not accept is ``InvalidInput``."""
        own = {}
        for name, value in filters.items():
            if name not in self.filter_names or not value:
                continue
            accepted = self.filter_names[name]
            if accepted and value not in accepted:
                raise InvalidInput(
                    f"Unknown {name} {value!r}", errors={name: [f"one of {', '.join(accepted)}"]}
                )
            own[name] = value
        return own


_types: dict[str, DocumentType] = {}


def register(document_type: DocumentType) -> None:
    """Make ``document_type`` searchable: after each of its events the affected objects are
    indexed again, in a background task."""
    if document_type.name in _types:
        return
    _types[document_type.name] = document_type
    if document_type.events:
        subscribe_batch(*document_type.events)(_indexer(document_type))


def _indexer(document_type: DocumentType) -> BatchHandler:
    # One handler for all of a type's events: a batch of them (``dispatching_in_batches``)
    # is one task and one bulk write of the index, not one per event.
    def index_after_events(events: list[DomainEvent]) -> None:
        _enqueue(
            document_type.name,
            {
                object_id
                for event in events
                for object_id in document_type.events[event.name](event.payload)
                if object_id
            },
        )

    return index_after_events


def _enqueue(name: str, ids: set[int]) -> None:
    from okienko.search.tasks import index_documents

    if ids:
        index_documents(name, sorted(ids))


def document_types() -> dict[str, DocumentType]:
    return dict(_types)


def document_type(name: str) -> DocumentType:
    try:
        return _types[name]
    except KeyError as error:
        known = ", ".join(sorted(_types))
        raise InvalidInput(
            f"Unknown type {name!r}", errors={"type": [f"one of {known}"]}
        ) from error
