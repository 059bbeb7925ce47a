from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "okienko.core"
    label = "core"
    verbose_name = "Okienko core"
