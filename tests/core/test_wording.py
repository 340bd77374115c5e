"""One voice in French and English: one word for e-mail, no elision left to a
name, one date format per language, no developer jargon for learners, and a
home page that promises only what exists."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

from accounts.services import api_token_create
from core.models import Notification
from tests.factories import PASSWORD

BASE = Path(settings.BASE_DIR)


def _tokens_page(client) -> str:
    """The API tokens page asks for the password again first."""
    url = reverse("accounts:api-tokens")
    asked = client.get(url)
    if asked.status_code == 302 and "reauthenticate" in asked["Location"]:
        client.post(asked["Location"], {"password": PASSWORD})
    return client.get(url).content.decode()


def _french_catalogue() -> list[tuple[str, str]]:
    with (BASE / "locale/fr/LC_MESSAGES/django.po").open("rb") as handle:
        catalog = read_po(handle)
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = (
            message.string if isinstance(message.string, tuple) else (message.string,)
        )
        pairs += [(ids[0], s) for s in strings if s]
    return pairs


def test_the_french_catalogue_says_adresse_e_mail_never_courriel():
    found = [s for _id, s in _french_catalogue() if "courriel" in s.lower()]
    assert found == []


def test_the_french_catalogue_puts_no_name_after_a_word_that_would_elide():
    # "que Adrienne", "de Adrienne": French wants "qu'Adrienne", "d'Adrienne",
    # which a sentence cannot know in advance. Rephrase instead.
    elides = re.compile(
        r"\b(que|de|le|la|je|ne|se|me|te|ce|lorsque|puisque)\s+%\((\w*name)\)s",
        re.IGNORECASE,
    )
    found = [s for _id, s in _french_catalogue() if elides.search(s)]
    assert found == []


def test_templates_format_dates_with_the_languages_named_formats():
    literal = re.compile(r"\|date:[\"'](?!c[\"'])(?![A-Z_]+_FORMAT[\"'])")
    found = [
        f"{path.relative_to(BASE)}: {match.group(0)}"
        for path in (BASE / "templates").rglob("*.*")
        if path.is_file()
        for match in literal.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "dimanche 20 décembre 2026 à 11 h 00"),
        ("en", "Sunday 20 December 2026 at 11:00"),
    ],
)
def test_one_moment_reads_the_same_on_two_pages(client, user, language, expected):
    moment = datetime(2026, 12, 20, 10, 0, tzinfo=UTC)  # 11:00 in Paris
    user.language, user.time_zone = language, "Europe/Paris"
    user.save(update_fields=["language", "time_zone"])
    Notification.objects.create(
        recipient=user, kind="account.welcome", text="Hello", created_at=moment
    )
    token, _key = api_token_create(user=user, name="tableur")
    type(token).objects.filter(pk=token.pk).update(created_at=moment)
    client.force_login(user)

    assert expected in client.get(reverse("core:notifications")).content.decode()
    assert expected in _tokens_page(client)


@pytest.mark.django_db
def test_the_footer_has_no_api_link_for_a_learner_and_the_docs_stay_reachable(
    client, user
):
    client.force_login(user)
    docs = reverse("api-docs")

    footer = re.search(
        r"<footer.*?</footer>", client.get(reverse("home")).content.decode(), re.S
    )
    assert footer is not None
    assert docs not in footer.group(0)
    assert f'href="{docs}"' in _tokens_page(client)
    assert client.get(docs).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "booking", "attestation"),
    [
        (
            "fr",
            "Bientôt\xa0: la réservation des séances sur le site.",
            "Bientôt\xa0: votre attestation de compétences",
        ),
        (
            "en",
            "Coming soon: booking your sessions on the site.",
            "Coming soon: your skill attestation",
        ),
    ],
)
def test_the_home_page_announces_booking_and_attestations_as_coming_soon(
    client, language, booking, attestation
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    page = client.get(reverse("home")).content.decode()

    assert booking in page
    assert attestation in page
    assert "Réservez ensemble des séances" not in page
    assert "Book coaching sessions together" not in page
