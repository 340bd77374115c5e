"""Demo availability for ``seed_demo``: weekly rules, exceptions and slots.

Each approved mentor of a demo population gets rules and settings from one
random generator seeded with (seed, index), so the same seed gives the same
weeks; the exceptions' dates and the slots follow the day of the run. A mentor
who already has an availability keeps it (a second run adds only what is
missing; the daily job extends the slots).

The population's rows go in bulk, inside the caller's transaction: one
``INSERT … SELECT unnest`` per table and chunk, the slots laid out in Python
by ``sessions.slots`` exactly as ``slots_regenerate`` would lay them out (a
new mentor has no busy time yet), their busy times in the same statement, and
the slot summaries in one UPDATE (``mentor_profile_set_slot_summaries``).
One mentor in ten also offers discovery sessions and has had one with a demo
learner three weeks ago, and has their first free time booked for one by
another: the booked slots, bookings and learners' busy times go in the same
bulk statements, written as ``booking_create`` writes them.

The demo mentor and learner logins go through the services like people would
(``booking_create`` for times to come); a past session, which the service
refuses, is written row by row the way it would have been.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from random import Random
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from core.errors import Conflict
from matching.models import Mentorship
from mentors.choices import Mode
from mentors.demo import DEMO_DOMAIN, LEARNER, MENTOR
from mentors.models import Block, MentorProfile
from mentors.services import mentor_profile_set_slot_summaries

from .models import (
    DISCOVERY_MAX_MINUTES,
    Availability,
    Booking,
    BusyTime,
    DateException,
    SessionNote,
    Slot,
    Venue,
    WeeklyRule,
)
from .notes import activity_summary_refresh
from .selectors import booking_attended_q
from .services import (
    availability_get_or_create,
    availability_update,
    booking_create,
    slot_create,
    slot_summary_refresh,
)
from .slots import (
    Candidate,
    candidate_slots,
    choose,
    local_start,
    week_bitmap,
    windows,
)

CHUNK = 1000

# Wall-time bands that never overlap, so a mentor's rules on one day never do.
BANDS = (
    (time(9), time(12)),
    (time(12, 15), time(13, 45)),
    (time(14), time(17)),
    (time(18), time(20, 30)),
)
# Where a mentor's weeks fall: working people mostly offer evenings, lunch
# breaks and Saturday mornings.
BAND_WEIGHTS = (2, 3, 2, 5)
WEEKDAY_WEIGHTS = (5, 6, 5, 6, 4, 3, 1)
# Most mentors keep their account's zone; a few have moved to Nouméa.
NOUMEA, NOUMEA_SHARE = "Pacific/Noumea", 0.03
# Mentors who offer discovery sessions, each with one held and one to come.
DISCOVERY_SHARE = 0.1


@dataclass(frozen=True)
class DemoAvailability:
    """What one demo mentor offers (no database)."""

    time_zone: str
    session_minutes: int
    buffer_minutes: int
    min_notice_hours: int
    window_weeks: int
    max_per_day: int
    max_per_week: int
    rules: list[tuple[int, time, time]]
    # (date, kind, start, end), dates relative to the run's local day.
    exceptions: list[tuple[date, str, time | None, time | None]]


def demo_availability(
    *, seed: int, index: int, time_zone: str, today: date
) -> DemoAvailability:
    """The availability of mentor ``index`` of population ``seed``: the same
    settings and rules for the same seed; exceptions a few weeks from ``today``."""
    rng = Random(f"{seed}-availability-{index}")  # noqa: S311 - demo data
    zone = NOUMEA if rng.random() < NOUMEA_SHARE else time_zone
    pairs: set[tuple[int, int]] = set()
    for _ in range(rng.choice((1, 2, 2, 3, 3, 4))):
        weekday = rng.choices(range(7), weights=WEEKDAY_WEIGHTS)[0]
        band = rng.choices(range(len(BANDS)), weights=BAND_WEIGHTS)[0]
        if weekday >= 5 and band in (1, 3):
            band = 0  # weekends: mornings, not lunch breaks or evenings
        pairs.add((weekday, band))
    rules = [(day, *BANDS[band]) for day, band in sorted(pairs)]
    exceptions: list[tuple[date, str, time | None, time | None]] = []
    if rng.random() < 0.4:
        exceptions.append(
            (today + timedelta(days=rng.randint(8, 40)), "off", None, None)
        )
    if rng.random() < 0.25:
        day = today + timedelta(days=rng.randint(2, 20))
        if day not in {e[0] for e in exceptions}:
            exceptions.append((day, "extra", time(17), time(19)))
    return DemoAvailability(
        time_zone=zone,
        session_minutes=rng.choice((30, 45, 60, 60, 60, 90)),
        buffer_minutes=rng.choice((0, 10, 15, 15, 30)),
        min_notice_hours=rng.choice((12, 12, 24, 48)),
        window_weeks=rng.choice((4, 6, 8, 8)),
        max_per_day=rng.choice((2, 3, 3, 4)),
        max_per_week=rng.choice((4, 6, 8, 8)),
        rules=rules,
        exceptions=sorted(exceptions, key=lambda e: e[0]),
    )


def _laid_out(plan: DemoAvailability, now: datetime) -> tuple[list[Candidate], bytes]:
    """The slots ``slots_regenerate`` would make for a mentor with no slot and
    no busy time yet, and the bitmap ``slot_summary_refresh`` would store."""
    zone = zoneinfo.ZoneInfo(plan.time_zone)
    first = now.astimezone(zone).date()

    def spans(last: date) -> list[Any]:
        inside = [e for e in plan.exceptions if first <= e[0] <= last]
        return windows(
            first=first,
            last=last,
            rules=plan.rules,
            exceptions=inside,
        )

    buffer = timedelta(minutes=plan.buffer_minutes)
    chosen = choose(
        candidate_slots(
            spans(first + timedelta(weeks=plan.window_weeks)),
            zone=zone,
            length=timedelta(minutes=plan.session_minutes),
            buffer=buffer,
            not_before=now + timedelta(hours=plan.min_notice_hours),
        ),
        buffer=buffer,
        busy=[],
        day_counts={},
        week_counts={},
        max_per_day=plan.max_per_day,
        max_per_week=plan.max_per_week,
    )
    return chosen, week_bitmap(spans(first + timedelta(days=6)), zone)


def _summary(
    starts: list[datetime], now: datetime
) -> tuple[datetime | None, tuple[int, int, int]]:
    """The figures of ``slot_summary_refresh`` for these free slots."""
    ahead = [s for s in starts if s >= now]
    d7, d14, d28 = (
        sum(1 for s in ahead if s < now + timedelta(days=d)) for d in (7, 14, 28)
    )
    return min(ahead, default=None), (d7, d14, d28)


_AVAILABILITY_INSERT = f"""
INSERT INTO {Availability._meta.db_table}
    (mentor_profile_id, time_zone, session_minutes, buffer_minutes,
     min_notice_hours, window_weeks, max_per_day, max_per_week, modes,
     discovery_enabled, updated_at)
SELECT t.profile, t.zone, t.length, t.buffer, t.notice, t.weeks, t.per_day,
       t.per_week, string_to_array(t.modes, ','), t.discovery, %(now)s
FROM unnest(%(profiles)s::bigint[], %(zones)s::text[], %(lengths)s::int[],
            %(buffers)s::int[], %(notices)s::int[], %(weeks)s::int[],
            %(per_day)s::int[], %(per_week)s::int[], %(modes)s::text[],
            %(discovery)s::boolean[])
     AS t(profile, zone, length, buffer, notice, weeks, per_day, per_week, modes,
          discovery)
RETURNING id, mentor_profile_id
"""  # noqa: S608 - our table names; the values are parameters
_RULE_INSERT = f"""
INSERT INTO {WeeklyRule._meta.db_table} (availability_id, weekday, start, "end")
SELECT * FROM unnest(%s::bigint[], %s::int[], %s::time[], %s::time[])
"""  # noqa: S608
_EXCEPTION_INSERT = f"""
INSERT INTO {DateException._meta.db_table} (availability_id, date, kind, start, "end")
SELECT * FROM unnest(%s::bigint[], %s::date[], %s::text[], %s::time[], %s::time[])
"""  # noqa: S608
# The slots and their busy times in one statement: each busy time is its slot
# widened by the buffer, as ``slots_regenerate`` writes it; a booked slot has
# its one seat taken. Times travel as seconds since the epoch: quoting tens of
# thousands of datetimes is slow.
_SLOT_INSERT = f"""
WITH made AS (
    INSERT INTO {Slot._meta.db_table}
        (mentor_id, start, "end", buffer_minutes, capacity, modes, status,
         seats_taken, source, created_at)
    SELECT t.mentor, to_timestamp(t.s), to_timestamp(t.e), t.buffer, 1,
           string_to_array(t.modes, ','), t.status,
           CASE WHEN t.status = 'booked' THEN 1 ELSE 0 END, 'rule', %(now)s
    FROM unnest(%(mentors)s::bigint[], %(starts)s::bigint[],
                %(ends)s::bigint[], %(buffers)s::int[], %(modes)s::text[],
                %(statuses)s::text[])
         AS t(mentor, s, e, buffer, modes, status)
    RETURNING id, mentor_id, start, "end", buffer_minutes
)
INSERT INTO {BusyTime._meta.db_table} (person_id, period, slot_id)
SELECT mentor_id,
       tstzrange(start, "end" + make_interval(mins => buffer_minutes), '[)'), id
FROM made
"""  # noqa: S608
# Discovery sessions in the booked slots just written, and their learners'
# busy times, as ``booking_create`` writes them: the slot's first 30 minutes
# at most, the first way to meet the slot offers.
_DISCOVERY_INSERT = f"""
WITH made AS (
    INSERT INTO {Booking._meta.db_table}
        (slot_id, learner_id, mentor_id, kind, start, "end", mode, agenda,
         status, sequence, learner_name, mentor_name, cancel_reason, created_at)
    SELECT slot.id, t.learner, slot.mentor_id, 'discovery', slot.start,
           least(slot."end", slot.start + make_interval(mins => %(minutes)s)),
           slot.modes[1], '', 'confirmed', 0, '', '', '', to_timestamp(t.made)
    FROM unnest(%(mentors)s::bigint[], %(starts)s::bigint[],
                %(learners)s::bigint[], %(made)s::bigint[])
         AS t(mentor, s, learner, made)
    JOIN {Slot._meta.db_table} slot
      ON slot.mentor_id = t.mentor AND slot.start = to_timestamp(t.s)
    RETURNING id, learner_id, start, "end"
)
INSERT INTO {BusyTime._meta.db_table} (person_id, period, booking_id)
SELECT learner_id, tstzrange(start, "end", '[)'), id FROM made
"""  # noqa: S608


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _free_learners(seed: int) -> list[int]:
    """The population's learners with no booking yet, in a fixed order."""
    return list(
        User.objects.filter(
            email__startswith=f"{LEARNER}{seed}-",
            email__endswith=f"@{DEMO_DOMAIN}",
            is_active=True,
        )
        .exclude(Exists(Booking.objects.filter(learner_id=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def demo_availability_ensure(*, seed: int, now: datetime | None = None) -> int:
    """Give every approved mentor of population ``seed`` without an
    availability their demo rules, exceptions, slots and slot summary; returns
    how many it gave one. One in ten (those public and not paused, while
    learners without a booking remain) offer discovery sessions: one held
    three weeks ago or more, one booked in their first free time.

    Precondition: inside the seed's transaction, after the population. Bulk
    SQL (no ``save()``); mentors whose ways to meet are all in person get
    nothing (slots are offered by video or phone here).
    """
    now = now or timezone.now()
    prefix = f"{MENTOR}{seed}-"
    todo = [
        (profile_id, user_id, int(email[len(prefix) :].split("@")[0]), zone, modes)
        for profile_id, user_id, email, zone, modes in MentorProfile.objects.filter(
            user__email__startswith=prefix,
            user__email__endswith=f"@{DEMO_DOMAIN}",
            status=MentorProfile.Status.APPROVED,
            availability__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", "user_id", "user__email", "user__time_zone", "modes")
    ]
    learners = iter(_free_learners(seed)) if todo else iter(())
    given = 0
    with connection.cursor() as cursor:
        for chunk in _chunks(todo):
            bookable = set(
                MentorProfile.objects.public()
                .filter(pk__in=[row[0] for row in chunk], is_paused=False)
                .exclude(
                    Exists(
                        Block.objects.filter(
                            Q(blocker_id=OuterRef("user_id"))
                            | Q(blocked_id=OuterRef("user_id"))
                        )
                    )
                )
                .values_list("pk", flat=True)
            )
            plans = []
            for profile_id, user_id, index, zone, modes in chunk:
                offered = [m for m in modes if m != Mode.IN_PERSON]
                if not offered:
                    continue
                today = now.astimezone(zoneinfo.ZoneInfo(zone)).date()
                plan = demo_availability(
                    seed=seed, index=index, time_zone=zone, today=today
                )
                discovery: tuple[int, int] | None = None
                rng = Random(f"{seed}-discovery-{index}")  # noqa: S311 - demo data
                if profile_id in bookable and rng.random() < DISCOVERY_SHARE:
                    held_by, booked_by = next(learners, None), next(learners, None)
                    if held_by is not None and booked_by is not None:
                        discovery = (held_by, booked_by)
                plans.append(
                    _Plan(profile_id, user_id, ",".join(offered), plan, discovery)
                )
            given += _write(cursor, plans, now)
    return given


@dataclass(frozen=True)
class _Plan:
    profile_id: int
    user_id: int
    modes: str
    availability: DemoAvailability
    # Learners of a discovery session held and of one to come, if any.
    discovery: tuple[int, int] | None


def _write(cursor: Any, plans: list[_Plan], now: datetime) -> int:
    if not plans:
        return 0
    cursor.execute(
        _AVAILABILITY_INSERT,
        {
            "now": now,
            "profiles": [p.profile_id for p in plans],
            "zones": [p.availability.time_zone for p in plans],
            "lengths": [p.availability.session_minutes for p in plans],
            "buffers": [p.availability.buffer_minutes for p in plans],
            "notices": [p.availability.min_notice_hours for p in plans],
            "weeks": [p.availability.window_weeks for p in plans],
            "per_day": [p.availability.max_per_day for p in plans],
            "per_week": [p.availability.max_per_week for p in plans],
            "modes": [p.modes for p in plans],
            "discovery": [p.discovery is not None for p in plans],
        },
    )
    availability_ids = {profile: pk for pk, profile in cursor.fetchall()}
    rules: list[tuple[int, int, time, time]] = []
    exceptions: list[tuple[int, date, str, time | None, time | None]] = []
    slots: list[tuple[int, int, int, int, str, str]] = []
    # (mentor, slot start, learner, booked at), seconds since the epoch
    discoveries: list[tuple[int, int, int, int]] = []
    summaries = []
    for p in plans:
        plan = p.availability
        availability_id = availability_ids[p.profile_id]
        rules += [(availability_id, *rule) for rule in plan.rules]
        exceptions += [(availability_id, *e) for e in plan.exceptions]
        chosen, bitmap = _laid_out(plan, now)
        free = chosen
        booked: list[Candidate] = []
        if p.discovery is not None and chosen:
            free, first = chosen[1:], chosen[0]
            # Held some weeks ago at the same time of day: before the week
            # the daily and weekly maximums look at.
            weeks = (first.start - now).days // 7 + 3
            held = Candidate(
                first.start - timedelta(weeks=weeks),
                first.end - timedelta(weeks=weeks),
                first.local_day - timedelta(weeks=weeks),
            )
            booked = [held, first]
            for learner, slot, made in (
                (p.discovery[0], held, held.start - timedelta(days=4)),
                (p.discovery[1], first, now - timedelta(days=1)),
            ):
                discoveries.append(
                    (
                        p.user_id,
                        int(slot.start.timestamp()),
                        learner,
                        int(made.timestamp()),
                    )
                )
        slots += [
            (
                p.user_id,
                int(c.start.timestamp()),
                int(c.end.timestamp()),
                plan.buffer_minutes,
                p.modes,
                Slot.Status.BOOKED if c in booked else Slot.Status.FREE,
            )
            for c in [*booked, *free]
        ]
        next_at, counts = _summary([c.start for c in free], now)
        summaries.append((p.profile_id, next_at, counts, bitmap))
    cursor.execute(_RULE_INSERT, [list(column) for column in zip(*rules, strict=True)])
    if exceptions:
        cursor.execute(
            _EXCEPTION_INSERT,
            [list(column) for column in zip(*exceptions, strict=True)],
        )
    if slots:
        mentors, starts, ends, buffers, slot_modes, statuses = (
            list(column) for column in zip(*slots, strict=True)
        )
        cursor.execute(
            _SLOT_INSERT,
            {
                "now": now,
                "mentors": mentors,
                "starts": starts,
                "ends": ends,
                "buffers": buffers,
                "modes": slot_modes,
                "statuses": statuses,
            },
        )
    if discoveries:
        mentors, starts, learners, booked_at = (
            list(column) for column in zip(*discoveries, strict=True)
        )
        cursor.execute(
            _DISCOVERY_INSERT,
            {
                "minutes": DISCOVERY_MAX_MINUTES,
                "mentors": mentors,
                "starts": starts,
                "learners": learners,
                "made": booked_at,
            },
        )
    mentor_profile_set_slot_summaries(summaries=summaries)
    return len(plans)


# The demo mentor login: Tuesday and Thursday evenings, Saturday mornings, in
# Paris, and a Saturday off three weeks on.
DEMO_MENTOR_RULES = [
    (1, time(18), time(21)),
    (3, time(18), time(21)),
    (5, time(9, 30), time(12, 30)),
]


# Partner venues staff keep in the demo: public places open to everyone.
DEMO_VENUES = [
    (
        "Médiathèque Jean-Macé",
        "2 rue Jean-Macé",
        "69007",
        "Lyon",
        "84",
        "Accès de plain-pied, Wi-Fi gratuit, salle de travail au 1er étage.",
    ),
    (
        "Espace public numérique du Centre social Boilly",
        "13 rue Boilly",
        "59100",
        "Roubaix",
        "32",
        "Ordinateurs en accès libre le mardi et le jeudi.",
    ),
    (
        "Maison de quartier des Moulins",
        "33 boulevard des Moulins",
        "13015",
        "Marseille",
        "93",
        "Accès fauteuil, salle calme sur réservation.",
    ),
    (
        "Bibliothèque Václav-Havel",
        "26 esplanade Nathalie-Sarraute",
        "75018",
        "Paris",
        "11",
        "Accès de plain-pied, Wi-Fi gratuit.",
    ),
    (
        "Tiers-lieu La Coursive",
        "4 rue de la Coursive",
        "35000",
        "Rennes",
        "53",
        "Café associatif, Wi-Fi gratuit.",
    ),
    (
        "Médiathèque Josiane-Séguin",
        "1 place du Marché",
        "97400",
        "Saint-Denis",
        "04",
        "Salle multimédia ouverte l'après-midi.",
    ),
]


def demo_venues_ensure() -> int:
    """The demo's partner venues (kept when they exist); how many were made."""
    made = 0
    for name, address, postcode, city, region, notes in DEMO_VENUES:
        _venue, created = Venue.objects.get_or_create(
            name=name,
            city=city,
            defaults={
                "address": address,
                "postcode": postcode,
                "region": region,
                "access_notes": notes,
            },
        )
        made += created
    return made


def demo_mentor_availability_ensure(
    *, profile: MentorProfile, now: datetime | None = None
) -> bool:
    """Give the demo mentor login a realistic availability through
    ``availability_update`` (in person at a partner venue when their profile
    offers it, a time commitment, an open workshop added by hand), unless they
    have one (then what they set stays). Returns whether it did."""
    if Availability.objects.filter(mentor_profile=profile).exists():
        return False
    now = now or timezone.now()
    today = now.astimezone(zoneinfo.ZoneInfo("Europe/Paris")).date()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 + 21)
    demo_venues_ensure()
    venue = (
        Venue.objects.filter(city__iexact=profile.city).first()
        or Venue.objects.order_by("pk").first()
    )
    in_person = Mode.IN_PERSON in profile.modes and venue is not None
    # An open workshop on the Wednesday afternoon of next week, added by hand
    # before the weekly hours fill the week up to its maximum.
    availability_get_or_create(mentor_profile=profile)
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7 + 7)
    start = local_start(wednesday, time(14), zoneinfo.ZoneInfo("Europe/Paris"))
    if start is not None:
        slot_create(
            mentor_profile_id=profile.pk,
            start=start,
            minutes=120,
            capacity=8,
            title="Créer son adresse e-mail et l'utiliser",
            modes=["in_person"] if in_person else None,
            venue_id=venue.pk if in_person and venue else None,
            now=now,
        )
    availability_update(
        mentor_profile=profile,
        settings={
            "time_zone": "Europe/Paris",
            "session_minutes": 45,
            "buffer_minutes": 15,
            "min_notice_hours": 12,
            "window_weeks": 8,
            "max_per_day": 3,
            "max_per_week": 6,
            "modes": [m for m in profile.modes if m != Mode.IN_PERSON or in_person],
            "venue_id": venue.pk if in_person and venue else None,
            "commitment_hours": 2,
            "commitment_period": "week",
        },
        rules=DEMO_MENTOR_RULES,
        exceptions=[(saturday, DateException.Kind.OFF, None, None)],
        now=now,
    )
    return True


# --- the demo logins' sessions ---------------------------------------------------

DEMO_AGENDA_PAST = (
    "Installer Python sur mon ordinateur et écrire mon premier petit programme."
)
DEMO_AGENDA_NEXT = (
    "Relire ensemble mon premier projet Python et le mettre sur Git, étape par étape."
)
WORKSHOP_SEATS = 3


def demo_step(make: Callable[[], object]) -> bool:
    """One booking of the story, in its own savepoint; skipped when what the
    demo people did since makes it impossible (the services say so)."""
    try:
        with transaction.atomic():
            make()
    except (Conflict, ValidationError, ObjectDoesNotExist, IntegrityError):
        return False
    return True


def past_session(
    mentorship: Mentorship,
    availability: Availability,
    now: datetime,
    *,
    days_ago: int = 9,
    skill_code: str = "python",
) -> Booking:
    """A session of the mentorship held ``days_ago`` days ago at 18:00 (Paris),
    written as ``booking_create`` would have written it then: its slot booked,
    both people's busy times, the skills worked on (``skill_code``)."""
    zone = zoneinfo.ZoneInfo("Europe/Paris")
    day = now.astimezone(zone).date() - timedelta(days=days_ago)
    start = local_start(day, time(18), zone)
    assert start is not None  # 18:00 always exists
    end = start + timedelta(minutes=availability.session_minutes)
    slot = Slot.objects.create(
        mentor_id=mentorship.mentor_id,
        start=start,
        end=end,
        buffer_minutes=availability.buffer_minutes,
        modes=[m for m in availability.modes if m != Mode.IN_PERSON] or ["video"],
        status=Slot.Status.BOOKED,
        seats_taken=1,
        source=Slot.Source.RULE,
        created_at=start - timedelta(days=14),
    )
    BusyTime.objects.create(
        person_id=mentorship.mentor_id,
        period=DateTimeTZRange(
            start, end + timedelta(minutes=availability.buffer_minutes), "[)"
        ),
        slot=slot,
    )
    booking = Booking.objects.create(
        slot=slot,
        learner_id=mentorship.learner_id,
        mentor_id=mentorship.mentor_id,
        mentorship=mentorship,
        kind=Booking.Kind.MENTORSHIP,
        start=start,
        end=end,
        mode=slot.modes[0],
        agenda=DEMO_AGENDA_PAST,
        created_at=start - timedelta(days=2),
    )
    booking.skills.set(mentorship.mentorshipskill_set.filter(skill__code=skill_code))
    BusyTime.objects.create(
        person_id=mentorship.learner_id,
        period=DateTimeTZRange(start, end, "[)"),
        booking=booking,
    )
    return booking


def _upcoming(mentor: User, now: datetime, *, capacity: int = 1) -> list[Slot]:
    """The mentor's free slots from tomorrow on: single ones, or workshops."""
    slots = Slot.objects.filter(
        mentor=mentor, status=Slot.Status.FREE, start__gte=now + timedelta(days=1)
    )
    if capacity == 1:
        return list(slots.filter(capacity=1).order_by("start")[:20])
    return list(slots.filter(capacity__gt=1).order_by("start"))


def _book_first(learner: User, slots: list[Slot], **asked: Any) -> bool:
    """Book the first of ``slots`` the learner may book (by video when the
    slot offers it)."""
    for slot in slots:
        mode = "video" if "video" in slot.modes else slot.modes[0]
        if demo_step(
            partial(
                booking_create, learner=learner, slot_id=slot.pk, mode=mode, **asked
            )
        ):
            return True
    return False


def demo_bookings_ensure(
    *, learner: User, mentor: User, now: datetime | None = None
) -> int:
    """The demo logins' sessions: a session of their mentorship held nine days
    ago and one to come (with skills and an agenda), seats taken in the
    mentor's open workshop, and a discovery session a demo learner booked with
    the mentor (who now offers them). Returns how many bookings it made.

    Precondition: inside the seed's transaction, after the story and the
    demo mentor's availability. Idempotent: a part already there is kept,
    one that what the demo people did since makes impossible is skipped.
    Times to come go through ``booking_create`` (slot summaries with them).
    """
    now = now or timezone.now()
    profile = MentorProfile.objects.filter(user=mentor).first()
    availability = (
        Availability.objects.filter(mentor_profile=profile).first() if profile else None
    )
    if profile is None or availability is None:
        return 0
    made = 0
    mine = Booking.objects.filter(mentor=mentor, status=Booking.Status.CONFIRMED)
    mentorship = (
        Mentorship.objects.active().filter(learner=learner, mentor=mentor).first()
    )
    if mentorship is not None:
        ours = mine.filter(mentorship=mentorship)
        if not ours.filter(start__lt=now).exists():
            made += demo_step(lambda: past_session(mentorship, availability, now))
            slot_summary_refresh(mentor_profile_id=profile.pk, now=now)
        if not ours.filter(start__gte=now).exists():
            skills = list(
                mentorship.mentorshipskill_set.order_by("pk").values_list(
                    "pk", flat=True
                )[:2]
            )
            made += _book_first(
                learner,
                _upcoming(mentor, now),
                skill_ids=skills,
                agenda=DEMO_AGENDA_NEXT,
            )
    others = (
        User.objects.filter(
            email__startswith=LEARNER,
            email__endswith=f"@{DEMO_DOMAIN}",
            is_active=True,
        )
        .exclude(Exists(Block.objects.between(mentor.pk, OuterRef("pk"))))
        .exclude(
            Exists(Booking.objects.filter(learner_id=OuterRef("pk"), mentor=mentor))
        )
        .order_by("pk")
    )
    workshops = _upcoming(mentor, now, capacity=2)
    taken = mine.filter(kind=Booking.Kind.WORKSHOP, start__gte=now).count()
    for other in others[: 3 * WORKSHOP_SEATS]:
        if taken >= WORKSHOP_SEATS or not workshops:
            break
        if _book_first(other, workshops):
            taken += 1
            made += 1
    if not Booking.objects.filter(mentor=mentor, kind=Booking.Kind.DISCOVERY).exists():
        Availability.objects.filter(pk=availability.pk).update(discovery_enabled=True)
        for other in others.exclude(
            Exists(Mentorship.objects.filter(learner_id=OuterRef("pk"), mentor=mentor))
        )[:5]:
            if _book_first(other, _upcoming(mentor, now)):
                made += 1
                break
    return made


# --- attendance ------------------------------------------------------------------


def _past_workshop_seat(learner: User, mentor: User, now: datetime) -> Booking | None:
    """A seat in a video workshop of the mentor held five days ago at 10:00
    (UTC), written as ``booking_create`` would have written it then."""
    day = (now - timedelta(days=5)).date()
    start = datetime.combine(day, time(10), tzinfo=zoneinfo.ZoneInfo("UTC"))
    end = start + timedelta(hours=2)

    def make() -> None:
        slot = Slot.objects.create(
            mentor=mentor,
            start=start,
            end=end,
            capacity=8,
            modes=["video"],
            status=Slot.Status.FREE,
            seats_taken=1,
            source=Slot.Source.MANUAL,
            title="Créer son adresse e-mail",
            created_at=start - timedelta(days=14),
        )
        BusyTime.objects.create(
            person=mentor, period=DateTimeTZRange(start, end, "[)"), slot=slot
        )
        booking = Booking.objects.create(
            slot=slot,
            learner=learner,
            mentor=mentor,
            kind=Booking.Kind.WORKSHOP,
            start=start,
            end=end,
            mode="video",
            created_at=start - timedelta(days=7),
        )
        BusyTime.objects.create(
            person=learner, period=DateTimeTZRange(start, end, "[)"), booking=booking
        )

    if not demo_step(make):
        return None
    return Booking.objects.get(mentor=mentor, learner=learner, start=start)


def demo_attendance_ensure(
    *, learner: User, mentor: User, now: datetime | None = None
) -> int:
    """Attendance in the demo: the demo logins' session of nine days ago
    confirmed by both (its hours counted), one of two days ago the mentor
    confirmed and the learner has not answered yet (the buttons in My
    sessions), and in the staff queue a workshop seat of five days ago where
    the two answers differ. Returns how many answers it recorded.

    Precondition: inside the seed's transaction, after
    ``demo_bookings_ensure``. Idempotent: a session already answered is kept.
    Answers go through ``attendance_answer`` (hours recomputed with them).
    """
    from .attendance import attendance_answer

    now = now or timezone.now()
    mentorship = (
        Mentorship.objects.active().filter(learner=learner, mentor=mentor).first()
    )
    profile = MentorProfile.objects.filter(user=mentor).first()
    availability = (
        Availability.objects.filter(mentor_profile=profile).first() if profile else None
    )
    if mentorship is None or availability is None:
        return 0
    made = 0

    def answer(person: User, booking: Booking, said: str) -> None:
        nonlocal made
        made += demo_step(
            lambda: attendance_answer(
                person=person, booking_id=booking.pk, answer=said, now=now
            )
        )

    held = list(
        Booking.objects.filter(
            mentorship=mentorship,
            status=Booking.Status.CONFIRMED,
            end__lte=now,
            attendance__isnull=True,
        ).order_by("start")
    )
    recent = now - timedelta(days=4)
    for booking in held:
        answer(mentor, booking, "happened")
        if booking.start < recent:
            answer(learner, booking, "happened")
    if not Booking.objects.filter(
        mentorship=mentorship, start__gte=recent, end__lte=now
    ).exists():
        made_one = demo_step(
            lambda: past_session(mentorship, availability, now, days_ago=2)
        )
        if made_one:
            booking = Booking.objects.filter(
                mentorship=mentorship, start__gte=recent, end__lte=now
            ).get()
            answer(mentor, booking, "happened")
    if not Booking.objects.filter(
        mentor=mentor, kind=Booking.Kind.WORKSHOP, end__lte=now
    ).exists():
        other = (
            User.objects.filter(
                email__startswith=LEARNER,
                email__endswith=f"@{DEMO_DOMAIN}",
                is_active=True,
            )
            .exclude(pk=learner.pk)
            .exclude(Exists(Block.objects.between(mentor.pk, OuterRef("pk"))))
            .order_by("pk")
            .first()
        )
        if other is not None:
            seat = _past_workshop_seat(other, mentor, now)
            if seat is not None:
                answer(mentor, seat, "learner_absent")
                answer(other, seat, "happened")
    return made


DEMO_NOTE = {
    "worked": "Installer Python et écrire un premier programme qui dit bonjour.",
    "achieved": "Lancer le programme seule depuis le terminal.",
    "next_step": "Lire un fichier et compter ses lignes, avant la prochaine séance.",
}


def demo_notes_ensure(*, learner: User, mentor: User) -> int:
    """The mentor's note on the demo logins' sessions that took place (the
    learner reads it in My sessions), then the mentor's hours given and
    people helped, recounted from those sessions. No rating: a learner's
    opinion is theirs to give. Idempotent; how many notes it wrote.

    Precondition: inside the seed's transaction, after ``demo_bookings_ensure``.
    """
    held = Booking.objects.filter(
        booking_attended_q(), learner=learner, mentor=mentor, note__isnull=True
    )
    made = 0
    for booking in held:
        SessionNote.objects.create(
            booking=booking,
            written_at=booking.end + timedelta(hours=2),
            updated_at=booking.end + timedelta(hours=2),
            **DEMO_NOTE,
        )
        made += 1
    activity_summary_refresh(mentor_id=mentor.pk)
    return made
