from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.automation.choices import Match, RuleKind, TriggerEvent
from okienko.tickets.models import Ticket


class Rule(models.Model):
    """A trigger (reacts to an event) or a time rule (checked by the sweep): conditions and
    operations are data interpreted by ``automation.conditions`` and ``automation.operations``."""

    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    event = models.CharField(
        _("event"), max_length=32, choices=TriggerEvent.choices, blank=True, default=""
    )
    name = models.CharField(pgettext_lazy("rule", "name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(pgettext_lazy("rule", "active"), default=True)
    match = models.CharField(_("match"), max_length=8, choices=Match.choices, default=Match.ALL)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    operations = models.JSONField(_("operations"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("automation rule")
        verbose_name_plural = _("automation rules")
        ordering = ["kind", "position", "id"]

    def __str__(self) -> str:
        return self.name


class RulesVersion(models.Model):
    """One row naming the current set of rules (a new random token on every change), so each
    process reloads the rules only when they changed."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"rules version {self.token}"


class RuleFiring(models.Model):
    """Every time a rule acted on a ticket (or failed to), for the history and for time rules
    to act once per occasion (``key``)."""

    rule = models.ForeignKey(Rule, on_delete=models.SET_NULL, null=True, related_name="firings")
    rule_name = models.CharField(max_length=200)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="rule_firings")
    key = models.CharField(max_length=100, blank=True, default="")
    error = models.TextField(blank=True, default="")
    fired_at = models.DateTimeField()

    class Meta:
        verbose_name = _("rule firing")
        verbose_name_plural = _("rule firings")
        ordering = ["-fired_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "ticket", "key"], condition=~Q(key=""), name="firing_once_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_name} on #{self.ticket_id}"


class Macro(models.Model):
    """What an agent applies in one click: a reply with placeholders and ticket changes."""

    name = models.CharField(pgettext_lazy("macro", "name"), max_length=200, unique=True)
    reply = models.TextField(_("reply"), blank=True, default="")
    operations = models.JSONField(_("operations"), default=list, blank=True)
    is_active = models.BooleanField(pgettext_lazy("macro", "active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
