from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "okienko.integrations"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from okienko.core.events import subscribe
        from okienko.integrations.tasks import send_queued_webhook

        subscribe("webhook.queued")(send_queued_webhook)
