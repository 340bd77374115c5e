"""A learner's attestations are private until they show them; shown ones
appear beside their request to a mentor, each with its verification link."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certification.attestations import attestation_revoke, verify_url
from matching.models import MentorshipRequest
from tests.certification.attestation_helpers import a_revoker, issued
from tests.matching.helpers import learner_with_skills, mentor

pytestmark = pytest.mark.django_db


def _ask(client, learner, profile) -> None:
    client.force_login(learner)
    client.post(
        reverse("matching:request-create", args=[profile.pk]),
        {"skills": ["python"], "preferred_mode": "video", "message": "Bonjour !"},
    )


def test_a_mentor_sees_beside_a_request_only_the_attestations_shown(client):
    shows, hides = learner_with_skills(), learner_with_skills()
    shown, private = issued(shows), issued(hides)
    shown.shown_on_profile = True
    shown.save(update_fields=["shown_on_profile"])
    profile = mentor(capacity=3)
    for learner in (shows, hides):
        _ask(client, learner, profile)
    assert MentorshipRequest.objects.count() == 2

    client.force_login(profile.user)
    page = client.get(reverse("matching:requests-received")).content.decode()

    assert page.count("Attestations que la personne montre") == 1
    assert verify_url(shown.code) in page
    assert verify_url(private.code) not in page
    assert f'id="attestations-of-{shows.pk}"' in page


def test_a_revoked_attestation_is_not_shown_beside_a_request(client):
    learner = learner_with_skills()
    attestation = issued(learner)
    attestation.shown_on_profile = True
    attestation.save(update_fields=["shown_on_profile"])
    attestation_revoke(staff=a_revoker(), attestation_id=attestation.pk, reason="error")
    profile = mentor()
    _ask(client, learner, profile)

    client.force_login(profile.user)
    page = client.get(reverse("matching:requests-received")).content.decode()

    assert "Attestations que la personne montre" not in page
