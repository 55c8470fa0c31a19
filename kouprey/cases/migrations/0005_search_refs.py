from django.db import migrations, models

from kouprey.cases.services import search_refs, search_text
from kouprey.core.search import drop_search, install_search, rewrite_search


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_fewer_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='search_refs',
            field=models.TextField(blank=True, db_default='', default='', editable=False),
        ),
        # Reference rows become tokens in a column of their own (reference.words): the text
        # of every record is written again, and the index covers both columns.
        drop_search("cases_case"),
        rewrite_search("cases", "case", ["defendants", "events", "seizures", "agency_roles"],
                       search_text, search_refs),
        install_search("cases_case", ("search_text", "search_refs"), replace=True),
    ]
