"""Reads for automation: the facts rules look at, placeholder values, and the active rules."""

import datetime
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from okienko.accounts.models import Agent
from okienko.accounts.selectors import agents, teams
from okienko.automation.conditions import hours_between
from okienko.automation.models import Macro, Rule, RulesVersion
from okienko.automation.operations import NOTIFY_TARGET_LABELS
from okienko.automation.placeholders import Rendered, render
from okienko.core.errors import NotFound
from okienko.core.reloaded import ReloadedOnChange
from okienko.customers.selectors import email_addresses_of, tiers
from okienko.sla.calendar import DEFAULT_CALENDAR, BusinessCalendar
from okienko.sla.selectors import business_calendar, default_calendar, ticket_sla
from okienko.tickets.choices import Channel, Priority, Status
from okienko.tickets.models import Ticket
from okienko.tickets.selectors import TicketSnapshot, categories, ticket_snapshots


def _facts(
    snapshot: TicketSnapshot, now: datetime.datetime, calendar: BusinessCalendar
) -> dict[str, Any]:
    ticket = snapshot.ticket
    requester = ticket.requester
    organisation = requester.organisation
    tier = organisation.tier if organisation and organisation.tier else requester.tier
    return {
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "team": ticket.team_id,
        "assignee": ticket.assignee_id,
        "category": ticket.category_id,
        "tags": snapshot.tags,
        "tier": tier.slug,
        "language": requester.language,
        "subject": ticket.subject,
        "message": snapshot.latest_public_text,
        "escalation_level": ticket.escalation_level,
        "csat_rating": ticket.csat_rating,
        "business_hours_now": calendar.is_open(now),
        "hours_since_created": hours_between(ticket.created_at, now),
        "hours_since_updated": hours_between(ticket.updated_at, now),
        "hours_in_status": hours_between(snapshot.status_since, now),
        "business_hours_in_status": calendar.between(snapshot.status_since, now).total_seconds()
        / 3600,
        "hours_since_customer_message": hours_between(snapshot.customer_wrote_at, now),
        # Not a condition field: marks the status spell a time rule fires once for.
        "status_since": snapshot.status_since,
    }


def facts_for(
    ticket_ids: Sequence[int], *, now: datetime.datetime | None = None
) -> dict[int, dict[str, Any]]:
    """What rules see of each ticket, in a fixed number of queries. Business hours are those
    of the default calendar."""
    now = now or timezone.now()
    stored = default_calendar()
    calendar = business_calendar(stored) if stored else DEFAULT_CALENDAR
    snapshots = ticket_snapshots(ticket_ids)
    return {pk: _facts(snapshot, now, calendar) for pk, snapshot in snapshots.items()}


def placeholder_values(ticket: Ticket, agent: Agent | None) -> dict[str, str]:
    """The values of ``{{ ... }}`` placeholders for a reply on ``ticket`` written as ``agent``;
    a value that is unknown is left out (and shows as missing, never as an empty gap)."""
    requester = ticket.requester
    name = requester.name.strip()
    first_reply = next(
        (
            view.clock.due_at
            for view in ticket_sla(ticket.pk).clocks
            if view.is_running and view.clock.due_at
        ),
        None,
    )
    values = {
        "customer.name": name,
        "customer.first_name": name.split()[0] if name else "",
        "customer.email": email_addresses_of([requester]).get(requester.pk, ""),
        "ticket.number": str(ticket.pk),
        "ticket.subject": ticket.subject,
        "ticket.status": str(ticket.get_status_display()),
        "team.name": ticket.team.name if ticket.team else "",
        "agent.name": agent.name if agent else "",
        "agent.first_name": agent.name.split()[0] if agent and agent.name.strip() else "",
        "sla.due": (
            date_format(timezone.localtime(first_reply, ZoneInfo(settings.TIME_ZONE)), "j E Y, H:i")
            if first_reply
            else ""
        ),
    }
    return {key: value for key, value in values.items() if value}


def _rules_version() -> object:
    return RulesVersion.objects.values_list("token", flat=True).first()


def _rules_by_event() -> dict[tuple[str, str], list[Rule]]:
    rules: dict[tuple[str, str], list[Rule]] = {}
    for rule in Rule.objects.filter(is_active=True).order_by("position", "id"):
        rules.setdefault((rule.kind, rule.event), []).append(rule)
    return rules


# Reloaded when the rules' version row changes (``actions._bump_version``).
_active_rules = ReloadedOnChange(version=_rules_version, load=_rules_by_event)


def active_rules(kind: str, event: str = "") -> list[Rule]:
    return list(_active_rules.get().get((kind, event), []))


def forget_rules() -> None:
    """Reload the rules on the next look (tests: a rolled-back test's rules are gone)."""
    _active_rules.forget()


def forget_rules_on_change() -> None:
    _active_rules.forget_on_change()


def rules() -> Any:
    return Rule.objects.all()


def access_rule(rule_id: int) -> Rule:
    try:
        return Rule.objects.get(pk=rule_id)
    except Rule.DoesNotExist as error:
        raise NotFound(f"Rule {rule_id} not found") from error


def macros() -> Any:
    return Macro.objects.filter(is_active=True)


def all_macros() -> Any:
    """Every macro, inactive ones too, for the admins who edit them."""
    return Macro.objects.order_by("name")


def access_macro(macro_id: int, *, active_only: bool = True) -> Macro:
    """The macro; an inactive one only for editing (``active_only=False``)."""
    found = Macro.objects.filter(is_active=True) if active_only else Macro.objects.all()
    try:
        return found.get(pk=macro_id)
    except Macro.DoesNotExist as error:
        raise NotFound(f"Macro {macro_id} not found") from error


def preview_reply(template: str, ticket: Ticket, agent: Agent) -> Rendered:
    """A reply template filled in for ``ticket`` as ``agent`` would send it, changing nothing;
    the values it lacks stay visible as ``[?name]``."""
    return render(template, placeholder_values(ticket, agent))


def value_choices(name: str) -> list[tuple[str, str]] | None:
    """The values a condition field or an operation parameter takes, as (value, label) for a
    form's select; None where any text or number goes."""
    enumerated = {"status": Status, "priority": Priority, "channel": Channel}
    if name in enumerated:
        return [(value, str(label)) for value, label in enumerated[name].choices]
    if name in ("team", "team_id"):
        return [(str(team.pk), team.name) for team in teams().prefetch_related(None)]
    if name in ("assignee", "agent_id"):
        return [(str(agent.pk), agent.name) for agent in agents().prefetch_related(None)]
    if name == "category":
        return [(str(category.pk), str(category)) for category in categories()]
    if name == "tier":
        return [(tier.slug, tier.name) for tier in tiers()]
    if name == "language":
        return list(settings.LANGUAGES)
    if name == "business_hours_now":
        return [("true", str(_("yes"))), ("false", str(_("no")))]
    if name == "to":
        return [(key, str(label)) for key, label in NOTIFY_TARGET_LABELS.items()]
    return None
