from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okienko.notifications.choices import NotificationKind


class Notification(models.Model):
    """Something one agent should know: shown in the workspace until read."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Who caused it (assigned, mentioned); none for the system and customers.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kind-specific: the SLA metric, the mentioning text, a rule's message.
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Set once the e-mail went out, so a retried task never sends it twice.
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["agent", "-id"], name="notification_agent_newest"),
            models.Index(
                fields=["agent"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.agent_id}"


class NotificationPreference(models.Model):
    """An agent's choice for one kind; without a row the kind's default applies."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    in_app = models.BooleanField(_("in the workspace"), default=True)
    email = models.BooleanField(_("by e-mail"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["agent", "kind"], name="notification_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.agent_id}"
