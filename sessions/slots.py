"""Expanding weekly rules into slot times, in the availability's time zone.

Pure functions (no database): ``local_start`` applies the time policy, and
``candidate_slots`` lays slots out over a window of local dates. A local time
that does not exist (spring forward) is skipped; one that occurs twice (fall
back) takes its first occurrence (``fold=0``). A slot lasts its real length
from that instant, whatever the clocks do meanwhile.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta


@dataclass(frozen=True)
class Window:
    """Wall-time hours offered on one local date."""

    day: date
    start: time
    end: time


@dataclass(frozen=True, order=True)
class Candidate:
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC
    local_day: date  # the local date the slot starts on (for the day maximum)


def local_start(day: date, at: time, zone: zoneinfo.ZoneInfo) -> datetime | None:
    """The UTC instant of wall time ``at`` on ``day`` in ``zone``: None when
    that wall time does not exist; its first occurrence when it happens twice."""
    wall = datetime.combine(day, at).replace(tzinfo=zone, fold=0)
    instant = wall.astimezone(UTC)
    back = instant.astimezone(zone)
    if back.replace(tzinfo=None) != wall.replace(tzinfo=None):
        return None  # in the gap: the clocks jumped over it
    return instant


def windows(
    *,
    first: date,
    last: date,
    rules: Iterable[tuple[int, time, time]],
    exceptions: Iterable[tuple[date, str, time | None, time | None]] = (),
) -> list[Window]:
    """The wall-time windows from ``first`` to ``last`` (inclusive): weekly
    rules except on days off, plus extra hours (even on a day off).
    ``exceptions``: (date, "off" or "extra", start, end), as stored."""
    exceptions = list(exceptions)
    days_off = {d for d, kind, _s, _e in exceptions if kind == "off"}
    extra = [(d, s, e) for d, kind, s, e in exceptions if kind == "extra" and s and e]
    by_weekday: dict[int, list[tuple[time, time]]] = {}
    for weekday, start, end in rules:
        by_weekday.setdefault(weekday, []).append((start, end))
    out = []
    day = first
    while day <= last:
        if day not in days_off:
            for start, end in sorted(by_weekday.get(day.weekday(), [])):
                out.append(Window(day, start, end))
        day += timedelta(days=1)
    out.extend(Window(d, s, e) for d, s, e in extra if first <= d <= last)
    return sorted(out, key=lambda w: (w.day, w.start))


def candidate_slots(
    windows: Iterable[Window],
    *,
    zone: zoneinfo.ZoneInfo,
    length: timedelta,
    buffer: timedelta,
    not_before: datetime,
) -> Iterator[Candidate]:
    """Slots laid out in each window from its start, one every length + buffer
    of wall time, while the session ends by the window's end (wall time); none
    before ``not_before`` (now + the minimum notice)."""
    step = length + buffer
    for window in windows:
        wall = datetime.combine(window.day, window.start)
        stop = datetime.combine(window.day, window.end)
        while wall + length <= stop:
            start = local_start(window.day, wall.time(), zone)
            if wall.date() != window.day:
                break
            if start is not None and start >= not_before:
                yield Candidate(start, start + length, window.day)
            wall += step


def iso_week(day: date) -> tuple[int, int]:
    year, week, _weekday = day.isocalendar()
    return year, week


def choose(
    candidates: Iterable[Candidate],
    *,
    buffer: timedelta,
    busy: list[tuple[datetime, datetime]],
    day_counts: dict[date, int],
    week_counts: dict[tuple[int, int], int],
    max_per_day: int,
    max_per_week: int,
) -> list[Candidate]:
    """The candidates kept, earliest first: none overlapping a busy time or
    another kept one (each widened by the buffer), and no local day or ISO
    week past its maximum (the counts start from the slots already there)."""
    taken = sorted(busy)
    kept: list[Candidate] = []
    days = dict(day_counts)
    weeks = dict(week_counts)
    for candidate in sorted(candidates):
        week = iso_week(candidate.local_day)
        if days.get(candidate.local_day, 0) >= max_per_day:
            continue
        if weeks.get(week, 0) >= max_per_week:
            continue
        start, end = candidate.start, candidate.end + buffer
        if any(s < end and start < e for s, e in taken):
            continue
        kept.append(candidate)
        taken.append((start, end))
        days[candidate.local_day] = days.get(candidate.local_day, 0) + 1
        weeks[week] = weeks.get(week, 0) + 1
    return kept


def week_bitmap(windows: Iterable[Window], zone: zoneinfo.ZoneInfo) -> bytes:
    """The UTC hours of the week the windows touch (bit h = Monday 00:00 UTC
    + h hours), for matching; pass the windows of the next 7 days."""
    bits = bytearray(21)
    for window in windows:
        hour = datetime.combine(window.day, window.start).replace(minute=0)
        stop = datetime.combine(window.day, window.end)
        while hour < stop:
            instant = hour.replace(tzinfo=zone, fold=0).astimezone(UTC)
            h = instant.weekday() * 24 + instant.hour
            bits[h // 8] |= 1 << (h % 8)
            hour += timedelta(hours=1)
    return bytes(bits)
