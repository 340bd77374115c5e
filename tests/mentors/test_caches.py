"""Caches never hide an edit: a skill renamed in the admin shows at once on
every page that names it, with every cache on and warm (docs/caches.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from mentors.data_version import bump_mentor_data_version
from mentors.models import MentorProfile, Skill
from mentors.services import mentor_profile_set_slot_summary
from tests.accounts.helpers import sign_in_staff
from tests.mentors.test_directory import make_mentor

pytestmark = pytest.mark.django_db

OLD, NEW = "Graphisme", "Typographie et mise en page"


def admin_skill_change(client, skill: Skill, **changes: Any) -> None:
    """Post the admin's change form of ``skill`` as shown, with ``changes``."""
    url = reverse("admin:mentors_skill_change", args=[skill.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data.update(changes)
    response = client.post(url, {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 302, response.context["adminform"].form.errors


def pages(client, mentor_id: int) -> dict[str, str]:
    """Every page that names the mentor's skill, as a visitor sees it."""
    directory = reverse("mentors:directory")
    return {
        "directory": client.get(directory).content.decode(),
        "search": client.get(directory, {"q": "typographie"}).content.decode(),
        "filtered": client.get(directory, {"skill": "graphic-design"}).content.decode(),
        "htmx": client.get(
            directory, {"q": "graphiste"}, HTTP_HX_REQUEST="true"
        ).content.decode(),
        "mentor page": client.get(
            reverse("mentors:detail", args=[mentor_id])
        ).content.decode(),
        "api card": client.get("/api/v1/mentors/").content.decode(),
        "api mentor": client.get(f"/api/v1/mentors/{mentor_id}/").content.decode(),
    }


@override_settings(SEARCH_QUERY_CACHES=True)
def test_a_skill_renamed_in_the_admin_shows_at_once_on_every_page(
    client, staff_with_totp, django_capture_on_commit_callbacks
):
    skill = Skill.objects.get(code="graphic-design")
    assert skill.name_fr == OLD
    mentor = make_mentor(
        "Sophie Martin", "Graphiste indépendante", skills=(("graphic-design", 7),)
    )
    # Every cache warm: each page twice.
    pages(client, mentor.pk)
    before = pages(client, mentor.pk)
    for name, html in before.items():
        assert OLD in html, name
    assert "Sophie Martin" not in before["search"]  # nobody yet

    sign_in_staff(client, staff_with_totp)
    with django_capture_on_commit_callbacks(execute=True):  # the request commits
        admin_skill_change(client, skill, name_fr=NEW)
    client.logout()

    after = pages(client, mentor.pk)
    for name, html in after.items():
        assert NEW in html, name
        assert OLD not in html, name
    # The mentor is searched by the skill's new name too.
    assert "Sophie Martin" in after["search"]


@override_settings(SEARCH_QUERY_CACHES=False)
def test_directory_cards_are_drawn_once_per_mentor_and_version_even_with_the_query_caches_off(  # noqa: E501
    client, django_capture_on_commit_callbacks
):
    mentor = make_mentor(
        "Sophie Martin", "Graphiste indépendante", skills=(("graphic-design", 7),)
    )
    directory = reverse("mentors:directory")
    assert (
        "Graphiste indépendante"
        in client.get(directory, {"q": "graphiste"}).content.decode()
    )
    # A row changed behind the services' back (no version move): another query
    # showing the mentor gets the card drawn for the first one.
    MentorProfile.objects.filter(pk=mentor.pk).update(headline="Autre titre")
    served = client.get(directory).content.decode()
    assert "Graphiste indépendante" in served
    assert "Autre titre" not in served
    # In English the card is drawn again (its key holds the language).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(directory).content.decode()
    assert "Autre titre" in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    # Any change that matters moves the version: the card is drawn again.
    with django_capture_on_commit_callbacks(execute=True):
        bump_mentor_data_version()
    after = client.get(directory).content.decode()
    assert "Autre titre" in after
    assert "Graphiste indépendante" not in after


@override_settings(SEARCH_QUERY_CACHES=False)
def test_a_card_shows_a_new_free_slot_and_answer_time_at_once(client):
    mentor = make_mentor(
        "Sophie Martin", "Graphiste indépendante", skills=(("graphic-design", 7),)
    )
    directory = reverse("mentors:directory")
    first = client.get(directory).content.decode()
    assert "Prochain créneau libre" not in first
    assert "Délai de réponse pas encore connu" in first

    # Neither moves the mentor-data version (bookings move the slot summary
    # all day long): the card's key holds both, so its entry is never stale.
    slot = timezone.now() + timedelta(days=3)
    mentor_profile_set_slot_summary(
        mentor_profile_id=mentor.pk,
        next_free_slot_at=slot,
        free_slots=(1, 1, 1),
        availability_bitmap=bytes(21),
    )
    MentorProfile.objects.filter(pk=mentor.pk).update(median_answer_hours_90d=30)

    after = client.get(directory).content.decode()
    assert "Prochain créneau libre" in after
    assert "Répond en général sous 2 jours" in after
