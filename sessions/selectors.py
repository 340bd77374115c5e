"""Reads of availability and slots, filtered to what the viewer may see."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from mentors.choices import Mode
from mentors.models import Block, MentorProfile
from mentors.selectors import mentor_profile_public_list

from .models import Availability, Slot


def availability_default_modes(mentor_profile: MentorProfile) -> list[str]:
    """The ways to meet a new availability offers: the profile's, but in person
    (that needs a public place the mentor names first)."""
    return [m for m in mentor_profile.modes if m != Mode.IN_PERSON]


def availability_get(*, mentor_profile: MentorProfile) -> Availability:
    """The mentor's availability, or (unsaved, nothing written) the defaults a
    first save starts from. Its rules and exceptions are prefetched."""
    availability = (
        Availability.objects.filter(mentor_profile=mentor_profile)
        .prefetch_related("rules", "exceptions")
        .first()
    )
    if availability is None:
        availability = Availability(
            mentor_profile=mentor_profile,
            modes=availability_default_modes(mentor_profile),
        )
    return availability


def slot_list_free_for_viewer(
    *,
    viewer_id: int,
    mentor_profile_id: int,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
) -> QuerySet[Slot]:
    """Free slots of a public mentor starting in [start, end) and not past.

    A mentor who is not public, or with a block between them and the viewer,
    is ``MentorProfile.DoesNotExist``: the same answer as no mentor at all.
    """
    now = now or timezone.now()
    profile = (
        mentor_profile_public_list()
        .filter(pk=mentor_profile_id)
        .exclude(Exists(Block.objects.between(viewer_id, OuterRef("user_id"))))
        .values_list("user_id", flat=True)
        .first()
    )
    if profile is None:
        raise MentorProfile.DoesNotExist(mentor_profile_id)
    return Slot.objects.filter(
        mentor_id=profile,
        status=Slot.Status.FREE,
        start__gte=max(start, now),
        start__lt=end,
    ).order_by("start")
