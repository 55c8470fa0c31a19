"""Indexes for the list pages: (place, date) replaces the place index; (validation_status,
date) is new. The place index is dropped by name (the same on SQLite and PostgreSQL):
``AlterField`` would rebuild the whole seizure table on SQLite. ANALYZE after, so the
planners know the new indexes (docs/decisions/2026-11-21-list-speed.md)."""

import django.db.models.deletion
from django.db import migrations, models


def analyze(apps, schema_editor):
    schema_editor.execute("ANALYZE seizures_seizure")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_dataversion'),
        ('reference', '0001_initial'),
        ('seizures', '0004_fewer_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(
                model_name='seizure',
                name='place',
                field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='seizures', to='reference.place', verbose_name='place'),
            )],
            database_operations=[migrations.RunSQL(
                "DROP INDEX IF EXISTS seizures_seizure_place_id_d9c24f76",
                "CREATE INDEX IF NOT EXISTS seizures_seizure_place_id_d9c24f76 "
                "ON seizures_seizure (place_id)",
            )],
        ),
        migrations.AddIndex(
            model_name='seizure',
            index=models.Index(fields=['place', 'date'], name='seizure_place_date'),
        ),
        migrations.AddIndex(
            model_name='seizure',
            index=models.Index(fields=['validation_status', 'date'], name='seizure_validation_date'),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
