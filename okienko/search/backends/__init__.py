"""Full-text backends: the database's own full-text search, chosen by the database vendor.

Both answer the same questions over ``SearchDocument`` rows: which documents match the query's
words (every word by any of its terms, the last one also as a prefix) among the objects each
type lets the searcher see, best first; and which vocabulary terms look like a misspelled word.
"""

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet

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


class Backend(ABC):
    """One database's full-text search; subclasses supply its SQL."""

    def match(
        self,
        words: Sequence[QueryWord],
        scopes: Sequence[Scope],
        *,
        include_internal: bool,
        limit: int,
        offset: int,
    ) -> list[Hit]:
        """Matching documents within ``scopes``, best first."""
        condition, params = scope_condition(scopes, "d")
        expression = self.expression(words, include_internal=include_internal)
        with connection.cursor() as cursor:
            cursor.execute(self.match_sql(condition), [expression, *params, limit, offset])
            return [Hit(doc_type, object_id) for doc_type, object_id in cursor.fetchall()]

    @abstractmethod
    def expression(self, words: Sequence[QueryWord], *, include_internal: bool) -> str:
        """The query in the database's own full-text syntax (internal terms only if asked)."""

    @abstractmethod
    def match_sql(self, condition: str) -> str:
        """SQL selecting (doc_type, object_id) of documents ``d`` matching the expression
        (the first parameter) under ``condition``, best first, then LIMIT and OFFSET."""

    @abstractmethod
    def similar_terms(self, word: str, *, limit: int) -> list[str]:
        """Vocabulary terms sharing trigrams with ``word``, most alike first."""

    @abstractmethod
    def optimise(self) -> None:
        """Tidy the index after a rebuild."""


def scope_condition(scopes: Sequence[Scope], alias: str) -> tuple[str, list[Any]]:
    """SQL restricting ``alias`` (a ``search_searchdocument``) to ``scopes``: the domain's own
    queryset of visible ids becomes a subquery, so scoping happens inside the one statement."""
    parts, params = [], []
    for scope in scopes:
        if scope.ids is None:
            parts.append(f"{alias}.doc_type = %s")
            params.append(scope.doc_type)
            continue
        sql, ids_params = scope.ids.query.sql_with_params()
        parts.append(f"({alias}.doc_type = %s AND {alias}.object_id IN ({sql}))")
        params.extend([scope.doc_type, *ids_params])
    return " OR ".join(parts), params


def backend() -> Backend:
    if connection.vendor == "postgresql":
        from okienko.search.backends.postgresql import PostgresBackend

        return PostgresBackend()
    from okienko.search.backends.sqlite import SqliteBackend

    return SqliteBackend()
