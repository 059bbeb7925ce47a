"""Which SLA policy a ticket falls under: conditions are data, checked field by field.

A policy's ``conditions`` maps a field to the values it accepts, e.g.
``{"channel": ["chat"], "tier": ["premium", "business"]}``: every field named must match (one of
its values is enough), fields not named match anything, and ``{}`` matches every ticket.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from okienko.core.errors import InvalidInput


@dataclass(frozen=True)
class TicketFacts:
    """The values of a ticket that policies can look at."""

    channel: str
    priority: str
    tier: str
    organisation: int | None
    # The category and its ancestors: a policy for "Orders" covers "Orders > Returns".
    categories: tuple[int, ...]
    tags: frozenset[str]
    inbox: int | None


def _single(value: Any) -> frozenset[Any]:
    return frozenset() if value is None else frozenset([value])


# How each condition field reads the facts; every one yields the set of the ticket's values.
_FIELDS: Mapping[str, Any] = {
    "channel": lambda facts: _single(facts.channel),
    "priority": lambda facts: _single(facts.priority),
    "tier": lambda facts: _single(facts.tier),
    "organisation": lambda facts: _single(facts.organisation),
    "category": lambda facts: frozenset(facts.categories),
    "tag": lambda facts: facts.tags,
    "inbox": lambda facts: _single(facts.inbox),
}
_ID_FIELDS = frozenset({"organisation", "category", "inbox"})
CONDITION_FIELDS: Sequence[str] = tuple(_FIELDS)


def normalise_conditions(conditions: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Validated conditions: known fields only, each a non-empty list of strings (ids as ints)."""
    if not isinstance(conditions, Mapping):
        raise InvalidInput("Conditions must be an object of field: [values]")
    errors: dict[str, list[str]] = {}
    result: dict[str, list[Any]] = {}
    for name, values in conditions.items():
        if name not in _FIELDS:
            errors[name] = [f"unknown field; use one of {', '.join(CONDITION_FIELDS)}"]
        elif not isinstance(values, list) or not values:
            errors[name] = ["a non-empty list of values"]
        elif name in _ID_FIELDS:
            if not all(isinstance(value, int) and not isinstance(value, bool) for value in values):
                errors[name] = ["ids (integers)"]
            else:
                result[name] = sorted(set(values))
        elif not all(isinstance(value, str) and value.strip() for value in values):
            errors[name] = ["non-empty strings"]
        else:
            cleaned = (value.strip() for value in values)
            result[name] = sorted({v.lower() if name == "tag" else v for v in cleaned})
    if errors:
        raise InvalidInput("Invalid policy conditions", errors=errors)
    return result


def matches(conditions: Mapping[str, Iterable[Any]], facts: TicketFacts) -> bool:
    return all(
        not _FIELDS[name](facts).isdisjoint(accepted) for name, accepted in conditions.items()
    )
