from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "okienko.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from okienko.customers.actions import (
            do_move_consents,
            do_return_consents,
            register_merge_handler,
        )
        from okienko.customers.search import CustomerDocuments, OrganisationDocuments
        from okienko.search.registry import register

        register(CustomerDocuments())
        register(OrganisationDocuments())
        register_merge_handler("consents", do_move_consents, undo=do_return_consents)
