"""Placeholders in replies written by macros and rules: ``{{ customer.first_name }}``.

A value that is missing is never sent as an empty hole: rendering reports it, the agent sees
``[?customer.first_name]`` in the draft, and an automatic e-mail with a gap is not sent. Names are
used as recorded (Polish vocative forms are not guessed).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)*)\s*\}\}")
GAP = re.compile(r"\[\?([a-z_]+(?:\.[a-z_]+)*)\]")
PLACEHOLDERS = (
    "customer.name",
    "customer.first_name",
    "customer.email",
    "ticket.number",
    "ticket.subject",
    "ticket.status",
    "agent.name",
    "agent.first_name",
    "team.name",
    "sla.due",
)


@dataclass(frozen=True)
class Rendered:
    text: str
    missing: tuple[str, ...]

    @property
    def is_complete(self) -> bool:
        return not self.missing


def render(template: str, values: Mapping[str, str]) -> Rendered:
    """Fill the placeholders; unknown or empty ones stay visible as ``[?name]``."""
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name, "")
        if not value:
            missing.append(name)
            return f"[?{name}]"
        return value

    text = PLACEHOLDER.sub(fill, template)
    return Rendered(text=text, missing=tuple(dict.fromkeys(missing)))


def unknown_placeholders(template: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(template) if name not in PLACEHOLDERS})


def gaps(text: str) -> list[str]:
    """The ``[?name]`` gaps a rendered draft still has: such a text must not be sent."""
    return list(dict.fromkeys(GAP.findall(text)))
