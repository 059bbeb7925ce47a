"""SQLite FTS5: ``search_fts`` over the documents' terms, ranked by BM25 with the title
weighing most; ``search_term_trigrams`` (FTS5's trigram tokenizer) over the vocabulary."""

import math
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Concat, StrIndex
from django.db.models.lookups import GreaterThan

from okienko.search.analysis import QueryWord
from okienko.search.backends import Backend, Hit
from okienko.search.models import SearchDocument

# BM25 weights of title, public and internal terms.
_WEIGHTS = "10.0, 2.0, 1.0"
_PUBLIC_COLUMNS = "{title_terms public_terms}"
# Testing whether one object's document matches (see ``_holds_every_word``) costs about as
# much as listing this many matches (~3 us against ~0.3-3 us a match at 1,000,000 tickets).
LISTED_MATCHES_PER_TEST = 2


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
        return Q(Exists(documents.filter(_holds_every_word(words, include_internal))))

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


def _holds_every_word(words: Sequence[QueryWord], include_internal: bool) -> Q:
    """The full-text expression of ``words`` tested on one document's own terms: a term is a
    run of letters and digits, so " term " in the space-joined columns is that term as FTS5
    tokenises them. Asking FTS5 about one document (MATCH with its rowid) parses the expression
    and seeks each term's list every time: ~16 us a document against ~3 us (1,000,000
    tickets)."""
    columns: list[Any] = [Value(" "), "title_terms", Value(" "), "public_terms"]
    if include_internal:
        columns += [Value(" "), "internal_terms"]
    terms = Concat(*columns, Value(" "))
    condition = Q()
    for word in words:
        alternatives = [f" {term} " for term in sorted(word.terms)]
        if word.prefix:
            alternatives.append(f" {word.prefix}")
        holds_word = Q()
        for alternative in alternatives:
            holds_word |= Q(GreaterThan(StrIndex(terms, Value(alternative)), 0))
        condition &= holds_word
    return condition
