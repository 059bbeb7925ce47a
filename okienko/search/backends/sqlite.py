"""SQLite FTS5: ``search_fts`` over the documents' terms, ranked by BM25 with the title
weighing most; ``search_term_trigrams`` (FTS5's trigram tokenizer) over the vocabulary."""

from collections.abc import Sequence
from typing import Any

from django.db import connection

from okienko.search.analysis import QueryWord
from okienko.search.backends import Backend, Hit

# BM25 weights of title, public and internal terms.
_WEIGHTS = "10.0, 2.0, 1.0"
_PUBLIC_COLUMNS = "{title_terms public_terms}"


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
