from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "okienko.sla"
    label = "sla"
    verbose_name = _("SLA")

    def ready(self) -> None:
        from okienko.core.events import subscribe
        from okienko.sla.tasks import (
            refresh_after_customer_change,
            refresh_after_policy_change,
            refresh_after_ticket_change,
        )

        for name in ("ticket.created", "ticket.updated", "ticket.message_added", "ticket.merged"):
            subscribe(name)(refresh_after_ticket_change)
        # A merged customer's tickets move one by one, each a "ticket.updated" of its requester.
        subscribe("customer.updated")(refresh_after_customer_change)
        subscribe("sla.policies_changed")(refresh_after_policy_change)
