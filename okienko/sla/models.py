from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.sla.choices import Metric, Outcome
from okienko.tickets.choices import Priority
from okienko.tickets.models import Ticket


class Calendar(models.Model):
    """When SLA time counts: weekly opening hours in a time zone, a country's public holidays,
    the company's own closed days and extra working days (see ``sla.calendar``)."""

    name = models.CharField(pgettext_lazy("calendar", "name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Warsaw")
    # ISO 3166 code whose public holidays close the calendar; empty for none.
    country = models.CharField(_("public holidays of"), max_length=8, blank=True, default="PL")
    # {"0": [["08:00", "16:00"]], ...}: weekday (0 = Monday) -> opening intervals, end "00:00"
    # meaning midnight; a missing weekday is closed.
    hours = models.JSONField(_("opening hours"), default=dict)
    # [{"date": "2026-12-31", "name": "..."}]: days the company is closed besides holidays.
    closed_days = models.JSONField(_("closed days"), default=list, blank=True)
    # [{"date": "2026-11-14", "hours": [["08:00", "16:00"]]}]: extra working days.
    open_days = models.JSONField(_("extra working days"), default=list, blank=True)
    # Offered first for a new policy.
    is_default = models.BooleanField(_("default calendar"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="calendar_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Policy(models.Model):
    """An ordered SLA policy: the first active one whose conditions match a ticket sets its
    targets. ``conditions`` maps a field to the accepted values (see ``sla.matching``)."""

    name = models.CharField(pgettext_lazy("policy", "name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(pgettext_lazy("policy", "active"), default=True)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    calendar = models.ForeignKey(
        Calendar,
        verbose_name=_("business calendar"),
        on_delete=models.PROTECT,
        related_name="policies",
    )
    warn_percent = models.PositiveSmallIntegerField(
        _("warning at percent of the target"), default=75
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class PolicyTarget(models.Model):
    """How long one metric may take for tickets of one priority under a policy."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices)
    metric = models.CharField(_("metric"), max_length=16, choices=Metric.choices)
    minutes = models.PositiveIntegerField(_("minutes"))
    business_hours = models.BooleanField(_("in business hours"), default=True)

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["policy", "priority", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "priority", "metric"], name="policytarget_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_priority_display()} · {self.get_metric_display()}"


class Clock(models.Model):
    """One SLA target running on one ticket, as replayed from its history (``sla.clocks``).

    ``warned_at`` and ``breached_at`` belong to the sweep alone, which sets each once; a replay
    never touches them, so a recomputed deadline never repeats an alert.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_clocks")
    metric = models.CharField(max_length=16, choices=Metric.choices)
    cycle = models.PositiveIntegerField(default=1)
    policy = models.ForeignKey(Policy, on_delete=models.SET_NULL, null=True, related_name="+")
    target_seconds = models.PositiveIntegerField()
    business_hours = models.BooleanField(default=True)
    started_at = models.DateTimeField()
    running_since = models.DateTimeField(null=True, blank=True)
    elapsed_seconds = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True, default="")
    # Business (or calendar) seconds past the target when the clock stopped; negative: ahead.
    late_by_seconds = models.IntegerField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        # By the ticket's key, not by "ticket", which orders by the ticket's own ordering:
        # a join of tickets_ticket into every read, and a lock on the tickets too when the
        # refresh locks the clocks it replaces.
        ordering = ["ticket_id", "metric", "cycle"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric", "cycle"], name="clock_unique")
        ]
        # The sweep reads only clocks still due to alert, in deadline order.
        indexes = [
            models.Index(
                fields=["due_at"],
                name="clock_breach_due",
                condition=Q(completed_at__isnull=True, breached_at__isnull=True),
            ),
            models.Index(
                fields=["warn_at"],
                name="clock_warning_due",
                condition=Q(completed_at__isnull=True, warned_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} #{self.cycle} on #{self.ticket_id}"
