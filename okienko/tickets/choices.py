from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending (waiting on customer)")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


# Statuses in which the ticket still needs work from the company.
UNSOLVED_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


class InboxView(models.TextChoices):
    """The standard views of the agent inbox."""

    MINE = "mine", _("My open")
    UNASSIGNED = "unassigned", _("Unassigned")
    MY_TEAMS = "my_teams", _("My teams")
    ALL_OPEN = "all_open", _("All open")
    PENDING = "pending", _("Pending")
    SOLVED = "solved", _("Solved")


class ViewAudience(models.TextChoices):
    """Who a saved inbox view is for."""

    PERSONAL = "personal", _("Only me")
    EVERYONE = "everyone", _("Everyone")
    TEAM = "team", _("One team")


class TicketOrder(models.TextChoices):
    """How a ticket list is ordered: newest first, or by the nearest running SLA deadline
    (overdue first, tickets without a running deadline last)."""

    NEWEST = "newest", _("Newest first")
    DUE = "due", _("Deadline (most urgent first)")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Web chat")
    WEB_FORM = "web_form", _("Web form")
    PORTAL = "portal", _("Customer portal")
    PHONE = "phone", _("Phone")
    MESSENGER = "messenger", _("Messenger")
    WHATSAPP = "whatsapp", _("WhatsApp")
    TELEGRAM = "telegram", _("Telegram")
    API = "api", _("API")


class AuthorKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    BOT = "bot", _("Bot")
    SYSTEM = "system", _("System")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")
    INTERNAL = "internal", _("Internal")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    FIELD_CHANGED = "field_changed", _("Field changed")
    MESSAGE_ADDED = "message_added", _("Message added")
    MERGED_INTO = "merged_into", _("Merged into another ticket")
    MERGED_FROM = "merged_from", _("Another ticket merged in")
    REQUESTER_MERGED = "requester_merged", _("Requester merged")
    FOLLOW_UP_OPENED = "follow_up_opened", _("Follow-up ticket opened")
    SLA_POLICY = "sla_policy", _("SLA policy applied")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    ESCALATED = "escalated", _("Escalated")
    CSAT_RECEIVED = "csat_received", _("Customer rated the service")
    HANDED_OFF = "handed_off", _("Handed off to a human")


class EscalationLevel(models.IntegerChoices):
    FIRST_LINE = 0, _("First line")
    SECOND_LINE = 1, _("Second line")
    SUPERVISOR = 2, _("Supervisor")


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    BOOLEAN = "boolean", _("Yes/no")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
