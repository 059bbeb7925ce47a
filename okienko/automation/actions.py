"""Writes for automation: rules and macros, firing triggers on events, the time-rule sweep."""

import datetime
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from okienko.accounts.models import Agent
from okienko.automation.choices import Match, RuleKind, TriggerEvent
from okienko.automation.conditions import evaluate, normalise_conditions
from okienko.automation.models import Macro, Rule, RuleFiring, RulesVersion
from okienko.automation.operations import (
    Context,
    OperationFailed,
    apply,
    normalise_operations,
)
from okienko.automation.placeholders import Rendered, render, unknown_placeholders
from okienko.automation.selectors import (
    active_rules,
    facts_for,
    forget_rules_on_change,
    placeholder_values,
    preview_reply,
)
from okienko.core.errors import DomainError, InvalidInput
from okienko.core.persistence import save_unique
from okienko.tickets.choices import Status
from okienko.tickets.models import Ticket
from okienko.tickets.selectors import ticket_by_number, ticket_ids_in_statuses

logger = logging.getLogger(__name__)

# Rules whose operations set off further events run inside each other; this many deep at most,
# and a rule never fires twice on one ticket within one chain, so rules cannot loop.
MAX_CHAIN = 5
# How many tickets one time rule looks at per sweep.
TIME_RULE_BATCH = 1000


@dataclass(frozen=True)
class _Chain:
    depth: int = 0
    fired: frozenset[tuple[int, int]] = frozenset()


_OUTSIDE_ANY_CHAIN = _Chain()
_chain: ContextVar[_Chain] = ContextVar("automation_chain", default=_OUTSIDE_ANY_CHAIN)


@contextmanager
def _inside(rule: Rule, ticket_id: int) -> Iterator[None]:
    current = _chain.get()
    token = _chain.set(_Chain(current.depth + 1, current.fired | {(rule.pk, ticket_id)}))
    try:
        yield
    finally:
        _chain.reset(token)


@dataclass(frozen=True)
class RuleInput:
    kind: str
    name: str
    operations: list[dict[str, Any]]
    event: str = ""
    conditions: list[dict[str, Any]] = field(default_factory=list)
    match: str = Match.ALL
    position: int = 0
    is_active: bool = True
    description: str = ""


def _bump_version() -> None:
    token = uuid.uuid4().hex
    if not RulesVersion.objects.update(token=token):
        RulesVersion.objects.create(token=token)
    forget_rules_on_change()


@transaction.atomic
def do_save_rule(*, data: RuleInput, rule: Rule | None = None) -> Rule:
    """Create a rule or replace ``rule``; conditions and operations are validated first."""
    rule = built_rule(data, rule=rule)
    save_unique(rule, taken=f"A rule named {rule.name!r} already exists")
    _bump_version()
    return rule


def built_rule(data: RuleInput, *, rule: Rule | None = None) -> Rule:
    """``data`` validated into ``rule`` (or a new, unsaved rule), e.g. to dry-run a draft."""
    name = data.name.strip()
    if not name:
        raise InvalidInput("A rule needs a name", errors={"name": ["empty"]})
    if data.kind not in RuleKind.values:
        raise InvalidInput(f"kind: one of {', '.join(RuleKind.values)}", errors={"kind": []})
    if data.kind == RuleKind.TRIGGER and data.event not in TriggerEvent.values:
        raise InvalidInput(
            f"A trigger needs an event: one of {', '.join(TriggerEvent.values)}",
            errors={"event": [data.event]},
        )
    if data.match not in Match.values:
        raise InvalidInput("match: all or any", errors={"match": [data.match]})
    rule = rule or Rule()
    rule.kind = data.kind
    rule.event = data.event if data.kind == RuleKind.TRIGGER else ""
    rule.name = name
    rule.description = data.description
    rule.position = data.position
    rule.is_active = data.is_active
    rule.match = data.match
    rule.conditions = normalise_conditions(data.conditions)
    rule.operations = normalise_operations(data.operations)
    return rule


@transaction.atomic
def do_delete_rule(*, rule: Rule) -> None:
    rule.delete()
    _bump_version()


def _fire(rule: Rule, ticket: Ticket, *, key: str = "", at: datetime.datetime) -> RuleFiring | None:
    """Apply the rule's operations, all or none, and record the firing (with the error, if any).
    None when a time rule has already fired for ``key``."""
    context = Context(rule=rule.name, acting_user=None, values=placeholder_values(ticket, None))
    with _inside(rule, ticket.pk), transaction.atomic():
        try:
            with transaction.atomic():
                firing = RuleFiring.objects.create(
                    rule=rule, rule_name=rule.name, ticket=ticket, key=key, fired_at=at
                )
        except IntegrityError:
            return None
        try:
            with transaction.atomic():
                for operation in rule.operations:
                    apply(ticket, operation, context)
        except (OperationFailed, DomainError) as error:
            logger.info("rule %r on #%s did nothing: %s", rule.name, ticket.pk, error)
            firing.error = str(error)
            firing.save(update_fields=["error"])
    return firing


def do_run_triggers(*, event: str, ticket_id: int) -> list[RuleFiring]:
    """Fire the active triggers of ``event`` whose conditions the ticket meets, in order; each
    later trigger sees what the earlier ones changed.

    The ticket's facts are read once, and again only after a trigger fired: an event no trigger
    matches costs the queries of one ``facts_for``, however many triggers there are."""
    chain = _chain.get()
    if chain.depth >= MAX_CHAIN:
        logger.warning("automation chain on #%s stopped at depth %s", ticket_id, chain.depth)
        return []
    rules = [
        rule
        for rule in active_rules(RuleKind.TRIGGER, event)
        if (rule.pk, ticket_id) not in chain.fired
    ]
    facts = facts_for([ticket_id]).get(ticket_id) if rules else None
    ticket: Ticket | None = None
    firings: list[RuleFiring] = []
    for rule in rules:
        if facts is None:
            break
        if not evaluate(rule.conditions, rule.match, facts):
            continue
        ticket = ticket or ticket_by_number(ticket_id)
        if ticket is None:
            break
        if firing := _fire(rule, ticket, at=timezone.now()):
            firings.append(firing)
            # What this trigger and the ones it set off changed, for the triggers after it.
            facts = facts_for([ticket_id]).get(ticket_id)
    return firings


@dataclass(frozen=True)
class DryRun:
    """What a rule would do to a ticket now, without doing it."""

    matches: bool
    facts: dict[str, Any]
    operations: list[dict[str, Any]]
    missing_placeholders: list[str]


def do_dry_run(*, rule: Rule, ticket: Ticket) -> DryRun:
    facts = facts_for([ticket.pk])[ticket.pk]
    matches = evaluate(rule.conditions, rule.match, facts)
    values = placeholder_values(ticket, None)
    missing = sorted(
        {
            name
            for operation in rule.operations
            if "text" in operation
            for name in render(operation["text"], values).missing
        }
    )
    return DryRun(
        matches=matches,
        facts=facts,
        operations=rule.operations if matches else [],
        missing_placeholders=missing,
    )


def _statuses(rule: Rule) -> list[str]:
    """The statuses a time rule can apply to, from its status condition (to read only those
    tickets through the status index); closed tickets are never touched."""
    for condition in rule.conditions:
        if condition["field"] == "status" and rule.match == Match.ALL:
            if condition["operator"] == "is":
                return [condition["value"]]
            if condition["operator"] == "in":
                return [status for status in condition["value"] if status != Status.CLOSED]
    return [status for status in Status.values if status != Status.CLOSED]


def do_run_time_rules(*, now: datetime.datetime | None = None) -> int:
    """Evaluate every active time rule; each fires once per ticket and status spell (e.g.
    "pending for 3 days" reminds once, and again only after the ticket was pending anew)."""
    now = now or timezone.now()
    fired = 0
    for rule in active_rules(RuleKind.TIME):
        ticket_ids = ticket_ids_in_statuses(_statuses(rule), limit=TIME_RULE_BATCH)
        facts = facts_for(ticket_ids, now=now)
        done = set(
            RuleFiring.objects.filter(rule=rule, ticket_id__in=ticket_ids).values_list(
                "ticket_id", "key"
            )
        )
        for ticket_id, ticket_facts in facts.items():
            key = f"{ticket_facts['status']}@{ticket_facts['status_since'].isoformat()}"
            if (ticket_id, key) in done or not evaluate(rule.conditions, rule.match, ticket_facts):
                continue
            ticket = ticket_by_number(ticket_id)
            if ticket is not None and _fire(rule, ticket, key=key, at=now):
                fired += 1
    return fired


@dataclass(frozen=True)
class MacroInput:
    name: str
    reply: str = ""
    operations: list[dict[str, Any]] = field(default_factory=list)
    is_active: bool = True


@transaction.atomic
def do_save_macro(*, data: MacroInput, macro: Macro | None = None) -> Macro:
    name = data.name.strip()
    if not name:
        raise InvalidInput("A macro needs a name", errors={"name": ["empty"]})
    if unknown := unknown_placeholders(data.reply):
        raise InvalidInput(f"Unknown placeholders: {', '.join(unknown)}", errors={"reply": unknown})
    operations = normalise_operations(data.operations, allow_empty=True)
    if not operations and not data.reply.strip():
        raise InvalidInput("A macro needs a reply or an operation")
    macro = macro or Macro()
    macro.name, macro.reply, macro.operations = name, data.reply, operations
    macro.is_active = data.is_active
    save_unique(macro, taken=f"A macro named {name!r} already exists")
    return macro


def do_delete_macro(*, macro: Macro) -> None:
    macro.delete()


def _renamed_tag(value: Any, old: str, new: str) -> Any:
    """``value`` (a tag name or a list of them) with ``old`` named ``new``; a list keeps one
    of each name (after a merge it may have held both)."""
    if isinstance(value, str):
        return new if value.strip().casefold() == old.casefold() else value
    if isinstance(value, list):
        return list(dict.fromkeys(_renamed_tag(item, old, new) for item in value))
    return value


def _operations_renaming_tag(
    operations: list[dict[str, Any]], old: str, new: str
) -> list[dict[str, Any]]:
    return [
        {**operation, "tags": _renamed_tag(operation["tags"], old, new)}
        if "tags" in operation
        else operation
        for operation in operations
    ]


@transaction.atomic
def do_follow_renamed_tag(*, old: str, new: str) -> int:
    """Rules and macros that name the tag ``old`` (in a condition on tags, or in operations
    adding or removing tags) name ``new`` instead, after a tag was renamed or merged into
    another. Returns how many rules and macros changed."""
    changed = 0
    for rule in Rule.objects.all():
        conditions = [
            {**condition, "value": _renamed_tag(condition.get("value"), old, new)}
            if condition.get("field") == "tags"
            else condition
            for condition in rule.conditions
        ]
        operations = _operations_renaming_tag(rule.operations, old, new)
        if (conditions, operations) != (rule.conditions, rule.operations):
            rule.conditions, rule.operations = conditions, operations
            rule.save(update_fields=["conditions", "operations"])
            changed += 1
    if changed:
        _bump_version()
    for macro in Macro.objects.all():
        operations = _operations_renaming_tag(macro.operations, old, new)
        if operations != macro.operations:
            macro.operations = operations
            macro.save(update_fields=["operations"])
            changed += 1
    return changed


@transaction.atomic
def do_apply_macro(*, macro: Macro, ticket: Ticket, agent: Agent) -> Rendered:
    """Apply the macro's changes to the ticket as ``agent`` and return its reply, filled in, as
    a draft for the agent to check and send (gaps shown as ``[?name]``)."""
    context = Context(
        rule=f"macro: {macro.name}", acting_user=agent, values=placeholder_values(ticket, agent)
    )
    try:
        for operation in macro.operations:
            apply(ticket, operation, context)
    except OperationFailed as error:
        raise InvalidInput(str(error)) from error
    ticket.refresh_from_db()
    return preview_reply(macro.reply, ticket, agent)
