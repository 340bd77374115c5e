"""Editing availability: settings, rules and exceptions replaced in one go, the
free slots laid out again; bad input refused with nothing written."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core.exceptions import ObjectDoesNotExist, ValidationError

from core.errors import Conflict
from sessions.models import Availability, Slot, WeeklyRule
from sessions.services import availability_update, slot_delete
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.sessions.test_slots import NOW

pytestmark = pytest.mark.django_db


def test_saving_the_rules_lays_the_slots_out_in_the_chosen_zone():
    profile = mentor()

    availability = availability_update(
        mentor_profile=profile,
        settings={"time_zone": "Indian/Reunion", "buffer_minutes": 0},
        rules=[(1, time(17), time(19))],
        exceptions=[(date(2027, 3, 9), "off", None, None)],
        now=NOW,
    )

    local = sorted(
        s.start.astimezone(availability.zone)
        for s in Slot.objects.filter(mentor=profile.user)
    )
    assert {(d.date(), d.time()) for d in local} >= {
        (date(2027, 3, 2), time(17)),
        (date(2027, 3, 2), time(18)),
    }
    assert all(d.date() != date(2027, 3, 9) for d in local)
    # 17:00 in La Réunion (UTC+4, no DST) is 13:00 UTC.
    first = Slot.objects.filter(mentor=profile.user).order_by("start").first()
    assert (first.start.hour, first.start.minute) == (13, 0)


@pytest.mark.parametrize(
    ("settings", "rules", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, [], "time_zone"),
        ({"session_minutes": 50}, [], "session_minutes"),
        ({}, [(1, time(12), time(10))], "rules"),
        ({}, [(1, time(9), time(12)), (1, time(11), time(13))], "rules"),
        ({"modes": ["phone"]}, [], "modes"),  # the profile offers video only
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(settings, rules, field):
    profile = mentor()
    availability_update(
        mentor_profile=profile,
        settings={},
        rules=[(2, time(9), time(10))],
        exceptions=[],
        now=NOW,
    )
    before = set(Slot.objects.values_list("pk", flat=True))

    with pytest.raises(ValidationError) as refused:
        availability_update(
            mentor_profile=profile,
            settings=settings,
            rules=rules,
            exceptions=[],
            now=NOW,
        )

    assert field in refused.value.message_dict
    assert set(Slot.objects.values_list("pk", flat=True)) == before
    assert list(WeeklyRule.objects.values_list("weekday", flat=True)) == [2]
    assert Availability.objects.get().time_zone == "Europe/Paris"


def test_a_mentor_takes_back_a_free_slot_only_their_own():
    profile = mentor()
    availability_update(
        mentor_profile=profile,
        settings={"buffer_minutes": 0},
        rules=[(2, time(9), time(11))],
        exceptions=[],
        now=NOW,
    )
    free, booked = Slot.objects.filter(mentor=profile.user).order_by("start")[:2]
    booked.status, booked.seats_taken = Slot.Status.BOOKED, 1
    booked.save()

    with pytest.raises(ObjectDoesNotExist):
        slot_delete(mentor=UserFactory(), slot_id=free.pk, now=NOW)
    with pytest.raises(Conflict):
        slot_delete(mentor=profile.user, slot_id=booked.pk, now=NOW)
    slot_delete(mentor=profile.user, slot_id=free.pk, now=NOW)

    assert not Slot.objects.filter(pk=free.pk).exists()
    profile.refresh_from_db()
    assert profile.next_free_slot_at != free.start  # the summary followed
