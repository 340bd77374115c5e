"""The request's file: type read from the content, 5 MB at most, stored
outside the public media path; only its learner and a reviewer (permission,
TOTP-confirmed session, no conflict of interest) can open it; deleted 6 months
after the decision; in the person's data export."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from certification.models import AttestationRequest, RequestEvent
from certification.services import (
    attestation_request_create,
    attestation_request_decide,
    evidence_files_delete_expired,
)
from core.personal_data import data_export_build, data_export_request, private_storage
from tests.certification.helpers import a_reviewer, endorse, submitted
from tests.factories import UserFactory, add_totp, totp_code

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def _draft(learner, upload):
    return attestation_request_create(
        learner=learner, skill_code="2.1", level=1, statement="Moi", upload=upload
    )


def test_a_text_file_named_pdf_is_refused():
    with pytest.raises(ValidationError) as caught:
        _draft(UserFactory(), SimpleUploadedFile("cv.pdf", b"hello, I am text"))
    assert caught.value.code == "file_type"
    assert not AttestationRequest.objects.exists()


def test_a_6_mb_file_is_refused():
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + bytes(6 * 1024 * 1024))
    with pytest.raises(ValidationError) as caught:
        _draft(UserFactory(), big)
    assert caught.value.code == "file_too_big"


def test_a_real_pdf_is_accepted_and_stored_outside_the_public_media_path():
    request = _draft(UserFactory(), SimpleUploadedFile("cv.pdf", PDF, "text/plain"))

    assert request.evidence_content_type == "application/pdf"
    path = Path(private_storage().path(request.evidence_file))
    assert path.read_bytes() == PDF
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert path.is_relative_to(Path(settings.PRIVATE_ROOT))


def _with_file():
    request, main, second = submitted()
    name = private_storage().save("attestations/test.png", io.BytesIO(PNG))
    AttestationRequest.objects.filter(pk=request.pk).update(
        evidence_file=name, evidence_content_type="image/png"
    )
    request.refresh_from_db()
    return request, main, second


def _totp_login(client, user):
    """Sign in and confirm the session with a TOTP code, as the admin asks."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=user).delete()
    secret = add_totp(user)
    client.force_login(user)
    response = client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302


def test_only_the_learner_and_a_reviewer_with_totp_open_the_file(client):
    request, main, _second = _with_file()
    url = reverse("certification:evidence-file", args=[request.pk])

    assert client.get(url).status_code == 404  # anonymous
    for person in [UserFactory(), main]:  # another learner, a mentor
        client.force_login(person)
        assert client.get(url).status_code == 404
    reviewer = a_reviewer()
    client.force_login(reviewer)  # staff without TOTP: sent to set it up first
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    add_totp(reviewer)
    client.force_login(reviewer)  # the permission, a session without the code
    assert client.get(url).status_code == 404
    staff = UserFactory(is_staff=True, is_superuser=False)
    _totp_login(client, staff)  # a confirmed session, no permission
    assert client.get(url).status_code == 404

    _totp_login(client, reviewer)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == PNG
    assert response["Content-Type"] == "image/png"

    client.force_login(request.learner)
    assert client.get(url).status_code == 200


def test_a_reviewer_in_conflict_of_interest_cannot_open_the_file(client):
    request, _main, _second = _with_file()
    reviewer = a_reviewer()
    from mentors.models import MentorSkill
    from tests.certification.helpers import attended, skill
    from tests.gates.cast import approved_mentor_profile

    MentorSkill.objects.create(
        profile=approved_mentor_profile(reviewer), skill=skill(), level=6, years=1
    )
    attended(request.learner, reviewer, minutes=30)
    endorse(request.learner, reviewer, 2)
    _totp_login(client, reviewer)

    url = reverse("certification:evidence-file", args=[request.pk])
    assert client.get(url).status_code == 404


def test_the_file_is_deleted_six_months_after_the_decision():
    request, _main, _second = _with_file()
    attestation_request_decide(
        reviewer=a_reviewer(), request_id=request.pk, decision="approve"
    )
    path = Path(private_storage().path(request.evidence_file))
    decided = AttestationRequest.objects.get(pk=request.pk).updated_at

    assert evidence_files_delete_expired(now=decided + timedelta(days=182)) == 0
    assert path.exists()
    assert evidence_files_delete_expired(now=decided + timedelta(days=184)) == 1
    assert not path.exists()
    assert evidence_files_delete_expired(now=decided + timedelta(days=200)) == 0
    row = AttestationRequest.objects.get(pk=request.pk)
    assert (row.evidence_file, row.evidence_deleted_at is not None) == ("", True)
    assert RequestEvent.objects.filter(request=row, action="file_deleted").count() == 1


def test_an_open_request_keeps_its_file():
    _request, _main, _second = _with_file()
    later = timezone.now() + timedelta(days=400)
    assert evidence_files_delete_expired(now=later) == 0


def test_the_data_export_includes_the_file_and_erasure_removes_it():
    request, _main, _second = _with_file()
    export = data_export_request(user=request.learner)
    data_export_build(export_id=export.pk)
    export.refresh_from_db()

    with private_storage().open(export.file_name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    assert archive.read(f"attestation_requests/request-{request.pk}.png") == PNG
    assert b'"state": "submitted"' in archive.read("attestation_requests.json")

    from core.personal_data import personal_data_erase

    path = Path(private_storage().path(request.evidence_file))
    personal_data_erase(user=request.learner)
    assert not AttestationRequest.objects.filter(pk=request.pk).exists()
    assert not path.exists()
