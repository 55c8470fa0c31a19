from django.db import migrations, models

from kouprey.seizures.services import search_refs, search_text
from kouprey.core.search import drop_search, install_search, rewrite_search


class Migration(migrations.Migration):

    dependencies = [
        ('seizures', '0007_reason_and_disposal'),
    ]

    operations = [
        migrations.AddField(
            model_name='seizure',
            name='search_refs',
            field=models.TextField(blank=True, db_default='', default='', editable=False),
        ),
        # Reference rows become tokens in a column of their own (reference.words): the text
        # of every record is written again, and the index covers both columns.
        drop_search("seizures_seizure"),
        rewrite_search("seizures", "seizure", ["suspects", "items", "agencies"], search_text, search_refs),
        install_search("seizures_seizure", ("search_text", "search_refs"), replace=True),
    ]
