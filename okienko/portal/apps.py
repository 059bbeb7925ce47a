from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "okienko.portal"
    label = "portal"
    verbose_name = _("Customer portal")

    def ready(self) -> None:
        from okienko.core.events import subscribe, subscribe_batch
        from okienko.portal.live import EVENTS, announce_to_customers
        from okienko.portal.tasks import queue_sign_in_link

        subscribe("portal.sign_in_link_requested")(queue_sign_in_link)
        subscribe_batch(*EVENTS)(announce_to_customers)
