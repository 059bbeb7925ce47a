from django.db import models
from django.utils.translation import gettext_lazy as _

from okienko.integrations.choices import WebhookStatus


class WebhookDelivery(models.Model):
    """One signed POST to another system (e.g. an automation rule's "call a webhook"), with its
    status and retries: a receiver that is down gets it later, and a failure stays visible."""

    url = models.URLField(_("URL"), max_length=500)
    event = models.CharField(_("event"), max_length=64)
    payload = models.JSONField(_("payload"))
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.CharField(_("rule"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=WebhookStatus.choices, default=WebhookStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(_("error"), blank=True, default="")
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.url} ({self.status})"
