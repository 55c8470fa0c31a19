from django.db import migrations, models

from kouprey.core.search import drop_search, install_search, rewrite_search

# The search text and tokens as this migration wrote them, frozen here (Django's advice for
# data migrations): the services' functions may change later, and this migration must still
# run on the historical models. ``kouprey.reference.words`` wrote a token as §<kind><id>§.


def _token(kind, pk):
    return f"\u00a7{kind}{pk}\u00a7" if pk is not None else ""


def _join(parts):
    return " ".join(dict.fromkeys(p for p in parts if p))


def search_text(case):
    parts = [case.case_number, case.external_id or "", case.title, case.summary]
    for defendant in case.defendants.all():
        parts += [defendant.name, defendant.name_latin]
    for event in case.events.all():
        parts += [event.law_section, event.offence, event.judge, event.prosecutor]
    for seizure in case.seizures.all():
        parts += [seizure.reference, seizure.external_id or ""]
    return _join(parts)


def search_refs(case):
    parts = [_token("a", case.court_id)]
    parts += [_token("a", role.agency_id) for role in case.agency_roles.all()]
    return _join(parts)


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
