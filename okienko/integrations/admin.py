from django.contrib import admin

from okienko.core.admin_mixins import ReadOnlyAdmin
from okienko.integrations.models import WebhookDelivery


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """What was sent where, and why a delivery is still waiting or failed."""

    list_display = ["created_at", "event", "url", "rule", "status", "attempts", "response_status"]
    list_filter = ["status", "event"]
    search_fields = ["url", "rule", "error"]
    date_hierarchy = "created_at"
