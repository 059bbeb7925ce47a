"""Reads for notifications: an agent's list and unread count, preferences, recipients, texts."""

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from okienko.accounts.choices import Role
from okienko.accounts.models import Agent
from okienko.core.errors import NotFound
from okienko.notifications.choices import DEFAULT_CHANNELS, NotificationKind
from okienko.notifications.models import Notification, NotificationPreference
from okienko.sla.choices import Metric
from okienko.tickets.selectors import ticket_audiences, visible_tickets

# "@anna.nowak" mentions the agent whose e-mail address starts with "anna.nowak@".
_MENTION = re.compile(r"(?<![\w.@])@([\w][\w.+-]*)")


def recent_notifications(agent: Agent, *, limit: int = 50) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(agent=agent)
        .select_related("ticket", "actor")
        .order_by("-id")[:limit]
    )


def access_notification(agent: Agent, notification_id: int) -> Notification:
    """One of the agent's own notifications; anybody else's does not exist for them."""
    try:
        return Notification.objects.get(agent=agent, pk=notification_id)
    except Notification.DoesNotExist as error:
        raise NotFound(f"Notification {notification_id} not found") from error


def unread_count(agent: Agent) -> int:
    return Notification.objects.filter(agent=agent, read_at__isnull=True).count()


def unread_counts(agent_ids: Sequence[int]) -> dict[int, int]:
    rows = (
        Notification.objects.filter(agent_id__in=agent_ids, read_at__isnull=True)
        .values("agent_id")
        .annotate(unread=Count("id"))
        .values_list("agent_id", "unread")
    )
    return dict.fromkeys(agent_ids, 0) | dict(rows)


@dataclass(frozen=True)
class NotificationInput:
    """One notification to make: for whom, of what kind, about which ticket, caused by whom."""

    agent_id: int
    kind: str
    ticket_id: int | None = None
    actor_id: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class Preference:
    kind: str
    label: str
    in_app: bool
    email: bool


def preferences_of(agent: Agent) -> list[Preference]:
    chosen = {
        preference.kind: (preference.in_app, preference.email)
        for preference in NotificationPreference.objects.filter(agent=agent)
    }
    return [
        Preference(kind, str(label), *chosen.get(kind, DEFAULT_CHANNELS[kind]))
        for kind, label in NotificationKind.choices
    ]


def channels_for(agent_ids: Sequence[int], kind: str) -> dict[int, tuple[bool, bool]]:
    """(in the workspace, by e-mail) for each active agent of ``agent_ids``, for ``kind``."""
    active = Agent.objects.filter(pk__in=agent_ids, is_active=True).values_list("pk", flat=True)
    chosen = {
        agent_id: (in_app, email)
        for agent_id, in_app, email in NotificationPreference.objects.filter(
            agent_id__in=agent_ids, kind=kind
        ).values_list("agent_id", "in_app", "email")
    }
    return {agent_id: chosen.get(agent_id, DEFAULT_CHANNELS[kind]) for agent_id in active}


def ticket_leads(ticket_ids: Sequence[int]) -> dict[int, list[int]]:
    """Who leads on each ticket: the supervisors of its team, or every supervisor and admin when
    the team has none (or there is no team)."""
    leads = Agent.objects.filter(is_active=True, role__in=[Role.SUPERVISOR, Role.ADMIN]).order_by(
        "pk"
    )
    team_leads: dict[int | None, list[int]] = defaultdict(list)
    for agent_id, team_id in leads.filter(role=Role.SUPERVISOR).values_list("pk", "teams"):
        if team_id is not None:
            team_leads[team_id].append(agent_id)
    everyone = list(leads.values_list("pk", flat=True))
    return {
        audience.ticket_id: team_leads.get(audience.team_id) or everyone
        for audience in ticket_audiences(ticket_ids)
    }


def responsible_agents(ticket_ids: Sequence[int]) -> dict[int, list[int]]:
    """Who answers for each ticket: its assignee; for an unassigned ticket, its leads."""
    audiences = ticket_audiences(ticket_ids)
    unassigned = [audience.ticket_id for audience in audiences if audience.assignee_id is None]
    responsible = ticket_leads(unassigned) if unassigned else {}
    for audience in audiences:
        if audience.assignee_id is not None:
            responsible[audience.ticket_id] = [audience.assignee_id]
    return responsible


def notify_targets(ticket_id: int, to: str, *, agent_id: int | None = None) -> list[int]:
    """The agents an automation rule's "notify" reaches: whoever answers for the ticket, its
    team's members, its leads, or one agent who may see it."""
    if to == "responsible":
        return responsible_agents([ticket_id]).get(ticket_id, [])
    if to == "supervisors":
        return ticket_leads([ticket_id]).get(ticket_id, [])
    active = Agent.objects.filter(is_active=True).order_by("pk")
    if to == "team":
        audiences = ticket_audiences([ticket_id])
        team_id = audiences[0].team_id if audiences else None
        return list(active.filter(teams=team_id).values_list("pk", flat=True)) if team_id else []
    agent = active.filter(pk=agent_id).first() if agent_id is not None else None
    if agent is None or not visible_tickets(agent).filter(pk=ticket_id).exists():
        return []
    return [agent.pk]


# More alerts than this on unassigned tickets in one sweep reach a supervisor as one digest.
DIGEST_AFTER = 3


def sla_alert_notifications(kind: str, alerts: Sequence[Sequence[Any]]) -> list[NotificationInput]:
    """The notifications a batch of (ticket id, metric) SLA alerts of ``kind`` makes: one per
    ticket for its assignee; for the supervisors answering for unassigned tickets, one per ticket
    up to ``DIGEST_AFTER`` of them, else a single digest (no ticket, the count as detail)."""
    ticket_ids = sorted({ticket_id for ticket_id, _metric in alerts})
    assignees = {a.ticket_id: a.assignee_id for a in ticket_audiences(ticket_ids)}
    responsible = responsible_agents(ticket_ids)
    items = []
    unassigned: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for ticket_id, metric in alerts:
        assignee_id = assignees.get(ticket_id)
        if assignee_id is not None:
            items.append(NotificationInput(assignee_id, kind, ticket_id, detail=metric))
        else:
            for agent_id in responsible.get(ticket_id, []):
                unassigned[agent_id].append((ticket_id, metric))
    for agent_id, tickets in unassigned.items():
        if len(tickets) > DIGEST_AFTER:
            items.append(NotificationInput(agent_id, kind, detail=str(len(tickets))))
        else:
            items.extend(
                NotificationInput(agent_id, kind, ticket_id, detail=metric)
                for ticket_id, metric in tickets
            )
    return items


def assignee_of(ticket_id: int) -> int | None:
    audiences = ticket_audiences([ticket_id])
    return audiences[0].assignee_id if audiences else None


def mentioned_agents(text: str, ticket_id: int) -> list[int]:
    """The agents ``text`` mentions by ``@handle`` who may see the ticket (a mention of
    somebody outside the ticket's team would lead them to a page they cannot open)."""
    handles = {handle.rstrip(".").lower() for handle in _MENTION.findall(text)}
    if not handles:
        return []
    named = Q()
    for handle in handles:
        named |= Q(email__istartswith=f"{handle}@")
    candidates = Agent.objects.filter(named, is_active=True).order_by("pk")
    return [
        agent.pk
        for agent in candidates
        if agent.email.split("@", 1)[0].lower() in handles
        and visible_tickets(agent).filter(pk=ticket_id).exists()
    ]


def describe(notification: Notification) -> str:
    """The notification as one sentence in the active language."""
    ticket = notification.ticket
    subject = f"#{ticket.pk} {ticket.subject}" if ticket is not None else ""
    actor = notification.actor.name if notification.actor is not None else ""
    kind = notification.kind
    if kind == NotificationKind.ASSIGNED:
        if actor:
            return _("%(actor)s assigned %(ticket)s to you") % {"actor": actor, "ticket": subject}
        return _("%(ticket)s was assigned to you") % {"ticket": subject}
    if kind == NotificationKind.MENTIONED:
        return _("%(actor)s mentioned you on %(ticket)s: %(text)s") % {
            "actor": actor,
            "ticket": subject,
            "text": notification.detail,
        }
    if kind == NotificationKind.CUSTOMER_REPLIED:
        return _("The customer replied on %(ticket)s") % {"ticket": subject}
    if kind in (NotificationKind.SLA_WARNING, NotificationKind.SLA_BREACHED) and ticket is None:
        count = int(notification.detail or 0)
        if kind == NotificationKind.SLA_WARNING:
            return ngettext(
                "SLA warning on %(count)d unassigned ticket",
                "SLA warnings on %(count)d unassigned tickets",
                count,
            ) % {"count": count}
        return ngettext(
            "SLA breached on %(count)d unassigned ticket",
            "SLA breached on %(count)d unassigned tickets",
            count,
        ) % {"count": count}
    if kind in (NotificationKind.SLA_WARNING, NotificationKind.SLA_BREACHED):
        metric = Metric(notification.detail).label if notification.detail in Metric else ""
        if kind == NotificationKind.SLA_WARNING:
            return _("SLA warning on %(ticket)s: %(target)s is due soon") % {
                "ticket": subject,
                "target": metric,
            }
        return _("SLA breached on %(ticket)s: %(target)s is overdue") % {
            "ticket": subject,
            "target": metric,
        }
    if kind == NotificationKind.ARTICLE_REVIEW:
        return _("Article due for review: %(title)s") % {"title": review_article(notification)[1]}
    return f"{subject}: {notification.detail}" if subject else notification.detail


def review_article(notification: Notification) -> tuple[int | None, str]:
    """(article id, title) of an article-review notification, kept in its detail as
    ``"<id>:<title>"`` (notifications refer to tickets only)."""
    article_id, _colon, title = notification.detail.partition(":")
    return (int(article_id) if article_id.isdigit() else None), title


def live_summaries(new_ids: Mapping[int, Sequence[int]]) -> dict[int, dict[str, Any]]:
    """What each agent's open pages show of their new notifications: the newest one in the
    agent's language (and how many more came with it) and the unread count."""
    agents = {agent.pk: agent for agent in Agent.objects.filter(pk__in=list(new_ids))}
    newest_ids = {agent_id: max(ids) for agent_id, ids in new_ids.items() if ids}
    newest = Notification.objects.select_related("ticket", "actor").in_bulk(
        list(newest_ids.values())
    )
    counts = unread_counts(list(agents))
    summaries = {}
    for agent_id, agent in agents.items():
        summary: dict[str, Any] = {"id": None, "text": "", "ticket_id": None}
        notification = newest.get(newest_ids.get(agent_id, 0))
        if notification is not None:
            with translation.override(agent.language):
                text = describe(notification)
                more = len(new_ids[agent_id]) - 1
                if more:
                    text += " " + ngettext("(and %(count)d more)", "(and %(count)d more)", more) % {
                        "count": more
                    }
            summary = {"id": notification.pk, "text": text, "ticket_id": notification.ticket_id}
        summaries[agent_id] = {**summary, "unread": counts[agent_id]}
    return summaries
