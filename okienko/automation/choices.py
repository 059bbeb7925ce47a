from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    TRIGGER = "trigger", _("Trigger (on an event)")
    TIME = "time", _("Time rule (checked every few minutes)")


class TriggerEvent(models.TextChoices):
    """What a trigger reacts to; each is a domain event about a ticket."""

    TICKET_CREATED = "ticket_created", _("Ticket created")
    TICKET_UPDATED = "ticket_updated", _("Ticket updated")
    CUSTOMER_MESSAGE = "customer_message", _("Message from the customer")
    AGENT_MESSAGE = "agent_message", _("Reply from an agent")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    CSAT_RECEIVED = "csat_received", _("The customer rated the service")


class Match(models.TextChoices):
    ALL = "all", _("all conditions")
    ANY = "any", _("any condition")
