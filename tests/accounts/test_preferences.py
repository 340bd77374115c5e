from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_language_switch_sets_a_cookie_and_the_accounts_language(client, user):
    client.force_login(user)

    response = client.post(
        reverse("accounts:set-language"),
        {"language": "en", "next": "/accounts/preferences/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/preferences/"
    assert response.cookies["lang"].value == "en"
    user.refresh_from_db()
    assert user.language == "en"
    page = client.get(reverse("accounts:preferences"))
    assert page["Content-Language"] == "en"


def test_language_switch_ignores_unknown_languages_and_foreign_next_urls(client):
    response = client.post(
        reverse("accounts:set-language"),
        {"language": "xx", "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "lang" not in response.cookies


def test_language_switch_only_accepts_post(client):
    assert client.get(reverse("accounts:set-language")).status_code == 405


def test_site_is_french_by_default_even_for_an_english_browser(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response["Content-Language"] == "fr"


def test_a_signed_in_person_sees_the_site_in_their_accounts_language(client, user):
    user.language = "en"
    user.save()
    client.force_login(user)

    assert client.get(reverse("home"))["Content-Language"] == "en"


def test_preferences_change_name_language_and_time_zone(client, user):
    client.force_login(user)

    response = client.post(
        reverse("accounts:preferences"),
        {"full_name": "Jeanne Dupont", "language": "en", "time_zone": "Indian/Reunion"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.language, user.time_zone) == (
        "Jeanne Dupont",
        "en",
        "Indian/Reunion",
    )
    client.get(reverse("accounts:preferences"))
    assert str(timezone.get_current_timezone()) == "Indian/Reunion"


def test_preferences_refuse_an_unknown_time_zone(client, user):
    client.force_login(user)

    response = client.post(
        reverse("accounts:preferences"),
        {"full_name": "Jeanne Dupont", "language": "fr", "time_zone": "Mars/Olympus"},
    )

    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    user.refresh_from_db()
    assert user.time_zone == "Europe/Paris"
