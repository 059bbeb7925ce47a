from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "okienko.customers"
    label = "customers"
