"""PostgreSQL full-text search: the generated ``search_vector`` (title weight A, public B,
internal C, 'simple' configuration over the pre-normalised terms) behind a GIN index, ranked by
``ts_rank``; pg_trgm over the vocabulary for misspelled words."""

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection

from okienko.search.analysis import QueryWord
from okienko.search.backends import Backend, Hit

# ts_rank weights of D (unused), C (internal), B (public) and A (title).
_WEIGHTS = "'{0.05, 0.2, 0.4, 1.0}'"
# When the planner expects at least this many matches (from the column's statistics of
# common terms), they are not counted: the GIN index would list every one of them (~100 ms at
# 200,000 and 250,000 documents), while walking the documents newest first meets a page of
# them within a few thousand rows (at one in fifty, ~40 ms) or far fewer.
VERY_COMMON_MATCHES = 5_000
# A lexeme no document holds (terms are letters and digits only): the planner's guess for it is
# its guess for any word its statistics do not list (half the rarest listed word's frequency).
_UNLISTED = "'-'"
# A query of a few unlisted words (each one's terms are alternatives) is guessed at a few times
# that; a listed word is at least twice it, a very common one tens of times.
UNLISTED_MARGIN = 4


def _word_expression(word: QueryWord, weights: str) -> str:
    alternatives = [f"{term}{':' + weights if weights else ''}" for term in sorted(word.terms)]
    if word.prefix:
        alternatives.append(f"{word.prefix}:*{weights}")
    return "(" + " | ".join(alternatives) + ")"


class PostgresBackend(Backend):
    def expression(self, words: Sequence[QueryWord], *, include_internal: bool) -> str:
        weights = "" if include_internal else "AB"
        return " & ".join(_word_expression(word, weights) for word in words)

    # The planner's cost estimates for a GIN match of a common word are high enough to compile
    # the statement (JIT: ~40 ms at a million messages), more than these statements run for.
    # Nor does it know that testing a row against the query reads and decompresses its whole
    # search_vector (~15 us): it would rather scan the table, testing rows until enough match
    # (~400 ms to count 1,000 matches of a word in one document out of twenty), than take
    # them from the GIN index.
    session_sql = ("SET LOCAL jit = off", "SET LOCAL enable_seqscan = off")

    def first_matches(
        self, cursor: Any, expression: str, types: Sequence[str], wanted: int, most_ranked: int
    ) -> tuple[list[Hit], bool]:
        if self._very_common(cursor, expression):
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            return self.newest_of_types(cursor, expression, types, wanted), False
        # One pass over the GIN index both counts the matches and orders them: by rank when
        # there are few enough (each match's vector read by its id, only then), else newest
        # first. Walking the primary key backwards instead would test rows by the thousand.
        cursor.execute("SET LOCAL enable_indexscan = off")
        of_types = ", ".join(["%s"] * len(types))
        cursor.execute(
            "SELECT m.doc_type, m.object_id, m.matches FROM ("  # noqa: S608
            "SELECT d.id, d.doc_type, d.object_id, count(*) OVER () AS matches"
            " FROM search_searchdocument d WHERE d.search_vector @@ to_tsquery('simple', %s)"
            f" AND d.doc_type IN ({of_types})) m"
            " ORDER BY CASE WHEN m.matches <= %s THEN ("
            f"SELECT ts_rank({_WEIGHTS}, r.search_vector, to_tsquery('simple', %s))"
            " FROM search_searchdocument r WHERE r.id = m.id) END DESC NULLS LAST, m.id DESC"
            " LIMIT %s",
            [expression, *types, most_ranked, expression, max(most_ranked, wanted)],
        )
        rows = cursor.fetchall()
        ranked = bool(rows) and rows[0][2] <= most_ranked
        found = [Hit(doc_type, object_id) for doc_type, object_id, _ in rows]
        return (found, True) if ranked else (found[:wanted], False)

    def _very_common(self, cursor: Any, expression: str) -> bool:
        """Whether the planner expects ``VERY_COMMON_MATCHES`` or more (see there), and well
        more than its guess for a word outside its statistics' list of common ones: at a
        million documents that guess alone passes the threshold (~6,300 for a word no document
        holds), and walking every document for such a word took 1.5-4 s."""
        expected = _expected_matches(cursor, "to_tsquery('simple', %s)", expression)
        if expected < VERY_COMMON_MATCHES:
            return False
        return expected > UNLISTED_MARGIN * _expected_matches(cursor, "%s::tsquery", _UNLISTED)

    def matching_sql(self, expression: str) -> str:
        with connection.cursor() as cursor:
            very_common = self._very_common(cursor, expression)
        if very_common:
            # Listing every match from the GIN index reads each one (1-2 s for a word in one
            # ticket of four at 1M tickets). ts_match_vq is the test behind @@ in a form that
            # index cannot serve: the documents are walked by (doc_type, object_id), newest
            # object first, and tested until the list is full (2-10 ms for that word).
            return (
                "SELECT d.object_id FROM search_searchdocument d"
                " WHERE ts_match_vq(d.search_vector, to_tsquery('simple', %s))"
                " AND d.doc_type = %s"
            )
        # Fewer matches are listed from the GIN index first, as an array: the planner then
        # looks each one up by its id. As a plain subquery it took its guess of thousands of
        # matches for real and walked the documents newest first instead, testing all of them
        # for a word nobody wrote (1.1-1.6 s at 1M tickets; now under 1 ms).
        return (
            "SELECT unnest(ARRAY(SELECT d.object_id FROM search_searchdocument d"
            " WHERE d.search_vector @@ to_tsquery('simple', %s) AND d.doc_type = %s))"
        )

    def newest_sql(self, condition: str) -> str:
        return (
            "SELECT d.doc_type, d.object_id FROM search_searchdocument d,"  # noqa: S608
            " to_tsquery('simple', %s) query"
            f" WHERE d.search_vector @@ query AND ({condition})"
            " ORDER BY d.id DESC LIMIT %s OFFSET %s"
        )

    def similar_terms(self, word: str, *, limit: int) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term FROM search_searchterm WHERE term %% %s"
                " ORDER BY similarity(term, %s) DESC, term LIMIT %s",
                [word, word, limit],
            )
            return [term for (term,) in cursor.fetchall()]

    def optimise(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_searchdocument")
            cursor.execute("ANALYZE search_searchterm")


def _expected_matches(cursor: Any, query_sql: str, query: str) -> float:
    """How many documents the planner expects to match ``query_sql`` (with ``query``)."""
    cursor.execute(
        "EXPLAIN (FORMAT JSON) SELECT 1 FROM search_searchdocument"  # noqa: S608 - our own SQL
        f" WHERE search_vector @@ {query_sql}",
        [query],
    )
    (plan,) = cursor.fetchone()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])
