from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "jalon.billing"
    label = "billing"
    verbose_name = "Éléments de facturation"
