"""Reads of availability and slots for the pages."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from mentors.models import MentorProfile

from .models import Availability, DateException, Slot
from .slots import candidate_slots, choose, windows


def availability_get_for_mentor(*, mentor_profile: MentorProfile) -> Availability:
    """The mentor's availability with its rules and exceptions; an unsaved one
    with the defaults before the first save (a GET writes nothing)."""
    found = (
        Availability.objects.filter(mentor_profile=mentor_profile)
        .prefetch_related("rules", "exceptions")
        .first()
    )
    if found is not None:
        return found
    return Availability(
        mentor_profile=mentor_profile,
        modes=[m for m in mentor_profile.modes if m != "in_person"],
    )


def slot_list_between(
    *, mentor_id: int, start: datetime, end: datetime
) -> QuerySet[Slot]:
    """The mentor's slots (cancelled ones left out) starting in [start, end)."""
    return (
        Slot.objects.filter(mentor_id=mentor_id, start__gte=start, start__lt=end)
        .exclude(status=Slot.Status.CANCELLED)
        .order_by("start")
    )


def slot_list_next_free(
    *, mentor_id: int, now: datetime, limit: int = 5
) -> list[tuple[datetime, str]]:
    """The mentor's next free slots with their availability's zone: one query."""
    zone = Availability.objects.filter(
        mentor_profile__user_id=OuterRef("mentor_id")
    ).values("time_zone")[:1]
    return list(
        Slot.objects.filter(
            mentor_id=mentor_id, status=Slot.Status.FREE, start__gte=now
        )
        .order_by("start")
        .annotate(zone=Subquery(zone))
        .values_list("start", "zone")[:limit]
    )


def slot_preview(
    *,
    settings: dict[str, Any],
    rules: list[tuple[int, time, time]],
    exceptions: list[tuple[date, str, time | None, time | None]],
    now: datetime,
    days: int = 14,
) -> list[datetime]:
    """The free slots these settings would lay out over the next ``days``
    days, before they are saved (slots already booked or added by hand are
    not counted: saving may offer fewer). No database."""
    zone = zoneinfo.ZoneInfo(settings["time_zone"])
    first = now.astimezone(zone).date()
    buffer = timedelta(minutes=settings["buffer_minutes"])
    laid_out = candidate_slots(
        windows(
            first=first,
            last=first + timedelta(days=days - 1),
            rules=rules,
            days_off={
                d for d, kind, _s, _e in exceptions if kind == DateException.Kind.OFF
            },
            extra=[
                (d, s, e)
                for d, kind, s, e in exceptions
                if kind == DateException.Kind.EXTRA and s and e
            ],
        ),
        zone=zone,
        length=timedelta(minutes=settings["session_minutes"]),
        buffer=buffer,
        not_before=now + timedelta(hours=settings["min_notice_hours"]),
    )
    chosen = choose(
        laid_out,
        buffer=buffer,
        busy=[],
        day_counts={},
        week_counts={},
        max_per_day=settings["max_per_day"],
        max_per_week=settings["max_per_week"],
    )
    return [c.start for c in chosen]
