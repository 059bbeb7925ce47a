"""What a chat message asks of the bot besides a question: a person, or nothing at all (a
greeting or a thank-you). Plain rules over search's folded words and lemmas, Polish and
English; no database."""

import re

from okienko.search.analysis import ENGLISH, POLISH, fold, word_terms, words

# Lemmas (folded) that ask for a person: "chcę rozmawiać z człowiekiem / konsultantem",
# "talk to a human / an agent", "połącz z kierownikiem".
_PERSON = frozenset(
    {
        "czlowiek",
        "konsultant",
        "konsultantka",
        "pracownik",
        "kierownik",
        "operator",
        "human",
        "person",
        "agent",
        "manager",
        "someone",
        "somebody",
    }
)
# Messages made only of these (folded) words say hello, thank or agree: nothing to look up.
_SMALL_TALK = frozenset(
    {
        "dzien",
        "dobry",
        "dobre",
        "czesc",
        "hej",
        "hejka",
        "witam",
        "witaj",
        "siema",
        "dziekuje",
        "dziekuja",
        "dzieki",
        "bardzo",
        "serdecznie",
        "ok",
        "okej",
        "dobrze",
        "super",
        "pozdrawiam",
        "halo",
        "hello",
        "hi",
        "hey",
        "good",
        "morning",
        "afternoon",
        "evening",
        "thanks",
        "thank",
        "you",
        "much",
        "great",
        "okay",
        "there",
    }
)


_WORD_WITH_SEPARATORS = re.compile(r"\W*[^\W_]+\W*")


def _terms(word: str) -> frozenset[str]:
    return word_terms(word, POLISH) | word_terms(word, ENGLISH)


def asks_for_person(text: str) -> bool:
    """The customer asks for a human ("z człowiekiem", "talk to an agent")."""
    return any(not _PERSON.isdisjoint(_terms(word)) for word in words(text))


def is_small_talk(text: str) -> bool:
    """A greeting, thanks or "ok" with no question in it."""
    found = [fold(word) for word in words(text)]
    return bool(found) and all(word in _SMALL_TALK for word in found)


def topic_of(text: str) -> str:
    """The question without the greeting it opens with, which only blurs what it is about
    ("Dzień dobry, paczka przyszła uszkodzona" -> "paczka przyszła uszkodzona"). General
    calls for help ("co teraz?") stay: article titles use them too."""
    rest = text
    while (match := _WORD_WITH_SEPARATORS.match(rest)) and fold(
        match.group().strip(" \t\n,.!?;:-")
    ) in _SMALL_TALK:
        rest = rest[match.end() :]
    return " ".join(rest.split()) or text
