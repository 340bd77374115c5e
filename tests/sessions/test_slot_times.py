"""Slot times across real DST changes (no database): rules expand in the
availability's zone; a wall time that does not exist is skipped, one that
occurs twice takes its first occurrence; nothing overlaps (buffers included),
nothing is before the notice, and the maximums hold."""

from __future__ import annotations

import itertools
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sessions.slots import (
    Candidate,
    candidate_slots,
    choose,
    iso_week,
    local_start,
    windows,
)

# 2027 changes (STACK-NOTES): the day of each, and controls without DST.
DST_DATES = {
    "Europe/Paris": [date(2027, 3, 28), date(2027, 10, 31)],
    "America/Toronto": [date(2027, 3, 14), date(2027, 11, 7)],
    "Australia/Sydney": [date(2027, 4, 4), date(2027, 10, 3)],
    "America/Santiago": [date(2027, 4, 4), date(2027, 9, 5)],
    "Australia/Lord_Howe": [date(2027, 4, 4), date(2027, 10, 3)],
    "Asia/Kolkata": [date(2027, 3, 28)],
    "Africa/Dakar": [date(2027, 10, 31)],
    "Indian/Reunion": [date(2027, 3, 28)],
}
ZONES = sorted(DST_DATES)


def test_a_wall_time_in_the_spring_gap_does_not_exist():
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    assert local_start(date(2027, 3, 28), time(2, 30), paris) is None
    # Santiago: local midnight does not exist on 5 September 2027.
    santiago = zoneinfo.ZoneInfo("America/Santiago")
    assert local_start(date(2027, 9, 5), time(0, 0), santiago) is None
    # Lord Howe moves by 30 minutes: 2:00–2:30 does not exist.
    lord_howe = zoneinfo.ZoneInfo("Australia/Lord_Howe")
    assert local_start(date(2027, 10, 3), time(2, 15), lord_howe) is None
    assert local_start(date(2027, 10, 3), time(2, 30), lord_howe) is not None


def test_a_wall_time_that_occurs_twice_takes_the_first():
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    start = local_start(date(2027, 10, 31), time(2, 30), paris)
    assert start == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # still summer time


def test_ten_o_clock_in_paris_stays_ten_o_clock_across_both_changes():
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    laid_out = list(
        candidate_slots(
            windows(
                first=date(2027, 3, 22),
                last=date(2027, 11, 5),
                rules=[(0, time(10), time(11))],
            ),
            zone=paris,
            length=timedelta(hours=1),
            buffer=timedelta(0),
            not_before=datetime(2027, 1, 1, tzinfo=UTC),
        )
    )
    assert {c.start.astimezone(paris).time() for c in laid_out} == {time(10)}
    assert {c.start.astimezone(UTC).hour for c in laid_out} == {8, 9}


rule = st.tuples(
    st.integers(0, 6),
    st.integers(0, 23 * 4).map(lambda q: time(q // 4, (q % 4) * 15)),
    st.integers(1, 12 * 4),
).map(
    lambda r: (
        r[0],
        r[1],
        (datetime.combine(date.min, r[1]) + timedelta(minutes=15 * r[2])).time()
        if datetime.combine(date.min, r[1]) + timedelta(minutes=15 * r[2])
        < datetime.combine(date.min, time(23, 59))
        else time(23, 59),
    )
)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(
    zone_name=st.sampled_from(ZONES),
    which=st.integers(0, 1),
    rules=st.lists(rule, min_size=1, max_size=6),
    length=st.sampled_from([30, 45, 60, 90]),
    buffer=st.sampled_from([0, 10, 15, 30]),
    notice_hours=st.integers(0, 48),
    max_day=st.integers(1, 6),
    max_week=st.integers(1, 20),
    busy_hours=st.lists(st.integers(0, 14 * 24), max_size=5),
)
def test_slots_across_dst_changes_keep_the_policy(
    zone_name,
    which,
    rules,
    length,
    buffer,
    notice_hours,
    max_day,
    max_week,
    busy_hours,
):
    zone = zoneinfo.ZoneInfo(zone_name)
    change = DST_DATES[zone_name][which % len(DST_DATES[zone_name])]
    first = change - timedelta(days=5)
    now = datetime.combine(first, time(6), zone).astimezone(UTC)
    not_before = now + timedelta(hours=notice_hours)
    busy = [
        (now + timedelta(hours=h), now + timedelta(hours=h, minutes=90))
        for h in busy_hours
    ]
    laid_out = list(
        candidate_slots(
            windows(
                first=first,
                last=first + timedelta(days=12),
                rules=rules,
            ),
            zone=zone,
            length=timedelta(minutes=length),
            buffer=timedelta(minutes=buffer),
            not_before=not_before,
        )
    )
    kept = choose(
        laid_out,
        buffer=timedelta(minutes=buffer),
        busy=busy,
        day_counts={},
        week_counts={},
        max_per_day=max_day,
        max_per_week=max_week,
    )

    step = timedelta(minutes=length + buffer)
    for c in laid_out:
        # A wall time laid out from a rule of that weekday, which exists, and
        # whose first occurrence is the instant chosen.
        local = c.start.astimezone(zone)
        wall = local.replace(tzinfo=None)
        assert any(
            weekday == c.local_day.weekday()
            and (wall - datetime.combine(c.local_day, start)) % step == timedelta(0)
            and datetime.combine(c.local_day, start) <= wall
            and wall + timedelta(minutes=length) <= datetime.combine(c.local_day, end)
            for weekday, start, end in rules
        )
        assert local_start(c.local_day, wall.time(), zone) == c.start
        assert c.end - c.start == timedelta(minutes=length)
        assert c.start >= not_before
    ordered = sorted(kept)
    for a, b in itertools.pairwise(ordered):
        assert a.end + timedelta(minutes=buffer) <= b.start  # no overlap
    for c in kept:
        assert not any(
            s < c.end + timedelta(minutes=buffer) and c.start < e for s, e in busy
        )
    per_day: dict[date, int] = {}
    per_week: dict[tuple[int, int], int] = {}
    for c in kept:
        per_day[c.local_day] = per_day.get(c.local_day, 0) + 1
        per_week[iso_week(c.local_day)] = per_week.get(iso_week(c.local_day), 0) + 1
    assert max(per_day.values(), default=0) <= max_day
    assert max(per_week.values(), default=0) <= max_week


def test_a_gap_time_is_skipped_and_the_rest_of_the_window_kept():
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    laid_out = list(
        candidate_slots(
            [
                windows(
                    first=date(2027, 3, 28),
                    last=date(2027, 3, 28),
                    rules=[(6, time(1), time(5))],
                )[0]
            ],
            zone=paris,
            length=timedelta(hours=1),
            buffer=timedelta(0),
            not_before=datetime(2027, 1, 1, tzinfo=UTC),
        )
    )
    walls = [c.start.astimezone(paris).time() for c in laid_out]
    assert walls == [time(1), time(3), time(4)]  # 2:00 does not exist that night
    assert all(isinstance(c, Candidate) for c in laid_out)


def test_the_week_bitmap_follows_days_off_extra_hours_and_the_clock_change():
    from sessions.slots import week_bitmap

    paris = zoneinfo.ZoneInfo("Europe/Paris")
    # The week of the March 2027 change (Sunday 28): Monday 9–10 each day,
    # Friday off, extra hours Sunday 9–10 (after the change: UTC+2).
    bits = week_bitmap(
        windows(
            first=date(2027, 3, 22),
            last=date(2027, 3, 28),
            rules=[(0, time(9), time(10)), (4, time(9), time(10))],
            exceptions=[
                (date(2027, 3, 26), "off", None, None),
                (date(2027, 3, 28), "extra", time(9), time(10)),
            ],
        ),
        paris,
    )

    on = [h for h in range(168) if bits[h // 8] >> (h % 8) & 1]
    assert on == [8, 6 * 24 + 7]  # Monday 8:00 UTC, Sunday 7:00 UTC
