from django.db import models
from django.utils.translation import gettext_lazy as _


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class Strategy(models.TextChoices):
    MANUAL = "manual", _("Manual")
    ROUND_ROBIN = "round_robin", _("Round-robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


class SkillKind(models.TextChoices):
    """What a ticket can require of the agent who gets it."""

    LANGUAGE = "language", _("Language")
    CHANNEL = "channel", _("Channel")
    CATEGORY = "category", _("Product area (category)")
