"""The directory's "free slots" filter and sort, and the matching's
availability, read what real weekly hours and slots made (no summary set by
hand)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.engine.data import load_mentors
from mentors.models import MentorProfile
from sessions.services import availability_update, slot_summaries_refresh_all
from tests.matching.helpers import mentor

pytestmark = pytest.mark.django_db


def _named(name: str) -> MentorProfile:
    profile = mentor(full_name=name)
    return profile


def _hours(profile: MentorProfile, rules, exceptions=(), **settings) -> None:
    availability_update(
        mentor_profile=profile,
        settings={"buffer_minutes": 0, "min_notice_hours": 0, **settings},
        rules=rules,
        exceptions=list(exceptions),
    )


def _listed(client, **params) -> list[str]:
    response = client.get(reverse("mentors:directory"), params)
    assert response.status_code == 200
    names = ["Alice Soon", "Bruno Later", "Chloé Never"]
    text = response.text
    return sorted((n for n in names if n in text), key=text.index)


def test_the_free_slots_filter_and_sort_follow_the_slots_laid_out(client):
    today = timezone.localdate()
    soon = _named("Alice Soon")
    later = _named("Bruno Later")
    _named("Chloé Never")
    _hours(soon, [(weekday, time(9), time(18)) for weekday in range(7)])
    # Bruno's one weekly hour is in three days, but that day is off: his first
    # free slot comes in ten days.
    first = today + timedelta(days=3)
    _hours(later, [(first.weekday(), time(9), time(10))], [(first, "off", None, None)])
    alice = MentorProfile.objects.get(pk=soon.pk)
    bruno = MentorProfile.objects.get(pk=later.pk)
    assert alice.free_slots_7d > 0
    assert (bruno.free_slots_7d, bruno.free_slots_14d) == (0, 1)

    within_7 = _listed(client, available_within_days=7)
    within_14 = _listed(client, available_within_days=14)
    soonest = _listed(client, sort="soonest")

    assert within_7 == ["Alice Soon"]
    assert sorted(within_14) == ["Alice Soon", "Bruno Later"]
    assert soonest == ["Alice Soon", "Bruno Later", "Chloé Never"]


def test_the_directory_forgets_slots_that_passed_after_the_hourly_job(client):
    profile = _named("Alice Soon")
    _hours(profile, [(timezone.localdate().weekday(), time(0), time(23, 59))])
    MentorProfile.objects.filter(pk=profile.pk).update(
        next_free_slot_at=timezone.now() - timedelta(days=30)
    )

    # The hourly job recomputes from the slots themselves.
    assert slot_summaries_refresh_all() == 1

    refreshed = MentorProfile.objects.get(pk=profile.pk)
    assert refreshed.next_free_slot_at > timezone.now()
    assert _listed(client, available_within_days=7) == ["Alice Soon"]


def test_the_matching_reads_the_weekly_hours_in_utc():
    profile = _named("Alice Soon")
    # Tuesdays 18:00–20:00 in La Réunion (UTC+4): 14:00–16:00 UTC.
    _hours(profile, [(1, time(18), time(20))], time_zone="Indian/Reunion")

    mentors = load_mentors()
    hours = mentors.availability[list(mentors.profile_ids).index(profile.pk)]

    tuesday = 24
    assert set(hours.nonzero()[0]) == {tuesday + 14, tuesday + 15}
