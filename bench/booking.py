"""The booking part of `make bench` (issue "Scheduling 2", Performance).

Run on a throwaway ``TEMPLATE`` copy of a bench database (``bench/run.py``
makes it and drops it after): it writes mentorships, sessions and bookings.

- **Pairs**: ``groups`` groups of ``learners`` seeded learners and ``mentors``
  public mentors with free slots in the next two weeks; each learner of a
  group gets an active mentorship (with one of the mentor's skills) with each
  mentor of the group. Groups share nobody.
- **Booking page mix**: ``/mentors/<id>/reserver/`` for every pair, each as
  its learner (a cookie per line), shuffled.
- **Slots API mix**: ``GET /api/v1/slots/?mentor=…`` over thousands of public
  mentors (the mentor pages' milder Zipf popularity), with the default range
  or a ``from``/``to`` window of one to eight weeks, as one of the learners.
- **Storm**: ``POST /api/v1/bookings/`` (a form with the CSRF token, as a
  browser session) for ``rounds`` rounds over the groups. In each row of the
  storm file the ``connections`` columns book in one group: the group's
  learners, a few at a time, try the same slot, and each learner tries several
  slots at once, some of them at overlapping times with different mentors.
  Exactly one booking per slot may succeed (201); the others answer 409 (slot
  taken, or the learner already holds that time). The file is laid out column
  by column so that ``scenario.lua`` sends row ``r`` of every column at about
  the same moment (each wrk connection takes one column).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from random import Random
from urllib.parse import urlencode

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from bench import querymix
from bench.loadrun import BOOKING
from bench.scenario import Line, sign_in
from matching.models import Mentorship, MentorshipSkill
from mentors.models import LearnerProfile, MentorSkill
from mentors.selectors import mentor_profile_public_list
from sessions.models import Booking, Slot

BOOKING_PAGE = "booking page"
SLOTS_API = "slots API"
# Slots a storm targets start in this window (the nearest are the contended).
STORM_WINDOW = timedelta(days=14)
STORM_NOTICE = timedelta(hours=2)
SLOT_RANGES = (None, 1, 2, 4, 8)  # weeks; None: the API's default range


@dataclass(frozen=True)
class Person:
    user_id: int
    cookie: str
    csrf_token: str


@dataclass(frozen=True)
class Group:
    learners: tuple[Person, ...]
    # (profile id, user id) of each mentor.
    mentors: tuple[tuple[int, int], ...]
    # (slot id, its first mode, its mentor's user id) of the group's free
    # slots, nearest first.
    slots: tuple[tuple[int, str, int], ...]
    # (learner user id, mentor user id) → the mentorship skill's id.
    skills: dict[tuple[int, int], int]


def _learners(count: int) -> list[User]:
    profiles = list(
        LearnerProfile.objects.filter(
            user__is_active=True,
            user__is_staff=False,
            user__mentor_profile=None,
            user__adult_confirmed_at__isnull=False,
        )
        .select_related("user")
        .order_by("pk")[:count]
    )
    if len(profiles) < count:
        raise ValueError(f"{count} learners asked, {len(profiles)} in this database.")
    return [p.user for p in profiles]


def _mentors(count: int, *, seed: int, now: datetime) -> list[tuple[int, int]]:
    """``count`` public mentors taking sessions, each with at least three free
    slots in the storm's window, drawn at random over the table."""
    soon = Q(
        user__slots__status=Slot.Status.FREE,
        user__slots__capacity=1,
        user__slots__start__gte=now + STORM_NOTICE,
        user__slots__start__lt=now + STORM_WINDOW,
    )
    rows = list(
        mentor_profile_public_list()
        .filter(is_paused=False)
        .annotate(soon=Count("user__slots", filter=soon))
        .filter(soon__gte=3)
        .order_by("pk")
        .values_list("pk", "user_id")
    )
    if len(rows) < count:
        raise ValueError(f"{count} mentors asked, {len(rows)} with free slots.")
    return Random(f"booking-mentors:{seed}").sample(rows, count)  # noqa: S311


@transaction.atomic
def groups_create(
    *, groups: int, learners: int, mentors: int, seed: int, now: datetime | None = None
) -> list[Group]:
    """Make the groups' mentorships (bulk, as the seed does) and sign their
    learners in."""
    now = now or timezone.now()
    people = _learners(groups * learners)
    chosen = _mentors(groups * mentors, seed=seed, now=now)
    top_skill: dict[int, int] = {}
    for profile_id, skill_id in (
        MentorSkill.objects.filter(profile_id__in=[p for p, _u in chosen])
        .order_by("profile_id", "-level", "skill_id")
        .values_list("profile_id", "skill_id")
    ):
        top_skill.setdefault(profile_id, skill_id)
    pairs = []
    for g in range(groups):
        for learner in people[g * learners : (g + 1) * learners]:
            for profile_id, user_id in chosen[g * mentors : (g + 1) * mentors]:
                pairs.append((learner.pk, profile_id, user_id))
    made = Mentorship.objects.bulk_create(
        Mentorship(learner_id=learner, mentor_id=mentor, started_at=now)
        for learner, _p, mentor in pairs
    )
    skills = MentorshipSkill.objects.bulk_create(
        MentorshipSkill(mentorship=m, skill_id=top_skill[profile])
        for m, (_l, profile, _m) in zip(made, pairs, strict=True)
        if profile in top_skill
    )
    skill_of = {(s.mentorship.learner_id, s.mentorship.mentor_id): s.pk for s in skills}
    slots_by_mentor: dict[int, list[tuple[datetime, int, str, int]]] = {}
    for pk, mentor_id, start, modes in Slot.objects.filter(
        mentor_id__in=[u for _p, u in chosen],
        status=Slot.Status.FREE,
        capacity=1,
        start__gte=now + STORM_NOTICE,
        start__lt=now + STORM_WINDOW,
    ).values_list("pk", "mentor_id", "start", "modes"):
        slots_by_mentor.setdefault(mentor_id, []).append(
            (start, pk, modes[0], mentor_id)
        )
    result = []
    for g in range(groups):
        group_mentors = tuple(chosen[g * mentors : (g + 1) * mentors])
        group_slots = sorted(
            s for _p, u in group_mentors for s in slots_by_mentor.get(u, [])
        )
        signed_in = []
        for user in people[g * learners : (g + 1) * learners]:
            cookie, token = sign_in(user)
            signed_in.append(Person(user.pk, cookie, token))
        result.append(
            Group(
                learners=tuple(signed_in),
                mentors=group_mentors,
                slots=tuple((pk, mode, mentor) for _s, pk, mode, mentor in group_slots),
                skills={
                    (p.user_id, u): skill_of[(p.user_id, u)]
                    for p in signed_in
                    for _pr, u in group_mentors
                    if (p.user_id, u) in skill_of
                },
            )
        )
    return result


def booking_page_paths(groups: Sequence[Group], *, seed: int) -> list[str]:
    """``path<TAB>cookie`` for every pair, shuffled."""
    lines = [
        f"{reverse('coaching_sessions:booking-new', args=[profile])}\t{p.cookie}"
        for group in groups
        for p in group.learners
        for profile, _u in group.mentors
    ]
    Random(f"booking-pages:{seed}").shuffle(lines)  # noqa: S311
    return lines


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def slot_list_paths(
    groups: Sequence[Group],
    *,
    seed: int,
    distinct: int,
    now: datetime | None = None,
) -> list[str]:
    """``path<TAB>cookie``: the free slots of ``distinct`` public mentors
    (replayed with the mentor pages' popularity), each with one of the range
    choices, asked by one of the groups' learners."""
    now = now or timezone.now()
    rng = Random(f"slot-list:{seed}")  # noqa: S311 - reproducible, not secret
    public = list(
        mentor_profile_public_list()
        .filter(is_paused=False)
        .values_list("pk", flat=True)
    )
    people = [p for group in groups for p in group.learners]
    base = reverse("slot-list")
    lines = []
    for pk in querymix.mentor_mix(public, seed=seed, distinct=distinct):
        params = {"mentor": str(pk)}
        weeks = rng.choice(SLOT_RANGES)
        if weeks is not None:
            start = now + timedelta(days=rng.randint(0, 14), hours=rng.randint(0, 23))
            params["from"] = _instant(start)
            params["to"] = _instant(start + timedelta(weeks=weeks))
        lines.append(f"{base}?{urlencode(params)}\t{rng.choice(people).cookie}")
    return lines


def storm_lines(
    groups: Sequence[Group], *, connections: int, rounds: int, contended: int
) -> list[Line]:
    """``rounds`` rows per group, ``connections`` requests a row, written
    column by column. In a row, learner ``c % L`` of the group (L learners)
    tries slot ``(c // L + row's round × contended) % slots`` of the group's
    nearest: each slot is tried by L learners at once."""
    path = reverse("booking-list")
    rows: list[list[Line]] = []
    for round_ in range(rounds):
        for group in groups:
            row = []
            size = len(group.learners)
            for c in range(connections):
                person = group.learners[c % size]
                slot_index = (c // size + round_ * contended) % len(group.slots)
                slot, mode, mentor_id = group.slots[slot_index]
                form = [
                    ("csrfmiddlewaretoken", person.csrf_token),
                    ("slot", str(slot)),
                    ("mode", mode),
                ]
                if mode == "phone":  # the number the mentor calls
                    form.append(("phone", "06 12 34 56 78"))
                skill = group.skills.get((person.user_id, mentor_id))
                if skill is not None:
                    form.append(("skills", str(skill)))
                row.append(Line(BOOKING, "POST", path, person.cookie, urlencode(form)))
            rows.append(row)
    return [row[c] for c in range(connections) for row in rows]


def bookings_check() -> dict[str, int]:
    """What the storm left: bookings, and any breach of the rules (each must
    be 0): slots with more seats taken than they have, slots whose seat count
    differs from their confirmed bookings, a learner's confirmed bookings that
    overlap."""
    confirmed = Booking.objects.filter(status=Booking.Status.CONFIRMED)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*) FROM {Slot._meta.db_table} s
            WHERE s.seats_taken <> (
                SELECT count(*) FROM {Booking._meta.db_table} b
                WHERE b.slot_id = s.id AND b.status = 'confirmed'
            )
            """  # noqa: S608 - our table names
        )
        (seat_mismatch,) = cursor.fetchone()
        cursor.execute(
            f"""
            SELECT count(*) FROM {Booking._meta.db_table} a
            JOIN {Booking._meta.db_table} b
              ON a.learner_id = b.learner_id AND a.id < b.id
             AND a.start < b."end" AND b.start < a."end"
            WHERE a.status = 'confirmed' AND b.status = 'confirmed'
            """  # noqa: S608
        )
        (learner_overlaps,) = cursor.fetchone()
    return {
        "bookings": confirmed.count(),
        "slots_booked": Slot.objects.filter(status=Slot.Status.BOOKED).count(),
        "over_capacity": Slot.objects.filter(seats_taken__gt=F("capacity")).count(),
        "seat_mismatch": seat_mismatch,
        "learner_overlaps": learner_overlaps,
    }
