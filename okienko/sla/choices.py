from django.db import models
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    """What an SLA target measures."""

    FIRST_REPLY = "first_reply", _("First reply")
    NEXT_REPLY = "next_reply", _("Next reply")
    RESOLUTION = "resolution", _("Resolution")


class Outcome(models.TextChoices):
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")


class Alert(models.TextChoices):
    """What the sweep raises about a running clock, once each."""

    WARNING = "warning", _("SLA warning")
    BREACHED = "breached", _("SLA breached")
