"""Slots in the database: regeneration from the rules, busy time per person,
the maximums, the summary pushed down, and two writers at once."""

from __future__ import annotations

import contextlib
import itertools
import threading
import zoneinfo
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import Conflict
from mentors.models import MentorProfile
from sessions.models import Availability, BusyTime, DateException, Slot, WeeklyRule
from sessions.services import (
    availability_get_or_create,
    availability_update,
    slot_create,
    slots_regenerate,
)
from sessions.slots import iso_week, local_start
from tests.matching.helpers import mentor
from tests.sessions.test_slot_times import DST_DATES, ZONES
from tests.sessions.test_slot_times import rule as dst_rule

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # a Monday, 9:00 in Paris


def _availability(profile: MentorProfile, **fields) -> Availability:
    availability = availability_get_or_create(mentor_profile=profile)
    for name, value in fields.items():
        setattr(availability, name, value)
    availability.save()
    return availability


def _rule(availability, weekday, start, end):
    WeeklyRule.objects.create(
        availability=availability, weekday=weekday, start=start, end=end
    )


@pytest.mark.django_db
def test_regeneration_lays_slots_out_and_pushes_the_summary_down():
    profile = mentor()
    availability = _availability(profile, buffer_minutes=0, window_weeks=2)
    _rule(availability, 1, time(10), time(12))  # Tuesdays 10–12, Paris

    made = slots_regenerate(mentor_profile_id=profile.pk, now=NOW)

    slots = list(Slot.objects.filter(mentor=profile.user))
    assert made == len(slots) == 4  # 2 Tuesdays in the window × 2
    paris = availability.zone
    assert {s.start.astimezone(paris).time() for s in slots} == {time(10), time(11)}
    assert BusyTime.objects.filter(person=profile.user).count() == 4
    profile.refresh_from_db()
    assert profile.next_free_slot_at == min(s.start for s in slots)
    assert profile.free_slots_7d == 2
    # Tuesday 10:00–12:00 Paris in winter is 9:00–11:00 UTC: hours 24 + 9 and
    # 24 + 10 of the week, and no other.
    expected = bytearray(21)
    for hour in (24 + 9, 24 + 10):
        expected[hour // 8] |= 1 << (hour % 8)
    assert bytes(profile.availability_bitmap) == bytes(expected)


@pytest.mark.django_db
def test_regenerating_keeps_booked_slots_and_skips_busy_times():
    profile = mentor()
    availability = _availability(profile, buffer_minutes=0, window_weeks=1)
    _rule(availability, 1, time(10), time(12))
    slots_regenerate(mentor_profile_id=profile.pk, now=NOW)
    booked = Slot.objects.filter(mentor=profile.user).order_by("start").first()
    booked.status, booked.seats_taken = Slot.Status.BOOKED, 1
    booked.save()
    WeeklyRule.objects.filter(availability=availability).update(start=time(10, 30))

    slots_regenerate(mentor_profile_id=profile.pk, now=NOW)

    starts = sorted(
        s.start.astimezone(availability.zone).time()
        for s in Slot.objects.filter(mentor=profile.user)
    )
    # The booked 10:00 stays; 10:30 would overlap it, so only 11:30 fits… and
    # 11:30–12:30 passes the rule's end: nothing else.
    assert Slot.objects.filter(pk=booked.pk, status="booked").exists()
    assert starts == [time(10)]


@pytest.mark.django_db
def test_a_day_off_and_extra_hours():
    profile = mentor()
    availability = _availability(profile, buffer_minutes=0, window_weeks=2)
    _rule(availability, 1, time(10), time(11))
    DateException.objects.create(
        availability=availability, date=date(2027, 3, 2), kind="off"
    )
    DateException.objects.create(
        availability=availability,
        date=date(2027, 3, 4),
        kind="extra",
        start=time(18),
        end=time(19),
    )

    slots_regenerate(mentor_profile_id=profile.pk, now=NOW)

    local = [
        s.start.astimezone(availability.zone)
        for s in Slot.objects.filter(mentor=profile.user)
    ]
    assert (date(2027, 3, 2), time(10)) not in [(d.date(), d.time()) for d in local]
    assert (date(2027, 3, 4), time(18)) in [(d.date(), d.time()) for d in local]
    assert (date(2027, 3, 9), time(10)) in [(d.date(), d.time()) for d in local]


@pytest.mark.django_db
def test_the_maximums_per_local_day_and_iso_week_hold():
    profile = mentor()
    availability = _availability(
        profile, buffer_minutes=0, window_weeks=2, max_per_day=2, max_per_week=3
    )
    for weekday in range(5):
        _rule(availability, weekday, time(9), time(17))

    slots_regenerate(mentor_profile_id=profile.pk, now=NOW)

    by_day: dict[date, int] = {}
    by_week: dict[int, int] = {}
    for s in Slot.objects.filter(mentor=profile.user):
        day = s.start.astimezone(availability.zone).date()
        by_day[day] = by_day.get(day, 0) + 1
        by_week[day.isocalendar()[1]] = by_week.get(day.isocalendar()[1], 0) + 1
    assert max(by_day.values()) == 2
    assert max(by_week.values()) == 3
    with pytest.raises(Conflict):
        slot_create(
            mentor_profile_id=profile.pk,
            start=datetime(2027, 3, 5, 15, tzinfo=UTC),
            now=NOW,
        )


@pytest.mark.django_db
def test_a_persons_busy_times_never_overlap_buffers_included():
    profile = mentor()
    _availability(profile, buffer_minutes=30, window_weeks=1)
    first = slot_create(
        mentor_profile_id=profile.pk,
        start=datetime(2027, 3, 3, 10, tzinfo=UTC),
        now=NOW,
    )

    with pytest.raises(Conflict):  # starts inside the first one's break
        slot_create(
            mentor_profile_id=profile.pk,
            start=datetime(2027, 3, 3, 11, 15, tzinfo=UTC),
            now=NOW,
        )
    workshop = slot_create(
        mentor_profile_id=profile.pk,
        start=datetime(2027, 3, 3, 11, 30, tzinfo=UTC),
        capacity=8,
        title="Premiers pas sur l'ordinateur",
        now=NOW,
    )
    assert workshop.capacity == 8
    # The database itself refuses an overlap, whoever writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        BusyTime.objects.create(
            person=profile.user,
            period=DateTimeTZRange(first.start, first.end),
            slot=Slot.objects.create(
                mentor=profile.user,
                start=first.start,
                end=first.end,
                modes=["video"],
                source="manual",
            ),
        )


@pytest.mark.django_db
def test_nothing_inside_the_minimum_notice():
    profile = mentor()
    availability = _availability(profile, min_notice_hours=48, window_weeks=1)
    _rule(availability, 0, time(10), time(12))  # Monday: NOW is Monday 9:00
    _rule(availability, 1, time(10), time(12))  # Tuesday: within 48 h

    slots_regenerate(mentor_profile_id=profile.pk, now=NOW)

    assert all(
        s.start >= NOW + timedelta(hours=48)
        for s in Slot.objects.filter(mentor=profile.user)
    )
    with pytest.raises(Conflict):
        slot_create(
            mentor_profile_id=profile.pk,
            start=NOW + timedelta(hours=3),
            now=NOW,
        )


@pytest.mark.django_db(transaction=True)
def test_two_regenerations_and_a_slot_added_at_once_never_overlap():
    profile = mentor()
    availability = _availability(profile, buffer_minutes=15, window_weeks=2)
    for weekday in range(7):
        _rule(availability, weekday, time(8), time(20))
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def run(work):
        try:
            barrier.wait(timeout=10)
            work()
        except Conflict:
            pass  # the hand-added slot may lose: that is a clear answer
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    works = [
        lambda: slots_regenerate(mentor_profile_id=profile.pk, now=NOW),
        lambda: slots_regenerate(mentor_profile_id=profile.pk, now=NOW),
        lambda: slot_create(
            mentor_profile_id=profile.pk,
            start=datetime(2027, 3, 3, 12, 20, tzinfo=UTC),
            now=NOW,
        ),
    ]
    threads = [threading.Thread(target=run, args=(w,)) for w in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    periods = sorted(
        (b.lower, b.upper)
        for b in BusyTime.objects.filter(person=profile.user).values_list(
            "period", flat=True
        )
    )
    assert periods
    for (_s1, e1), (s2, _e2) in itertools.pairwise(periods):
        assert e1 <= s2
    assert Slot.objects.filter(mentor=profile.user).count() == len(periods)
    assert Slot.objects.filter(mentor=profile.user, source="rule").count() > 10


@pytest.mark.django_db
def test_regenerating_again_keeps_the_same_slots_and_extends_the_window():
    profile = mentor()
    availability = _availability(profile, buffer_minutes=0, window_weeks=1)
    _rule(availability, 2, time(14), time(16))
    slots_regenerate(mentor_profile_id=profile.pk, now=NOW)
    before = set(Slot.objects.values_list("pk", flat=True))

    assert slots_regenerate(mentor_profile_id=profile.pk, now=NOW) == 0
    assert set(Slot.objects.values_list("pk", flat=True)) == before
    # A week later (the daily job): the same slots still ahead stay, new ones
    # are laid out at the end of the window.
    later = NOW + timedelta(days=7)
    made = slots_regenerate(mentor_profile_id=profile.pk, now=later)
    after = set(Slot.objects.filter(start__gte=later).values_list("pk", flat=True))
    assert made == 2
    assert before & after == {
        pk for pk in before if Slot.objects.get(pk=pk).start >= later
    }


@pytest.mark.django_db
def test_the_daily_job_extends_every_window_and_the_hourly_one_moves_the_summary():
    from sessions.services import slot_summaries_refresh_all, slots_extend_all

    profiles = [mentor(), mentor()]
    for profile in profiles:
        availability = _availability(profile, buffer_minutes=0, window_weeks=1)
        _rule(availability, 4, time(9), time(10))  # Fridays

    assert slots_extend_all(now=NOW) == 2
    assert Slot.objects.count() == 2
    assert slots_extend_all(now=NOW + timedelta(days=7)) == 2
    assert Slot.objects.filter(start__gte=NOW + timedelta(days=7)).count() == 2
    # Two weeks on, without any write, the hourly job sees the first slots
    # have passed.
    assert slot_summaries_refresh_all(now=NOW + timedelta(days=14)) == 2
    profiles[0].refresh_from_db()
    assert profiles[0].next_free_slot_at is None
    assert profiles[0].free_slots_28d == 0


@pytest.mark.django_db
def test_personal_data_of_availability_and_slots():
    from sessions.personal_data import erase_availability, export_availability

    profile = mentor()
    availability = _availability(profile, buffer_minutes=0, window_weeks=1)
    _rule(availability, 1, time(10), time(11))
    slots_regenerate(mentor_profile_id=profile.pk, now=NOW)

    exported = export_availability(profile.user)
    erase_availability(profile.user)

    assert exported["availability"]["weekly_rules"] == [
        {"weekday": 1, "start": time(10), "end": time(11)}
    ]
    assert len(exported["slots"]) == 1
    assert not Slot.objects.exists()
    assert not BusyTime.objects.exists()
    assert not Availability.objects.exists()


# --- regeneration in the database across real DST changes ---------------------


def _local_policy_holds(slot: Slot, availability: Availability, rules) -> bool:
    """The slot starts at a wall time laid out from a rule of its local weekday
    (rule start + k × (length + buffer), ending by the rule's end), that wall
    time exists, and the instant is its first occurrence."""
    zone = availability.zone
    local = slot.start.astimezone(zone)
    # The wall time the slot was laid out at: its first occurrence is this
    # instant, so reading it back in the zone gives it (fold=0 or not).
    day, wall = local.date(), local.replace(tzinfo=None, fold=0)
    step = timedelta(minutes=availability.session_minutes + availability.buffer_minutes)
    length = timedelta(minutes=availability.session_minutes)
    return local_start(day, wall.time(), zone) == slot.start and any(
        weekday == day.weekday()
        and datetime.combine(day, start) <= wall
        and (wall - datetime.combine(day, start)) % step == timedelta(0)
        and wall + length <= datetime.combine(day, end)
        for weekday, start, end in rules
    )


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    zone_name=st.sampled_from(ZONES),
    which=st.integers(0, 1),
    rules=st.lists(dst_rule, min_size=1, max_size=5),
    length=st.sampled_from([30, 45, 60, 90]),
    buffer=st.sampled_from([0, 10, 15, 30]),
    notice_hours=st.integers(0, 48),
    max_day=st.integers(1, 6),
    max_week=st.integers(1, 20),
    by_hand_hours=st.lists(st.integers(0, 13 * 24), max_size=3),
)
@pytest.mark.django_db
def test_regeneration_across_dst_changes_keeps_the_policy_in_the_database(
    zone_name,
    which,
    rules,
    length,
    buffer,
    notice_hours,
    max_day,
    max_week,
    by_hand_hours,
):
    zone = zoneinfo.ZoneInfo(zone_name)
    change = DST_DATES[zone_name][which % len(DST_DATES[zone_name])]
    now = datetime.combine(change - timedelta(days=5), time(6), zone).astimezone(UTC)
    profile = mentor()
    availability = _availability(
        profile,
        time_zone=zone_name,
        session_minutes=length,
        buffer_minutes=buffer,
        min_notice_hours=notice_hours,
        window_weeks=2,
        max_per_day=max_day,
        max_per_week=max_week,
    )
    for weekday, start, end in rules:
        _rule(availability, weekday, start, end)
    # Slots added by hand first: busy time the regeneration must skip.
    by_hand = []
    for hours in by_hand_hours:
        # One may overlap another added by hand, or pass a maximum.
        with contextlib.suppress(Conflict):
            by_hand.append(
                slot_create(
                    mentor_profile_id=profile.pk,
                    start=now + timedelta(hours=notice_hours + hours),
                    now=now,
                )
            )

    slots_regenerate(mentor_profile_id=profile.pk, now=now)
    slots_regenerate(mentor_profile_id=profile.pk, now=now)  # idempotent

    slots = list(Slot.objects.filter(mentor=profile.user).order_by("start"))
    assert {s.pk for s in by_hand} <= {s.pk for s in slots}
    for a, b in itertools.pairwise(slots):  # buffers included
        assert a.end + timedelta(minutes=a.buffer_minutes) <= b.start
    assert BusyTime.objects.filter(person=profile.user).count() == len(slots)
    per_day: Counter[date] = Counter()
    per_week: Counter[tuple[int, int]] = Counter()
    first = now.astimezone(zone).date()
    for slot in slots:
        assert slot.start >= now + timedelta(hours=notice_hours)
        assert slot.end - slot.start == timedelta(minutes=length)
        local_day = slot.start.astimezone(zone).date()
        per_day[local_day] += 1
        per_week[iso_week(local_day)] += 1
        if slot.source == Slot.Source.RULE:
            assert first <= local_day <= first + timedelta(weeks=2)
            assert _local_policy_holds(slot, availability, rules), slot
    assert max(per_day.values(), default=0) <= max_day
    assert max(per_week.values(), default=0) <= max_week


@pytest.mark.django_db
def test_changing_the_time_zone_lays_free_slots_out_again_and_keeps_booked_ones():
    profile = mentor()
    availability = _availability(profile, buffer_minutes=0, window_weeks=2)
    rules = [(1, time(10), time(12))]
    _rule(availability, *rules[0])
    slots_regenerate(mentor_profile_id=profile.pk, now=NOW)
    booked = Slot.objects.filter(mentor=profile.user).order_by("start").first()
    booked.status, booked.seats_taken = Slot.Status.BOOKED, 1
    booked.save()
    booked_start = booked.start

    availability_update(
        mentor_profile=profile,
        settings={"time_zone": "America/Cayenne"},
        rules=rules,
        exceptions=[],
        now=NOW,
    )

    cayenne = zoneinfo.ZoneInfo("America/Cayenne")
    booked.refresh_from_db()
    assert (booked.status, booked.start) == (Slot.Status.BOOKED, booked_start)
    assert booked_start.astimezone(availability.zone).time() == time(10)  # Paris
    free = list(Slot.objects.filter(mentor=profile.user, status="free"))
    # 10:00 and 11:00 in Cayenne (13:00 and 14:00 UTC) on both Tuesdays.
    assert len(free) == 4
    assert {s.start.astimezone(cayenne).time() for s in free} == {time(10), time(11)}
    assert {s.start.astimezone(UTC).hour for s in free} == {13, 14}
    assert BusyTime.objects.filter(person=profile.user).count() == 5
    profile.refresh_from_db()
    assert profile.next_free_slot_at == min(s.start for s in free)
