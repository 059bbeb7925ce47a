"""What rules and macros do to a ticket: a registry of named operations over the tickets'
actions, each validated when the rule is saved and applied with the rule's name in history.

An operation is ``{"type": "set_priority", "value": "urgent"}``.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Agent
from okienko.accounts.selectors import agents, teams
from okienko.automation.placeholders import render, unknown_placeholders
from okienko.core.errors import InvalidInput
from okienko.integrations.actions import do_queue_webhook
from okienko.notifications.actions import NotificationInput, do_notify
from okienko.notifications.choices import NotificationKind
from okienko.notifications.selectors import notify_targets
from okienko.routing.actions import do_escalate_ticket
from okienko.tickets import actions as tickets
from okienko.tickets.choices import Priority, Status
from okienko.tickets.models import Ticket


class OperationFailed(Exception):
    """An operation could not be applied; the firing records why."""


@dataclass(frozen=True)
class Context:
    """What an operation needs besides the ticket: who acts and the placeholder values."""

    rule: str
    acting_user: Agent | None
    values: Mapping[str, str]


def _choice(allowed: list[str]) -> Callable[[dict[str, Any]], str | None]:
    def check(params: dict[str, Any]) -> str | None:
        return None if params.get("value") in allowed else f"value: one of {', '.join(allowed)}"

    return check


def _optional_id(key: str) -> Callable[[dict[str, Any]], str | None]:
    def check(params: dict[str, Any]) -> str | None:
        value = params.get(key)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return None
        return f"{key}: an id or null"

    return check


def _tag_list(params: dict[str, Any]) -> str | None:
    tags = params.get("tags")
    if isinstance(tags, list) and tags and all(isinstance(t, str) and t.strip() for t in tags):
        return None
    return "tags: a non-empty list of names"


def _text(params: dict[str, Any]) -> str | None:
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        return "text: the message, with placeholders like {{ ticket.number }}"
    if unknown := unknown_placeholders(text):
        return f"unknown placeholders: {', '.join(unknown)}"
    return None


def _no_params(params: dict[str, Any]) -> str | None:
    return None


def _set_status(ticket: Ticket, params: dict[str, Any], context: Context) -> None:
    tickets.do_change_status(
        ticket=ticket, status=params["value"], acting_user=context.acting_user, rule=context.rule
    )


def _set_priority(ticket: Ticket, params: dict[str, Any], context: Context) -> None:
    tickets.do_change_priority(
        ticket=ticket, priority=params["value"], acting_user=context.acting_user, rule=context.rule
    )


def _assign(ticket: Ticket, params: dict[str, Any], context: Context) -> None:
    agent_id = params.get("agent_id")
    agent = agents().filter(pk=agent_id).first() if agent_id else None
    if agent_id and agent is None:
        raise OperationFailed(f"agent {agent_id} does not exist or is inactive")
    tickets.do_assign(
        ticket=ticket, assignee=agent, acting_user=context.acting_user, rule=context.rule
    )


def _set_team(ticket: Ticket, params: dict[str, Any], context: Context) -> None:
    team_id = params.get("team_id")
    team = teams().filter(pk=team_id).first() if team_id else None
    if team_id and team is None:
        raise OperationFailed(f"team {team_id} does not exist")
    tickets.do_change_team(
        ticket=ticket, team=team, acting_user=context.acting_user, rule=context.rule
    )


def _current_tags(ticket: Ticket) -> set[str]:
    return set(ticket.tags.values_list("name", flat=True))


def _add_tags(ticket: Ticket, params: dict[str, Any], context: Context) -> None:
    names = _current_tags(ticket) | {tag.strip().lower() for tag in params["tags"]}
    tickets.do_set_tags(
        ticket=ticket, names=names, acting_user=context.acting_user, rule=context.rule
    )


def _remove_tags(ticket: Ticket, params: dict[str, Any], context: Context) -> None:
    names = _current_tags(ticket) - {tag.strip().lower() for tag in params["tags"]}
    tickets.do_set_tags(
        ticket=ticket, names=names, acting_user=context.acting_user, rule=context.rule
    )


def _add_note(ticket: Ticket, params: dict[str, Any], context: Context) -> None:
    rendered = render(params["text"], context.values)
    tickets.do_add_note(
        ticket=ticket, text=rendered.text, acting_user=context.acting_user, rule=context.rule
    )


def _send_email(ticket: Ticket, params: dict[str, Any], context: Context) -> None:
    rendered = render(params["text"], context.values)
    if not rendered.is_complete:
        raise OperationFailed(f"not sent, values missing: {', '.join(rendered.missing)}")
    tickets.do_add_system_reply(ticket=ticket, text=rendered.text, rule=context.rule)


def _escalate(ticket: Ticket, params: dict[str, Any], context: Context) -> None:
    do_escalate_ticket(ticket=ticket, acting_user=context.acting_user, rule=context.rule)


def _notify_check(params: dict[str, Any]) -> str | None:
    to = params.get("to")
    if to not in NOTIFY_TARGET_LABELS:
        return f"to: one of {', '.join(NOTIFY_TARGET_LABELS)}"
    agent_id = params.get("agent_id")
    if to == "agent" and (not isinstance(agent_id, int) or isinstance(agent_id, bool)):
        return "agent_id: the agent to notify"
    return _text(params)


def _notify(ticket: Ticket, params: dict[str, Any], context: Context) -> None:
    """Tell agents about the ticket in the workspace and by e-mail, as each of them chose."""
    rendered = render(params["text"], context.values)
    recipients = notify_targets(ticket.pk, params["to"], agent_id=params.get("agent_id"))
    if not recipients:
        raise OperationFailed(f"nobody to notify ({params['to']})")
    acting_id = context.acting_user.pk if context.acting_user else None
    do_notify(
        [
            NotificationInput(
                agent_id,
                NotificationKind.RULE,
                ticket_id=ticket.pk,
                actor_id=acting_id,
                detail=f"{context.rule}: {rendered.text}",
            )
            for agent_id in recipients
        ]
    )


WEBHOOK_URL_LENGTH = 500


def _webhook_check(params: dict[str, Any]) -> str | None:
    url = params.get("url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return "url: the http(s) address to call"
    if len(url) > WEBHOOK_URL_LENGTH:
        return f"url: at most {WEBHOOK_URL_LENGTH} characters"
    if not settings.WEBHOOK_SECRET:
        return "webhooks are always signed: set OKIENKO_WEBHOOK_SECRET first"
    return None


def _call_webhook(ticket: Ticket, params: dict[str, Any], context: Context) -> None:
    """POST the ticket and the rule's placeholder values to another system, signed, retried."""
    path = reverse("workspace:ticket", args=[ticket.pk])
    payload = {
        "rule": context.rule,
        "ticket": {
            "number": ticket.pk,
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
            "channel": ticket.channel,
            "team_id": ticket.team_id,
            "assignee_id": ticket.assignee_id,
            "url": f"{settings.PUBLIC_URL}{path}",
        },
        "values": dict(context.values),
    }
    do_queue_webhook(
        url=params["url"],
        event="automation.rule_fired",
        payload=payload,
        ticket_id=ticket.pk,
        rule=context.rule,
    )


@dataclass(frozen=True)
class Operation:
    label: Promise
    # The keys of the operation besides its type, for forms that build it.
    params: tuple[str, ...]
    check: Callable[[dict[str, Any]], str | None]
    apply: Callable[[Ticket, dict[str, Any], Context], None]


OPERATIONS: Mapping[str, Operation] = {
    "set_status": Operation(_("Set status"), ("value",), _choice(Status.values), _set_status),
    "set_priority": Operation(
        _("Set priority"), ("value",), _choice(Priority.values), _set_priority
    ),
    "assign": Operation(_("Assign to an agent"), ("agent_id",), _optional_id("agent_id"), _assign),
    "set_team": Operation(_("Move to a team"), ("team_id",), _optional_id("team_id"), _set_team),
    "add_tags": Operation(_("Add tags"), ("tags",), _tag_list, _add_tags),
    "remove_tags": Operation(_("Remove tags"), ("tags",), _tag_list, _remove_tags),
    "add_note": Operation(_("Add an internal note"), ("text",), _text, _add_note),
    "send_email": Operation(_("Reply to the customer"), ("text",), _text, _send_email),
    "escalate": Operation(_("Escalate one level"), (), _no_params, _escalate),
    "notify": Operation(_("Notify agents"), ("to", "agent_id", "text"), _notify_check, _notify),
    "call_webhook": Operation(_("Call a webhook"), ("url",), _webhook_check, _call_webhook),
}
NOTIFY_TARGET_LABELS: Mapping[str, Promise] = {
    "responsible": _("whoever answers for the ticket"),
    "team": _("the ticket's team"),
    "supervisors": _("the supervisors"),
    "agent": _("one agent"),
}


def normalise_operations(operations: Any, *, allow_empty: bool = False) -> list[dict[str, Any]]:
    if not isinstance(operations, list) or (not operations and not allow_empty):
        raise InvalidInput("Operations are a non-empty list of {type, ...}")
    errors: dict[str, list[str]] = {}
    for index, operation in enumerate(operations):
        where = f"operations[{index}]"
        if not isinstance(operation, dict) or operation.get("type") not in OPERATIONS:
            errors[where] = [f"type: one of {', '.join(OPERATIONS)}"]
        elif problem := OPERATIONS[operation["type"]].check(operation):
            errors[where] = [problem]
    if errors:
        raise InvalidInput("Invalid operations", errors=errors)
    return [dict(operation) for operation in operations]


def apply(ticket: Ticket, operation: dict[str, Any], context: Context) -> None:
    """Apply one operation to the ticket as it is now."""
    ticket.refresh_from_db()
    OPERATIONS[operation["type"]].apply(ticket, operation, context)
