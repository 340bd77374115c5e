"""The account pages speak with one voice: allauth's stock phrases are said in
our words (those of the menu), in French and in English; the time zones are
named in the page's language; API tokens sit apart, under "Advanced"."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

ANONYMOUS_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
]
SIGNED_IN_PAGES = ["account_email", "account_change_password"]

STOCK = {
    "fr": [
        "Création de compte",
        "Vous pouvez donc",
        "merci de vous",
        "Connexion",
        "Inscription",
        "Se souvenir de moi",
        "(confirmation)",
        "ourriel",
        "Réinitialisation du mot de passe",
        "Mauvais jeton",
    ],
    "en": [
        "Sign In",
        "Sign Up",
        "Signup",
        "sign in",
        "sign up",
        "Remember Me",
        "(again)",
        "Email",
        "Password Reset",
        "Reset My Password",
        "Verify Your Email Address",
        "Then please",
        "Bad Token",
    ],
}
MENU = {
    "fr": {"account_login": "Se connecter", "account_signup": "Créer un compte"},
    "en": {"account_login": "Log in", "account_signup": "Create an account"},
}


def _main_text(response) -> str:
    page = response.content.decode()
    main = re.search(r"<main.*?</main>", page, re.S)
    assert main is not None
    return html.unescape(re.sub(r"<[^>]+>", " ", main.group(0)))


def _h1(response) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    assert found is not None
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_allauth_stock_phrase_on_the_account_pages(client, user, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    texts = {}
    for name in ANONYMOUS_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        texts[name] = _main_text(response)
    bad_key = client.get(
        reverse("account_reset_password_from_key", args=["1", "x-y"]), follow=True
    )
    texts["bad key"] = _main_text(bad_key)

    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    for name in SIGNED_IN_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        texts[name] = _main_text(response)

    found = [
        f"{phrase!r} on {page}"
        for page, text in texts.items()
        for phrase in STOCK[language]
        if phrase in text
    ]
    assert found == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_login_and_signup_pages_are_titled_like_the_menu(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for name, words in MENU[language].items():
        response = client.get(reverse(name))
        assert _h1(response) == words
        assert f">{words}</a>" in response.content.decode()  # the menu's words


@pytest.mark.parametrize(
    ("language", "label", "raw"),
    [
        ("fr", "Royaume-Uni (Londres)", "Europe/London"),
        ("en", "United Kingdom (London)", "Europe/London"),
        ("fr", "France métropolitaine (Paris)", "Europe/Paris"),
        ("en", "Mainland France (Paris)", "Europe/Paris"),
    ],
)
def test_time_zones_are_named_in_the_pages_language(client, user, language, label, raw):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)

    page = client.get(reverse("accounts:preferences")).content.decode()

    assert f'value="{raw}"' in page
    assert re.search(
        rf'value="{re.escape(raw)}"[^>]*>{re.escape(label)}</option>', page
    )
    assert f">{raw}" not in page


def test_api_tokens_sit_under_advanced_in_the_account_menu(client, user):
    user.language = "fr"
    user.save(update_fields=["language"])
    client.force_login(user)

    page = client.get(reverse("accounts:preferences")).content.decode()

    nav = re.search(r'<nav class="account-nav".*?</nav>', page, re.S)
    assert nav is not None
    everyday, advanced = nav.group(0).split("Avancé", 1)
    assert "Jetons d'API" not in everyday
    assert reverse("accounts:api-tokens") in advanced
    assert "Jetons d'API" in advanced
