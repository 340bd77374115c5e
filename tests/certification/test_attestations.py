"""Issuing on approval (what the attestation says, frozen), revocation (the
fixed reasons, the permission, the audit trail, the e-mail), account deletion
and the name check, mentor badges."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from certification import codes
from certification.attestations import (
    attestation_issue,
    attestation_revoke,
    mentor_badge_issue,
    name_matches,
    recipient_hash,
)
from certification.models import Attestation
from certification.services import attestation_request_decide
from core.errors import Conflict
from core.models import OutboxMessage
from core.personal_data import personal_data_erase
from tests.certification.attestation_helpers import a_revoker, issued
from tests.certification.helpers import a_reviewer, submitted
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_approval_issues_the_attestation_in_the_same_transaction(settings):
    settings.ATTESTATION_ISSUER_NAME = "Association Pas à Pas"
    settings.ATTESTATION_ISSUER_SIRET = "12345678900011"
    learner = UserFactory(full_name="Aïcha Benoît", language="fr")
    attestation = issued(learner)

    assert codes.is_valid_body(attestation.code)
    assert attestation.holder == learner
    assert attestation.holder_name == "Aïcha Benoît"
    assert (attestation.skill.code, attestation.level) == ("2.1", 3)
    assert attestation.sessions == 5  # 4 with the main mentor, 1 observed
    assert attestation.minutes == 4 * 75 + 30
    assert attestation.how["observed_by_other_mentor"] is True
    assert attestation.how["observed_task"]
    assert attestation.how["rules_version"] == attestation.request.rules_id
    assert attestation.issuer_name == "Association Pas à Pas"
    assert attestation.issuer_siret == "12345678900011"
    assert attestation.recipient_hash == recipient_hash(
        learner.email, attestation.recipient_salt
    )
    assert attestation.shown_on_profile is False  # private until shown
    # Idempotent.
    assert attestation_issue(request=attestation.request) == attestation


def test_a_lower_level_is_what_the_attestation_says():
    request, _main, _second = submitted()
    attestation_request_decide(
        reviewer=a_reviewer(),
        request_id=request.pk,
        decision="approve",
        level=2,
        reason="Encore un peu de pratique",
    )
    assert Attestation.objects.get(request=request).level == 2


def test_rejection_issues_nothing():
    request, _main, _second = submitted()
    attestation_request_decide(
        reviewer=a_reviewer(), request_id=request.pk, decision="reject", reason="Non"
    )
    assert not Attestation.objects.exists()


def test_endorsers_are_named_only_when_they_agreed():
    from certification.models import Endorsement

    request, main, _second = submitted()  # the helper's endorsement agreed
    attestation_request_decide(
        reviewer=a_reviewer(), request_id=request.pk, decision="approve"
    )
    assert Attestation.objects.get(request=request).endorsers == [main.full_name]

    request2, main2, _second2 = submitted()
    Endorsement.objects.filter(mentor=main2).update(named=False)
    attestation_request_decide(
        reviewer=a_reviewer(), request_id=request2.pk, decision="approve"
    )
    assert Attestation.objects.get(request=request2).endorsers == []


def test_revocation_reason_permission_audit_and_email():
    attestation = issued(language="en")
    OutboxMessage.objects.all().delete()
    staff = a_revoker()

    with pytest.raises(ValidationError):
        attestation_revoke(staff=staff, attestation_id=attestation.pk, reason="because")
    with pytest.raises(PermissionDenied):
        attestation_revoke(
            staff=UserFactory(is_staff=True),
            attestation_id=attestation.pk,
            reason="error",
        )
    done = attestation_revoke(
        staff=staff,
        attestation_id=attestation.pk,
        reason="review",
        note="Sessions déclarées deux fois",
    )
    assert done.is_revoked
    assert done.revoked_by == staff
    assert done.revocation_note == "Sessions déclarées deux fois"
    entry = LogEntry.objects.get(object_id=str(attestation.pk))
    assert "review" in entry.change_message
    [row] = OutboxMessage.objects.filter(task_name="core.tasks.send_email_task")
    assert row.payload["subject"].endswith("Your attestation has been revoked")
    assert "Withdrawn after a check" in row.payload["body"]
    assert "/verify/CN-" in row.payload["body"]
    with pytest.raises(Conflict):
        attestation_revoke(staff=staff, attestation_id=attestation.pk, reason="error")


def test_the_database_refuses_an_inconsistent_revocation():
    attestation = issued()
    with pytest.raises(IntegrityError), transaction.atomic():
        Attestation.objects.filter(pk=attestation.pk).update(revocation_reason="error")


def test_account_deletion_keeps_it_verifiable_without_the_name():
    learner = UserFactory(full_name="Zoé Lefèvre")
    attestation = issued(learner)
    personal_data_erase(user=learner)

    attestation.refresh_from_db()
    assert attestation.holder is None
    assert attestation.holder_name == ""
    assert attestation.holder_deleted_at is not None
    assert attestation.request is None
    assert (attestation.skill.code, attestation.level) == ("2.1", 3)
    assert attestation.recipient_hash  # shared badges keep verifying
    assert name_matches(attestation, "zoe lefevre") is True
    assert name_matches(attestation, "  Zoé   LEFÈVRE ") is True
    assert name_matches(attestation, "Zoé Martin") is False


def test_account_deletion_keeps_the_name_when_chosen():
    learner = UserFactory(full_name="Jean Dupont")
    attestation = issued(learner)
    Attestation.objects.filter(pk=attestation.pk).update(keep_name_public=True)
    personal_data_erase(user=learner)
    attestation.refresh_from_db()
    assert attestation.holder_name == "Jean Dupont"


def test_mentor_badges_once_per_threshold():
    mentor = UserFactory()
    badge = mentor_badge_issue(mentor=mentor, hours=10)
    assert badge.kind == "mentor"
    assert mentor_badge_issue(mentor=mentor, hours=10) == badge
    with pytest.raises(IntegrityError), transaction.atomic():
        Attestation.objects.create(
            code=codes.new_body(),
            kind="mentor",
            holder=mentor,
            mentor_hours=10,
            issuer_name="x",
            name_salt="s",
            recipient_salt="s",
            recipient_hash="h",
            subject_uuid="00000000-0000-0000-0000-000000000001",
            status_index=1,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        mentor_badge_issue(mentor=mentor, hours=20)


def test_a_deleted_mentor_leaves_the_endorsers():
    from mentors.models import MentorProfile

    request, main, _second = submitted()
    assert MentorProfile.objects.public().filter(user=main).exists()
    attestation_request_decide(
        reviewer=a_reviewer(), request_id=request.pk, decision="approve"
    )
    attestation = Attestation.objects.get(request=request)
    assert attestation.endorsers == [main.full_name]
    personal_data_erase(user=main)
    attestation.refresh_from_db()
    assert attestation.endorsers == []


def test_the_export_lists_ones_attestations():
    from certification.attestations_app import export_attestations

    attestation = issued()
    exported = export_attestations(attestation.holder)["attestations"]
    assert [row["code"] for row in exported] == [attestation.code]


def test_revocation_drops_the_cached_pdf(django_capture_on_commit_callbacks):
    from django.core.cache import cache

    attestation = issued()
    key = f"certification:pdf:{attestation.pk}:{attestation.language}"
    cache.set(key, b"%PDF-old")
    with django_capture_on_commit_callbacks(execute=True):
        attestation_revoke(
            staff=a_revoker(), attestation_id=attestation.pk, reason="error", note="x"
        )
    assert cache.get(key) is None
