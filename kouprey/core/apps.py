from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kouprey.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from kouprey.core import audit

        audit.connect()
        post_migrate.connect(_ensure_search, sender=self, dispatch_uid="kouprey-search")


def _ensure_search(using: str = "default", **kwargs: object) -> None:
    from django.db import connections

    from kouprey.core.search import ensure_search

    ensure_search(connections[using])
