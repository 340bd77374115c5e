"""The mentor-data version: caches of what the directory and the matching
engine read about mentors are keyed on it, and every change that matters to
them moves it."""

from __future__ import annotations

from django.db.models import F

from .models import MatchingState


def mentor_data_version() -> int:
    state = MatchingState.objects.filter(pk=1).values_list(
        "mentor_data_version", flat=True
    )
    return int(state.first() or 0)


def bump_mentor_data_version() -> None:
    """Call in the transaction of any change that matters to matching (profile
    published, pause, capacity, availability, a mentorship starting or ending)."""
    updated = MatchingState.objects.filter(pk=1).update(
        mentor_data_version=F("mentor_data_version") + 1
    )
    if not updated:
        MatchingState.objects.get_or_create(pk=1, defaults={"mentor_data_version": 2})
