"""Each reason shown to a learner is held against the data it claims: the
weekday and moment in the learner's own time zone among the windows they
ticked, and the ways to meet the mentor really offers."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import translation

from matching.engine.reasons import render_all
from matching.engine.refresh import suggestions_refresh_for_learner
from matching.models import MatchSuggestion
from mentors.data_version import bump_mentor_data_version
from mentors.forms import PERIODS, windows_to_hours
from mentors.models import LearnerProfile, MentorProfile
from tests.matching.helpers import learner_with_skills, mentor

pytestmark = pytest.mark.django_db

DAYS_FR = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MOMENT_FR = {
    "morning": "matin",
    "lunch": "à l'heure du déjeuner",
    "afternoon": "après-midi",
    "evening": "soir",
}


def bitmap_of_local_hours(hours: list[int], time_zone: str) -> bytes:
    """The 168-bit UTC availability of local hours of this week, computed
    with datetime (not with the engine's own conversion)."""
    zone = zoneinfo.ZoneInfo(time_zone)
    today = datetime.now(UTC).astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday, time(0), zone)
    utc_monday = datetime.combine(
        datetime.now(UTC).date() - timedelta(days=datetime.now(UTC).weekday()),
        time(0),
        UTC,
    )
    bits = bytearray(21)
    for hour in hours:
        instant = (start + timedelta(hours=hour)).astimezone(UTC)
        utc_hour = int((instant - utc_monday).total_seconds() // 3600) % 168
        bits[utc_hour // 8] |= 1 << (utc_hour % 8)
    return bytes(bits)


def suggestion_for(learner, profile: MentorProfile) -> list[dict]:
    bump_mentor_data_version()
    suggestions_refresh_for_learner(learner_id=learner.pk)
    return MatchSuggestion.objects.get(learner=learner, mentor_profile=profile).reasons


@pytest.mark.parametrize(
    ("time_zone", "window"),
    [
        ("Europe/Paris", "1-evening"),  # Tuesday 18 h – 21 h
        ("Pacific/Noumea", "0-morning"),  # Monday 9 h – 12 h: Sunday in UTC
        ("America/Cayenne", "4-afternoon"),
    ],
)
def test_the_time_reason_is_one_of_the_learners_own_windows(time_zone, window):
    learner = learner_with_skills(time_zone=time_zone)
    LearnerProfile.objects.filter(user=learner).update(time_windows=[])
    profile_row = LearnerProfile.objects.get(user=learner)
    profile_row.time_windows = windows_to_hours([window])
    profile_row.save(update_fields=["time_windows"])
    profile = mentor()
    # The mentor is free exactly then (and the whole week before it, in UTC
    # order, is left empty so the first shared hour is in that window).
    MentorProfile.objects.filter(pk=profile.pk).update(
        availability_bitmap=bitmap_of_local_hours(windows_to_hours([window]), time_zone)
    )

    reasons = suggestion_for(learner, profile)

    time_reasons = [r for r in reasons if r["code"] == "time"]
    assert len(time_reasons) == 1
    day, moment = window.split("-")
    assert (time_reasons[0]["day"], time_reasons[0]["period"]) == (int(day), moment)
    with translation.override("fr"):
        (text,) = render_all([time_reasons])[0]
    assert DAYS_FR[int(day)] in text
    assert MOMENT_FR[moment] in text
    assert moment in {key for key, _label, _hours in PERIODS}


@pytest.mark.parametrize(
    ("mentor_modes", "learner_modes", "expected", "said"),
    [
        (["video"], ["video", "phone"], ["video"], "en visio"),
        (["phone"], ["video", "phone"], ["phone"], "par téléphone"),
        (["video", "phone"], ["video", "phone"], ["video", "phone"], "visio ou"),
        (["video", "phone"], ["phone"], ["phone"], "par téléphone"),
    ],
)
def test_the_remote_reason_names_only_ways_both_offer(
    mentor_modes, learner_modes, expected, said
):
    learner = learner_with_skills()
    LearnerProfile.objects.filter(user=learner).update(modes=learner_modes)
    profile = mentor()
    MentorProfile.objects.filter(pk=profile.pk).update(modes=mentor_modes)

    reasons = suggestion_for(learner, profile)

    remote = [r for r in reasons if r["code"] == "remote"]
    assert remote == [{"code": "remote", "modes": expected}]
    with translation.override("fr"):
        (text,) = render_all([remote])[0]
    assert said in text
    if expected == ["video"]:
        assert "téléphone" not in text
    if expected == ["phone"]:
        assert "visio" not in text
