"""The learner's pages: where they stand per band, the request form (sent,
refused with what is missing, a bad file), their requests and answering the
team, hiding an endorsement; the public explainer."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certification.models import AttestationRequest
from certification.services import attestation_request_decide
from tests.certification.helpers import (
    a_mentor,
    a_reviewer,
    attended,
    eligible_intermediate,
    submitted,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def test_the_explainer_is_public_and_says_what_it_is_not(client):
    page = client.get(reverse("certification:explainer")).text

    assert "Ce n'est pas un diplôme" in page
    assert "France compétences" in page
    for name in ("Pix", "CléA numérique", "VAE"):
        assert name in page
    assert "certification de compétences" not in page.lower()


def test_the_progress_page_says_what_is_met_and_missing(client):
    learner, mentor = UserFactory(), a_mentor()
    attended(learner, mentor, minutes=60)
    client.force_login(learner)

    page = client.get(reverse("certification:progress", args=["2.1"])).text

    assert "Séances confirmées : 1 sur 2" in page
    assert "Encore 1 séance confirmée sur cette compétence (il en faut 2)." in page
    assert "Encore 1 h de séances confirmées" in page
    assert "Fondamental (niveaux 1 et 2)" in page
    assert "Avancé (niveaux 5 et 6)" in page


def test_progress_needs_login_and_a_digcomp_skill(client):
    url = reverse("certification:progress", args=["2.1"])
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert (
        client.get(reverse("certification:progress", args=["python"])).status_code
        == 404
    )


def test_the_request_form_refuses_with_what_is_missing_and_keeps_nothing(client):
    learner = UserFactory()
    client.force_login(learner)
    url = reverse("certification:request-form", args=["2.1"])

    response = client.post(url, {"level": 1, "statement": "Je sais envoyer."})

    assert response.status_code == 200
    assert "Il manque encore" in response.text
    assert "Encore 2 séances confirmées" in response.text
    assert not AttestationRequest.objects.exists()


def test_the_request_form_sends_with_a_file(client):
    learner = UserFactory()
    eligible_intermediate(learner)
    client.force_login(learner)
    url = reverse("certification:request-form", args=["2.1"])

    bad = client.post(
        url,
        {
            "level": 3,
            "statement": "Je fais des visios.",
            "upload": SimpleUploadedFile("cv.pdf", b"just text"),
        },
    )
    assert bad.status_code == 200
    assert "n&#x27;est pas un PDF" in bad.text
    assert not AttestationRequest.objects.exists()

    sent = client.post(
        url,
        {
            "level": 3,
            "statement": "Je fais des visios.",
            "upload": SimpleUploadedFile("cv.pdf", PDF),
        },
    )
    assert sent.status_code == 302
    row = AttestationRequest.objects.get()
    assert (row.state, row.evidence_content_type) == ("submitted", "application/pdf")
    mine = client.get(reverse("certification:my-requests")).text
    assert "En attente de l&#x27;équipe" in mine


def test_my_requests_show_the_decision_and_answering_the_team(client):
    request, _main, _second = submitted()
    attestation_request_decide(
        reviewer=a_reviewer(),
        request_id=request.pk,
        decision="more_info",
        reason="Un exemple ?",
    )
    client.force_login(request.learner)
    page = client.get(reverse("certification:my-requests")).text
    assert "Informations demandées" in page
    assert "Un exemple ?" in page

    client.post(
        reverse("certification:request-resubmit", args=[request.pk]),
        {"statement": "J'ai animé une réunion."},
    )
    assert AttestationRequest.objects.get(pk=request.pk).state == "submitted"
    client.post(reverse("certification:request-withdraw", args=[request.pk]))
    assert AttestationRequest.objects.get(pk=request.pk).state == "withdrawn"


def test_another_persons_request_cannot_be_withdrawn(client):
    request, _main, _second = submitted()
    client.force_login(UserFactory())

    response = client.post(reverse("certification:request-withdraw", args=[request.pk]))

    assert response.status_code == 404
    assert AttestationRequest.objects.get(pk=request.pk).state == "submitted"


def test_the_learner_hides_an_endorsement_from_the_page(client):
    learner = UserFactory()
    eligible_intermediate(learner)
    endorsement = learner.endorsements_received.get()
    client.force_login(learner)

    client.post(
        reverse("certification:endorsement-hide", args=[endorsement.pk]),
        {"hidden": "1"},
    )

    page = client.get(reverse("certification:progress", args=["2.1"])).text
    assert "Masquée : elle ne compte pas." in page
    assert "Encore 1 recommandation" in page
