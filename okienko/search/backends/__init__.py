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


# A query that matches more documents than this (one very common word) lists the newest first:
# ranking means scoring every match (a large share of a million documents), and among that
# many a common word's score hardly tells them apart. Newest first reads only what it shows.
MAX_RANKED_MATCHES = 5000


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
        """Matching documents within ``scopes``, best first; when more than
        ``MAX_RANKED_MATCHES`` documents match, newest first (see there)."""
        condition, params = scope_condition(scopes, "d")
        expression = self.expression(words, include_internal=include_internal)
        with connection.cursor() as cursor:
            cursor.execute(self.count_sql(), [expression, MAX_RANKED_MATCHES + 1])
            (matches,) = cursor.fetchone()
            sql = self.match_sql(condition, ranked=matches <= MAX_RANKED_MATCHES)
            cursor.execute(sql, [expression, *params, limit, offset])
            return [Hit(doc_type, object_id) for doc_type, object_id in cursor.fetchall()]

    @abstractmethod
    def count_sql(self) -> str:
        """SQL counting the documents matching the expression, up to the second parameter."""

    @abstractmethod
    def expression(self, words: Sequence[QueryWord], *, include_internal: bool) -> str:
        """The query in the database's own full-text syntax (internal terms only if asked)."""

    @abstractmethod
    def match_sql(self, condition: str, *, ranked: bool) -> str:
        """SQL selecting (doc_type, object_id) of documents ``d`` matching the expression
        (the first parameter) under ``condition``, best first (``ranked``) or newest first,
        then LIMIT and OFFSET."""

    @abstractmethod
    def similar_terms(self, word: str, *, limit: int) -> list[str]:
        """Vocabulary terms sharing trigrams with ``word``, most alike first."""

    @abstractmethod
    def optimise(self) -> None:
        """Tidy the index after a rebuild."""


def scope_condition(scopes: Sequence[Scope], alias: str) -> tuple[str, list[Any]]:
    """SQL restricting ``alias`` (a ``search_searchdocument``) to ``scopes``: the domain's own
    queryset of visible ids, asked about each matching document (a correlated EXISTS), so
    scoping happens inside the one statement and reads only the rows it checks, never the
    list of everything an agent may see."""
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
