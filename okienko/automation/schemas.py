"""API shapes of automation rules and macros."""

from typing import Any

from ninja import Field, Schema

from okienko.automation.choices import Match, RuleKind, TriggerEvent


class RuleIn(Schema):
    kind: RuleKind
    name: str = Field(..., min_length=1, max_length=200)
    event: TriggerEvent | None = Field(None, description="For triggers: what they react to")
    description: str = ""
    position: int = Field(0, ge=0)
    is_active: bool = True
    match: Match = Match.ALL
    conditions: list[dict[str, Any]] = Field(
        [], description="[{field, operator, value}]; see GET /automation/vocabulary"
    )
    operations: list[dict[str, Any]] = Field(
        ..., description="[{type, ...}]; see GET /automation/vocabulary"
    )


class RuleOut(Schema):
    id: int
    kind: RuleKind
    name: str
    event: str
    description: str
    position: int
    is_active: bool
    match: Match
    conditions: list[dict[str, Any]]
    operations: list[dict[str, Any]]


class DryRunOut(Schema):
    matches: bool
    facts: dict[str, Any]
    operations: list[dict[str, Any]]
    missing_placeholders: list[str]


class Vocabulary(Schema):
    fields: dict[str, str]
    operators: list[str]
    operations: list[str]
    placeholders: list[str]
    events: list[str]


class MacroOut(Schema):
    id: int
    name: str
    reply: str
    operations: list[dict[str, Any]]


class DraftOut(Schema):
    text: str
    missing: list[str] = Field(description="Placeholders without a value, shown as [?name]")
