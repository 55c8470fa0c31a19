from django.db import migrations

from kouprey.core.search import install_search


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]
    operations = [install_search("cases_case")]
