"""The Khmer (km) translation: the committed catalogue, its compiled .mo, pages in Khmer,
and templates without untranslated English. docs/translation.md says how to update it."""

from __future__ import annotations

import ast
import gettext as gnu_gettext
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kouprey.core.permissions import Role
from tests import factories as f

PACKAGE = Path(__file__).resolve().parents[1] / "kouprey"
LC_MESSAGES = PACKAGE / "locale" / "km" / "LC_MESSAGES"
PO, MO = LC_MESSAGES / "django.po", LC_MESSAGES / "django.mo"
KHMER = re.compile("[\u1780-\u17ff]")
# %(name)s, %s, %d and {name} placeholders must survive translation unchanged.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|\{\w*\}")


# -- the catalogue --------------------------------------------------------------------

def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file as written by makemessages: msgid, msgid_plural, msgstr
    (list), flags. Obsolete (#~) entries are left out."""
    entries: list[dict] = []
    entry: dict = {}
    key: str | None = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {}, None
        elif line.startswith("#,"):
            entry.setdefault("flags", set()).update(x.strip() for x in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert key is not None, line
            entry[key] += ast.literal_eval(line)
        else:
            key, _, rest = line.partition(" ")
            key = "msgstr" if key == "msgstr[0]" else key
            entry[key] = ast.literal_eval(rest)
    return entries


def translated() -> Iterator[dict]:
    for entry in parse_po(PO):
        if entry["msgid"] and entry["msgstr"] and "fuzzy" not in entry.get("flags", ()):
            yield entry


def test_the_committed_mo_is_compiled_from_the_committed_po():
    with MO.open("rb") as handle:
        catalog = gnu_gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    expected = {}
    for entry in translated():
        key = (entry["msgid"], 0) if "msgid_plural" in entry else entry["msgid"]
        expected[key] = entry["msgstr"]
    compiled = {k: v for k, v in catalog.items() if k != ""}
    assert compiled == expected, "the .mo is stale: run `make messages` and commit both files"


def test_translations_keep_every_placeholder():
    problems = []
    for entry in translated():
        source = entry["msgid"] + entry.get("msgid_plural", "")
        if sorted(set(PLACEHOLDER.findall(source))) != sorted(
                set(PLACEHOLDER.findall(entry["msgstr"]))):
            problems.append(f"{entry['msgid']!r} -> {entry['msgstr']!r}")
    assert not problems, "\n".join(problems)


def test_the_catalogue_declares_khmer_with_one_plural_form():
    header = next(e for e in parse_po(PO) if e["msgid"] == "")["msgstr"]
    assert "Language: km\\n" in header.replace("\n", "\\n")
    assert "nplurals=1; plural=0;" in header


KEY_STRINGS = [
    "Seizures", "Cases", "Indicators", "Sign in", "Sign out", "Search", "Save", "Date",
    "Suspects", "Court", "Export", "Download",
    "Demo data: every person named here is fictitious (synthetic).",
    "username", "Password", "This field is required.",
]


@pytest.mark.parametrize("msgid", KEY_STRINGS)
def test_key_strings_are_translated_into_khmer(msgid: str):
    with translation.override("km"):
        text = translation.gettext(msgid)
    assert text != msgid and KHMER.search(text), f"{msgid!r} has no Khmer translation"


def test_the_etis_caveat_is_translated():
    from kouprey.indicators.services import CAVEAT

    with translation.override("km"):
        text = str(CAVEAT)
    assert KHMER.search(text) and "ETIS" in text
    with translation.override("en"):
        assert str(CAVEAT).startswith("Seizure counts show")


def test_choices_and_verbose_names_follow_the_language():
    from kouprey.seizures.models import Seizure

    with translation.override("km"):
        assert KHMER.search(str(Seizure.Validation.VALIDATED.label))
        assert KHMER.search(str(Seizure._meta.verbose_name))


@pytest.mark.skipif(shutil.which("xgettext") is None,
                    reason="GNU gettext is not installed (apt-get install gettext)")
def test_the_catalogue_has_every_string_of_the_source(tmp_path: Path, monkeypatch):
    """What `make messages` would add: strings marked for translation since the last run."""
    copy = tmp_path / "kouprey"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns(
        "locale", "migrations", "static", "__pycache__", "*.pyc"))
    (tmp_path / "locale").mkdir()
    monkeypatch.chdir(copy)
    monkeypatch.setattr(settings, "LOCALE_PATHS", [tmp_path / "locale"])
    call_command("makemessages", locale=["km"], verbosity=0)
    fresh = {e["msgid"] for e in parse_po(tmp_path / "locale" / "km" / "LC_MESSAGES"
                                          / "django.po")}
    missing = sorted(fresh - {e["msgid"] for e in parse_po(PO)})
    assert not missing, ("strings not in the Khmer catalogue; run `make messages` and "
                         "translate them:\n" + "\n".join(missing))


# Names and codes that read the same in Khmer, left untranslated on purpose.
SAME_IN_KHMER = {"Kouprey", "ISO 3166 alpha-2", "ISO 3166 alpha-3", "UN/LOCODE"}


def test_every_string_is_translated_and_none_is_a_guess():
    """makemessages fills a new string with a similar old one's translation, marked fuzzy
    ("All dates" got "All cases"): a fuzzy entry is not shown, and must be checked."""
    entries = [e for e in parse_po(PO) if e["msgid"]]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", ())]
    assert not fuzzy, "fuzzy entries: check and translate them:\n" + "\n".join(fuzzy)
    empty = [e["msgid"] for e in entries
             if not e["msgstr"] and e["msgid"] not in SAME_IN_KHMER]
    assert not empty, "untranslated:\n" + "\n".join(empty)


# -- pages in Khmer ---------------------------------------------------------------------

@pytest.mark.django_db
def test_the_sign_in_page_follows_accept_language(client: Client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert '<html lang="km">' in html
    with translation.override("km"):
        for msgid in ("Sign in", "username", "Password"):
            assert translation.gettext(msgid) in html, msgid
    assert "Sign in" not in html and "Password" not in html


@pytest.mark.django_db
def test_the_sign_in_page_follows_the_language_cookie(client: Client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="km">' in html and "ចូល" in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "km"])
def test_the_language_switcher_names_each_language_in_itself(client: Client, language: str):
    """Someone who cannot read the current language still finds their own."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("login")).content.decode()
    assert ">English</button>" in html and ">ខ្មែរ</button>" in html


@pytest.mark.django_db
def test_a_failed_sign_in_is_explained_in_khmer(client: Client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    html = client.post(reverse("login"), {"username": "nobody", "password": "wrong-password"}
                       ).content.decode()
    assert "ពាក្យសម្ងាត់ឲ្យបានត្រឹមត្រូវ" in html and "Please enter" not in html


@pytest.mark.django_db
def test_signed_in_pages_in_khmer(client: Client):
    org = f.organisation("wcs")
    client.force_login(f.user(Role.VIEWER, org))
    seizure = f.seizure(org)
    f.item(seizure)
    case = f.case(org, seizures=[seizure])
    client.post(reverse("set_language"), {"language": "km", "next": "/"})
    pages = [reverse("seizures:list"), reverse("seizures:detail", args=[seizure.pk]),
             reverse("cases:list"), reverse("cases:detail", args=[case.pk]),
             reverse("indicators:table")]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="km">' in html, url
        for khmer in ("ការរឹបអូស", "សំណុំរឿង", "សូចនាករ"):  # the navigation
            assert khmer in html, (url, khmer)
    indicators = client.get(reverse("indicators:table")).content.decode()
    assert "ឧក្រិដ្ឋកម្ម" in indicators  # the ETIS caveat


# -- templates --------------------------------------------------------------------------

TEMPLATES = sorted(PACKAGE.glob("*/templates/**/*.html"))
# Blocks whose text is translated as a whole, or never shown.
SKIPPED_BLOCKS = re.compile(
    r"\{%\s*(blocktranslate|blocktrans|comment)\b.*?\{%\s*end\1\s*%\}"
    r"|<(script|style)\b.*?</\2\s*>|\{#.*?#\}|<!--.*?-->", re.S)
TAG = re.compile(r"\{%.*?%\}", re.S)
VARIABLE = re.compile(r"\{\{.*?\}\}", re.S)
TEXT_NODE = re.compile(r"(?:^|>)([^<>]+)(?=<|$)")
VISIBLE_ATTRIBUTE = re.compile(r"\b(?:title|placeholder|aria-label|alt)=\"([^\"]*)\"")
ENTITY = re.compile(r"&#?\w+;")
LATIN_WORD = re.compile(r"[A-Za-z][a-z]+(?:['’][a-z]+)?")


def _blank(match: re.Match) -> str:
    """Keep the newlines of what is removed, so that line numbers stay right."""
    return re.sub(r"[^\n]", " ", match.group(0))


def untranslated_english(path: Path) -> list[tuple[int, str]]:
    """(line, text) where a template shows two or more English words outside
    {% translate %} and {% blocktranslate %}: in visible text, or in a title, placeholder,
    aria-label or alt attribute."""
    text = SKIPPED_BLOCKS.sub(_blank, path.read_text(encoding="utf-8"))
    # A tag separates texts ({% if %}Yes{% else %}No{% endif %} is two single words); a
    # variable does not ("Page {{ n }} of {{ total }}" is English around numbers).
    text = TAG.sub(lambda m: "|" + _blank(m)[1:], text)
    text = VARIABLE.sub(lambda m: "\x00" + _blank(m)[1:], text)
    text = ENTITY.sub(" ", text)
    found = []
    for pattern in (TEXT_NODE, VISIBLE_ATTRIBUTE):
        for match in pattern.finditer(text):
            for part in re.finditer(r"[^|]+", match.group(1)):
                if len(LATIN_WORD.findall(part.group(0).replace("\x00", " "))) >= 2:
                    line = text.count("\n", 0, match.start(1) + part.start()) + 1
                    found.append((line, " ".join(part.group(0).replace("\x00", " ")
                                                 .split())[:80]))
    return sorted(found)


def test_the_scan_finds_english_and_ignores_translated_text(tmp_path: Path):
    sample = tmp_path / "sample.html"
    sample.write_text(
        '{% load i18n %}<h1>{% translate "Two words" %}</h1>\n'
        "<p>{% blocktranslate %}Page {{ n }} of many{% endblocktranslate %}</p>\n"
        '<a title="{% translate \'Show it\' %}">{{ seizure.reference }}</a> CSV · XLSX\n'
        "<p>Nothing matches here</p>\n"
        '<input placeholder="Search words">\n'
        "<script>const notText = 'some code here';</script>\n"
        "{# a comment in English #}<span>Page {{ n }} of {{ total }}</span>\n"
        "{% block title %}Kouprey{% endblock %}{% block body_class %}narrow{% endblock %}\n",
        encoding="utf-8")
    assert [line for line, _ in untranslated_english(sample)] == [4, 5, 7]


def test_templates_show_no_untranslated_english():
    assert TEMPLATES
    problems = [f"{path.relative_to(PACKAGE.parent)}:{line}: {text}"
                for path in TEMPLATES for line, text in untranslated_english(path)]
    assert not problems, ("visible English outside {% translate %} in templates:\n"
                          + "\n".join(problems))
