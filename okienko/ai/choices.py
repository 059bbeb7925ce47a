from django.db import models
from django.utils.translation import gettext_lazy as _


class HandOffReason(models.TextChoices):
    """Why the bot gave a conversation to the agents (callers may pass their own text too)."""

    CUSTOMER_ASKED = "customer_asked", _("the customer asked for a person")
    NO_ANSWER = "no_answer", _("the bot found no confident answer")
    NOT_HELPFUL = "not_helpful", _("the bot's answer did not help")
    BOT_FAILED = "bot_failed", _("the bot failed")
