"""Ranking articles for a question: words (BM25 over Polish lemmas) and meaning (vectors)."""

import numpy as np
import pytest

from okienko.ai.intents import asks_for_person, is_small_talk, topic_of
from okienko.ai.retrieval import Embedded, KnowledgeIndex, Passage

RETURNS = Passage(1, 1, "pl", "Jak zwrócić towar", "Towar zwrócisz w ciągu 14 dni od odbioru.")
DELIVERY = Passage(2, 2, "pl", "Czas i koszt dostawy", "Kurier DPD kosztuje 16,99 zł.")
RETURNS_EN = Passage(3, 1, "en", "How to return an item", "Return it within 14 days.")


def test_inflected_words_find_their_article_and_cover_the_question():
    index = KnowledgeIndex([RETURNS, DELIVERY, RETURNS_EN])

    [best, *_rest] = index.rank("W ile dni zwrócić towar?")

    assert best.passage == RETURNS
    assert best.confidence > 0.5


def test_a_question_about_something_else_is_barely_covered():
    index = KnowledgeIndex([RETURNS, DELIVERY, RETURNS_EN])

    ranked = index.rank("Czy sprzedajecie rowery elektryczne na raty?")

    assert all(item.confidence < 0.3 for item in ranked)


def test_nothing_matches_nothing():
    assert KnowledgeIndex([RETURNS]).rank("xyzzy") == []
    assert KnowledgeIndex([]).rank("zwrot") == []


def test_meaning_ranks_and_a_clear_lead_makes_the_bot_sure():
    # Chunk vectors: returns points one way, delivery another; the question is near delivery
    # though it shares a word with returns.
    vectors = np.array([[1, 0, 0], [0, 1, 0], [0.9, 0.1, 0]], dtype=np.float32)
    index = KnowledgeIndex([RETURNS, DELIVERY, RETURNS_EN], Embedded(vectors, [0, 1, 2]))
    question = np.array([0.1, 0.99, 0], dtype=np.float32)

    [best, *_rest] = index.rank("Ile kosztuje wysyłka?", question_vector=question)

    assert best.passage == DELIVERY
    assert best.confidence == 1.0


def test_two_articles_answering_alike_leave_the_bot_unsure():
    vectors = np.array([[0.6, 0.8, 0], [0.6, 0.8, 0]], dtype=np.float32)
    index = KnowledgeIndex([RETURNS, DELIVERY], Embedded(vectors, [0, 1]))
    question = np.array([0, 1, 0], dtype=np.float32)

    [best, *_rest] = index.rank("Pytanie o coś", question_vector=question)

    assert best.confidence == pytest.approx(0.8)


def test_an_index_with_meaning_needs_the_question_vector():
    index = KnowledgeIndex([RETURNS], Embedded(np.ones((1, 3), dtype=np.float32), [0]))

    with pytest.raises(ValueError, match="question's vector"):
        index.rank("zwrot")


@pytest.mark.parametrize(
    "text",
    [
        "Chcę rozmawiać z człowiekiem",
        "poproszę konsultanta",
        "Can I talk to a human?",
        "connect me with an agent please",
    ],
)
def test_asking_for_a_person(text):
    assert asks_for_person(text) is True


@pytest.mark.parametrize("text", ["Jak zwrócić towar?", "When will I get my refund?"])
def test_questions_do_not_ask_for_a_person(text):
    assert asks_for_person(text) is False


@pytest.mark.parametrize("text", ["Dzień dobry", "dzięki!", "Hello there", "ok"])
def test_small_talk(text):
    assert is_small_talk(text) is True


@pytest.mark.parametrize("text", ["Dzień dobry, gdzie moja paczka?", "", "hi, refund?"])
def test_questions_are_not_small_talk(text):
    assert is_small_talk(text) is False


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Dzień dobry, jak mogę anulować zamówienie?", "jak mogę anulować zamówienie?"),
        ("Hej! Kiedy dostanę zwrot?", "Kiedy dostanę zwrot?"),
        ("Hi, do you ship to Germany?", "do you ship to Germany?"),
        ("Nie odebrałem paczki, co teraz?", "Nie odebrałem paczki, co teraz?"),
        ("Dzień dobry", "Dzień dobry"),
    ],
)
def test_the_topic_leaves_out_the_opening_greeting(text, topic):
    assert topic_of(text) == topic
