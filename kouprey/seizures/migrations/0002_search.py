from django.db import migrations

from kouprey.core.search import install_search


class Migration(migrations.Migration):
    dependencies = [("seizures", "0001_initial")]
    operations = [install_search("seizures_seizure")]
