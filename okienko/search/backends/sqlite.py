"""SQLite FTS5: ``search_fts`` over the documents' terms, ranked by BM25 with the title
weighing most; ``search_term_trigrams`` (FTS5's trigram tokenizer) over the vocabulary."""

import math
from collections.abc import Sequence
from typing import Any, cast

from django.db import connection
from django.db.models import BooleanField, Exists, Expression, F, OuterRef, Q
from django.db.models.sql.compiler import SQLCompiler

from okienko.search.analysis import QueryWord
from okienko.search.backends import Backend, Hit
from okienko.search.models import SearchDocument

# BM25 weights of title, public and internal terms.
_WEIGHTS = "10.0, 2.0, 1.0"
_PUBLIC_COLUMNS = "{title_terms public_terms}"
# Testing whether one object's document matches (see ``_InIndexMatches``) costs about as much
# as listing this many matches (measured for the inbox: ~27 us against ~5 us at 200,000
# tickets, ~62 us against ~3 us at 1,000,000).
LISTED_MATCHES_PER_TEST = 10


def _word_expression(word: QueryWord) -> str:
    alternatives = [f'"{term}"' for term in sorted(word.terms)]
    if word.prefix:
        alternatives.append(f'"{word.prefix}"*')
    return "(" + " OR ".join(alternatives) + ")"


class SqliteBackend(Backend):
    def expression(self, words: Sequence[QueryWord], *, include_internal: bool) -> str:
        expression = " AND ".join(_word_expression(word) for word in words)
        return expression if include_internal else f"{_PUBLIC_COLUMNS} : ({expression})"

    def first_matches(
        self, cursor: Any, expression: str, types: Sequence[str], wanted: int, most_ranked: int
    ) -> tuple[list[Hit], bool]:
        cursor.execute(
            "SELECT count(*) FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH %s"
            " LIMIT %s)",
            [expression, most_ranked + 1],
        )
        (matches,) = cursor.fetchone()
        if matches <= most_ranked:
            cursor.execute(
                "SELECT d.doc_type, d.object_id FROM search_fts"  # noqa: S608 - values are parameters
                " JOIN search_searchdocument d ON d.id = search_fts.rowid WHERE search_fts MATCH %s"
                f" ORDER BY bm25(search_fts, {_WEIGHTS}), search_fts.rowid DESC",
                [expression],
            )
            return [Hit(doc_type, object_id) for doc_type, object_id in cursor.fetchall()], True
        return self.newest_of_types(cursor, expression, types, wanted), False

    def matching_condition(
        self, words: Sequence[QueryWord], doc_type: str, *, include_internal: bool, wanted: int
    ) -> Q:
        expression = self.expression(words, include_internal=include_internal)
        if not _more_matches_than(expression, very_common_matches(wanted)):
            return super().matching_condition(
                words, doc_type, include_internal=include_internal, wanted=wanted
            )
        # Listing a common word's matches read them all before the list could take its page
        # (0.2-4.7 s for the inbox at 200,000 tickets). Tested object by object, in the list's
        # own order, a page of them is met after a few hundred objects.
        documents = SearchDocument.objects.filter(doc_type=doc_type, object_id=OuterRef("pk"))
        return Q(Exists(documents.filter(_InIndexMatches(F("id"), expression))))

    def matching_sql(self, expression: str) -> str:
        # CROSS JOIN keeps this order: the full-text matches first, each document then read by
        # its id. Otherwise SQLite walked every document of the type and asked the full-text
        # index about each one (0.5-10 s for the inbox at 200,000 tickets).
        return (
            "SELECT d.object_id FROM search_fts"
            " CROSS JOIN search_searchdocument d ON d.id = search_fts.rowid"
            " WHERE search_fts MATCH %s AND d.doc_type = %s"
        )

    def newest_sql(self, condition: str) -> str:
        # Walks the index backwards by rowid (the document's id) and stops early.
        return (
            "SELECT d.doc_type, d.object_id FROM search_fts"  # noqa: S608 - values are parameters
            " JOIN search_searchdocument d ON d.id = search_fts.rowid"
            f" WHERE search_fts MATCH %s AND ({condition})"
            " ORDER BY search_fts.rowid DESC LIMIT %s OFFSET %s"
        )

    def similar_terms(self, word: str, *, limit: int) -> list[str]:
        trigrams = sorted({word[i : i + 3] for i in range(len(word) - 2)})
        if not trigrams:
            return []
        expression = " OR ".join(f'"{trigram}"' for trigram in trigrams)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t.term FROM search_term_trigrams"
                " JOIN search_searchterm t ON t.id = search_term_trigrams.rowid"
                " WHERE search_term_trigrams MATCH %s ORDER BY search_term_trigrams.rank LIMIT %s",
                [expression, limit],
            )
            return [term for (term,) in cursor.fetchall()]

    def optimise(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            cursor.execute(
                "INSERT INTO search_term_trigrams(search_term_trigrams) VALUES ('optimize')"
            )


def very_common_matches(wanted: int) -> int:
    """Above this many matches, testing a list's objects one by one until ``wanted`` of them
    match (about ``wanted * documents / matches`` tests) costs less than listing the matches."""
    with connection.cursor() as cursor:
        # The newest document's id, as the number of documents: read from the index's end.
        cursor.execute("SELECT max(id) FROM search_searchdocument")
        (documents,) = cursor.fetchone()
    return math.isqrt(LISTED_MATCHES_PER_TEST * wanted * (documents or 0))


def _more_matches_than(expression: str, limit: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH %s"
            " LIMIT %s)",
            [expression, limit + 1],
        )
        (matches,) = cursor.fetchone()
    return bool(matches > limit)


class _InIndexMatches(Expression):
    """Whether the document whose id is ``document_id`` is among the matches of the full-text
    ``expression``: FTS5 seeks each term's list of documents to that one id."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, document_id: F, expression: str) -> None:
        super().__init__()
        self.document_id = document_id
        self.expression = expression

    def get_source_expressions(self) -> list[Any]:
        return [self.document_id]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.document_id,) = exprs

    def as_sql(self, compiler: SQLCompiler, connection: Any) -> tuple[str, tuple[Any, ...]]:
        # Resolved against the subquery by now: a column under the subquery's own alias.
        document_sql, params = compiler.compile(cast(Expression, self.document_id))
        return (
            "EXISTS (SELECT 1 FROM search_fts"  # noqa: S608 - a compiled column; words are parameters
            f" WHERE search_fts MATCH %s AND search_fts.rowid = {document_sql})",
            (self.expression, *params),
        )
