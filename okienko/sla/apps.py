from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "okienko.sla"
    label = "sla"
    verbose_name = _("SLA")

    def ready(self) -> None:
        from okienko.core.events import subscribe, subscribe_batch
        from okienko.sla.tasks import (
            TICKET_EVENTS,
            refresh_after_customer_change,
            refresh_after_policy_change,
            refresh_after_ticket_changes,
        )

        subscribe_batch(*TICKET_EVENTS)(refresh_after_ticket_changes)
        # A merged customer's tickets move one by one, each a "ticket.updated" of its requester.
        subscribe("customer.updated")(refresh_after_customer_change)
        subscribe("sla.policies_changed")(refresh_after_policy_change)
