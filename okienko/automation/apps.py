from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "okienko.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from okienko.automation.tasks import follow_renamed_tag, run_triggers
        from okienko.core.events import subscribe

        subscribe("tag.renamed")(follow_renamed_tag)
        for name in (
            "ticket.created",
            "ticket.updated",
            "ticket.message_added",
            "ticket.sla_warning",
            "ticket.sla_breached",
            "ticket.csat_received",
        ):
            subscribe(name)(run_triggers)
