from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kouprey.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from kouprey.core import audit

        audit.connect()
