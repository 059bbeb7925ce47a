from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "okienko.kb"
    label = "kb"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from okienko.kb.search import ArticleDocuments
        from okienko.search.registry import register

        register(ArticleDocuments())
