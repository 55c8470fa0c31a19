from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "kouprey.reference"
    label = "reference"
    verbose_name = "Reference data"
