"""The holder's pages and the staff's admin: My attestations (links, LinkedIn,
show on profile), the mentor's public page, the admin revoke page (the
reviewer's permission, TOTP), the name check on the verification page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from certification.models import Attestation
from core.personal_data import personal_data_erase
from tests.certification.attestation_helpers import issued
from tests.certification.helpers import a_mentor, a_reviewer
from tests.factories import UserFactory, add_totp, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_my_attestations_page_and_linkedin_fields():
    a = issued(full_name="Inès Moreau")
    client = Client()
    client.force_login(a.holder)
    page = client.get("/mon-espace/attestations/")
    text = page.content.decode()
    assert page.status_code == 200
    assert a.display_code in text
    assert f"http://testserver/verify/{a.display_code}/" in text
    assert f"/mon-espace/attestations/{a.pk}/attestation.pdf" in text
    assert f"/mon-espace/attestations/{a.pk}/credential.jwt" in text
    link = next(
        part.split('"')[0]
        for part in text.split('href="')
        if part.startswith("https://www.linkedin.com/profile/add?")
    )
    fields = parse_qs(urlparse(link.replace("&amp;", "&")).query)
    assert fields["name"][0].startswith("Attestation de compétences – ")
    assert fields["certId"] == [a.display_code]
    assert fields["certUrl"] == [f"http://testserver/verify/{a.display_code}/"]
    assert "Mes attestations" in client.get("/mon-espace/").content.decode()


def test_show_on_profile_is_the_holders_choice():
    mentor = a_mentor()
    from certification.attestations import mentor_badge_issue

    badge = mentor_badge_issue(mentor=mentor, hours=10)
    page_url = reverse("mentors:detail", args=[mentor.mentor_profile.pk])
    assert badge.display_code not in Client().get(page_url).content.decode()
    holder = Client()
    holder.force_login(mentor)
    holder.post(f"/mon-espace/attestations/{badge.pk}/profil/", {"shown": "1"})
    badge.refresh_from_db()
    assert badge.shown_on_profile
    shown = Client().get(page_url).content.decode()
    assert f"/verify/{badge.display_code}/" in shown
    # Someone else cannot change it.
    other = Client()
    other.force_login(UserFactory())
    answer = other.post(f"/mon-espace/attestations/{badge.pk}/profil/", {"shown": "0"})
    assert answer.status_code == 404
    badge.refresh_from_db()
    assert badge.shown_on_profile


def _staff_client(user) -> Client:
    client = Client()
    secret = add_totp(user)
    client.force_login(user)
    client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret)})
    return client


def test_staff_revoke_in_the_admin():
    a = issued()
    reviewer = _staff_client(a_reviewer())
    url = reverse("admin:certification_attestation_revoke", args=[a.pk])
    form = reviewer.get(url)
    assert form.status_code == 200
    assert "Émise par erreur" in form.content.decode()
    missing_note = reviewer.post(url, {"reason": "error", "note": ""})
    assert missing_note.status_code == 200
    assert not Attestation.objects.get(pk=a.pk).is_revoked
    done = reviewer.post(url, {"reason": "holder", "note": "Demande par courriel"})
    assert done.status_code == 302
    a.refresh_from_db()
    assert a.revocation_reason == "holder"
    change = reviewer.get(
        reverse("admin:certification_attestation_change", args=[a.pk])
    )
    assert change.status_code == 200
    # Staff without the permission: refused.
    plain = _staff_client(UserFactory(is_staff=True))
    assert plain.get(url).status_code == 403


def test_the_name_check_after_deletion():
    learner = UserFactory(full_name="Noé Girard")
    a = issued(learner)
    personal_data_erase(user=learner)
    page = Client().get(f"/verify/{a.display_code}/").content.decode()
    assert "titulaire ayant supprimé son compte" in page
    assert "Noé Girard" not in page
    match = Client().get(f"/verify/{a.display_code}/", {"name": "noe girard"})
    assert "Le nom correspond." in match.content.decode()
    other = Client().get(f"/verify/{a.display_code}/", {"name": "Marie Curie"})
    assert "Le nom ne correspond pas." in other.content.decode()


def test_keep_my_name_is_the_holders_choice():
    a = issued(full_name="Rémi Faure")
    client = Client()
    client.force_login(a.holder)
    client.post(f"/mon-espace/attestations/{a.pk}/nom/", {"keep": "1"})
    a.refresh_from_db()
    assert a.keep_name_public
    holder = a.holder
    personal_data_erase(user=holder)
    page = Client().get(f"/verify/{a.display_code}/").content.decode()
    assert "Rémi Faure" in page
