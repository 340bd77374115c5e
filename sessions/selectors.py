"""Reads of availability and slots, filtered to what the viewer may see."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import F, Func, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import hash_token
from matching.models import Mentorship, MentorshipSkill
from mentors.choices import Mode
from mentors.models import MentorProfile
from mentors.selectors import mentor_profile_page_row

from .feed import TOKEN_FORMAT, feed_window_start
from .models import (
    Attendance,
    Availability,
    Booking,
    CalendarFeed,
    RescheduleRequest,
    Slot,
    Venue,
)
from .slots import candidate_slots, choose, windows


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


def mentor_profile_bookable_get(
    *, viewer_id: int, mentor_profile_id: int
) -> MentorProfile:
    """A public mentor's public columns (their ``user`` holds the name only),
    when no block stands between them and the viewer: one plain query (the
    mentor page's). Otherwise ``MentorProfile.DoesNotExist``: the same answer
    as no mentor at all."""
    row = mentor_profile_page_row(profile_id=mentor_profile_id, viewer_id=viewer_id)
    if row is None or not row[1] or row[2]:
        raise MentorProfile.DoesNotExist(mentor_profile_id)
    return row[0]


def slot_list_free(
    *, mentor_id: int, start: datetime, end: datetime, now: datetime | None = None
) -> QuerySet[Slot]:
    """Free slots of a mentor (their user id) starting in [start, end) and not
    past. No visibility check: callers first get the mentor with
    ``mentor_profile_bookable_get``."""
    now = now or timezone.now()
    return (
        Slot.objects.filter(
            mentor_id=mentor_id,
            status=Slot.Status.FREE,
            start__gte=max(start, now),
            start__lt=end,
        )
        .select_related("venue")
        .order_by("start")
    )


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
    profile = mentor_profile_bookable_get(
        viewer_id=viewer_id, mentor_profile_id=mentor_profile_id
    )
    return slot_list_free(mentor_id=profile.user_id, start=start, end=end, now=now)


def venue_list(*, city: str = "") -> QuerySet[Venue]:
    """The partner venues offered to mentors (``city``: start of its name)."""
    venues = Venue.objects.filter(is_active=True)
    if city.strip():
        venues = venues.filter(city__unaccent__istartswith=city.strip())
    # Accents aside ("Évry" between "Évian" and "Lyon", whatever the collation).
    return venues.order_by(
        Lower(Func(F("city"), function="unaccent")),
        Lower(Func(F("name"), function="unaccent")),
    )


def slot_list_between(
    *, mentor_id: int, start: datetime, end: datetime
) -> QuerySet[Slot]:
    """The mentor's slots (cancelled ones left out) starting in [start, end)."""
    return (
        Slot.objects.filter(mentor_id=mentor_id, start__gte=start, start__lt=end)
        .exclude(status=Slot.Status.CANCELLED)
        .select_related("venue")
        .order_by("start")
    )


def slot_list_with_bookings(
    *, mentor_id: int, start: datetime, end: datetime
) -> QuerySet[Slot]:
    """``slot_list_between`` with each slot's confirmed bookings in
    ``confirmed_bookings`` (learner and skills with them): four queries
    however many slots and bookings."""
    return slot_list_between(
        mentor_id=mentor_id, start=start, end=end
    ).prefetch_related(
        Prefetch(
            "bookings",
            queryset=Booking.objects.filter(status=Booking.Status.CONFIRMED)
            .select_related("learner")
            .prefetch_related(
                Prefetch(
                    "skills", queryset=MentorshipSkill.objects.select_related("skill")
                )
            )
            .order_by("created_at", "pk"),
            to_attr="confirmed_bookings",
        )
    )


def slot_list_next_free(*, mentor_id: int, now: datetime, limit: int = 5) -> list[Slot]:
    """The mentor's next free slots, with their venues: one query."""
    return list(
        Slot.objects.filter(
            mentor_id=mentor_id, status=Slot.Status.FREE, start__gte=now
        )
        .select_related("venue")
        .order_by("start")[:limit]
    )


def availability_public_get(*, mentor_profile_id: int) -> Mapping[str, Any] | None:
    """What a mentor's public page shows of their availability: its zone and
    the time they commit to. One query."""
    return (
        Availability.objects.filter(mentor_profile_id=mentor_profile_id)
        .values("time_zone", "commitment_hours", "commitment_period")
        .first()
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
            exceptions=exceptions,
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


def booking_list_for(*, user_id: int, role: str | None = None) -> QuerySet[Booking]:
    """The bookings this person holds, as learner or mentor (``role``: one of
    the two), soonest first, with what a list shows."""
    if role == "learner":
        mine = Q(learner_id=user_id)
    elif role == "mentor":
        mine = Q(mentor_id=user_id)
    else:
        mine = Q(learner_id=user_id) | Q(mentor_id=user_id)
    return (
        Booking.objects.filter(mine)
        .select_related(
            "learner", "mentor", "slot__venue", "attendance", "note", "rating"
        )
        .prefetch_related("skills__skill")
        .order_by("start", "pk")
    )


def mentorship_active_between(*, learner_id: int, mentor_id: int) -> Mentorship | None:
    return (
        Mentorship.objects.active()
        .filter(learner_id=learner_id, mentor_id=mentor_id)
        .first()
    )


# --- calendar feed -------------------------------------------------------------


def calendar_feed_find(*, token: str) -> CalendarFeed | None:
    """The feed whose URL holds ``token``, with its person; None when there is
    none, or its person's account is closed."""
    if not TOKEN_FORMAT.fullmatch(token):
        return None
    return (
        CalendarFeed.objects.select_related("person")
        .filter(token_hash=hash_token(token), person__is_active=True)
        .first()
    )


def calendar_feed_get(*, person_id: int) -> CalendarFeed | None:
    """The person's own feed, if they made one."""
    return CalendarFeed.objects.filter(person_id=person_id).first()


def calendar_feed_bookings(*, person_id: int, now: datetime) -> list[Booking]:
    """The bookings the person's feed holds, in both roles: those that ended
    in the last ``PAST_DAYS`` days and all to come; a cancelled one until it
    is past. One query (with both people and the slot's venue), whatever their
    number."""
    mine = Q(learner_id=person_id) | Q(mentor_id=person_id)
    return list(
        Booking.objects.filter(mine, end__gt=feed_window_start(now))
        .exclude(status=Booking.Status.CANCELLED, end__lte=now)
        .select_related("learner", "mentor", "slot__venue")
        .order_by("start", "pk")
    )


# --- cancelled or moved by a person -------------------------------------------

MOVE_WINDOW = timedelta(weeks=8)
MOVE_SHOWN = 40


def slot_list_free_to_move(*, booking: Booking, now: datetime) -> list[Slot]:
    """The free times a booking may move to: one-person times of its mentor
    offering the way the two meet, within eight weeks (40 at most). One
    query."""
    if booking.kind == Booking.Kind.WORKSHOP or booking.mentor_id is None:
        return []
    return list(
        Slot.objects.filter(
            mentor_id=booking.mentor_id,
            status=Slot.Status.FREE,
            capacity=1,
            modes__contains=[booking.mode],
            start__gt=now,
            start__lt=now + MOVE_WINDOW,
        )
        .exclude(pk=booking.slot_id or 0)
        .select_related("venue")
        .order_by("start")[:MOVE_SHOWN]
    )


def reschedule_requests_pending_for(
    *, user_id: int, now: datetime
) -> QuerySet[RescheduleRequest]:
    """Pending requests to move a session still to come, where the person is
    the learner (who asked) or the mentor (who answers). One query."""
    return (
        RescheduleRequest.objects.filter(
            Q(booking__learner_id=user_id) | Q(booking__mentor_id=user_id),
            status=RescheduleRequest.Status.PENDING,
            booking__start__gt=now,
        )
        .select_related("booking__learner", "booking__mentor")
        .order_by("created_at", "pk")
    )


def reschedule_requests_for(*, user_id: int) -> QuerySet[RescheduleRequest]:
    """Every request to move a session where the person is the learner or
    the mentor, newest first, with its booking. One query."""
    return (
        RescheduleRequest.objects.filter(
            Q(booking__learner_id=user_id) | Q(booking__mentor_id=user_id)
        )
        .select_related("booking")
        .order_by("-created_at", "-pk")
    )


# --- after the session ------------------------------------------------------------


def booking_attended_q(*, now: datetime | None = None) -> Q:
    """The bookings that count as attended: confirmed (never cancelled), over,
    and settled as "it took place" by the attendance rule
    (``sessions.attendance``: the mentor confirmed and the learner agreed or
    stayed silent, or staff decided). The one place this rule lives: notes,
    ratings, the mentor's hours and people helped and their history all read
    it; the hours per skill (``mentorship_hours_recompute``) say the same in
    SQL.
    """
    return Q(
        status=Booking.Status.CONFIRMED,
        end__lte=now or timezone.now(),
        attendance__status=Attendance.Status.ATTENDED,
    )


def bookings_attended_by_mentor(
    *, mentor_id: int, now: datetime | None = None
) -> QuerySet[Booking]:
    """A mentor's attended sessions, latest first, with what their history
    shows (the person, the skills)."""
    return (
        Booking.objects.filter(booking_attended_q(now=now), mentor_id=mentor_id)
        .select_related("learner")
        .prefetch_related("skills__skill")
        .order_by("-start", "-pk")
    )
