from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Team
from okienko.customers.models import Customer
from okienko.tickets.choices import (
    AuthorKind,
    Channel,
    CustomFieldType,
    Direction,
    EscalationLevel,
    EventKind,
    Priority,
    Status,
)


def _choice_label(choices: type[models.TextChoices], value: str) -> str:
    # Django's get_FOO_display translates every choice to show one: ~900 translations on an
    # inbox page of 50 tickets, against one each here.
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class Tag(models.Model):
    """A free label on tickets (e.g. "zwrot", "vip"); names are stored lower-case."""

    name = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """What a ticket is about (orders, delivery, complaints...), optionally nested."""

    name = models.CharField(max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_parent_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class CustomField(models.Model):
    """An extra ticket field an admin defines (order number, product, ...)."""

    key = models.SlugField(max_length=64, unique=True)
    label = models.CharField(max_length=100)
    field_type = models.CharField(max_length=16, choices=CustomFieldType.choices)
    choices = models.JSONField(default=list, blank=True)
    # Checked when an agent solves the ticket, so inbound mail is never refused for lack of it.
    is_required_to_solve = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class Ticket(models.Model):
    """One customer request, from first contact to closing; its number is its primary key."""

    subject = models.CharField(_("subject"), max_length=255)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=16, choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    # Foreign keys that lead a composite index below skip their own single-column index.
    requester = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        db_index=False,
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        db_index=False,
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        db_index=False,
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets", through="TicketTag")
    custom_fields = models.JSONField(default=dict, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_tickets"
    )
    # A customer wrote again about a closed ticket: the new ticket continues this one.
    follow_up_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    # People copied on the conversation (e-mail CC), besides the requester.
    cc = models.ManyToManyField(Customer, blank=True, related_name="cc_tickets")
    reply_count = models.PositiveIntegerField(default=0)
    transfer_count = models.PositiveIntegerField(default=0)
    reopen_count = models.PositiveIntegerField(default=0)
    # 0 first line, 1 second line, 2 supervisor (see routing); escalations counted for reports.
    escalation_level = models.PositiveSmallIntegerField(
        choices=EscalationLevel.choices, default=EscalationLevel.FIRST_LINE
    )
    escalation_count = models.PositiveIntegerField(default=0)
    # The requester's latest answer to the satisfaction survey (1-5), for rules and reports.
    csat_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    # The SLA app's, written only by ``sla.actions`` together with the clocks: the nearest
    # deadline of the ticket's running SLA targets (none while they are paused, stopped or
    # absent), so a list can go most urgent first along an index. Derived: no history entry.
    sla_due_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-id"]
        # Every list filter walks one of these in id order, so a page is an index range scan.
        indexes = [
            models.Index(fields=["status", "id"], name="ticket_status_id"),
            # Most urgent first: per status, deadlines in order, then those without one by id.
            models.Index(fields=["status", "sla_due_at", "id"], name="ticket_status_sla_due_id"),
            models.Index(fields=["priority", "id"], name="ticket_priority_id"),
            models.Index(fields=["channel", "id"], name="ticket_channel_id"),
            models.Index(fields=["assignee", "id"], name="ticket_assignee_id"),
            models.Index(fields=["assignee", "status", "id"], name="ticket_assignee_status_id"),
            # An agent's own tickets most urgent first, however few they have. Without it
            # SQLite, whose statistics cannot tell one agent from another, walked a status's
            # deadlines for them: "mine" by deadline took 0.13-0.48 s at 1M tickets.
            models.Index(
                fields=["assignee", "status", "sla_due_at", "id"],
                name="ticket_assignee_status_due_id",
            ),
            models.Index(fields=["team", "id"], name="ticket_team_id"),
            models.Index(fields=["team", "status", "id"], name="ticket_team_status_id"),
            models.Index(fields=["requester", "id"], name="ticket_requester_id"),
            models.Index(fields=["category", "id"], name="ticket_category_id"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def status_label(self) -> str:
        return _choice_label(Status, self.status)

    @property
    def priority_label(self) -> str:
        return _choice_label(Priority, self.priority)

    @property
    def channel_label(self) -> str:
        return _choice_label(Channel, self.channel)

    @property
    def number(self) -> int:
        return self.pk


class TicketTag(models.Model):
    """A tag on a ticket: the many-to-many table, explicit to index it by tag."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="ticket_links")

    class Meta:
        db_table = "tickets_ticket_tags"
        unique_together = [("ticket", "tag")]
        # A tag's tickets newest first: the tag filter reads this range instead of probing
        # every ticket for a rare tag.
        indexes = [models.Index(fields=["tag", "ticket"], name="ticket_tag_tag_ticket")]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.tag_id}"


class Message(models.Model):
    """A public reply or an internal note on a ticket, from a customer, agent, bot or system."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    author_kind = models.CharField(max_length=16, choices=AuthorKind.choices)
    author_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    direction = models.CharField(max_length=16, choices=Direction.choices)
    is_public = models.BooleanField(default=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    text = models.TextField(blank=True, default="")
    html = models.TextField(blank=True, default="", help_text="Sanitised before it is stored.")
    # What the channel removed from the visible text: quoted history and signature of an e-mail.
    quoted_text = models.TextField(blank=True, default="")
    # The channel's own id (e-mail Message-ID, provider message id), for threading and dedup:
    # looked up by equality only, so its index is a plain one (``db_index`` on PostgreSQL would
    # add a second, ``varchar_pattern_ops`` one for LIKE, which every new message updates too).
    external_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="message_ticket_created"),
            models.Index(fields=["external_id"], name="message_external_id"),
        ]

    def __str__(self) -> str:
        return f"message {self.pk} on #{self.ticket_id}"


class Attachment(models.Model):
    """A file sent with a message; served only to those who may see the message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    # Set for inline images referenced from the HTML as cid:...
    content_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class TicketEvent(models.Model):
    """Append-only history of a ticket: who changed what, when, from what to what, and why."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    field = models.CharField(max_length=64, blank=True, default="")
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    actor_kind = models.CharField(max_length=16, choices=AuthorKind.choices)
    actor_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Name of the automation rule or macro that made the change, when one did.
    rule = models.CharField(max_length=200, blank=True, default="")
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "id"], name="ticketevent_ticket_id")]

    def __str__(self) -> str:
        return f"{self.kind} {self.field} on #{self.ticket_id}"


class SavedView(models.Model):
    """An inbox view with stored filters: an agent's own (``owner`` set), or one an admin shares
    with everyone (no owner, no team) or with one team (``team`` set).

    ``filters`` holds the keys of ``tickets.selectors.SavedViewFilters``; references that were
    deleted since simply match nothing.
    """

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="saved_views",
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="saved_views"
    )
    filters = models.JSONField(default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["position", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner__isnull=True) | models.Q(team__isnull=True),
                name="saved_view_personal_or_shared",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None
