from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "okienko.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from okienko.core.events import subscribe
        from okienko.customers.actions import register_merge_handler
        from okienko.search.registry import register
        from okienko.tickets.actions import (
            do_move_tickets_to_customer,
            do_return_tickets_to_customer,
        )
        from okienko.tickets.events import follow_deleted_tier
        from okienko.tickets.search import TicketDocuments

        register_merge_handler(
            "tickets", do_move_tickets_to_customer, undo=do_return_tickets_to_customer
        )
        register(TicketDocuments())
        subscribe("tier.deleted")(follow_deleted_tier)
