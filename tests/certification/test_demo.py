"""The demo: an eligible learner with a submitted request, one whose request
waits for more information, one holding an attestation anyone can check; a
second seed adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from certification.models import Attestation, AttestationRequest
from certification.selectors import eligibility

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_submitted_request_and_one_waiting_for_information():
    call_command("seed_demo", mentors=30, learners=40, verbosity=0)

    submitted = AttestationRequest.objects.get(state="submitted")
    asked = AttestationRequest.objects.get(state="more_info")
    assert submitted.level == 3
    assert eligibility(
        learner_id=submitted.learner_id,
        skill_id=submitted.skill_id,
        level=3,
        rules=submitted.rules,
    ).met
    assert submitted.evidence["observations"]
    assert submitted.evidence["endorsements"][0]["counts"]
    assert asked.events.filter(action="more_info").exists()
    [attestation] = Attestation.objects.all()
    assert attestation.request.state == "approved"
    page = Client().get(f"/verify/{attestation.code}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Attestation valide" in page.content.decode()
    banner = StringIO()
    call_command("run_banner", port=8000, stdout=banner)
    assert f"http://127.0.0.1:8000/verify/{attestation.display_code}/" in (
        banner.getvalue()
    )

    call_command("seed_demo", mentors=30, learners=40, verbosity=0)
    assert AttestationRequest.objects.count() == 3
    assert Attestation.objects.count() == 1
