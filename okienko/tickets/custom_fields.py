"""Validation of ticket custom-field values against the fields an admin defined."""

import datetime
from typing import Any

from okienko.core.errors import InvalidInput
from okienko.tickets.choices import CustomFieldType
from okienko.tickets.models import CustomField


def _coerce(field: CustomField, value: Any) -> Any:
    if field.field_type == CustomFieldType.TEXT:
        if not isinstance(value, str):
            raise ValueError("expected text")
        return value
    if field.field_type == CustomFieldType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("expected a number")
        return value
    if field.field_type == CustomFieldType.BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError("expected true or false")
        return value
    if field.field_type == CustomFieldType.DATE:
        return datetime.date.fromisoformat(str(value)).isoformat()
    if value not in field.choices:
        raise ValueError(f"expected one of {field.choices}")
    return value


def validate_custom_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Return the values checked and normalised, or raise ``InvalidInput`` naming each problem."""
    if not values:
        return {}
    definitions = {field.key: field for field in CustomField.objects.all()}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        field = definitions.get(key)
        if field is None:
            errors[key] = ["unknown custom field"]
            continue
        try:
            cleaned[key] = _coerce(field, value)
        except ValueError as error:
            errors[key] = [str(error)]
    if errors:
        raise InvalidInput("Invalid custom fields", errors=errors)
    return cleaned


def missing_fields_to_solve(values: dict[str, Any]) -> list[str]:
    """Keys of the fields that must be filled in before a ticket may be solved."""
    required = CustomField.objects.filter(is_required_to_solve=True).values_list("key", flat=True)
    return sorted(key for key in required if values.get(key) in (None, ""))
