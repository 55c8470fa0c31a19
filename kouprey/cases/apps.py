from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "kouprey.cases"
    label = "cases"
    verbose_name = "Cases"
