from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "okienko.accounts"
    label = "accounts"
    verbose_name = _("Agents and teams")

    def ready(self) -> None:
        from okienko.accounts.tasks import queue_agent_invitation
        from okienko.core.events import subscribe

        subscribe("agent.invited")(queue_agent_invitation)
