"""Mentor badges at 10, 50 and 100 hours given; inactive accounts warned, then
deleted after INACTIVE_ACCOUNT_MONTHS (their attestations stay verifiable)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from certification.models import Attestation, InactivityNotice
from certification.retention import inactive_accounts_process, mentor_badges_award
from core.models import OutboxMessage
from tests.certification.attestation_helpers import issued
from tests.certification.helpers import a_mentor, attended
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_mentor_badges_at_10_and_50_hours():
    mentor = a_mentor()
    learner = UserFactory()
    for _ in range(9):
        attended(learner, mentor, minutes=60)
    assert mentor_badges_award() == 0
    attended(learner, mentor, minutes=60)
    assert mentor_badges_award() == 1
    assert mentor_badges_award() == 0  # once
    badge = Attestation.objects.get(holder=mentor, kind="mentor")
    assert badge.mentor_hours == 10
    for _ in range(40):
        attended(learner, mentor, minutes=60)
    assert mentor_badges_award() == 1
    assert sorted(
        Attestation.objects.filter(holder=mentor).values_list("mentor_hours", flat=True)
    ) == [10, 50]


def test_inactive_accounts_warned_then_deleted(settings):
    settings.INACTIVE_ACCOUNT_MONTHS = 24
    now = timezone.now()
    old = issued(full_name="Yves Ancien").holder
    User.objects.filter(pk=old.pk).update(last_login=now - timedelta(days=720))
    recent = UserFactory()
    User.objects.filter(pk=recent.pk).update(last_login=now - timedelta(days=30))
    staff = UserFactory(is_staff=True)
    User.objects.filter(pk=staff.pk).update(last_login=now - timedelta(days=900))
    OutboxMessage.objects.all().delete()

    assert inactive_accounts_process(now=now) == (1, 0)
    assert InactivityNotice.objects.filter(user=old).exists()
    assert (
        OutboxMessage.objects.filter(task_name="core.tasks.send_email_task").count()
        == 1
    )
    assert inactive_accounts_process(now=now + timedelta(days=10)) == (0, 0)

    later = now + timedelta(days=31)
    assert inactive_accounts_process(now=later) == (0, 1)
    old.refresh_from_db()
    assert not old.is_active
    attestation = Attestation.objects.get(holder_name_hash__isnull=False, holder=None)
    assert attestation.holder_deleted_at is not None
    recent.refresh_from_db()
    staff.refresh_from_db()
    assert recent.is_active
    assert staff.is_active


def test_signing_in_after_the_warning_keeps_the_account():
    now = timezone.now()
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(last_login=now - timedelta(days=720))
    inactive_accounts_process(now=now)
    User.objects.filter(pk=user.pk).update(last_login=now + timedelta(days=1))
    assert inactive_accounts_process(now=now + timedelta(days=40)) == (0, 0)
    user.refresh_from_db()
    assert user.is_active
    assert not InactivityNotice.objects.filter(user=user).exists()


def test_someone_who_never_signed_in_again_counts_from_their_sign_up():
    now = timezone.now()
    gone = UserFactory()
    User.objects.filter(pk=gone.pk).update(
        last_login=None, date_joined=now - timedelta(days=720)
    )
    new = UserFactory()
    User.objects.filter(pk=new.pk).update(
        last_login=None, date_joined=now - timedelta(days=30)
    )

    assert inactive_accounts_process(now=now) == (1, 0)
    assert inactive_accounts_process(now=now + timedelta(days=31)) == (0, 1)
    gone.refresh_from_db()
    new.refresh_from_db()
    assert not gone.is_active
    assert new.is_active


def test_the_privacy_page_says_the_limit_the_job_uses(client, settings):
    settings.INACTIVE_ACCOUNT_MONTHS = 18
    page = client.get("/confidentialite/").content.decode()
    assert "depuis 18\u00a0mois" in page or "depuis 18 mois" in page
