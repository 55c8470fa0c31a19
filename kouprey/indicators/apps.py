from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "kouprey.indicators"
    label = "indicators"
    verbose_name = "Indicators"
