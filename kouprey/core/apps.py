from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kouprey.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from kouprey.core import audit
        from kouprey.core.search import register_functions

        audit.connect()
        connection_created.connect(register_functions, dispatch_uid="kouprey-sql-functions")
        post_migrate.connect(_ensure_search, sender=self, dispatch_uid="kouprey-search")
        post_migrate.connect(_ensure_dataversion, sender=self,
                             dispatch_uid="kouprey-dataversion")


def _ensure_search(using: str = "default", **kwargs: object) -> None:
    from django.db import connections

    from kouprey.core.search import ensure_search

    ensure_search(connections[using])


def _ensure_dataversion(using: str = "default", **kwargs: object) -> None:
    from django.db import connections, transaction

    from kouprey.core.dataversion import ensure_dataversion

    with transaction.atomic(using=using):
        ensure_dataversion(connections[using])
