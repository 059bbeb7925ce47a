from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "okienko.api"
    label = "api"
