from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What an agent can be told about; each kind has its own in-app and e-mail preference."""

    ASSIGNED = "assigned", _("A ticket was assigned to me")
    MENTIONED = "mentioned", _("Someone mentioned me")
    CUSTOMER_REPLIED = "customer_replied", _("A customer replied on my ticket")
    SLA_WARNING = "sla_warning", _("SLA warning on my ticket")
    SLA_BREACHED = "sla_breached", _("SLA breach on my ticket")
    RULE = "rule", _("Automation rule")
    ARTICLE_REVIEW = "article_review", _("An article of mine is due for review")


# (in the workspace, by e-mail) for an agent who has not chosen otherwise: e-mail only for
# what needs action even when they are not looking at the workspace.
DEFAULT_CHANNELS: dict[str, tuple[bool, bool]] = {
    NotificationKind.ASSIGNED: (True, True),
    NotificationKind.MENTIONED: (True, True),
    NotificationKind.CUSTOMER_REPLIED: (True, False),
    NotificationKind.SLA_WARNING: (True, False),
    NotificationKind.SLA_BREACHED: (True, True),
    NotificationKind.RULE: (True, True),
    NotificationKind.ARTICLE_REVIEW: (True, True),
}
