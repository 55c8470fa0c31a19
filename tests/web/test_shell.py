"""The site shell: sign-in, navigation, language switcher, demo banner, home counts."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from kouprey.core.permissions import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def wcs_viewer(client: Client):
    user = f.user(Role.VIEWER, f.organisation("wcs"))
    client.force_login(user)
    return user


def test_sign_in_page_is_public_and_uses_vendored_assets(client: Client):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "web/vendor/htmx.min.js" in html and "web/vendor/fonts.css" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_every_page_names_its_icon_so_browsers_do_not_ask_for_favicon_ico(client: Client):
    from django.contrib.staticfiles import finders

    html = client.get(reverse("login")).content.decode()
    assert 'rel="icon" href="/static/web/favicon.svg"' in html
    assert finders.find("web/favicon.svg")


def test_home_needs_sign_in(client: Client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_sign_in_with_password_reaches_home(client: Client):
    f.user(Role.VIEWER, f.organisation("wcs"), username="dara")
    response = client.post(reverse("login"), {"username": "dara", "password": f.PASSWORD},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "dara" in response.content.decode()


def test_home_counts_only_visible_records(client: Client, wcs_viewer):
    f.seizure(org=wcs_viewer.organisation)
    f.seizure(org=wcs_viewer.organisation)
    f.seizure(org=f.organisation("gdce"))
    f.case(org=wcs_viewer.organisation)
    data = client.get(reverse("home"), {"format": "json"}).json()
    assert data["counts"] == {"seizures": 2, "cases": 1}
    html = client.get(reverse("home")).content.decode()
    assert 'data-count="seizures">2<' in html and 'data-count="cases">1<' in html


def test_navigation_links_only_existing_sections(client: Client, wcs_viewer):
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("seizures:list")}"' in html


@pytest.mark.parametrize(("role", "sections"), [
    (Role.VIEWER, ["Seizures", "Cases", "Indicators"]),
    (Role.EDITOR, ["Seizures", "Cases", "Indicators", "Import"]),
    (Role.ADMIN, ["Seizures", "Cases", "Indicators", "Import", "Administration"]),
])
def test_navigation_offers_what_the_role_may_use(client: Client, role, sections):
    client.force_login(f.user(role))
    page = client.get(reverse("seizures:import") if "Import" in sections else reverse("home"))
    nav = re.search(r'<ul class="sections">(.*?)</ul>', page.content.decode(), re.S)
    assert nav is not None
    assert re.findall(r">([^<>]+)</a>", nav.group(1)) == sections
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', nav.group(1))
    assert current == ([reverse("seizures:import")] if "Import" in sections else [])


def test_language_switcher_sets_khmer(client: Client, wcs_viewer):
    response = client.post(reverse("set_language"), {"language": "km", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="km">' in html


@pytest.mark.parametrize("demo", [True, False])
def test_demo_banner_follows_the_setting(client: Client, wcs_viewer, settings, demo):
    settings.DEMO = demo
    html = client.get(reverse("home")).content.decode()
    assert ("fictitious" in html) is demo


def test_signing_out_says_so_on_the_sign_in_page(client: Client, wcs_viewer):
    page = client.post(reverse("logout"), follow=True)
    assert page.redirect_chain[-1][0] == reverse("login")
    assert "You are signed out." in page.content.decode()
    assert client.get(reverse("home")).status_code == 302, "really signed out"
    again = client.post(reverse("logout"), follow=True)
    assert "You are signed out." not in again.content.decode(), "said once, not to strangers"


def test_pages_are_gzipped_for_browsers_that_ask(client: Client, wcs_viewer):
    import gzip

    for _ in range(30):
        f.seizure(org=f.organisation("wcs"))
    plain = client.get(reverse("seizures:list"))
    assert "Content-Encoding" not in plain
    packed = client.get(reverse("seizures:list"), HTTP_ACCEPT_ENCODING="gzip, br")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert html.startswith("<!doctype html>") and "</html>" in html
    assert len(packed.content) < len(plain.content) / 4
