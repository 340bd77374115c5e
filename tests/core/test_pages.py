"""The public pages and the error pages: French first, English on request, in the
layout, and within the strict CSP (no inline script or style)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.template import loader
from django.test import RequestFactory, override_settings
from django.urls import include, path
from django.utils import translation

from core.views import server_error

pytestmark = pytest.mark.django_db

# (URL, a phrase of the French page, the same phrase in English)
PAGES = [
    ("/", "Apprenez le numérique avec un professionnel", "Learn digital skills"),
    ("/mentions-legales/", "Directeur ou directrice de la publication", "Director"),
    ("/conditions-utilisation/", "Les engagements des mentors", "What mentors commit"),
    ("/confidentialite/", "Vos droits et comment les exercer", "Your rights and how"),
]


def boom(request):
    raise RuntimeError("a bug")


# This module doubles as a URLconf for the 500 test: the site plus a broken view.
urlpatterns = [path("boom/", boom), path("", include("compagnonnage.urls"))]
handler500 = "core.views.server_error"


def assert_in_layout(html: str) -> None:
    body = html[html.index("<body") :]
    first_link = re.search(r"<a [^>]*>", body)
    assert first_link, body[:500]
    assert 'class="skip-link"' in first_link.group(0)
    assert 'href="#main"' in first_link.group(0)
    assert '<main id="main"' in html
    assert "<header" in html
    assert "<footer" in html


@pytest.mark.parametrize(("url", "french", "english"), PAGES)
def test_page_is_in_french_by_default(client, url, french, english):
    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert french in html
    assert english not in html
    assert_in_layout(html)


@pytest.mark.parametrize(("url", "french", "english"), PAGES)
def test_page_is_in_english_after_the_language_switch(client, url, french, english):
    switched = client.post("/accounts/language/", {"language": "en", "next": url})
    assert switched.status_code == 302
    assert switched["Location"] == url

    response = client.get(url)

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert english in html
    assert french not in html


@pytest.mark.parametrize(
    "url",
    [url for url, _, _ in PAGES] + ["/accounts/login/", "/accounts/signup/"],
)
def test_page_has_no_inline_script_or_style(client, url):
    html = client.get(url).content.decode()

    assert " style=" not in html
    assert not re.search(r"<style\b", html)
    assert not re.search(r"<script\b(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_terms_show_their_version(client):
    response = client.get("/conditions-utilisation/")

    assert f"Version {settings.TERMS_VERSION}" in response.content.decode()


def test_home_leads_to_sign_up_and_log_in(client):
    html = client.get("/").content.decode()

    main = html[html.index('<main id="main"') : html.index("</main>")]
    assert 'href="/accounts/signup/"' in main
    assert 'href="/accounts/login/"' in main
    assert "attestation de compétences" in main
    assert "certification" not in main.lower()


def test_unknown_url_answers_404_in_the_layout(client):
    response = client.get("/cette-page-n-existe-pas/")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Nous ne trouvons pas cette page" in html
    assert 'href="/"' in html
    assert_in_layout(html)


def test_500_template_renders_without_a_request():
    with translation.override("fr"):
        html = loader.get_template("500.html").render({})

    assert '<html lang="fr">' in html
    assert "Nous sommes désolés, un problème est survenu de notre côté" in html
    assert_in_layout(html)
    # No request: no form that would need a CSRF token or a known user.
    assert "<form" not in html


def test_500_handler_renders_the_page():
    with translation.override("fr"):
        response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert (
        "Nous sommes désolés, un problème est survenu de notre côté"
        in response.content.decode()
    )


@override_settings(ROOT_URLCONF=__name__)
def test_a_crashing_view_shows_the_500_page(client):
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Nous sommes désolés, un problème est survenu de notre côté" in html
    assert_in_layout(html)


def test_sign_up_errors_are_tied_to_their_fields(client):
    response = client.post("/accounts/signup/", {"email": "not-an-address"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_full_name_error"' in html
    full_name = re.search(r"<input [^>]*name=\"full_name\"[^>]*>", html)
    assert full_name
    assert 'aria-invalid="true"' in full_name.group(0)
    assert 'aria-describedby="id_full_name_error"' in full_name.group(0)
    # The terms checkbox: its label links to the terms, its error is tied to it.
    terms = re.search(r"<input [^>]*name=\"accept_terms\"[^>]*>", html)
    assert terms
    assert 'aria-describedby="id_accept_terms_error"' in terms.group(0)
    assert re.search(
        r"<label for=\"id_accept_terms\">[^<]*<a href=\"/conditions-utilisation/\">",
        html,
    )
    # Several errors: a summary at the top links to each field.
    assert 'href="#id_full_name"' in html


def test_sign_up_inputs_have_labels_and_autocomplete(client):
    html = client.get("/accounts/signup/").content.decode()

    inputs = re.findall(r"<input [^>]*>", html)
    visible = [i for i in inputs if 'type="hidden"' not in i]
    assert len(visible) == 6  # name, e-mail, two passwords, 18 or older, terms
    for tag in visible:
        input_id = re.search(r'\sid="([^"]+)"', tag).group(1)
        assert f'<label for="{input_id}">' in html, tag
        if 'type="checkbox"' not in tag:
            assert "autocomplete=" in tag, tag


def test_signed_in_person_sees_account_and_log_out(client, user):
    client.force_login(user)

    html = client.get("/").content.decode()

    header = html[html.index("<header") : html.index("</header>")]
    assert 'href="/accounts/preferences/"' in header
    assert re.search(r'<form method="post" action="/accounts/logout/"', header)
    assert 'href="/accounts/signup/"' not in header
