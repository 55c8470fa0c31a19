"""Indicator 2.2 no longer counts the court as a second agency (cases.services
``NOT_COORDINATION``): every kept case fact and tally is counted again by the next refresh."""

from django.db import migrations


def mark_everything(apps, schema_editor):
    apps.get_model("indicators", "DirtyMonth").objects.using(
        schema_editor.connection.alias).create(month=-1)  # ALL_MONTHS: a full rebuild


class Migration(migrations.Migration):

    dependencies = [
        ("indicators", "0006_seizuretally"),
    ]

    operations = [
        migrations.RunPython(mark_everything, migrations.RunPython.noop),
    ]
