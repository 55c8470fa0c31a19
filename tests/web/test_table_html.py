"""The table body built in Python is the markup the template used to write, escaped."""

from django.template import Context, Template
from django.utils.translation import gettext_lazy as _

from kouprey.web.lists import Cell, Row, Table

TEMPLATE_ROWS = Template(
    '{% for row in table.rows %}<tr>{% for cell in row.cells %}<td data-label="{{ cell.label }}"'
    ' class="{% if cell.numeric %}num {% endif %}{{ cell.css }}">{% if cell.url %}'
    '<a href="{{ cell.url }}">{{ cell.text|default:"—" }}</a>{% else %}{{ cell.text }}'
    "{% endif %}</td>{% endfor %}</tr>\n  {% endfor %}")


def test_body_html_matches_the_template_and_escapes():
    rows = [
        Row(None, "/s/1/", [Cell("<b>KH&1</b>", _("Reference"), "/s/1/?a=1&b=\"2\""),
                            Cell("3,150", "Weight <kg>", numeric=True, css="nowrap"),
                            Cell("", "Place", "/s/1/")]),
        Row(None, "/s/2/", [Cell("'quoted'", _("Reference"), ""),
                            Cell("", "Weight <kg>", numeric=True),
                            Cell("ភ្លុកដំរី", "Place", css='x" onclick="y')]),
    ]
    table = Table([], rows)
    html = table.body_html()
    assert html == TEMPLATE_ROWS.render(Context({"table": table}))
    assert "<b>" not in html and 'onclick="y"' not in html and "—" in html
    assert Table([], []).body_html() == ""
