"""``{% place_datalist %}``: one lazily filled list of places per page, whatever the fields."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template import Context, Template

from kouprey.reference.forms import PlaceField
from kouprey.reference.models import Place
from tests import factories as f

pytestmark = pytest.mark.django_db


class FilterForm(forms.Form):
    place = PlaceField(queryset=Place.objects.all(), required=False)
    q = forms.CharField(required=False)


class RecordForm(forms.Form):
    place = PlaceField(queryset=Place.objects.all())
    transit = PlaceField(queryset=Place.objects.all(), required=False)


def render(source: str, **context: object) -> str:
    return Template("{% load places %}" + source).render(Context(context))


def ids(page: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', page)


def test_a_filter_and_a_form_share_one_list_written_once() -> None:
    f.place("Phnom Penh International Airport", iata="PNH", locode="")
    page = render(
        '<form>{% for field in filters %}{% include "web/_field.html" %}{% endfor %}</form>'
        '<form>{% for field in record %}{% include "web/_field.html" %}{% endfor %}</form>',
        filters=FilterForm(prefix="f"), record=RecordForm())
    assert page.count("<datalist") == 1 and page.count('<datalist id="places" hx-get="') == 1
    assert page.count('list="places"') == 3  # the three place fields point at it
    assert "<option" not in page  # filled on the first focus, from the browser's cache
    assert len(ids(page)) == len(set(ids(page)))  # no id twice
    # written where the first place field is, inside the first form
    assert page.index("<datalist") < page.index("</form>")


def test_a_template_may_write_it_first_and_the_fields_then_leave_it_out() -> None:
    page = render('{% place_datalist %}<template>{% for field in record %}'
                  '{% include "web/_field.html" %}{% endfor %}</template>',
                  record=RecordForm())
    assert page.startswith('<datalist id="places"') and page.count("<datalist") == 1
    assert render('{% place_datalist "other" %}{% place_datalist %}').count("<datalist") == 2


def test_other_fields_write_nothing_and_each_rendering_writes_its_own() -> None:
    form = FilterForm()
    assert render("{% place_datalist form.q %}", form=form) == ""
    assert render("{% place_datalist form.place %}", form=form).count("<datalist") == 1
    assert render("{% place_datalist form.place %}", form=form).count("<datalist") == 1
