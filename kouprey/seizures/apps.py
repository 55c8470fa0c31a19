from django.apps import AppConfig


class SeizuresConfig(AppConfig):
    name = "kouprey.seizures"
    label = "seizures"
    verbose_name = "Seizures"
