from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "okienko.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from okienko.core.events import subscribe, subscribe_batch
        from okienko.notifications import tasks

        subscribe("ticket.updated")(tasks.notify_new_assignee)
        subscribe_batch("ticket.message_added")(tasks.notify_about_messages)
        subscribe("sla.warnings")(tasks.notify_sla_alerts)
        subscribe("sla.breaches")(tasks.notify_sla_alerts)
        subscribe("notifications.created")(tasks.deliver_notifications)
        subscribe("notifications.read")(tasks.announce_unread_count)
