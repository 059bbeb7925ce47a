"""REST endpoints of automation: rules (admins write, agents read and dry-run) and macros."""

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from okienko.accounts.choices import Role
from okienko.api.auth import acting_agent
from okienko.automation import actions
from okienko.automation.choices import TriggerEvent
from okienko.automation.conditions import FIELDS, OPERATORS
from okienko.automation.models import Rule
from okienko.automation.operations import OPERATIONS
from okienko.automation.placeholders import PLACEHOLDERS
from okienko.automation.schemas import (
    DraftOut,
    DryRunOut,
    MacroOut,
    RuleIn,
    RuleOut,
    Vocabulary,
)
from okienko.automation.selectors import access_macro, access_rule, macros, rules
from okienko.core.errors import PermissionDenied
from okienko.tickets.selectors import access_ticket

router = Router(tags=["automation"])


def _admin(request: HttpRequest) -> None:
    if acting_agent(request).role != Role.ADMIN:
        raise PermissionDenied("Only admins change automation rules")


def _rule_input(payload: RuleIn) -> actions.RuleInput:
    return actions.RuleInput(
        kind=payload.kind,
        name=payload.name,
        event=payload.event or "",
        description=payload.description,
        position=payload.position,
        is_active=payload.is_active,
        match=payload.match,
        conditions=payload.conditions,
        operations=payload.operations,
    )


@router.get("/automation/vocabulary", response=Vocabulary, summary="What rules can say")
def vocabulary(request: HttpRequest) -> dict[str, Any]:
    acting_agent(request)
    return {
        "fields": {name: str(spec.description) for name, spec in FIELDS.items()},
        "operators": list(OPERATORS),
        "operations": list(OPERATIONS),
        "placeholders": list(PLACEHOLDERS),
        "events": list(TriggerEvent.values),
    }


@router.get("/automation/rules", response=list[RuleOut], summary="List rules in order")
def list_rules(request: HttpRequest) -> Any:
    acting_agent(request)
    return rules()


@router.post("/automation/rules", response={201: RuleOut}, summary="Create a rule (admins)")
def create_rule(request: HttpRequest, payload: RuleIn) -> Status[Rule]:
    _admin(request)
    return Status(201, actions.do_save_rule(data=_rule_input(payload)))


@router.get("/automation/rules/{rule_id}", response=RuleOut, summary="Get a rule")
def get_rule(request: HttpRequest, rule_id: int) -> Rule:
    acting_agent(request)
    return access_rule(rule_id)


@router.put("/automation/rules/{rule_id}", response=RuleOut, summary="Replace a rule (admins)")
def replace_rule(request: HttpRequest, rule_id: int, payload: RuleIn) -> Rule:
    _admin(request)
    return actions.do_save_rule(data=_rule_input(payload), rule=access_rule(rule_id))


@router.delete("/automation/rules/{rule_id}", response={204: None}, summary="Delete a rule")
def delete_rule(request: HttpRequest, rule_id: int) -> Status[None]:
    _admin(request)
    actions.do_delete_rule(rule=access_rule(rule_id))
    return Status(204, None)


@router.get(
    "/automation/rules/{rule_id}/dry-run",
    response=DryRunOut,
    summary="What the rule would do to a ticket now, without doing it",
)
def dry_run(request: HttpRequest, rule_id: int, ticket: int) -> dict[str, Any]:
    agent = acting_agent(request)
    result = actions.do_dry_run(rule=access_rule(rule_id), ticket=access_ticket(agent, ticket))
    return asdict(result)


@router.get("/automation/macros", response=list[MacroOut], summary="List active macros")
def list_macros(request: HttpRequest) -> Any:
    acting_agent(request)
    return macros()


@router.post(
    "/tickets/{ticket_id}/macros/{macro_id}",
    response=DraftOut,
    summary="Apply a macro: its changes now, its reply returned as a draft to check and send",
)
def apply_macro(request: HttpRequest, ticket_id: int, macro_id: int) -> dict[str, Any]:
    agent = acting_agent(request)
    draft = actions.do_apply_macro(
        macro=access_macro(macro_id), ticket=access_ticket(agent, ticket_id), agent=agent
    )
    return {"text": draft.text, "missing": list(draft.missing)}
