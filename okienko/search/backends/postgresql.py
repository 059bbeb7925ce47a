"""PostgreSQL full-text search: the generated ``search_vector`` (title weight A, public B,
internal C, 'simple' configuration over the pre-normalised terms) behind a GIN index, ranked by
``ts_rank``; pg_trgm over the vocabulary for misspelled words."""

from collections.abc import Sequence

from django.db import connection

from okienko.search.analysis import QueryWord
from okienko.search.backends import Backend

# ts_rank weights of D (unused), C (internal), B (public) and A (title).
_WEIGHTS = "'{0.05, 0.2, 0.4, 1.0}'"


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
    session_sql = ("SET LOCAL jit = off",)

    def count_sql(self) -> str:
        return (
            "SELECT count(*) FROM (SELECT 1 FROM search_searchdocument"
            " WHERE search_vector @@ to_tsquery('simple', %s) LIMIT %s) matches"
        )

    def ranked_sql(self) -> str:
        return (
            "SELECT d.doc_type, d.object_id FROM search_searchdocument d,"  # noqa: S608
            " to_tsquery('simple', %s) query WHERE d.search_vector @@ query"
            f" ORDER BY ts_rank({_WEIGHTS}, d.search_vector, query) DESC, d.id DESC"
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
