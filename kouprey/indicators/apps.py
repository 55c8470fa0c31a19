from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "kouprey.indicators"
    label = "indicators"
    verbose_name = "Indicators"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_ensure_triggers, sender=self,
                             dispatch_uid="kouprey-indicator-triggers")


def _ensure_triggers(using: str = "default", **kwargs: object) -> None:
    """After every migrate (and flush): the dirty-month triggers, as core does for the data
    version (a migration that rebuilds a SQLite table drops its triggers)."""
    from django.db import connections, transaction

    from kouprey.indicators.triggers import ensure

    with transaction.atomic(using=using):
        ensure(connections[using])
