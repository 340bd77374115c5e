"""Reads of availability and slots, filtered to what the viewer may see."""

from __future__ import annotations

import json
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.db.models import F, Func, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import User, hash_token
from core.db import loaded_instances, prepared_cursor
from matching.models import Mentorship, MentorshipSkill
from mentors.choices import Mode
from mentors.models import MentorProfile, Skill
from mentors.selectors import PAGE_ROW_FIELDS, PAGE_ROW_SQL, mentor_profile_page_row

from .feed import TOKEN_FORMAT, feed_window_start
from .models import (
    Attendance,
    Availability,
    Booking,
    CalendarFeed,
    RescheduleRequest,
    Slot,
    Venue,
    WaitlistEntry,
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


# --- the booking page ------------------------------------------------------------


class FreeTime(NamedTuple):
    """What the booking page shows of a free slot."""

    pk: int
    start: datetime
    capacity: int
    title: str
    modes: list[str]


@dataclass(frozen=True)
class BookingPage:
    """What a learner's booking page reads, in one query."""

    # The public columns (its ``user`` holds the name only), unsaved.
    profile: MentorProfile
    # The mentor's zone; None when they have no availability yet.
    mentor_zone: str | None
    has_mentorship: bool
    # The active mentorship's skills: (mentorship skill id, name in the
    # page's language).
    skills: list[tuple[int, str]]
    # The learner's active entry on the mentor's waiting list: (id, before).
    waiting: tuple[int, datetime] | None
    # The free slots as the database gave them (JSON: id, start as epoch
    # seconds, capacity, title, modes), nearest first: the key of the drawn
    # times (the same text, the same drawing).
    slots_text: str

    def free_times(self) -> list[FreeTime]:
        return [
            FreeTime(pk, datetime.fromtimestamp(start, UTC), capacity, title, modes)
            for pk, start, capacity, title, modes in json.loads(self.slots_text)
        ]


# The mentor page's one row (public columns, public or not, blocked or not),
# with what the booking page adds: the mentor's zone, the learner's active
# mentorship with them and its skills, the learner's entry on their waiting
# list, and the first free slots (none while the mentor pauses). Plain SQL,
# one round trip: the ORM took longer to build six queries than the database
# to run them.
_BOOKING_PAGE_SQL = f"""
SELECT page.*,
       (SELECT a.time_zone FROM {Availability._meta.db_table} a
        WHERE a.mentor_profile_id = page.id) AS mentor_zone,
       m.id AS mentorship_id,
       (SELECT coalesce(json_agg(json_build_array(ms.id, sk.name_fr, sk.name_en)
                                 ORDER BY ms.id), '[]')::text
        FROM {MentorshipSkill._meta.db_table} ms
        JOIN {Skill._meta.db_table} sk ON sk.id = ms.skill_id
        WHERE ms.mentorship_id = m.id) AS skills,
       w.id AS waiting_id, w.before AS waiting_before,
       (SELECT coalesce(json_agg(json_build_array(
                   s.id, extract(epoch FROM s.start)::bigint, s.capacity, s.title,
                   s.modes) ORDER BY s.start, s.id), '[]')::text
        FROM (SELECT id, start, capacity, title, modes
              FROM {Slot._meta.db_table}
              WHERE mentor_id = page.user_id AND status = '{Slot.Status.FREE.value}'
                AND start >= %(from)s AND start < %(to)s AND NOT page.is_paused
              ORDER BY start, id
              LIMIT %(shown)s) s) AS slots
FROM ({PAGE_ROW_SQL}) page
LEFT JOIN LATERAL (
    SELECT id FROM {Mentorship._meta.db_table}
    WHERE learner_id = %(viewer)s AND mentor_id = page.user_id
      AND status = '{Mentorship.Status.ACTIVE.value}'
    LIMIT 1
) m ON true
LEFT JOIN LATERAL (
    SELECT id, before FROM {WaitlistEntry._meta.db_table}
    WHERE learner_id = %(viewer)s AND mentor_id = page.user_id
      AND notified_at IS NULL AND expires_at > %(now)s
    ORDER BY created_at, id
    LIMIT 1
) w ON true
"""  # noqa: S608 - table names and fixed values from our models


def booking_page_get(
    *,
    viewer_id: int,
    mentor_profile_id: int,
    now: datetime,
    until: datetime,
    shown: int,
) -> BookingPage:
    """A public mentor with no block between them and the viewer, with what
    the viewer's booking page shows: their free slots from ``now`` to
    ``until`` (the ``shown`` nearest). Otherwise ``MentorProfile.DoesNotExist``
    (the same answer as no mentor at all). One query."""
    with prepared_cursor() as cursor:
        cursor.execute(
            _BOOKING_PAGE_SQL,
            {
                "profile": mentor_profile_id,
                "viewer": viewer_id,
                "now": now,
                "from": now,
                "to": until,
                "shown": shown,
            },
        )
        row = cursor.fetchone()
    page_columns = len(PAGE_ROW_FIELDS) + 2
    if row is None or not row[page_columns - 2] or row[page_columns - 1]:
        raise MentorProfile.DoesNotExist(mentor_profile_id)
    values = dict(zip(PAGE_ROW_FIELDS, row, strict=False))
    user = User(id=values["user_id"], full_name=values.pop("full_name"))
    profile = MentorProfile(**values)
    profile.user = user
    zone, mentorship_id, skills, waiting_id, waiting_before, slots = row[page_columns:]
    return BookingPage(
        profile=profile,
        mentor_zone=zone,
        has_mentorship=mentorship_id is not None,
        skills=[
            (pk, Skill(name_fr=name_fr, name_en=name_en).name)
            for pk, name_fr, name_en in json.loads(skills or "[]")
        ],
        waiting=None if waiting_id is None else (waiting_id, waiting_before),
        slots_text=slots,
    )


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


# The mentor page's row (whether the mentor is public, whether a block stands
# between them and the viewer) with their free slots in a range, each with its
# venue: one round trip. A mentor with no free slot gives one row of nulls.
_SLOT_COLUMNS = ("id", "start", "end", "capacity", "title", "modes", "place")
VENUE_COLUMNS = ("id", "name", "address", "postcode", "city", "region", "access_notes")
_FREE_SLOTS_SQL = f"""
SELECT page.is_public, page.is_blocked,
       {", ".join(f's."{c}"' for c in _SLOT_COLUMNS)},
       {", ".join(f"v.{c}" for c in VENUE_COLUMNS)}
FROM ({PAGE_ROW_SQL}) page
LEFT JOIN {Slot._meta.db_table} s
  ON s.mentor_id = page.user_id AND s.status = '{Slot.Status.FREE.value}'
 AND s.start >= %(from)s AND s.start < %(to)s
LEFT JOIN {Venue._meta.db_table} v ON v.id = s.venue_id
ORDER BY s.start, s.id
"""  # noqa: S608 - table names and fixed values from our models


class FreeSlotRow(NamedTuple):
    """A free slot as the slots API lists it (``venue``: its columns, in the
    order of ``VENUE_COLUMNS``, or None)."""

    pk: int
    start: datetime
    end: datetime
    capacity: int
    title: str
    modes: list[str]
    place: str
    venue: tuple[Any, ...] | None


def slot_rows_free_for_viewer(
    *,
    viewer_id: int,
    mentor_profile_id: int,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
) -> list[FreeSlotRow]:
    """Free slots of a public mentor starting in [start, end) and not past,
    nearest first, as plain rows: one query.

    A mentor who is not public, or with a block between them and the viewer,
    is ``MentorProfile.DoesNotExist``: the same answer as no mentor at all.
    """
    now = now or timezone.now()
    with prepared_cursor() as cursor:
        cursor.execute(
            _FREE_SLOTS_SQL,
            {
                "profile": mentor_profile_id,
                "viewer": viewer_id,
                "from": max(start, now),
                "to": end,
            },
        )
        rows = cursor.fetchall()
    if not rows or not rows[0][0] or rows[0][1]:
        raise MentorProfile.DoesNotExist(mentor_profile_id)
    return [
        FreeSlotRow._make((*row[2:9], None if row[9] is None else row[9:]))
        for row in rows
        if row[2] is not None
    ]


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


# A mentor's public page: their zone and commitment, and their next free slots
# with their venues; one prepared round trip (one row of nulls for the slots
# when there are none).
_PROFILE_SCHEDULE_SQL = f"""
SELECT a.time_zone, a.commitment_hours, a.commitment_period,
       s.id, s.start, s.capacity, s.title, s.modes, s.place,
       v.id, v.name, v.address, v.postcode, v.city
FROM {Availability._meta.db_table} a
LEFT JOIN LATERAL (
    SELECT id, start, capacity, title, modes, place, venue_id
    FROM {Slot._meta.db_table}
    WHERE mentor_id = %(mentor)s AND status = '{Slot.Status.FREE.value}'
      AND start >= %(now)s
    ORDER BY start, id
    LIMIT %(limit)s
) s ON true
LEFT JOIN {Venue._meta.db_table} v ON v.id = s.venue_id
WHERE a.mentor_profile_id = %(profile)s
ORDER BY s.start, s.id
"""  # noqa: S608 - table names and fixed values from our models


@dataclass(frozen=True)
class ProfileSchedule:
    time_zone: str
    commitment_hours: int | None
    commitment_period: str
    # Instances with what the page shows, the other columns deferred (and
    # ``venue``, if any).
    slots: list[Slot]


_SCHEDULE_SLOT_COLUMNS = [
    "id",
    "start",
    "capacity",
    "title",
    "mentor_id",
    "modes",
    "place",
    "venue_id",
]
_SCHEDULE_VENUE_COLUMNS = ["id", "name", "address", "postcode", "city"]


def profile_schedule_get(
    *, mentor_profile_id: int, mentor_id: int, now: datetime, limit: int
) -> ProfileSchedule | None:
    """What a mentor's public page shows of their availability (None without
    any): their zone, the time they commit to and their next ``limit`` free
    slots from ``now`` (0: none read). One query."""
    with prepared_cursor() as cursor:
        cursor.execute(
            _PROFILE_SCHEDULE_SQL,
            {
                "profile": mentor_profile_id,
                "mentor": mentor_id,
                "now": now,
                "limit": limit,
            },
        )
        rows = cursor.fetchall()
    if not rows:
        return None
    # As read from the database (the other columns deferred), without
    # ``Model.__init__`` going through every field of each.
    read = [row for row in rows if row[3] is not None]
    slots = loaded_instances(
        Slot,
        _SCHEDULE_SLOT_COLUMNS,
        [(*row[3:7], mentor_id, *row[7:10]) for row in read],
    )
    venues = loaded_instances(
        Venue,
        _SCHEDULE_VENUE_COLUMNS,
        [row[9:14] for row in read if row[9] is not None],
    )
    by_id = {venue.pk: venue for venue in venues}
    for slot in slots:
        if slot.venue_id is not None:
            slot.venue = by_id[slot.venue_id]
    zone, hours, period = rows[0][:3]
    return ProfileSchedule(zone, hours, period, slots)


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
