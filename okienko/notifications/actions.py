"""Writes for notifications: tell agents, mark read, keep preferences, send the e-mails."""

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from okienko.accounts.models import Agent
from okienko.core.errors import InvalidInput
from okienko.core.events import publish_on_commit
from okienko.notifications.choices import NotificationKind
from okienko.notifications.models import Notification, NotificationPreference
from okienko.notifications.selectors import NotificationInput, channels_for, describe

DETAIL_LENGTH = 500


@transaction.atomic
def do_notify(items: Sequence[NotificationInput]) -> list[Notification]:
    """Tell each agent of ``items`` as they chose for its kind: in the workspace (unread until
    they look), by e-mail, both or neither. Nobody is told about what they did themselves."""
    by_kind: dict[str, list[NotificationInput]] = defaultdict(list)
    for item in items:
        if item.kind not in NotificationKind.values:
            raise InvalidInput(f"Unknown notification kind {item.kind!r}")
        if item.agent_id != item.actor_id:
            by_kind[item.kind].append(item)
    now = timezone.now()
    created: list[tuple[Notification, bool]] = []
    for kind, group in by_kind.items():
        channels = channels_for(sorted({item.agent_id for item in group}), kind)
        for item in group:
            in_app, email = channels.get(item.agent_id, (False, False))
            if not (in_app or email):
                continue
            notification = Notification(
                agent_id=item.agent_id,
                kind=kind,
                ticket_id=item.ticket_id,
                actor_id=item.actor_id,
                detail=item.detail[:DETAIL_LENGTH],
                created_at=now,
                # Wanted by e-mail only: never unread in the workspace.
                read_at=None if in_app else now,
            )
            created.append((notification, email))
    Notification.objects.bulk_create([notification for notification, _ in created])
    shown: dict[int, list[int]] = defaultdict(list)
    emailed: dict[int, list[int]] = defaultdict(list)
    for notification, email in created:
        if notification.read_at is None:
            shown[notification.agent_id].append(notification.pk)
        if email:
            emailed[notification.agent_id].append(notification.pk)
    if created:
        publish_on_commit("notifications.created", shown=dict(shown), emailed=dict(emailed))
    return [notification for notification, _ in created]


def do_mark_read(agent: Agent, notification_ids: Sequence[int] | None = None) -> int:
    """Mark the agent's unread notifications read (those of ``notification_ids``, or all)."""
    unread = Notification.objects.filter(agent=agent, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    marked = unread.update(read_at=timezone.now())
    if marked:
        publish_on_commit("notifications.read", agent_id=agent.pk)
    return marked


@transaction.atomic
def do_save_preferences(agent: Agent, choices: Mapping[str, tuple[bool, bool]]) -> None:
    """Keep the agent's (in the workspace, by e-mail) choice per kind; kinds not named keep
    theirs."""
    unknown = sorted(set(choices) - set(NotificationKind.values))
    if unknown:
        raise InvalidInput(
            f"Unknown notification kinds: {', '.join(unknown)}", errors={"kind": unknown}
        )
    NotificationPreference.objects.filter(agent=agent, kind__in=list(choices)).delete()
    NotificationPreference.objects.bulk_create(
        NotificationPreference(agent=agent, kind=kind, in_app=in_app, email=email)
        for kind, (in_app, email) in choices.items()
    )


def do_send_notification_email(agent_id: int, notification_ids: Sequence[int]) -> bool:
    """E-mail the agent the notifications not e-mailed yet, in their language, in one message;
    False when there was nothing left to send."""
    agent = Agent.objects.filter(pk=agent_id, is_active=True).first()
    if agent is None:
        return False
    pending = list(
        Notification.objects.filter(agent=agent, pk__in=notification_ids, emailed_at__isnull=True)
        .select_related("ticket", "actor")
        .order_by("id")
    )
    if not pending:
        return False
    with translation.override(agent.language):
        message = _notification_email(agent, pending)
    message.send()
    Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return True


def _notification_email(agent: Agent, notifications: list[Notification]) -> EmailMessage:
    lines = []
    for notification in notifications:
        lines.append(describe(notification))
        if notification.ticket_id is not None:
            path = reverse("workspace:ticket", args=[notification.ticket_id])
            lines.append(f"{settings.PUBLIC_URL}{path}")
        elif notification.kind == NotificationKind.ARTICLE_REVIEW:
            path = reverse("workspace:open_notification", args=[notification.pk])
            lines.append(f"{settings.PUBLIC_URL}{path}")
        lines.append("")
    if len(notifications) == 1:
        subject = describe(notifications[0])
    else:
        count = len(notifications)
        subject = ngettext("%(count)d new notification", "%(count)d new notifications", count) % {
            "count": count
        }
    preferences = f"{settings.PUBLIC_URL}{reverse('workspace:notifications')}"
    footer = _("You get these e-mails because of your notification settings: %(url)s") % {
        "url": preferences
    }
    return EmailMessage(
        subject=f"[Okienko] {subject}"[:200],
        body="\n".join([*lines, "--", footer]),
        to=[agent.email],
        headers={"Auto-Submitted": "auto-generated"},
    )


def do_purge_read_notifications(*, older_than_days: int = 90) -> int:
    """Forget notifications read long ago; unread ones stay until read."""
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    deleted, _ = Notification.objects.filter(read_at__lt=cutoff).delete()
    return deleted
