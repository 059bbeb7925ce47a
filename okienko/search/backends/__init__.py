"""Full-text backends: the database's own full-text search, chosen by the database vendor.

Both answer the same questions over ``SearchDocument`` rows: which documents match the query's
words (every word by any of its terms, the last one also as a prefix) among the objects each
type lets the searcher see, best first; and which vocabulary terms look like a misspelled word.
"""

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from okienko.search.analysis import QueryWord


@dataclass(frozen=True)
class Scope:
    """Documents of ``doc_type`` whose object is among ``ids`` (a queryset of primary keys;
    None: every object of the type)."""

    doc_type: str
    ids: QuerySet[Any] | None


@dataclass(frozen=True)
class Hit:
    doc_type: str
    object_id: int


# A query that matches more documents than this (a common word) lists the newest first: ranking
# means scoring every match, and among that many a common word's score hardly tells them apart.
# Newest first reads only what it shows.
MAX_RANKED_MATCHES = 1000
# Newest first, this many matches per hit shown are read before checking what the searcher may
# see (an agent of one team sees about half of the tickets).
NEWEST_CANDIDATES_PER_HIT = 3


class Backend(ABC):
    """One database's full-text search; subclasses supply its SQL."""

    # Statements setting up the transaction the search statements run in.
    session_sql: ClassVar[tuple[str, ...]] = ()

    def match(
        self,
        words: Sequence[QueryWord],
        scopes: Sequence[Scope],
        *,
        include_internal: bool,
        limit: int,
        offset: int,
    ) -> list[Hit]:
        """Matching documents within ``scopes``, best first; when more than
        ``MAX_RANKED_MATCHES`` documents match, newest first (see there).

        Up to that many matches are ranked in one pass and only then checked against what the
        searcher may see, per type in one lookup by primary keys: the database never weighs a
        scan of everything an agent may see against them."""
        expression = self.expression(words, include_internal=include_internal)
        types = [scope.doc_type for scope in scopes]
        wanted = (offset + limit) * NEWEST_CANDIDATES_PER_HIT
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in self.session_sql:
                cursor.execute(statement)
            found, ranked = self.first_matches(
                cursor, expression, types, wanted, MAX_RANKED_MATCHES
            )
            if ranked:
                return within_scopes(found, scopes)[offset : offset + limit]
            # The newest matches of the searched types, checked like the ranked ones; only a
            # searcher who may see too few of them has each match checked in the statement.
            visible = within_scopes(found, scopes)
            if len(visible) >= offset + limit or len(found) < wanted:
                return visible[offset : offset + limit]
            condition, params = scope_condition(scopes, "d")
            cursor.execute(self.newest_sql(condition), [expression, *params, limit, offset])
            return [Hit(doc_type, object_id) for doc_type, object_id in cursor.fetchall()]

    def newest_of_types(
        self, cursor: Any, expression: str, types: Sequence[str], wanted: int
    ) -> list[Hit]:
        """The ``wanted`` newest documents of ``types`` matching the expression."""
        of_types = f"d.doc_type IN ({', '.join(['%s'] * len(types))})"
        cursor.execute(self.newest_sql(of_types), [expression, *types, wanted, 0])
        return [Hit(doc_type, object_id) for doc_type, object_id in cursor.fetchall()]

    @abstractmethod
    def first_matches(
        self, cursor: Any, expression: str, types: Sequence[str], wanted: int, most_ranked: int
    ) -> tuple[list[Hit], bool]:
        """Every match of the expression ranked, best first, if there are at most
        ``most_ranked`` (then True); else the ``wanted`` newest matches of ``types`` (then
        False)."""

    @abstractmethod
    def expression(self, words: Sequence[QueryWord], *, include_internal: bool) -> str:
        """The query in the database's own full-text syntax (internal terms only if asked)."""

    def matching_condition(
        self, words: Sequence[QueryWord], doc_type: str, *, include_internal: bool, wanted: int
    ) -> Q:
        """A condition on a ``doc_type`` object's primary key: its document matches ``words``.
        For a list that narrows by text what it already scoped and stops after ``wanted``
        objects (which a backend may weigh in choosing how to test it)."""
        expression = self.expression(words, include_internal=include_internal)
        # The backend's SQL; the words are parameters.
        return Q(pk__in=RawSQL(self.matching_sql(expression), [expression, doc_type]))  # noqa: S611

    @abstractmethod
    def matching_sql(self, expression: str) -> str:
        """SQL selecting ``object_id`` of the documents matching ``expression`` (the first
        parameter) of the type given as the second."""

    @abstractmethod
    def newest_sql(self, condition: str) -> str:
        """SQL selecting (doc_type, object_id) of documents ``d`` matching the expression (the
        first parameter) under ``condition``, newest first, then LIMIT and OFFSET."""

    @abstractmethod
    def similar_terms(self, word: str, *, limit: int) -> list[str]:
        """Vocabulary terms sharing trigrams with ``word``, most alike first."""

    @abstractmethod
    def optimise(self) -> None:
        """Tidy the index after a rebuild."""


def within_scopes(hits: Sequence[Hit], scopes: Sequence[Scope]) -> list[Hit]:
    """The ``hits`` (in their order) whose objects ``scopes`` let the searcher see: each type's
    visible ids asked about the hits of that type at once."""
    ids_by_type: dict[str, list[int]] = {}
    for hit in hits:
        ids_by_type.setdefault(hit.doc_type, []).append(hit.object_id)
    allowed: dict[str, set[int] | None] = {}
    for scope in scopes:
        ids = ids_by_type.get(scope.doc_type)
        if ids is None:
            continue
        if scope.ids is None:
            allowed[scope.doc_type] = None
            continue
        visible = scope.ids.order_by().filter(pk__in=ids).values_list("pk", flat=True)
        allowed[scope.doc_type] = set(visible)
    return [
        hit
        for hit in hits
        if hit.doc_type in allowed
        and ((visible_ids := allowed[hit.doc_type]) is None or hit.object_id in visible_ids)
    ]


def scope_condition(scopes: Sequence[Scope], alias: str) -> tuple[str, list[Any]]:
    """SQL restricting ``alias`` (a ``search_searchdocument``) to ``scopes``: the domain's own
    queryset of visible ids, asked about each matching document (a correlated EXISTS), so
    scoping happens inside the one statement and reads only the rows it checks (newest first,
    until a page is full), never the list of everything an agent may see."""
    parts, params = [], []
    for scope in scopes:
        if scope.ids is None:
            parts.append(f"{alias}.doc_type = %s")
            params.append(scope.doc_type)
            continue
        # The alias is this module's own constant, never input.
        this_document = scope.ids.order_by().filter(pk=RawSQL(f"{alias}.object_id", ()))  # noqa: S611
        sql, ids_params = this_document.query.sql_with_params()
        parts.append(f"({alias}.doc_type = %s AND EXISTS ({sql}))")
        params.extend([scope.doc_type, *ids_params])
    return " OR ".join(parts), params


def backend() -> Backend:
    if connection.vendor == "postgresql":
        from okienko.search.backends.postgresql import PostgresBackend

        return PostgresBackend()
    from okienko.search.backends.sqlite import SqliteBackend

    return SqliteBackend()
