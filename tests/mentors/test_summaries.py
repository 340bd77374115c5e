"""The summaries a higher app pushes down onto the mentor profile."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from mentors.models import MentorProfile
from mentors.services import mentor_profile_update_summary
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile():
    return MentorProfile.objects.create(user=UserFactory())


def test_the_summary_is_stored_and_fields_not_given_are_kept(profile):
    soon = timezone.now() + timedelta(days=2)
    bitmap = bytes([0b1] + [0] * 20)

    mentor_profile_update_summary(
        mentor_profile_id=profile.pk,
        next_free_slot_at=soon,
        free_slots=(2, 5, 9),
        availability_bitmap=bitmap,
        hours_mentored=Decimal("12.5"),
        rating=(Decimal("4.50"), 8),
    )
    mentor_profile_update_summary(mentor_profile_id=profile.pk, free_slots=(0, 1, 9))

    profile.refresh_from_db()
    assert profile.next_free_slot_at == soon
    assert (profile.free_slots_7d, profile.free_slots_14d, profile.free_slots_28d) == (
        0,
        1,
        9,
    )
    assert bytes(profile.availability_bitmap) == bitmap
    assert profile.hours_mentored == Decimal("12.5")
    assert (profile.rating_avg, profile.rating_count) == (Decimal("4.50"), 8)
    assert profile.summary_updated_at is not None


def test_next_free_slot_can_be_cleared(profile):
    mentor_profile_update_summary(
        mentor_profile_id=profile.pk, next_free_slot_at=timezone.now()
    )
    mentor_profile_update_summary(mentor_profile_id=profile.pk, next_free_slot_at=None)

    profile.refresh_from_db()
    assert profile.next_free_slot_at is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"free_slots": (5, 2, 9)},  # 7 days cannot hold more than 14 days
        {"rating": (Decimal("6.00"), 1)},
        {"hours_mentored": Decimal("-1")},
    ],
)
def test_the_database_refuses_impossible_summaries(profile, kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        mentor_profile_update_summary(mentor_profile_id=profile.pk, **kwargs)


def test_a_bitmap_must_have_168_bits(profile):
    with pytest.raises(ValueError, match="168"):
        mentor_profile_update_summary(
            mentor_profile_id=profile.pk, availability_bitmap=b"\x00"
        )


def test_an_unknown_profile_is_an_error():
    with pytest.raises(MentorProfile.DoesNotExist):
        mentor_profile_update_summary(mentor_profile_id=0, free_slots=(0, 0, 0))
