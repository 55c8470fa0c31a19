from django.db import migrations, models

from kouprey.core.search import drop_search, install_search, rewrite_search

# The search text and tokens as this migration wrote them, frozen here (Django's advice for
# data migrations): the services' functions may change later, and this migration must still
# run on the historical models. ``kouprey.reference.words`` wrote a token as §<kind><id>§.


def _token(kind, pk):
    return f"\u00a7{kind}{pk}\u00a7" if pk is not None else ""


def _join(parts):
    return " ".join(dict.fromkeys(p for p in parts if p))


def search_text(seizure):
    parts = [seizure.reference, seizure.external_id or "", seizure.description,
             seizure.container_number, seizure.vessel_name, seizure.flight_number,
             seizure.bill_of_lading, seizure.air_waybill]
    for suspect in seizure.suspects.all():
        parts += [suspect.name, suspect.name_latin]
    parts += [item.description for item in seizure.items.all()]
    return _join(parts)


def search_refs(seizure):
    parts = [_token("p", seizure.place_id)]
    for item in seizure.items.all():
        parts += [_token("c", item.commodity_id), _token("t", item.taxon_id)]
    parts += [_token("a", agency.pk) for agency in seizure.agencies.all()]
    return _join(parts)


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
