"""The fast Select widget: Django's HTML, escaped, selected options, cached model choices."""

import re

import pytest
from django import forms
from django.utils import translation

from kouprey.reference.models import Agency, Country
from kouprey.web import widgets
from tests import factories as f


def _tidy(html: str) -> str:
    return re.sub(r"\n\s*\n", "\n", str(html))


class Choices(forms.Form):
    kind = forms.ChoiceField(choices=[
        ("", "any"), ("a&b", "A & B"), ('"x"', "<script>alert(1)</script>"),
        ("Group <1>", [("g1", "in 'group'"), ("g2", "two")]),
    ], required=False)


@pytest.mark.parametrize("value", [None, "a&b", '"x"', "g2", "nope"])
def test_same_html_as_django(value):
    form = Choices({"kind": value} if value is not None else None)
    form.is_valid()
    django_html = str(form["kind"])
    form.fields["kind"].widget = widgets.fast_select(form.fields["kind"].widget)
    assert isinstance(form.fields["kind"].widget, widgets.Select)
    assert _tidy(form["kind"]) == _tidy(django_html)


def test_escapes_values_labels_and_attributes():
    widget = widgets.Select(attrs={"data-x": '"><b>', "required": True, "disabled": False},
                            choices=[('"><i>', "<b>bold</b>"), ("plain", "Plain")])
    html = widget.render("f<n>", '"><i>')
    assert "<b>" not in html and "<i>" not in html
    assert 'name="f&lt;n&gt;"' in html
    assert 'data-x="&quot;&gt;&lt;b&gt;" required>' in html and "disabled" not in html
    assert '<option value="&quot;&gt;&lt;i&gt;" selected>&lt;b&gt;bold&lt;/b&gt;</option>' in html
    assert '<option value="plain">Plain</option>' in html


def test_only_first_match_selected():
    widget = widgets.Select(choices=[("1", "one"), ("1", "again")])
    assert widget.render("n", "1").count(" selected") == 1


def test_other_widgets_are_left_alone():
    radio = forms.RadioSelect()
    assert widgets.fast_select(radio) is radio
    fast = widgets.Select()
    assert widgets.fast_select(fast) is fast


class AgencyForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.all(), required=False)


def _agency_html(value=None):
    form = AgencyForm(initial={"agency": value})
    form.fields["agency"].widget = widgets.fast_select(form.fields["agency"].widget)
    return str(form["agency"])


@pytest.mark.django_db(transaction=True)  # the cache is bypassed inside a transaction
def test_model_choices_are_cached_until_the_data_changes(django_assert_num_queries):
    widgets.clear_cache()
    gdce = f.agency("gdce", name="Customs <GDCE>")
    first = _agency_html(str(gdce.pk))
    assert f'<option value="{gdce.pk}" selected>Customs &lt;GDCE&gt;</option>' in first
    with django_assert_num_queries(1):  # the data version only: the options are cached
        assert _agency_html(str(gdce.pk)) == first
    f.agency("fa", name="Forestry Administration")  # a write raises the data version
    assert "Forestry Administration" in _agency_html()


@pytest.mark.django_db
def test_no_cache_inside_a_transaction(django_assert_num_queries):
    widgets.clear_cache()
    f.agency("gdce")
    _agency_html()
    with django_assert_num_queries(1):  # the options again, no version lookup
        _agency_html()


@pytest.mark.django_db
def test_model_choices_follow_the_language():
    widgets.clear_cache()
    f.country("KH", name="Cambodia", name_km="កម្ពុជា")

    class CountryForm(forms.Form):
        country = forms.ModelChoiceField(queryset=Country.objects.all(), required=False)

    def html():
        form = CountryForm()
        form.fields["country"].widget = widgets.fast_select(form.fields["country"].widget)
        return str(form["country"])

    with translation.override("en"):
        assert "Cambodia" in html()
    with translation.override("km"):
        assert "កម្ពុជា" in html()
