from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "okienko.workspace"
    label = "workspace"
    verbose_name = _("Agent workspace")
