from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kouprey.web"
    label = "web"
    verbose_name = "Web"
