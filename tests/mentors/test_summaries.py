"""The summaries a higher app pushes down onto the mentor profile."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from mentors.data_version import mentor_data_version
from mentors.models import MentorProfile
from mentors.services import (
    mentor_profile_set_activity_summary,
    mentor_profile_set_slot_summary,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NO_TIME = bytes(21)


@pytest.fixture
def profile():
    return MentorProfile.objects.create(user=UserFactory())


def set_slots(profile, **changes):
    values = {
        "next_free_slot_at": None,
        "free_slots": (0, 0, 0),
        "availability_bitmap": NO_TIME,
        **changes,
    }
    mentor_profile_set_slot_summary(mentor_profile_id=profile.pk, **values)


def test_the_slot_summary_is_stored_and_the_activity_is_kept(profile):
    soon = timezone.now() + timedelta(days=2)
    bitmap = bytes([0b1] + [0] * 20)
    mentor_profile_set_activity_summary(
        mentor_profile_id=profile.pk, hours_mentored=Decimal("12.5"), people_helped=3
    )

    set_slots(
        profile,
        next_free_slot_at=soon,
        free_slots=(2, 5, 9),
        availability_bitmap=bitmap,
    )

    profile.refresh_from_db()
    assert profile.next_free_slot_at == soon
    assert (profile.free_slots_7d, profile.free_slots_14d, profile.free_slots_28d) == (
        2,
        5,
        9,
    )
    assert bytes(profile.availability_bitmap) == bitmap
    assert (profile.hours_mentored, profile.people_helped) == (Decimal("12.5"), 3)
    assert profile.summary_updated_at is not None


def test_the_activity_summary_is_stored_and_the_slots_are_kept(profile):
    set_slots(profile, free_slots=(1, 1, 4))

    mentor_profile_set_activity_summary(
        mentor_profile_id=profile.pk, hours_mentored=Decimal("3.25"), people_helped=2
    )

    profile.refresh_from_db()
    assert (profile.hours_mentored, profile.people_helped) == (Decimal("3.25"), 2)
    assert (profile.free_slots_7d, profile.free_slots_28d) == (1, 4)


def test_next_free_slot_can_be_cleared(profile):
    set_slots(profile, next_free_slot_at=timezone.now(), free_slots=(1, 1, 1))
    set_slots(profile, next_free_slot_at=None)

    profile.refresh_from_db()
    assert profile.next_free_slot_at is None


@pytest.mark.parametrize(
    "free_slots",
    [
        (5, 2, 9),  # 7 days cannot hold more than 14 days
        (0, 9, 2),  # nor 14 days more than 28
        (-1, 0, 0),
    ],
)
def test_the_database_refuses_impossible_slot_counts(profile, free_slots):
    with pytest.raises(IntegrityError), transaction.atomic():
        set_slots(profile, free_slots=free_slots)


@pytest.mark.parametrize(("hours", "people"), [(Decimal("-1"), 0), (Decimal("0"), -1)])
def test_the_database_refuses_negative_activity(profile, hours, people):
    with pytest.raises(IntegrityError), transaction.atomic():
        mentor_profile_set_activity_summary(
            mentor_profile_id=profile.pk, hours_mentored=hours, people_helped=people
        )


def test_the_database_refuses_a_rating_out_of_range(profile):
    # No service writes ratings yet; the column keeps its check for the day one does.
    with pytest.raises(IntegrityError), transaction.atomic():
        MentorProfile.objects.filter(pk=profile.pk).update(rating_avg=Decimal("6"))


def test_a_bitmap_must_have_168_bits(profile):
    with pytest.raises(ValueError, match="168"):
        set_slots(profile, availability_bitmap=b"\x00")


def test_an_unknown_profile_is_an_error():
    with pytest.raises(MentorProfile.DoesNotExist):
        mentor_profile_set_slot_summary(
            mentor_profile_id=0,
            next_free_slot_at=None,
            free_slots=(0, 0, 0),
            availability_bitmap=NO_TIME,
        )
    with pytest.raises(MentorProfile.DoesNotExist):
        mentor_profile_set_activity_summary(
            mentor_profile_id=0, hours_mentored=Decimal(0), people_helped=0
        )


def test_the_slot_summary_never_moves_the_version(
    profile, django_capture_on_commit_callbacks
):
    before = mentor_data_version()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        set_slots(profile, free_slots=(1, 2, 3))

    assert callbacks == []
    assert mentor_data_version() == before


def test_the_activity_summary_moves_the_version_once_committed(
    profile, django_capture_on_commit_callbacks
):
    before = mentor_data_version()

    with django_capture_on_commit_callbacks(execute=True):
        mentor_profile_set_activity_summary(
            mentor_profile_id=profile.pk, hours_mentored=Decimal(1), people_helped=1
        )

    assert mentor_data_version() > before
