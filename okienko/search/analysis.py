"""Text normalisation for search: words, case and diacritic folding, Polish and English lemmas.

A word becomes a small set of *terms*: its folded form ("Zamówieniem" -> "zamowieniem") and the
folded lemmas of the word in its language (Polish from Morfeusz's SGJP dictionary:
"zamowienie", "zamowic"; English from simplemma: "orders" -> "order"). Documents are indexed as
their terms; a query word matches a document holding any of that word's terms, so one inflected
form finds the others and "zolw" finds "żółw". Terms hold only letters and digits, so the
database's own tokenizer (FTS5 unicode61, PostgreSQL 'simple') never splits them again.

The dictionaries load lazily, once per process: Morfeusz ~0.1 s, simplemma's English data only
(its Polish data would cost ~380 MB), kept compressed, the pl/en language model ~0.1 s (its
tables mapped from var/models, derived there in ~1.5 s by the first process that needs them).
A worker loads them as it starts (``load_dictionaries``), before its first indexing would.
"""

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

POLISH = "pl"
ENGLISH = "en"
LANGUAGES = (POLISH, ENGLISH)

_WORD = re.compile(r"[^\W_]+")
# Letters NFKD does not decompose into a base letter and a combining mark.
_UNDECOMPOSABLE = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe"})
# Shorter texts say too little about their language: the caller's hint decides.
_MIN_DETECTED_CHARACTERS = 20
# Below this confidence a query is analysed as both languages.
_QUERY_LANGUAGE_CONFIDENCE = 0.9
_QUERY_MIN_DETECTED_WORDS = 3
# The last word of a query this long or longer also matches as a prefix (search as you type).
MIN_PREFIX_LENGTH = 3
MAX_QUERY_WORDS = 12
_PHONE_OR_NUMBER = re.compile(r"[\d\s\-()+./]+")
_MIN_JOINED_DIGITS = 7


def fold(word: str) -> str:
    """Lower-case ``word`` without diacritics: "Żółw" -> "zolw"."""
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(_UNDECOMPOSABLE))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    """The words of ``text``: runs of letters and digits."""
    return _WORD.findall(text)


@functools.cache
def _morfeusz() -> Any:
    import morfeusz2

    return morfeusz2.Morfeusz(generate=False, expand_tags=False)


def _language_tables() -> dict[str, Any]:
    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model

    # The model's columns for our languages only (``set_languages`` keeps all 97 languages).
    weights, priors, classes, next_move, rows, outputs = load_model(MODEL_DIR / MODEL_FILE)
    kept = [classes.index(language) for language in LANGUAGES]
    return {
        "weights": np.asarray(weights)[:, kept],
        "priors": np.asarray(priors)[kept],
        "next_move": np.asarray(next_move),
        # LanguageIdentifier's own row offsets: the row of each state, shifted by a byte.
        "row_offsets": np.asarray(rows, dtype=np.uint32) << 8,
        "outputs": np.asarray(outputs, dtype=np.int32),
    }


@functools.cache
def _language_identifier() -> Any:
    from importlib.metadata import version

    import numpy as np
    from py3langid.langid import LanguageIdentifier

    from okienko.core.mapped_arrays import mapped_arrays

    # The byte-level automaton (40 MB, of which Polish and English text walks a few pages)
    # is mapped from a file; memoryviews (.data) read it as the lists and arrays it was.
    tables = mapped_arrays(
        f"language-identifier-{'-'.join(LANGUAGES)}", version("py3langid"), _language_tables
    )
    identifier = LanguageIdentifier(
        tables["weights"],
        np.array(tables["priors"]),
        list(LANGUAGES),
        tables["next_move"].data,
        tables["outputs"].data,
        norm_probs=True,
        tk_row=(),
    )
    identifier._rowbase = tables["row_offsets"].data
    return identifier


def load_dictionaries() -> None:
    """Load the language model and the lemmatisers now rather than on first use."""
    _language_identifier()
    _morfeusz()
    _english_lemma("loaded")


def _classify(text: str) -> tuple[str, float]:
    language, confidence = _language_identifier().classify(text)
    return str(language), float(confidence)


def detect_language(text: str, *, hint: str = POLISH) -> str:
    """``pl`` or ``en``: detected from ``text``, or ``hint`` when the text is too short."""
    if len(text.strip()) < _MIN_DETECTED_CHARACTERS:
        return hint if hint in LANGUAGES else POLISH
    return _classify(text[:2000])[0]


def _polish_lemmas(word: str) -> frozenset[str]:
    # Morfeusz marks homonyms "lemma:Sm1"; the sense does not matter for matching.
    analyses = _morfeusz().analyse(word)
    return frozenset(lemma.partition(":")[0] for _, _, (_, lemma, *_rest) in analyses)


@functools.lru_cache(maxsize=20_000)
def _english_lemma(word: str) -> str:
    import simplemma

    # low_memory: the same dictionary, searched in its front-coded form: 2 MB of the process
    # instead of 20 MB, for ~0.02 ms more a word (and words repeat: see the caches).
    return str(simplemma.lemmatize(word, lang=ENGLISH, low_memory=True))


# The words of a helpdesk follow Zipf's law: the most frequent few tens of thousands are nearly
# every word read, while order numbers, addresses and typos rarely come twice. The cache lives
# as long as the server: with room for 400,000 words (and 200,000 lemmas besides), 100,000
# distinct words grew a process by 91 MB; capped here, by 32 MB. Lemmas are reached only
# through here, so Polish ones need no cache of their own.
@functools.lru_cache(maxsize=50_000)
def word_terms(word: str, language: str) -> frozenset[str]:
    """The terms of one word in ``language``: its folded form and its folded lemmas."""
    terms = {fold(word)}
    if language == POLISH:
        terms.update(fold(lemma) for lemma in _polish_lemmas(word))
    elif language == ENGLISH:
        terms.add(fold(_english_lemma(word.lower())))
    # A lemma never adds a separator, but a folded ligature could ("ﬁ" -> "fi" is fine).
    return frozenset(term for term in terms if _WORD.fullmatch(term))


def text_terms(texts: Iterable[str], language: str) -> list[str]:
    """The distinct terms of ``texts``, in the order they first occur (what a document holds:
    the set matters for matching; repeats would only grow the index)."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in words(text):
            for term in sorted(word_terms(word, language)):
                seen.setdefault(term, None)
    return list(seen)


@dataclass(frozen=True)
class QueryWord:
    """One word of a query: a document matches it when it holds any of ``terms`` (or a term
    starting with ``prefix``, for the word being typed)."""

    text: str
    terms: frozenset[str]
    prefix: str = ""


def _query_languages(query_words: Sequence[str]) -> tuple[str, ...]:
    if len(query_words) < _QUERY_MIN_DETECTED_WORDS:
        return LANGUAGES
    language, confidence = _classify(" ".join(query_words))
    return (language,) if confidence >= _QUERY_LANGUAGE_CONFIDENCE else LANGUAGES


def _number_word(query: str) -> QueryWord | None:
    """A phone number or tax id typed with separators ("600 100 200", "123-456-32-18") is one
    word: its digits, also without Poland's country code."""
    if not _PHONE_OR_NUMBER.fullmatch(query):
        return None
    digits = "".join(char for char in query if char.isdigit())
    if len(digits) < _MIN_JOINED_DIGITS or len(words(query)) < 2:
        return None
    terms = {digits}
    if digits.startswith("48") and len(digits) == 11:
        terms.add(digits[2:])
    return QueryWord(text=query.strip(), terms=frozenset(terms))


def analyse_query(query: str, *, as_you_type: bool = True) -> list[QueryWord]:
    """The words of a query with their terms, analysed like documents are; one-letter words are
    dropped when there are others ("zwrot w sklepie")."""
    number = _number_word(query)
    if number is not None:
        return [number]
    query_words = words(query)[:MAX_QUERY_WORDS]
    if len(query_words) > 1:
        query_words = [word for word in query_words if len(word) > 1] or query_words
    languages = _query_languages(query_words)
    analysed = []
    for position, word in enumerate(query_words):
        terms = frozenset().union(*(word_terms(word, language) for language in languages))
        is_last = position == len(query_words) - 1
        folded = fold(word)
        prefix = folded if as_you_type and is_last and len(folded) >= MIN_PREFIX_LENGTH else ""
        analysed.append(QueryWord(text=word, terms=terms, prefix=prefix))
    return analysed


def query_terms(query_words: Sequence[QueryWord]) -> frozenset[str]:
    return frozenset().union(*(word.terms for word in query_words))


@functools.lru_cache(maxsize=200_000)
def _word_forms(word: str) -> tuple[str, frozenset[str]]:
    """A word's folded form and its terms in either language (a snippet does not know the
    language of each message)."""
    return fold(word), frozenset().union(*(word_terms(word, language) for language in LANGUAGES))


class Matcher:
    """Tells which words of a text match a query, remembering each word's answer: a snippet
    reads many messages in which the same words recur."""

    def __init__(self, query_words: Sequence[QueryWord]) -> None:
        self._terms = query_terms(query_words)
        self._prefixes = tuple(word.prefix for word in query_words if word.prefix)
        self._known: dict[str, bool] = {}

    def _matches(self, word: str) -> bool:
        folded, terms = _word_forms(word)
        if self._prefixes and folded.startswith(self._prefixes):
            return True
        return not self._terms.isdisjoint(terms)

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """Where in ``text`` the words matching the query are, as (start, end) offsets."""
        known = self._known
        for match in _WORD.finditer(text):
            word = match.group()
            matched = known.get(word)
            if matched is None:
                matched = known[word] = self._matches(word)
            if matched:
                yield match.span()
