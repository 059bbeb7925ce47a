"""Measuring the bot's answers against questions whose right answer is known.

An evaluation file has one JSON object a line: ``{"question": "...", "article": "<slug>"}``,
where ``"article": null`` means no article answers the question and the right thing is to
hand over to a person. An answer is right when the bot offers that article or one of its
translations; offering another article is a wrong answer; offering none is a hand-off (right
only for the null lines).

``okienko/ai/eval/`` holds the sets for the demo help center: the tuning set
(``helpcenter.jsonl``), a held-out set kept out of the tuning, and the tuning questions each
opened with a greeting, as chats often are (``helpcenter_greeted.jsonl``)."""

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from okienko.ai.selectors import Decision, Intent, decide, default_threshold
from okienko.core.errors import InvalidInput
from okienko.kb.selectors import public_articles


@dataclass(frozen=True)
class Case:
    line: int
    question: str
    article: str | None


def read_cases(path: Path) -> list[Case]:
    """The questions of an evaluation file; a malformed line is an error naming the line."""
    cases = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw)
        except json.JSONDecodeError as error:
            raise InvalidInput(f"line {number}: not JSON ({error.msg})") from error
        question = entry.get("question") if isinstance(entry, dict) else None
        article = entry.get("article") if isinstance(entry, dict) else None
        if not isinstance(question, str) or not question.strip():
            raise InvalidInput(f'line {number}: "question" must be a non-empty string')
        if article is not None and not isinstance(article, str):
            raise InvalidInput(f'line {number}: "article" must be a slug or null')
        cases.append(Case(number, question.strip(), article))
    if not cases:
        raise InvalidInput(f"{path} holds no questions")
    return cases


def _groups_by_slug() -> dict[str, set[int]]:
    groups: dict[str, set[int]] = {}
    for article in public_articles():
        groups.setdefault(article.slug, set()).add(article.group_id)
    return groups


@dataclass(frozen=True)
class Judged:
    case: Case
    decision: Decision

    def offered(self, threshold: float) -> str | None:
        """The slug of the article the bot offers at ``threshold``, if it offers one."""
        suggestion = self.decision.suggestion
        if self.decision.intent != Intent.ANSWER or suggestion is None:
            return None
        return suggestion.article.slug if suggestion.confidence >= threshold else None


@dataclass(frozen=True)
class Miss:
    line: int
    question: str
    expected: str | None
    answered: str | None
    confidence: float | None


@dataclass(frozen=True)
class Figures:
    questions: int
    should_hand_off: int
    threshold: float
    uses_embeddings: bool
    correct: int
    wrong: int
    handed_off: int
    misses: list[Miss]

    @property
    def accuracy(self) -> float:
        return self.correct / self.questions

    @property
    def wrong_answer_rate(self) -> float:
        return self.wrong / self.questions

    @property
    def hand_off_rate(self) -> float:
        return self.handed_off / self.questions

    def as_json(self) -> dict[str, Any]:
        return {
            "questions": self.questions,
            "should_hand_off": self.should_hand_off,
            "threshold": self.threshold,
            "uses_embeddings": self.uses_embeddings,
            "accuracy": round(self.accuracy, 4),
            "wrong_answer_rate": round(self.wrong_answer_rate, 4),
            "hand_off_rate": round(self.hand_off_rate, 4),
            "correct": self.correct,
            "wrong": self.wrong,
            "handed_off": self.handed_off,
            "misses": [asdict(miss) for miss in self.misses],
        }


def judge(cases: Sequence[Case], *, uses_embeddings: bool, language_hint: str) -> list[Judged]:
    """The bot's decision on every question, before any threshold (so one run serves many
    thresholds). Unknown expected slugs are an error: the file does not fit this help center."""
    known = _groups_by_slug()
    unknown = sorted({case.article for case in cases if case.article and case.article not in known})
    if unknown:
        raise InvalidInput(f"no public article has the slug: {', '.join(unknown)}")
    return [
        Judged(
            case,
            decide(
                case.question,
                language_hint=language_hint,
                uses_embeddings=uses_embeddings,
                threshold=0.0,
            ),
        )
        for case in cases
    ]


def figures(judged: Sequence[Judged], *, threshold: float, uses_embeddings: bool) -> Figures:
    groups = _groups_by_slug()
    correct = wrong = handed_off = 0
    misses = []
    for item in judged:
        offered = item.offered(threshold)
        expected = item.case.article
        if offered is None:
            handed_off += 1
            is_right = expected is None
        else:
            is_right = expected is not None and bool(groups[offered] & groups[expected])
            wrong += not is_right
        correct += is_right
        if not is_right:
            suggestion = item.decision.suggestion
            misses.append(
                Miss(
                    line=item.case.line,
                    question=item.case.question,
                    expected=expected,
                    answered=offered,
                    confidence=round(suggestion.confidence, 4) if suggestion else None,
                )
            )
    return Figures(
        questions=len(judged),
        should_hand_off=sum(1 for item in judged if item.case.article is None),
        threshold=threshold,
        uses_embeddings=uses_embeddings,
        correct=correct,
        wrong=wrong,
        handed_off=handed_off,
        misses=misses,
    )


def evaluate(
    path: Path, *, uses_embeddings: bool, threshold: float | None = None, language_hint: str = "pl"
) -> Figures:
    judged = judge(read_cases(path), uses_embeddings=uses_embeddings, language_hint=language_hint)
    if threshold is None:
        threshold = default_threshold(uses_embeddings=uses_embeddings)
    return figures(judged, threshold=threshold, uses_embeddings=uses_embeddings)
