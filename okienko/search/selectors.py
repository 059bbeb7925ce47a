"""Reads: one search over every registered document type, scoped to what the searcher may see."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from django.db.models import Q
from django.db.models.functions import Length
from django.utils.safestring import SafeString

from okienko.accounts.models import Agent
from okienko.core.errors import InvalidInput
from okienko.search.analysis import QueryWord, analyse_query
from okienko.search.backends import Hit, Scope, backend
from okienko.search.models import SearchTerm
from okienko.search.registry import Searcher, document_type, document_types
from okienko.search.snippets import highlight, snippet

MAX_QUERY_LENGTH = 200
MAX_LIMIT = 50
_SIMILAR_CANDIDATES = 200
_CORRECTIONS_PER_WORD = 3
_KEPT_START = 2
_SAME_START_CANDIDATES = 20_000


@dataclass(frozen=True)
class SearchHit:
    """One found object, with its title and snippet as safe HTML (the matched words marked)."""

    doc_type: str
    type_label: str
    object_id: int
    title: str
    title_html: SafeString
    snippet_html: SafeString
    details: Mapping[str, str | int | None]


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[SearchHit]
    # Words not in the index, with the similar terms searched for instead.
    corrections: dict[str, list[str]]
    # How many documents this page matched (hits can be fewer: objects deleted meanwhile).
    matched: int


def _allowed_distance(word: str) -> int:
    if len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


def _same_start(written: str, allowed: int) -> list[str]:
    # Few misspellings touch the first two letters: a range of the unique index, cheap even
    # in a vocabulary of hundreds of thousands of terms.
    start = written[:_KEPT_START]
    return list(
        SearchTerm.objects.filter(term__gte=start, term__lt=start + "\uffff")
        .annotate(length=Length("term"))
        .filter(length__gte=len(written) - allowed, length__lte=len(written) + allowed)
        .values_list("term", flat=True)[:_SAME_START_CANDIDATES]
    )


def _nearest(written: str, candidates: list[str], allowed: int) -> list[str]:
    from rapidfuzz.distance import OSA

    scored = sorted(
        (distance, term)
        for term in candidates
        if (distance := OSA.distance(written, term, score_cutoff=allowed)) <= allowed
    )
    if not scored:
        return []
    best = scored[0][0]
    return [term for distance, term in scored if distance == best][:_CORRECTIONS_PER_WORD]


def _corrected(word: QueryWord) -> tuple[QueryWord, list[str]]:
    """The word with the vocabulary terms nearest to it (a misspelling's likely intent):
    among terms that begin alike, else among those sharing trigrams with it."""
    written = min(word.terms, key=len) if word.prefix == "" else word.prefix
    allowed = _allowed_distance(written)
    if not allowed:
        return word, []
    nearest = _nearest(written, _same_start(written, allowed), allowed)
    if not nearest:
        similar = backend().similar_terms(written, limit=_SIMILAR_CANDIDATES)
        nearest = _nearest(written, similar, allowed)
    if not nearest:
        return word, []
    return replace(word, terms=frozenset(nearest), prefix=""), nearest


def _known_terms(words: Iterable[QueryWord]) -> set[str]:
    every_term = set().union(*(word.terms for word in words))
    return set(SearchTerm.objects.filter(term__in=every_term).values_list("term", flat=True))


def _with_vocabulary(
    words: Sequence[QueryWord], known: set[str] | None = None
) -> tuple[list[QueryWord], dict[str, list[str]]]:
    """Keep the terms the index holds (``known``, when already read); a word with none is
    replaced by its nearest terms."""
    if known is None:
        known = _known_terms(words)
    checked, corrections = [], {}
    for word in words:
        terms = word.terms & known
        if terms or (word.prefix and _vocabulary_has_prefix(word.prefix)):
            checked.append(replace(word, terms=terms or word.terms))
            continue
        corrected, nearest = _corrected(word)
        if nearest:
            corrections[word.text] = nearest
        checked.append(corrected)
    return checked, corrections


def _vocabulary_has_prefix(prefix: str) -> bool:
    # A range rather than LIKE, so both databases read the unique index.
    return SearchTerm.objects.filter(term__gte=prefix, term__lt=prefix + "\uffff").exists()


def _scopes(
    searcher: Searcher, doc_types: Sequence[str], filters: Mapping[str, str]
) -> list[Scope]:
    kinds = [document_type(name) for name in doc_types] or list(document_types().values())
    scopes = []
    for kind in kinds:
        visible = kind.visible(searcher, kind.check_filters(filters))
        if visible is not None:
            # Nothing to restrict (an admin's tickets, the customer directory): no subquery.
            scopes.append(Scope(kind.name, visible if visible.query.where else None))
    return scopes


def search(
    searcher: Searcher,
    query: str,
    *,
    doc_types: Sequence[str] = (),
    filters: Mapping[str, str] | None = None,
    limit: int = 20,
    offset: int = 0,
    as_you_type: bool = True,
) -> SearchResults:
    """The objects matching ``query`` that ``searcher`` may see, best first.

    Every word must match (in any inflected form, or as the nearest terms of the index when it
    is misspelled); the last word also matches as a prefix, for search as you type, unless
    ``as_you_type`` is False (words known to be whole).
    """
    query = query.strip()
    if not query:
        raise InvalidInput("Say what to search for", errors={"q": ["empty"]})
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidInput(f"The query is longer than {MAX_QUERY_LENGTH} characters")
    scopes = _scopes(searcher, doc_types, filters or {})
    words = analyse_query(query, as_you_type=as_you_type)
    if not words or not scopes:
        return SearchResults(query, [], {}, 0)
    words, corrections = _with_vocabulary(words)
    found = backend().match(
        words,
        scopes,
        include_internal=isinstance(searcher, Agent),
        limit=min(limit, MAX_LIMIT),
        offset=offset,
    )
    return SearchResults(query, _hits(searcher, words, found), corrections, len(found))


def matching(
    doc_type: str, queries: Iterable[str], *, include_internal: bool, wanted: int
) -> dict[str, Q | None]:
    """For each of ``queries``: a condition on a ``doc_type`` object's primary key, that the
    object matches the query's every word as ``search`` matches them (any inflected form, no
    diacritics needed, a misspelled word by the nearest terms of the index), for a list the
    caller has already scoped (the inbox's text filter) and that stops after ``wanted``
    objects; None for a query without words. The vocabulary is read once for all of them: an
    inbox page counts every saved view.

    Words are whole: a filter is submitted, not typed into, and a prefix's matches can be
    neither estimated nor listed cheaply at a million documents."""
    analysed = {
        query: analyse_query(query.strip()[:MAX_QUERY_LENGTH], as_you_type=False)
        for query in queries
    }
    known = _known_terms(word for words in analysed.values() for word in words)
    found: dict[str, Q | None] = {}
    for query, words in analysed.items():
        if not words:
            found[query] = None
            continue
        checked, _corrections = _with_vocabulary(words, known)
        found[query] = backend().matching_condition(
            checked, doc_type, include_internal=include_internal, wanted=wanted
        )
    return found


def _hits(searcher: Searcher, words: Sequence[QueryWord], found: Sequence[Hit]) -> list[SearchHit]:
    ids_by_type: dict[str, list[int]] = {}
    for hit in found:
        ids_by_type.setdefault(hit.doc_type, []).append(hit.object_id)
    sources = {
        name: document_type(name).results(searcher, ids) for name, ids in ids_by_type.items()
    }
    hits = []
    for hit in found:
        source = sources[hit.doc_type].get(hit.object_id)
        if source is None:
            # Gone since it was indexed; the index catches up after the event.
            continue
        hits.append(
            SearchHit(
                doc_type=hit.doc_type,
                type_label=str(document_type(hit.doc_type).label),
                object_id=hit.object_id,
                title=source.title,
                title_html=highlight(source.title, words),
                snippet_html=snippet(source.texts, words),
                details=source.details,
            )
        )
    return hits
