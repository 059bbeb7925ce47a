from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "okienko.workspace"
    label = "workspace"
    verbose_name = _("Agent workspace")

    def ready(self) -> None:
        from okienko.core.events import subscribe_batch
        from okienko.workspace.live import BATCH_EVENTS, TICKET_EVENTS, announce_ticket_changes

        subscribe_batch(*TICKET_EVENTS, *BATCH_EVENTS)(announce_ticket_changes)
