from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
