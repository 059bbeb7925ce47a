"""Rule conditions: data interpreted by a registry of fields and operators, never ``eval``.

A condition is ``{"field": "priority", "operator": "is", "value": "urgent"}``. Fields read a
``Facts`` mapping built once per evaluation (``automation.selectors.ticket_facts``).
"""

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from okienko.core.errors import InvalidInput

Facts = Mapping[str, Any]


@dataclass(frozen=True)
class FieldSpec:
    kind: str  # "text", "choice", "number", "list", "boolean", "id"
    description: Promise


# What a rule can look at. Durations are in hours (business hours where the name says so).
FIELDS: Mapping[str, FieldSpec] = {
    "status": FieldSpec("choice", _("ticket status")),
    "priority": FieldSpec("choice", _("ticket priority")),
    "channel": FieldSpec("choice", _("channel of origin")),
    "team": FieldSpec("id", _("team id (empty: none)")),
    "assignee": FieldSpec("id", _("assigned agent id (empty: none)")),
    "category": FieldSpec("id", _("category id")),
    "tags": FieldSpec("list", _("tag names")),
    "tier": FieldSpec("choice", _("customer tier slug")),
    "language": FieldSpec("choice", _("customer's language")),
    "subject": FieldSpec("text", _("subject")),
    "message": FieldSpec("text", _("text of the latest public message")),
    "escalation_level": FieldSpec("number", _("0 first line, 1 second line, 2 supervisor")),
    "csat_rating": FieldSpec("number", _("the customer's satisfaction rating (1-5)")),
    "business_hours_now": FieldSpec("boolean", _("the default business calendar is open now")),
    "hours_since_created": FieldSpec("number", _("hours since the ticket was opened")),
    "hours_since_updated": FieldSpec("number", _("hours since the last change")),
    "hours_in_status": FieldSpec("number", _("hours since the status last changed")),
    "business_hours_in_status": FieldSpec("number", _("business hours since the status changed")),
    "hours_since_customer_message": FieldSpec("number", _("hours since the customer last wrote")),
}


def _norm(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, list | tuple | set | frozenset):
        return _norm(expected) in {_norm(item) for item in actual}
    return isinstance(actual, str) and str(expected).casefold() in actual.casefold()


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _compare(test: Callable[[float, float], bool]) -> Callable[[Any, Any], bool]:
    def check(actual: Any, expected: Any) -> bool:
        left, right = _number(actual), _number(expected)
        return left is not None and right is not None and test(left, right)

    return check


OPERATORS: Mapping[str, Callable[[Any, Any], bool]] = {
    "is": lambda actual, expected: _norm(actual) == _norm(expected),
    "is_not": lambda actual, expected: _norm(actual) != _norm(expected),
    "in": lambda actual, expected: _norm(actual) in {_norm(item) for item in expected},
    "not_in": lambda actual, expected: _norm(actual) not in {_norm(item) for item in expected},
    "contains": _contains,
    "not_contains": lambda actual, expected: not _contains(actual, expected),
    "greater_than": _compare(lambda left, right: left > right),
    "less_than": _compare(lambda left, right: left < right),
    "is_empty": lambda actual, _expected: actual in (None, "", [], ()),
    "is_set": lambda actual, _expected: actual not in (None, "", [], ()),
}
OPERATOR_LABELS: Mapping[str, Promise] = {
    "is": _("is"),
    "is_not": _("is not"),
    "in": _("is one of"),
    "not_in": _("is none of"),
    "contains": _("contains"),
    "not_contains": _("does not contain"),
    "greater_than": _("is greater than"),
    "less_than": _("is less than"),
    "is_empty": _("is empty"),
    "is_set": _("is set"),
}
_LIST_OPERATORS = frozenset({"in", "not_in"})
_VALUELESS = frozenset({"is_empty", "is_set"})


def normalise_conditions(conditions: Any) -> list[dict[str, Any]]:
    """Validated conditions, or InvalidInput naming each bad one."""
    if not isinstance(conditions, list):
        raise InvalidInput("Conditions are a list of {field, operator, value}")
    errors: dict[str, list[str]] = {}
    result = []
    for index, condition in enumerate(conditions):
        where = f"conditions[{index}]"
        if not isinstance(condition, dict):
            errors[where] = ["an object {field, operator, value}"]
            continue
        field, operator = condition.get("field"), condition.get("operator")
        value = condition.get("value")
        if field not in FIELDS:
            errors[where] = [f"unknown field {field!r}; fields: {', '.join(FIELDS)}"]
        elif operator not in OPERATORS:
            errors[where] = [f"unknown operator {operator!r}; operators: {', '.join(OPERATORS)}"]
        elif operator in _LIST_OPERATORS and not isinstance(value, list):
            errors[where] = [f"{operator} needs a list of values"]
        elif operator not in _VALUELESS and operator not in _LIST_OPERATORS and value is None:
            errors[where] = [f"{operator} needs a value"]
        else:
            result.append({"field": field, "operator": operator, "value": value})
    if errors:
        raise InvalidInput("Invalid rule conditions", errors=errors)
    return result


def evaluate(conditions: Sequence[Mapping[str, Any]], match: str, facts: Facts) -> bool:
    """Whether ``facts`` meet the conditions: all of them, or any (no conditions: always)."""
    if not conditions:
        return True
    results = (
        OPERATORS[condition["operator"]](facts.get(condition["field"]), condition.get("value"))
        for condition in conditions
    )
    return all(results) if match == "all" else any(results)


def hours_between(start: datetime.datetime | None, end: datetime.datetime) -> float | None:
    return None if start is None else (end - start).total_seconds() / 3600
