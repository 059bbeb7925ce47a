from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "okienko.routing"
    label = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        from okienko.core.events import subscribe
        from okienko.routing.tasks import (
            escalate_after_breaches,
            offline_when_deactivated,
            route_after_ticket_change,
        )

        subscribe("ticket.created")(route_after_ticket_change)
        subscribe("ticket.updated")(route_after_ticket_change)
        subscribe("sla.breaches")(escalate_after_breaches)
        subscribe("agent.deactivated")(offline_when_deactivated)
