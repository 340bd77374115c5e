"""The attestation endpoints: happy paths, another person's request (404),
bad input (400 with what is missing or the field), wrong method, anonymous."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from certification.models import AttestationRequest
from tests.certification.helpers import a_mentor, attended, eligible_intermediate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def _client(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_a_draft_with_a_file_then_submitted():
    learner = UserFactory()
    eligible_intermediate(learner)
    client = _client(learner)

    created = client.post(
        "/api/v1/attestation-requests/",
        {
            "skill": "2.1",
            "level": 3,
            "statement": "Je fais des visios.",
            "file": SimpleUploadedFile("work.pdf", PDF),
        },
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["state"], body["has_file"], body["rules_version"]) == (
        "draft",
        True,
        None,
    )

    sent = client.post(f"/api/v1/attestation-requests/{body['id']}/submit/", {})
    assert sent.status_code == 200
    assert sent.json()["state"] == "submitted"
    assert sent.json()["rules_version"] is not None
    assert [r["id"] for r in client.get("/api/v1/attestation-requests/").json()] == [
        body["id"]
    ]


def test_submitting_too_early_is_a_400_naming_what_is_missing():
    learner = UserFactory()
    attended(learner, a_mentor(), minutes=60)
    client = _client(learner)
    draft = client.post(
        "/api/v1/attestation-requests/",
        {"skill": "2.1", "level": 1, "statement": "Moi"},
        format="json",
    ).json()

    response = client.post(
        f"/api/v1/attestation-requests/{draft['id']}/submit/",
        {},
        format="json",
    )

    assert response.status_code == 400
    text = str(response.json())
    assert "Encore 1 séance confirmée sur cette compétence (il en faut 2)." in text
    assert AttestationRequest.objects.get(pk=draft["id"]).state == "draft"


def test_bad_input_and_another_persons_request():
    learner, other = UserFactory(), UserFactory()
    client = _client(learner)
    refused = client.post(
        "/api/v1/attestation-requests/",
        {"skill": "2.1", "level": 1, "file": SimpleUploadedFile("x.pdf", b"text")},
        format="multipart",
    )
    assert refused.status_code == 400
    assert "pas un PDF" in refused.json()["file"][0]  # beside the field
    assert not AttestationRequest.objects.exists()
    assert (
        client.post(
            "/api/v1/attestation-requests/", {"skill": "2.1", "level": 7}, format="json"
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/api/v1/attestation-requests/",
            {"skill": "python", "level": 1},
            format="json",
        ).status_code
        == 404
    )
    theirs = _client(other).post(
        "/api/v1/attestation-requests/", {"skill": "2.1", "level": 1}, format="json"
    )
    pk = theirs.json()["id"]
    assert (
        client.post(f"/api/v1/attestation-requests/{pk}/withdraw/").status_code == 404
    )
    assert client.get(f"/api/v1/attestation-requests/{pk}/submit/").status_code == 405
    assert (
        _client().post(f"/api/v1/attestation-requests/{pk}/withdraw/").status_code
        == 401
    )
    again = _client(other).post(
        "/api/v1/attestation-requests/", {"skill": "2.1", "level": 2}, format="json"
    )
    assert again.status_code == 409


def test_observed_tasks_by_skill_and_level():
    client = _client(UserFactory())
    tasks = client.get("/api/v1/observed-tasks/", {"skill": "2.1", "level": 3}).json()

    assert [(t["skill"], t["band"]) for t in tasks] == [("2.1", "intermediate")]
    assert tasks[0]["title"].startswith("Rejoindre un appel vidéo")
    assert len(client.get("/api/v1/observed-tasks/").json()) == 63
    assert client.get("/api/v1/observed-tasks/", {"level": 7}).status_code == 400


def test_endorse_then_each_side_lists_it():
    learner, mentor = UserFactory(), a_mentor(level=5)
    attended(learner, mentor)
    created = _client(mentor).post(
        "/api/v1/endorsements/",
        {"learner": learner.pk, "skill": "2.1", "level": 4, "comment": "Très bien"},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["counts"] is True
    assert created.json()["named"] is False  # never named without saying so

    received = _client(learner).get("/api/v1/endorsements/").json()
    given = _client(mentor).get("/api/v1/endorsements/", {"role": "mentor"}).json()
    assert [e["id"] for e in received] == [e["id"] for e in given]
    assert (
        _client(learner).get("/api/v1/endorsements/", {"role": "x"}).status_code == 400
    )
    assert (
        _client(mentor)
        .post(
            "/api/v1/endorsements/",
            {"learner": learner.pk, "skill": "2.1", "level": 6, "comment": "Top"},
            format="json",
        )
        .status_code
        == 400
    )


def test_a_mentor_agrees_to_be_named_when_endorsing():
    learner, mentor = UserFactory(), a_mentor(level=5)
    attended(learner, mentor)
    created = _client(mentor).post(
        "/api/v1/endorsements/",
        {
            "learner": learner.pk,
            "skill": "2.1",
            "level": 4,
            "comment": "Très bien",
            "named": True,
        },
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["named"] is True
