"""Notices read right: a name or a message with an apostrophe, "<" or "&" is
shown as typed in the subject, the text body and the in-app notice, and escaped
exactly once in the HTML body; every link starts with SITE_URL."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from core.models import Notification
from matching.services import mentorship_request_create, mentorship_request_decline
from tests.matching.helpers import learner_with_skills, mentor
from tests.outbox import run_outbox

pytestmark = pytest.mark.django_db

SITE = "https://compagnonnage.example"
TYPED = "J'aimerais apprendre à utiliser l'ordinateur <b>vite</b> & bien."
ESCAPED_ONCE = (
    "J&#x27;aimerais apprendre à utiliser l&#x27;ordinateur "
    "&lt;b&gt;vite&lt;/b&gt; &amp; bien."
)
ENTITIES = re.compile(r"&(#x?[0-9a-f]+|[a-z]+);", re.IGNORECASE)


def _request_from_aissatou(*, mentor_language: str = "fr"):
    learner = learner_with_skills(full_name="Aïssatou N'Diaye", language="fr")
    profile = mentor(language=mentor_language)
    request = mentorship_request_create(
        learner=learner,
        mentor_profile_id=profile.pk,
        skill_codes=["python"],
        message=TYPED,
        preferred_mode="video",
    )
    return learner, profile, request


def _links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"<>]+", text)


@override_settings(SITE_URL=SITE)
def test_a_request_with_apostrophes_reads_as_typed_in_every_text_part(client):
    _learner, profile, _request = _request_from_aissatou()
    run_outbox()

    [message] = mail.outbox
    assert message.subject == (
        "[Compagnonnage] Aïssatou N'Diaye vous demande de l'accompagner"
    )
    assert "Aïssatou N'Diaye vous demande de l'accompagner.\n" in message.body
    assert TYPED in message.body
    assert not ENTITIES.search(message.subject + message.body)
    assert "." not in [line.strip() for line in message.body.splitlines()]

    notice = Notification.objects.get(recipient=profile.user)
    assert notice.text == "Aïssatou N'Diaye vous demande de l'accompagner"

    # The page escapes the plain text once.
    client.force_login(profile.user)
    page = client.get(reverse("core:notifications")).content.decode()
    assert "Aïssatou N&#x27;Diaye vous demande" in page
    assert "&amp;#x27;" not in page

    links = _links(message.body)
    assert links
    assert all(link.startswith(SITE + "/") for link in links)


@override_settings(SITE_URL=SITE)
def test_the_html_body_escapes_user_text_exactly_once():
    _request_from_aissatou()
    run_outbox()

    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert "Aïssatou N&#x27;Diaye vous demande de l&#x27;accompagner." in html
    assert ESCAPED_ONCE in html
    assert "<b>vite</b>" not in html
    assert "&amp;#x27;" not in html
    assert "&amp;lt;" not in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs
    assert all(href.startswith(SITE + "/") for href in hrefs)


@override_settings(SITE_URL=SITE)
def test_a_declined_request_gives_the_mentors_words_as_typed_in_english():
    learner, profile, request = _request_from_aissatou()
    learner.language = "en"
    learner.save(update_fields=["language"])
    profile.user.full_name = "Jeanne D'Arc"
    profile.user.save(update_fields=["full_name"])
    run_outbox()
    mail.outbox.clear()

    mentorship_request_decline(
        mentor=profile.user, request_id=request.pk, message="I'm full <until> June."
    )
    run_outbox()

    [message] = mail.outbox
    assert message.subject == "[Compagnonnage] Jeanne D'Arc cannot be your mentor"
    assert "I'm full <until> June." in message.body
    assert not ENTITIES.search(message.body)
    assert f"{SITE}{reverse('mentors:directory')}" in message.body
    notice = Notification.objects.filter(recipient=learner).latest("created_at")
    assert notice.text == "Jeanne D'Arc cannot be your mentor"
