"""Ticket scenarios: one kind of customer request each, grouped by category in the modules here.

Texts are templates filled in by ``okienko.demo.plan`` with ``str.format_map``. Placeholders:
``{order}`` order number, ``{date}`` order date, ``{product}``, ``{amount}``, ``{parcel}``
tracking number, ``{locker}`` parcel locker, ``{city}``, ``{street}``, ``{code}`` promo code,
``{rma}`` complaint number, ``{company}``, ``{nip}``. Polish verbs agree with the speaker's
gender, so the customer's own words use ``{em}`` (zamówiłem/zamówiłam), ``{bym}``
(chciałbym/chciałabym) and ``{y}`` (pewny/pewna); an agent writing about the customer uses
``{klient}`` (Klient/Klientka) and ``{c_a}`` (napisał/napisała); an agent's own words use
``{a_em}`` (sprawdziłem/sprawdziłam).
"""

from dataclasses import dataclass
from textwrap import dedent


def paragraphs(block: str) -> tuple[str, ...]:
    """Split a block into texts at blank lines; lines within a text join with spaces."""
    parts = dedent(block).strip().split("\n\n")
    return tuple(" ".join(line.strip() for line in p.splitlines()) for p in parts)


@dataclass(frozen=True)
class Scenario:
    """One kind of customer request with several phrasings of each turn of the conversation."""

    key: str
    category: str
    team: str
    tags: tuple[str, ...]
    subjects: tuple[str, ...]
    openings: tuple[str, ...]
    replies: tuple[str, ...]
    questions: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    holds: tuple[str, ...] = ()
    hold_notes: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    has_order: bool = True
    weight: int = 4
    # Relative weights of low, normal, high and urgent.
    priorities: tuple[int, int, int, int] = (8, 78, 12, 2)
    is_for_business: bool = False
