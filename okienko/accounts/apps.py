from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "okienko.accounts"
    label = "accounts"
