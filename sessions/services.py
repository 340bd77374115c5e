"""Writes on availability and slots.

Lock order: the mentor's availability row, then slots and busy times. Every
regeneration and every slot added by hand takes the availability row first, so
one mentor's changes take turns and the daily and weekly maximums hold. Busy
times of the same person written meanwhile in another role (a booking, later)
are settled by the exclusion constraint: ``ON CONFLICT DO NOTHING`` skips a slot
that would overlap one.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from mentors.models import MentorProfile
from mentors.services import mentor_profile_set_slot_summary

from .models import Availability, BusyTime, DateException, Slot, WeeklyRule
from .selectors import availability_default_modes
from .slots import (
    Candidate,
    candidate_slots,
    choose,
    iso_week,
    week_bitmap,
    windows,
)

_BUSY_INSERT = """
INSERT INTO coaching_sessions_busytime (person_id, period, slot_id)
SELECT %(person)s, tstzrange(t.s, t.e, '[)'), t.id
FROM unnest(%(starts)s::timestamptz[], %(ends)s::timestamptz[], %(ids)s::bigint[])
     AS t(s, e, id)
ON CONFLICT DO NOTHING
RETURNING slot_id
"""


def availability_get_or_create(*, mentor_profile: MentorProfile) -> Availability:
    availability, _created = Availability.objects.get_or_create(
        mentor_profile=mentor_profile,
        defaults={"modes": availability_default_modes(mentor_profile)},
    )
    return availability


def _locked(mentor_profile_id: int) -> Availability:
    return (
        Availability.objects.select_for_update(of=("self",))
        .select_related("mentor_profile")
        .get(mentor_profile_id=mentor_profile_id)
    )


def _counts(
    availability: Availability, since: datetime, excluding: list[int] | None = None
) -> tuple[dict[date, int], dict[tuple[int, int], int]]:
    """Sessions already there (booked, or added by hand, or kept), by local day
    and ISO week: a workshop counts once."""
    zone = availability.zone
    days: Counter[date] = Counter()
    weeks: Counter[tuple[int, int]] = Counter()
    for start in (
        Slot.objects.filter(
            mentor_id=availability.mentor_profile.user_id, start__gte=since
        )
        .exclude(status=Slot.Status.CANCELLED)
        .exclude(pk__in=excluding or [])
        .values_list("start", flat=True)
    ):
        day = start.astimezone(zone).date()
        days[day] += 1
        weeks[iso_week(day)] += 1
    return dict(days), dict(weeks)


def _insert(
    availability: Availability, chosen: list[Candidate], source: str, capacity: int = 1
) -> list[Slot]:
    """Write the slots and their busy times; drop any slot whose busy time lost
    to one written meanwhile (the exclusion constraint decides)."""
    if not chosen:
        return []
    mentor_id = availability.mentor_profile.user_id
    buffer = timedelta(minutes=availability.buffer_minutes)
    slots = Slot.objects.bulk_create(
        Slot(
            mentor_id=mentor_id,
            start=c.start,
            end=c.end,
            buffer_minutes=availability.buffer_minutes,
            capacity=capacity,
            modes=list(availability.modes),
            source=source,
        )
        for c in chosen
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _BUSY_INSERT,
            {
                "person": mentor_id,
                "starts": [s.start for s in slots],
                "ends": [s.end + buffer for s in slots],
                "ids": [s.pk for s in slots],
            },
        )
        written = {row[0] for row in cursor.fetchall()}
    lost = [s.pk for s in slots if s.pk not in written]
    if lost:
        Slot.objects.filter(pk__in=lost).delete()
    return [s for s in slots if s.pk in written]


@transaction.atomic
def slots_regenerate(*, mentor_profile_id: int, now: datetime | None = None) -> int:
    """Lay the mentor's free slots out again over the booking window, from
    their weekly rules and exceptions; returns how many new free slots it made.

    Idempotent: free slots made from the rules that are laid out the same stay
    (with their ids), the others go, the missing ones are made; booked slots and
    slots added by hand stay and count toward the maximums. The daily job runs
    it to extend the window; editing the rules runs it too. Locks the
    availability row. Updates the slot summary in the same transaction.
    """
    availability = _locked(mentor_profile_id)
    now = now or timezone.now()
    mentor_id = availability.mentor_profile.user_id
    # Free slots made from the rules are laid out again: those still laid out
    # the same stay (their ids with them), the others go.
    existing = {
        (slot.start, slot.end): slot
        for slot in Slot.objects.filter(
            mentor_id=mentor_id,
            source=Slot.Source.RULE,
            status=Slot.Status.FREE,
            start__gte=now,
        )
    }
    zone = availability.zone
    first = now.astimezone(zone).date()
    last = first + timedelta(weeks=availability.window_weeks)
    exceptions = availability.exceptions.filter(
        date__gte=first, date__lte=last
    ).values_list("date", "kind", "start", "end")
    laid_out = candidate_slots(
        windows(
            first=first,
            last=last,
            rules=availability.rules.values_list("weekday", "start", "end"),
            exceptions=exceptions,
        ),
        zone=zone,
        length=timedelta(minutes=availability.session_minutes),
        buffer=timedelta(minutes=availability.buffer_minutes),
        not_before=now + timedelta(hours=availability.min_notice_hours),
    )
    reconsidered = [slot.pk for slot in existing.values()]
    day_counts, week_counts = _counts(
        availability, now - timedelta(days=7), excluding=reconsidered
    )
    busy = [
        (b.lower, b.upper)
        for b in BusyTime.objects.filter(
            person_id=mentor_id,
            period__overlap=DateTimeTZRange(now, now + timedelta(days=400)),
        )
        .exclude(slot_id__in=reconsidered)
        .values_list("period", flat=True)
    ]
    chosen = choose(
        laid_out,
        buffer=timedelta(minutes=availability.buffer_minutes),
        busy=busy,
        day_counts=day_counts,
        week_counts=week_counts,
        max_per_day=availability.max_per_day,
        max_per_week=availability.max_per_week,
    )
    wanted = {(c.start, c.end) for c in chosen}
    Slot.objects.filter(
        pk__in=[slot.pk for key, slot in existing.items() if key not in wanted]
    ).delete()
    made = _insert(
        availability,
        [c for c in chosen if (c.start, c.end) not in existing],
        Slot.Source.RULE,
    )
    slot_summary_refresh(mentor_profile_id=mentor_profile_id, now=now)
    return len(made)


@transaction.atomic
def slot_create(
    *,
    mentor_profile_id: int,
    start: datetime,
    capacity: int = 1,
    now: datetime | None = None,
) -> Slot:
    """A slot added by hand (``capacity`` > 1: an open workshop), of the
    availability's session length. Raises ``Conflict`` when it overlaps the
    mentor's busy time or passes a maximum. Locks the availability row."""
    availability = _locked(mentor_profile_id)
    now = now or timezone.now()
    if start < now + timedelta(hours=availability.min_notice_hours):
        raise Conflict(_("This time is too soon: leave people time to book."))
    local_day = start.astimezone(availability.zone).date()
    length = timedelta(minutes=availability.session_minutes)
    day_counts, week_counts = _counts(availability, now - timedelta(days=7))
    candidate = Candidate(
        start.astimezone(UTC), start.astimezone(UTC) + length, local_day
    )
    if not choose(
        [candidate],
        buffer=timedelta(minutes=availability.buffer_minutes),
        busy=[],
        day_counts=day_counts,
        week_counts=week_counts,
        max_per_day=availability.max_per_day,
        max_per_week=availability.max_per_week,
    ):
        raise Conflict(
            _("You already offer as many sessions as you chose that day or week.")
        )
    made = _insert(availability, [candidate], Slot.Source.MANUAL, capacity=capacity)
    if not made:
        raise Conflict(_("You are already busy at that time."))
    slot_summary_refresh(mentor_profile_id=mentor_profile_id, now=now)
    return made[0]


def _bitmap(availability: Availability, now: datetime) -> bytes:
    """The matching bitmap of the weekly rules and exceptions of the next 7
    days (``sessions.slots.week_bitmap``)."""
    zone = availability.zone
    first = now.astimezone(zone).date()
    exceptions = availability.exceptions.filter(
        date__gte=first, date__lte=first + timedelta(days=6)
    ).values_list("date", "kind", "start", "end")
    return week_bitmap(
        windows(
            first=first,
            last=first + timedelta(days=6),
            rules=availability.rules.values_list("weekday", "start", "end"),
            exceptions=exceptions,
        ),
        zone,
    )


def slot_summary_refresh(
    *, mentor_profile_id: int, now: datetime | None = None
) -> None:
    """Push the mentor's free-slot figures down to their profile (the typed
    setter; never moves the mentor-data version). In the caller's transaction."""
    now = now or timezone.now()
    availability = Availability.objects.filter(
        mentor_profile_id=mentor_profile_id
    ).first()
    if availability is None:
        return
    free = Slot.objects.filter(
        mentor_id=availability.mentor_profile.user_id,
        status=Slot.Status.FREE,
        start__gte=now,
    )
    starts = list(
        free.filter(start__lt=now + timedelta(days=28)).values_list("start", flat=True)
    )
    within = [
        sum(1 for s in starts if s < now + timedelta(days=d)) for d in (7, 14, 28)
    ]
    mentor_profile_set_slot_summary(
        mentor_profile_id=mentor_profile_id,
        next_free_slot_at=free.order_by("start")
        .values_list("start", flat=True)
        .first(),
        free_slots=(within[0], within[1], within[2]),
        availability_bitmap=_bitmap(availability, now),
    )


def slots_extend_all(*, now: datetime | None = None) -> int:
    """Regenerate every mentor's slots (one transaction each, so one mentor's
    lock is held briefly and a failure stops nobody else's); how many ran."""
    done = 0
    for mentor_profile_id in Availability.objects.values_list(
        "mentor_profile_id", flat=True
    ).iterator():
        slots_regenerate(mentor_profile_id=mentor_profile_id, now=now)
        done += 1
    return done


def slot_summaries_refresh_all(*, now: datetime | None = None) -> int:
    """Recompute every mentor's slot summary (each in its own transaction)."""
    done = 0
    for mentor_profile_id in Availability.objects.values_list(
        "mentor_profile_id", flat=True
    ).iterator():
        with transaction.atomic():
            slot_summary_refresh(mentor_profile_id=mentor_profile_id, now=now)
        done += 1
    return done


Rule = tuple[int, time, time]
Exception_ = tuple[date, str, time | None, time | None]

SETTINGS_FIELDS = (
    "time_zone",
    "session_minutes",
    "buffer_minutes",
    "min_notice_hours",
    "window_weeks",
    "max_per_day",
    "max_per_week",
    "modes",
)


@transaction.atomic
def availability_update(
    *,
    mentor_profile: MentorProfile,
    settings: dict[str, Any],
    rules: list[Rule],
    exceptions: list[Exception_],
    now: datetime | None = None,
) -> Availability:
    """Replace a mentor's settings, weekly rules and exceptions, then lay the
    free slots out again (booked slots and slots added by hand stay).

    Raises ``ValidationError`` on bad input (nothing is written then): unknown
    zone, a length not offered, a rule ending before it starts, overlapping
    rules on one day, a way to meet the profile does not offer. Locks the
    availability row (created on the first save).
    """
    now = now or timezone.now()
    availability_get_or_create(mentor_profile=mentor_profile)
    availability = _locked(mentor_profile.pk)
    for name in SETTINGS_FIELDS:
        if name in settings:
            setattr(availability, name, settings[name])
    unknown = sorted(set(availability.modes) - set(mentor_profile.modes))
    if unknown:
        raise ValidationError(
            {"modes": _("Your profile does not offer this way to meet.")}
        )
    availability.updated_at = now
    availability.full_clean(exclude=["mentor_profile"])
    by_day: dict[int, list[tuple[time, time]]] = {}
    built_rules = []
    for weekday, start, end in rules:
        rule = WeeklyRule(
            availability=availability, weekday=weekday, start=start, end=end
        )
        if end <= start:
            raise ValidationError({"rules": _("An end must come after its start.")})
        rule.full_clean(exclude=["availability"])
        by_day.setdefault(weekday, []).append((start, end))
        built_rules.append(rule)
    for spans in by_day.values():
        spans.sort()
        if any(
            a_end > b_start for (_a, a_end), (b_start, _b) in itertools.pairwise(spans)
        ):
            raise ValidationError(
                {"rules": _("Two time ranges overlap on the same day.")}
            )
    built_exceptions = []
    for day, kind, opens, closes in exceptions:
        exception = DateException(
            availability=availability, date=day, kind=kind, start=opens, end=closes
        )
        if kind == DateException.Kind.EXTRA and (
            not opens or not closes or closes <= opens
        ):
            raise ValidationError(
                {"exceptions": _("Extra hours need a start and a later end.")}
            )
        exception.full_clean(exclude=["availability"])
        built_exceptions.append(exception)
    availability.save()
    availability.rules.all().delete()
    WeeklyRule.objects.bulk_create(built_rules)
    availability.exceptions.all().delete()
    DateException.objects.bulk_create(built_exceptions)
    slots_regenerate(mentor_profile_id=mentor_profile.pk, now=now)
    return availability


@transaction.atomic
def slot_delete(*, mentor: Any, slot_id: int, now: datetime | None = None) -> None:
    """The mentor takes back one of their free slots. Another person's slot is
    ``Slot.DoesNotExist``; a booked or past one is a ``Conflict``."""
    slot = (
        Slot.objects.select_for_update()
        .filter(pk=slot_id, mentor_id=getattr(mentor, "pk", None))
        .first()
    )
    if slot is None:
        raise Slot.DoesNotExist(slot_id)
    if slot.status != Slot.Status.FREE:
        raise Conflict(_("This slot is booked: cancel the session instead."))
    slot.delete()
    profile_id = (
        MentorProfile.objects.filter(user_id=slot.mentor_id)
        .values_list("pk", flat=True)
        .first()
    )
    if profile_id is not None:
        slot_summary_refresh(mentor_profile_id=profile_id, now=now)
