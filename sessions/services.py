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
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Case, Count, F, Min, Q, QuerySet, Value, When
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import hash_token
from core.errors import Conflict, violated_constraint
from core.notifications import notify
from matching.models import Mentorship, MentorshipSkill
from mentors.choices import Mode
from mentors.models import Block, MentorProfile
from mentors.services import (
    mentor_profile_set_late_cancellations,
    mentor_profile_set_slot_summaries,
)

from .feed import feed_seed, feed_token
from .invitations import (
    CANCEL,
    REQUEST,
    RESCHEDULE_DECLINED_KIND,
    RESCHEDULE_REQUESTED_KIND,
    booking_invitations_send,
    reschedule_context,
)
from .meeting import meeting_url_choose, phone_checked
from .models import (
    CANCEL_NOTE_MAX,
    DISCOVERY_MAX_MINUTES,
    MANUAL_LENGTHS,
    MAX_SKILLS_PER_BOOKING,
    PERSON_REASONS,
    RELATIONSHIP_CHANGED,
    Availability,
    Booking,
    BookingKey,
    BusyTime,
    CalendarFeed,
    CancelReason,
    DateException,
    RescheduleRequest,
    Slot,
    Venue,
    WeeklyRule,
    validate_meeting_link,
    validate_public_place,
)
from .selectors import availability_default_modes
from .slots import (
    Candidate,
    candidate_slots,
    choose,
    iso_week,
    week_bitmap,
    windows,
)
from .waitlist import waitlist_slots_freed

Rule = tuple[int, time, time]
Exception_ = tuple[date, str, time | None, time | None]

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


def _offer(availability: Availability) -> dict[str, Any]:
    """What a slot laid out from the rules offers: the availability's ways to
    meet, and its public place when in person is one of them."""
    in_person = Mode.IN_PERSON in availability.modes
    return {
        "modes": list(availability.modes),
        "venue_id": availability.venue_id if in_person else None,
        "place": availability.place if in_person else "",
    }


def _insert(
    availability: Availability,
    chosen: list[Candidate],
    source: str,
    *,
    capacity: int = 1,
    offer: dict[str, Any] | None = None,
) -> list[Slot]:
    """Write the slots and their busy times; drop any slot whose busy time lost
    to one written meanwhile (the exclusion constraint decides)."""
    if not chosen:
        return []
    mentor_id = availability.mentor_profile.user_id
    buffer = timedelta(minutes=availability.buffer_minutes)
    offer = offer or _offer(availability)
    slots = Slot.objects.bulk_create(
        Slot(
            mentor_id=mentor_id,
            start=c.start,
            end=c.end,
            buffer_minutes=availability.buffer_minutes,
            capacity=capacity,
            source=source,
            **offer,
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
    # the same (times and break) stay, their ids with them, the others go.
    existing = {
        (slot.start, slot.end, slot.buffer_minutes): slot
        # Locked: a slot booked meanwhile is left out, whatever the snapshot.
        for slot in Slot.objects.select_for_update()
        .filter(
            mentor_id=mentor_id,
            source=Slot.Source.RULE,
            status=Slot.Status.FREE,
            seats_taken=0,
            start__gte=now,
        )
        .order_by("pk")
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
    wanted = {(c.start, c.end, availability.buffer_minutes) for c in chosen}
    Slot.objects.filter(
        pk__in=[slot.pk for key, slot in existing.items() if key not in wanted]
    ).delete()
    # Those kept offer what the availability offers now (ways to meet, place).
    offer = _offer(availability)
    Slot.objects.filter(
        pk__in=[slot.pk for key, slot in existing.items() if key in wanted]
    ).exclude(**offer).update(**offer)
    made = _insert(
        availability,
        [
            c
            for c in chosen
            if (c.start, c.end, availability.buffer_minutes) not in existing
        ],
        Slot.Source.RULE,
        offer=offer,
    )
    slot_summary_refresh(mentor_profile_id=mentor_profile_id, now=now)
    waitlist_slots_freed(slot_ids=[slot.pk for slot in made], now=now)
    return len(made)


def _place_checked(
    *,
    modes: list[str],
    venue_id: int | None,
    place: str,
    kept_venue_id: int | None = None,
) -> dict[str, Any]:
    """A public place for meeting in person: a partner venue still offered (or
    the one already chosen, even if staff stopped offering it since), or a
    public place written out, not both; required when in person is offered."""
    place = " ".join(place.split())
    if venue_id is not None and place:
        raise ValidationError(
            {"place": _("Choose a partner venue or write a place, not both.")}
        )
    if venue_id is not None:
        if (
            venue_id != kept_venue_id
            and not Venue.objects.filter(pk=venue_id, is_active=True).exists()
        ):
            raise ValidationError({"venue": _("This venue is no longer offered.")})
    elif place:
        try:
            validate_public_place(place)
        except ValidationError as exc:
            raise ValidationError({"place": exc.messages}) from exc
    elif Mode.IN_PERSON in modes:
        raise ValidationError(
            {
                "place": _(
                    "In person, say where: choose a partner venue or write a "
                    "public place."
                )
            }
        )
    return {"venue_id": venue_id, "place": place}


@transaction.atomic
def slot_create(
    *,
    mentor_profile_id: int,
    start: datetime,
    capacity: int = 1,
    minutes: int | None = None,
    modes: list[str] | None = None,
    venue_id: int | None = None,
    place: str = "",
    title: str = "",
    now: datetime | None = None,
) -> Slot:
    """A slot added by hand: one session, or an open workshop (``capacity`` >
    1, with a title). By default it lasts a session and offers what the weekly
    slots offer (ways to meet, place).

    Raises ``ValidationError`` on bad input (a length not offered, a way to
    meet the profile does not offer, in person without a public place, a
    workshop without a title) and ``Conflict`` when it is too soon, overlaps
    the mentor's busy time or passes a maximum. Locks the availability row.
    """
    availability = _locked(mentor_profile_id)
    now = now or timezone.now()
    minutes = minutes or availability.session_minutes
    if minutes not in MANUAL_LENGTHS:
        raise ValidationError({"minutes": _("Choose a length from the list.")})
    title = " ".join(title.split())
    if capacity > 1 and not title:
        raise ValidationError(
            {"title": _("Give the workshop a title: people choose it by its topic.")}
        )
    profile_modes = availability.mentor_profile.modes
    if modes is None:
        offer = _offer(availability)
    else:
        if not modes:
            raise ValidationError({"modes": _("Choose at least one way to meet.")})
        if set(modes) - set(profile_modes):
            raise ValidationError(
                {"modes": _("Your profile does not offer this way to meet.")}
            )
        if venue_id is None and not place.strip():
            venue_id, place = availability.venue_id, availability.place
        placed = _place_checked(
            modes=modes,
            venue_id=venue_id,
            place=place,
            kept_venue_id=availability.venue_id,
        )
        in_person = Mode.IN_PERSON in modes
        offer = {
            "modes": list(dict.fromkeys(modes)),
            "venue_id": placed["venue_id"] if in_person else None,
            "place": placed["place"] if in_person else "",
        }
    if not offer["modes"]:
        raise ValidationError({"modes": _("Choose at least one way to meet.")})
    if start < now + timedelta(hours=availability.min_notice_hours):
        raise Conflict(_("This time is too soon: leave people time to book."))
    local_day = start.astimezone(availability.zone).date()
    length = timedelta(minutes=minutes)
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
    made = _insert(
        availability,
        [candidate],
        Slot.Source.MANUAL,
        capacity=capacity,
        offer={**offer, "title": title},
    )
    if not made:
        raise Conflict(_("You are already busy at that time."))
    slot_summary_refresh(mentor_profile_id=mentor_profile_id, now=now)
    waitlist_slots_freed(slot_ids=[made[0].pk], now=now)
    return made[0]


def slot_summary_refresh(
    *, mentor_profile_id: int, now: datetime | None = None
) -> None:
    """Push the mentor's free-slot figures down to their profile (the typed
    setter; never moves the mentor-data version). In the caller's transaction,
    which holds the availability's lock."""
    availability_id = (
        Availability.objects.filter(mentor_profile_id=mentor_profile_id)
        .values_list("pk", flat=True)
        .first()
    )
    if availability_id is not None:
        _summaries_refresh([availability_id], now or timezone.now())


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


def slot_summaries_refresh_all(
    *, now: datetime | None = None, batch_size: int = 500
) -> int:
    """Recompute every mentor's slot summary as time passes: per batch of
    mentors, one transaction, four reads and one UPDATE
    (``mentor_profile_set_slot_summaries``). A mentor whose availability is
    locked is being changed right now and skipped: that change writes their
    summary itself. Returns how many were recomputed."""
    now = now or timezone.now()
    ids = list(
        Availability.objects.order_by("pk").values_list("pk", flat=True).iterator()
    )
    done = 0
    for first in range(0, len(ids), batch_size):
        with transaction.atomic():
            done += _summaries_refresh(ids[first : first + batch_size], now)
    return done


def _summaries_refresh(availability_ids: list[int], now: datetime) -> int:
    availabilities = list(
        Availability.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(pk__in=availability_ids)
        .select_related("mentor_profile")
        .only("pk", "time_zone", "mentor_profile__id", "mentor_profile__user_id")
        .order_by("pk")
    )
    if not availabilities:
        return 0
    ids = [a.pk for a in availabilities]
    rules: dict[int, list[Rule]] = {}
    for availability_id, *rule in WeeklyRule.objects.filter(
        availability_id__in=ids
    ).values_list("availability_id", "weekday", "start", "end"):
        rules.setdefault(availability_id, []).append(tuple(rule))  # type: ignore[arg-type]
    exceptions: dict[int, list[Exception_]] = {}
    for availability_id, *exception in DateException.objects.filter(
        availability_id__in=ids,
        date__gte=now.date() - timedelta(days=1),
        date__lte=now.date() + timedelta(days=8),
    ).values_list("availability_id", "date", "kind", "start", "end"):
        exceptions.setdefault(availability_id, []).append(tuple(exception))  # type: ignore[arg-type]
    counts: dict[int, Any] = {
        row["mentor_id"]: row
        for row in Slot.objects.filter(
            mentor_id__in=[a.mentor_profile.user_id for a in availabilities],
            status=Slot.Status.FREE,
            start__gte=now,
        )
        .values("mentor_id")
        .annotate(
            next_at=Min("start"),
            d7=Count("pk", filter=Q(start__lt=now + timedelta(days=7))),
            d14=Count("pk", filter=Q(start__lt=now + timedelta(days=14))),
            d28=Count("pk", filter=Q(start__lt=now + timedelta(days=28))),
        )
    }
    summaries = []
    for availability in availabilities:
        zone = availability.zone
        first = now.astimezone(zone).date()
        row = counts.get(availability.mentor_profile.user_id, {})
        summaries.append(
            (
                availability.mentor_profile.pk,
                row.get("next_at"),
                (row.get("d7", 0), row.get("d14", 0), row.get("d28", 0)),
                week_bitmap(
                    windows(
                        first=first,
                        last=first + timedelta(days=6),
                        rules=rules.get(availability.pk, []),
                        exceptions=exceptions.get(availability.pk, []),
                    ),
                    zone,
                ),
            )
        )
    mentor_profile_set_slot_summaries(summaries=summaries)
    return len(summaries)


SETTINGS_FIELDS = (
    "time_zone",
    "session_minutes",
    "buffer_minutes",
    "min_notice_hours",
    "window_weeks",
    "max_per_day",
    "max_per_week",
    "modes",
    "venue_id",
    "place",
    "commitment_hours",
    "commitment_period",
    "meeting_link",
    "discovery_enabled",
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
    kept_venue_id = availability.venue_id
    for name in SETTINGS_FIELDS:
        if name in settings:
            setattr(availability, name, settings[name])
    unknown = sorted(set(availability.modes) - set(mentor_profile.modes))
    if unknown:
        raise ValidationError(
            {"modes": _("Your profile does not offer this way to meet.")}
        )
    placed = _place_checked(
        modes=availability.modes,
        venue_id=availability.venue_id,
        place=availability.place,
        kept_venue_id=kept_venue_id,
    )
    availability.venue_id, availability.place = placed["venue_id"], placed["place"]
    if (availability.commitment_hours is None) != (not availability.commitment_period):
        raise ValidationError(
            {
                "commitment_hours": _(
                    "Give the number of hours and say whether it is per week or "
                    "per month."
                )
            }
        )
    try:
        validate_meeting_link(availability.meeting_link)
    except ValidationError as exc:
        raise ValidationError({"meeting_link": exc.messages}) from exc
    availability.updated_at = now
    availability.full_clean(exclude=["mentor_profile", "place"])
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
    ``Slot.DoesNotExist``; a booked or past one is a ``Conflict``. Locks the
    availability row, then the slot."""
    now = now or timezone.now()
    mentor_id = getattr(mentor, "pk", None)
    if mentor_id is None:
        raise Slot.DoesNotExist(slot_id)
    profile_id = (
        MentorProfile.objects.filter(user_id=mentor_id)
        .values_list("pk", flat=True)
        .first()
    )
    if profile_id is None:
        raise Slot.DoesNotExist(slot_id)
    list(  # the lock; no availability yet means no slot to lose either
        Availability.objects.select_for_update()
        .filter(mentor_profile_id=profile_id)
        .values_list("pk", flat=True)
    )
    slot = (
        Slot.objects.select_for_update().filter(pk=slot_id, mentor_id=mentor_id).first()
    )
    if slot is None:
        raise Slot.DoesNotExist(slot_id)
    if slot.status != Slot.Status.FREE or slot.seats_taken:
        raise Conflict(_("This slot is booked: cancel the session instead."))
    if slot.start < now:
        raise Conflict(_("This time has passed."))
    slot.delete()
    slot_summary_refresh(mentor_profile_id=profile_id, now=now)


# --- bookings --------------------------------------------------------------------


@transaction.atomic
def booking_create(
    *,
    learner: Any,
    slot_id: int,
    mode: str,
    skill_ids: list[int] | tuple[int, ...] = (),
    agenda: str = "",
    phone: str = "",
    now: datetime | None = None,
) -> Booking:
    """The learner books a seat in a mentor's free slot.

    What it is follows from the slot and the two people: a seat in an open
    workshop (capacity > 1, anyone the mentor has not blocked), a session of
    their active mentorship (with up to three of its skills), or else a
    discovery session (if the mentor offers them: 30 minutes at most, once per
    learner and mentor).

    Locks the slot row: people booking the same slot take turns, and only the
    seats there are get taken. The learner's busy time is written in the same
    transaction: the exclusion constraint refuses a booking that overlaps
    anything else the person holds, in either role. Raises ``Conflict`` (the
    slot was just taken, the person is busy, a rule forbids it),
    ``ValidationError`` (a way to meet or a skill not offered) or
    ``Slot.DoesNotExist`` (no such slot, or one the learner may not see).

    Where to meet is fixed now (``sessions.meeting``): the video link, or the
    learner's ``phone`` for a phone session. Both people are sent the
    calendar invitation (REQUEST) through the outbox.
    """
    now = now or timezone.now()
    learner_id = getattr(learner, "pk", None)
    slot = (
        Slot.objects.select_for_update(of=("self",))
        .select_related("mentor")
        .filter(pk=slot_id)
        .first()
    )
    if slot is None or learner_id is None:
        raise Slot.DoesNotExist(slot_id)
    profile = (
        MentorProfile.objects.public()
        .filter(user_id=slot.mentor_id)
        .select_related("availability")
        .first()
    )
    if (
        profile is None
        or slot.mentor_id == learner_id
        or Block.objects.between(learner_id, slot.mentor_id).exists()
    ):
        raise Slot.DoesNotExist(slot_id)
    if profile.is_paused:
        raise Conflict(_("This mentor is not taking new sessions for now."))
    if slot.status != Slot.Status.FREE or slot.seats_taken >= slot.capacity:
        raise Conflict(_("This slot was just taken. Please choose another one."))
    if slot.start <= now:
        raise Conflict(_("This time has passed."))
    if mode not in slot.modes:
        raise ValidationError({"mode": _("This slot does not offer this way to meet.")})
    phone = phone_checked(mode=mode, phone=phone)
    agenda = agenda.strip()
    mentorship = (
        Mentorship.objects.active()
        .filter(learner_id=learner_id, mentor_id=slot.mentor_id)
        .first()
    )
    end = slot.end
    if slot.capacity > 1:
        kind = Booking.Kind.WORKSHOP
    elif mentorship is not None:
        kind = Booking.Kind.MENTORSHIP
    else:
        availability = getattr(profile, "availability", None)
        if availability is None or not availability.discovery_enabled:
            raise Conflict(
                _(
                    "To book a session, first ask this mentor to work with you "
                    "(send a request)."
                )
            )
        kind = Booking.Kind.DISCOVERY
        end = min(slot.end, slot.start + timedelta(minutes=DISCOVERY_MAX_MINUTES))
    skills: list[MentorshipSkill] = []
    if skill_ids:
        if kind != Booking.Kind.MENTORSHIP:
            raise ValidationError(
                {"skills": _("Skills are chosen for a session of a mentorship.")}
            )
        if len(set(skill_ids)) > MAX_SKILLS_PER_BOOKING:
            raise ValidationError({"skills": _("Choose three skills at most.")})
        skills = list(
            MentorshipSkill.objects.filter(mentorship=mentorship, pk__in=skill_ids)
        )
        if len(skills) != len(set(skill_ids)):
            raise ValidationError(
                {"skills": _("Choose skills of your mentorship with this mentor.")}
            )
    booking = Booking(
        slot=slot,
        learner_id=learner_id,
        mentor_id=slot.mentor_id,
        mentorship=mentorship if kind == Booking.Kind.MENTORSHIP else None,
        kind=kind,
        start=slot.start,
        end=end,
        mode=mode,
        meeting_url=meeting_url_choose(
            mode=mode, slot=slot, availability=getattr(profile, "availability", None)
        ),
        phone=phone,
        agenda=agenda,
        created_at=now,
    )
    try:
        with transaction.atomic():
            booking.save()
            BusyTime.objects.create(
                person_id=learner_id,
                period=DateTimeTZRange(booking.start, booking.end, "[)"),
                booking=booking,
            )
    except IntegrityError as exc:
        name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "")
        if name == "sessions_busy_no_overlap":
            raise Conflict(
                _("You already have something planned at that time.")
            ) from exc
        if name == "sessions_booking_one_seat_each":
            raise Conflict(_("You have already booked this time.")) from exc
        if name == "sessions_booking_one_discovery":
            raise Conflict(
                _("You have already had a discovery session with this mentor.")
            ) from exc
        raise
    if skills:
        booking.skills.set(skills)
    slot.seats_taken += 1
    if slot.seats_taken >= slot.capacity:
        slot.status = Slot.Status.BOOKED
    slot.save(update_fields=["seats_taken", "status"])
    slot_summary_refresh(mentor_profile_id=profile.pk, now=now)
    booking_invitations_send(booking=booking, method=REQUEST)
    return booking


KEY_LIFETIME = timedelta(hours=24)


class KeyReused(Exception):
    """The same ``Idempotency-Key`` came with another request body."""


def booking_create_once(
    *,
    learner: Any,
    key: str,
    body_sha256: str,
    now: datetime | None = None,
    **asked: Any,
) -> tuple[Booking, bool]:
    """``booking_create`` under an idempotency key: the booking, and whether
    it was made now (False: the same request came before, here is its
    booking). The key is written first, in the booking's transaction: a
    duplicate sent at the same time waits on its unique index, then finds the
    first one's booking; a refused booking leaves no key. Raises ``KeyReused``
    when the key came with another body within 24 hours."""
    now = now or timezone.now()
    for _attempt in range(3):
        stored = (
            BookingKey.objects.filter(
                caller_id=learner.pk, key=key, created_at__gte=now - KEY_LIFETIME
            )
            .select_related("booking")
            .first()
        )
        if stored is not None:
            if stored.body_sha256 != body_sha256 or stored.booking is None:
                raise KeyReused(key)
            return stored.booking, False
        try:
            with transaction.atomic():
                BookingKey.objects.filter(
                    caller_id=learner.pk, key=key, created_at__lt=now - KEY_LIFETIME
                ).delete()
                row = BookingKey.objects.create(
                    caller_id=learner.pk, key=key, body_sha256=body_sha256
                )
                booking = booking_create(learner=learner, now=now, **asked)
                row.booking = booking
                row.save(update_fields=["booking"])
                return booking, True
        except IntegrityError as exc:
            name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "")
            if name != "sessions_booking_key_unique":
                raise
    raise Conflict(_("This request is being handled. Try again in a moment."))


def booking_keys_forget(*, now: datetime | None = None) -> int:
    """Keys older than 24 hours go (a daily job)."""
    now = now or timezone.now()
    deleted, _rows = BookingKey.objects.filter(
        created_at__lt=now - KEY_LIFETIME
    ).delete()
    return deleted


# --- when the relationship changes -----------------------------------------------


def bookings_cancel_for_change(
    *,
    bookings: QuerySet[Booking],
    reason: str,
    now: datetime | None = None,
) -> list[Booking]:
    """Cancel the future confirmed bookings among ``bookings`` because the two
    people's relationship or an account changed (``reason``, one of
    ``RELATIONSHIP_CHANGED``): a mentorship ended, a block, an account turned
    off or erased, a mentor paused or hidden by staff.

    Precondition: inside the transaction of that change, so both happen or
    neither. Locks as ``_bookings_cancel`` does; ``cancelled_by`` stays empty:
    nobody cancelled late. The first people on the mentor's waiting list are
    told of the seats given back (``waitlist_slots_freed``: not when the mentor
    paused or is hidden). Returns the bookings cancelled, as they are now.
    """
    if reason not in RELATIONSHIP_CHANGED:
        raise ValueError(reason)
    return _bookings_cancel(bookings=bookings, reason=reason, now=now or timezone.now())


def _lock_slots(slot_ids: Iterable[int | None]) -> dict[int, Slot]:
    """Lock these slots in id order (the order every booking write takes
    them), and return them as they are once locked."""
    ids = sorted({pk for pk in slot_ids if pk})
    return {
        slot.pk: slot
        for slot in Slot.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
    }


def _seats_give_back(seats: Counter[int]) -> None:
    """Each slot gets ``seats[slot]`` seats back (a booked slot is free
    again). Precondition: the slots are locked."""
    for slot_id, count in seats.items():
        Slot.objects.filter(pk=slot_id).update(
            seats_taken=Greatest(F("seats_taken") - count, 0),
            status=Case(
                When(status=Slot.Status.BOOKED, then=Value(Slot.Status.FREE)),
                default=F("status"),
            ),
        )
    _slot_freed(sorted(seats))


def _slot_freed(slot_ids: list[int]) -> None:
    """Seats came back to these slots (a cancellation, a session moved away),
    in the caller's transaction, the slots locked.

    The one place where a freed time is announced: the first people on the
    mentor's waiting list for an earlier time are told
    (``waitlist_slots_freed``: not when the mentor paused or is hidden).
    """
    waitlist_slots_freed(slot_ids=slot_ids)


def _reschedule_requests_close(
    *, booking_ids: list[int], now: datetime, keep: int | None = None
) -> None:
    """The pending reschedule requests of these bookings are closed (the
    booking was cancelled or moved), but ``keep`` (the one being accepted)."""
    RescheduleRequest.objects.filter(
        booking_id__in=booking_ids, status=RescheduleRequest.Status.PENDING
    ).exclude(pk=keep or 0).update(
        status=RescheduleRequest.Status.EXPIRED, answered_at=now
    )


def _bookings_cancel(
    *,
    bookings: QuerySet[Booking],
    reason: str,
    now: datetime,
    by_id: int | None = None,
    note: str = "",
    late: bool = False,
) -> list[Booking]:
    """Cancel the future confirmed bookings among ``bookings``: the work of
    every cancellation (a change of relationship, a person).

    Precondition: in a transaction. Locks the bookings' slots (in id order, as
    booking takes them), then the bookings. Each seat goes back to its slot,
    the learner's busy time goes, pending reschedule requests close, the
    invitation's ``SEQUENCE`` moves on and both people get the
    ``METHOD:CANCEL`` invitation with the reason (a person whose account is
    off gets nothing); the mentors' slot summaries are refreshed.
    """
    future = bookings.filter(status=Booking.Status.CONFIRMED, start__gt=now)
    _lock_slots(future.values_list("slot_id", flat=True))
    ids = list(
        future.select_for_update(of=("self",))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return []
    BusyTime.objects.filter(booking_id__in=ids).delete()
    Booking.objects.filter(pk__in=ids).update(
        status=Booking.Status.CANCELLED,
        cancelled_at=now,
        cancelled_by_id=by_id,
        cancel_reason=reason,
        cancel_note=note,
        cancelled_late=late,
        sequence=F("sequence") + 1,
    )
    _reschedule_requests_close(booking_ids=ids, now=now)
    cancelled = list(
        Booking.objects.filter(pk__in=ids)
        .select_related("learner", "mentor", "slot__venue")
        .order_by("start", "pk")
    )
    for booking in cancelled:
        booking_invitations_send(booking=booking, method=CANCEL, reason=reason)
    _seats_give_back(
        Counter(booking.slot_id for booking in cancelled if booking.slot_id)
    )
    for profile_id in MentorProfile.objects.filter(
        user_id__in={booking.mentor_id for booking in cancelled if booking.mentor_id}
    ).values_list("pk", flat=True):
        slot_summary_refresh(mentor_profile_id=profile_id, now=now)
    return cancelled


def bookings_cancel_for_mentorship(*, mentorship: Mentorship) -> list[Booking]:
    """Connected to ``matching.mentorship_ended``: the mentorship's future
    sessions are cancelled."""
    return bookings_cancel_for_change(
        bookings=Booking.objects.filter(mentorship_id=mentorship.pk),
        reason=CancelReason.MENTORSHIP_ENDED,
    )


def bookings_cancel_for_block(*, blocker: Any, blocked: Any) -> list[Booking]:
    """Connected to ``mentors.block_created``: whatever the two still had
    booked together (a workshop seat, a discovery session) is cancelled; the
    mentorship's own sessions went when it ended."""
    pair = Q(learner=blocker, mentor=blocked) | Q(learner=blocked, mentor=blocker)
    return bookings_cancel_for_change(
        bookings=Booking.objects.filter(pair), reason=CancelReason.BLOCKED
    )


def bookings_cancel_for_account(*, user: Any, fields: frozenset[str]) -> list[Booking]:
    """Connected to ``accounts.user_changed``: an account turned off cancels
    its future bookings in both roles."""
    if "is_active" not in fields or user.is_active:
        return []
    return bookings_cancel_for_change(
        bookings=Booking.objects.filter(Q(learner=user) | Q(mentor=user)),
        reason=CancelReason.ACCOUNT_CLOSED,
    )


def bookings_cancel_for_paused_mentor(*, user_id: int) -> list[Booking]:
    """Connected to ``matching.mentor_paused``: a mentor taking a break takes
    no booking, and the future ones made with them are cancelled."""
    return bookings_cancel_for_change(
        bookings=Booking.objects.filter(mentor_id=user_id),
        reason=CancelReason.MENTOR_PAUSED,
    )


def bookings_cancel_for_hidden_mentor(*, user_id: int) -> list[Booking]:
    """Connected to ``mentors.mentor_hidden``: a mentor staff hid takes no
    booking, and the future ones made with them are cancelled."""
    return bookings_cancel_for_change(
        bookings=Booking.objects.filter(mentor_id=user_id),
        reason=CancelReason.MENTOR_HIDDEN,
    )


# --- calendar feed -------------------------------------------------------------

# A calendar app's reads are recorded at most this often (a GET that writes,
# allowed for it: tests/gates/page_checks.py).
FEED_READ_EVERY = timedelta(hours=1)


@transaction.atomic
def calendar_feed_create(*, person: Any) -> tuple[CalendarFeed, str]:
    """A new secret link to ``person``'s calendar feed, replacing the one they
    had (whose URL then answers 404). Returns the feed and its token. Takes the
    person's feed row (two at once: the last one wins, one row)."""
    seed = feed_seed()
    token = feed_token(seed)
    feed, _created = CalendarFeed.objects.update_or_create(
        person=person,
        defaults={
            "seed": seed,
            "token_hash": hash_token(token),
            "created_at": timezone.now(),
            "last_read_at": None,
        },
    )
    return feed, token


@transaction.atomic
def calendar_feed_delete(*, person: Any) -> bool:
    """Revoke ``person``'s calendar feed: its URL answers 404 from now on.
    Says whether there was one."""
    deleted, _rows = CalendarFeed.objects.filter(person=person).delete()
    return deleted > 0


def calendar_feed_read(*, feed: CalendarFeed, now: datetime) -> None:
    """Record that a calendar app read ``feed`` (its owner sees it works), at
    most once every ``FEED_READ_EVERY``."""
    if feed.last_read_at is None or now - feed.last_read_at >= FEED_READ_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=now)
        feed.last_read_at = now


# --- cancelled or moved by a person ----------------------------------------------
#
# Lock order, as everywhere a booking is written: the slots (old and new, in id
# order), then the booking, then its reschedule requests.


def booking_is_late(*, start: datetime, now: datetime) -> bool:
    """Whether ``now`` is inside the cut-off of a session starting at
    ``start``: less than ``BOOKING_LATE_CUTOFF_HOURS`` before it (exactly
    that many hours before is still in time)."""
    return start - now < timedelta(hours=settings.BOOKING_LATE_CUTOFF_HOURS)


def _booking_of(person: Any, booking_id: int) -> Booking:
    """One of the person's bookings, as learner or mentor; another person's
    is ``Booking.DoesNotExist``."""
    person_id = getattr(person, "pk", None)
    booking = (
        Booking.objects.filter(pk=booking_id)
        .filter(Q(learner_id=person_id) | Q(mentor_id=person_id))
        .first()
        if person_id is not None
        else None
    )
    if booking is None:
        raise Booking.DoesNotExist(booking_id)
    return booking


def _still_ahead(booking: Booking, now: datetime) -> None:
    if booking.status != Booking.Status.CONFIRMED:
        raise Conflict(_("This session is already cancelled."))
    if booking.start <= now:
        raise Conflict(_("This session has already started."))


@transaction.atomic
def booking_cancel(
    *,
    person: Any,
    booking_id: int,
    reason: str,
    note: str = "",
    now: datetime | None = None,
) -> Booking:
    """The learner or the mentor of a booking cancels it, any time before it
    starts, with a reason (``PERSON_REASONS``) and an optional short note for
    the other person.

    Inside the cut-off (``booking_is_late``) it is recorded as late, in the
    same write; a mentor's late cancellations count in their responsiveness
    (``late_cancellations_90d``), a learner's are for staff only. Locks as
    ``_bookings_cancel`` does. Raises ``Booking.DoesNotExist`` (not theirs),
    ``ValidationError`` (reason, note) or ``Conflict`` (cancelled already,
    started).
    """
    now = now or timezone.now()
    if reason not in PERSON_REASONS:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    note = note.strip()
    if len(note) > CANCEL_NOTE_MAX:
        raise ValidationError(
            {
                "note": _("Keep the note short: %(max)s characters at most.")
                % {"max": CANCEL_NOTE_MAX}
            }
        )
    booking = _booking_of(person, booking_id)
    _still_ahead(booking, now)
    late = booking_is_late(start=booking.start, now=now)
    cancelled = _bookings_cancel(
        bookings=Booking.objects.filter(pk=booking.pk),
        reason=reason,
        now=now,
        by_id=person.pk,
        note=note,
        late=late,
    )
    if not cancelled:  # cancelled or moved past meanwhile
        raise Conflict(_("This session is already cancelled."))
    if late and booking.mentor_id == person.pk:
        late_cancellations_refresh(mentor_ids=[person.pk], now=now)
    return cancelled[0]


LATE_COUNT_DAYS = 90


def late_cancellations_refresh(
    *, mentor_ids: Iterable[int] | None = None, now: datetime | None = None
) -> int:
    """Count each mentor's own late cancellations over the last 90 days and
    push the counts down to their profiles (the typed setter). ``mentor_ids``
    None: every mentor who has some, or had some counted (the daily job, as
    the 90 days slide). In the caller's transaction; how many were counted."""
    now = now or timezone.now()
    late = Booking.objects.filter(
        cancelled_late=True,
        cancelled_by_id=F("mentor_id"),
        cancelled_at__gte=now - timedelta(days=LATE_COUNT_DAYS),
    )
    if mentor_ids is None:
        ids = set(late.values_list("mentor_id", flat=True)) | set(
            MentorProfile.objects.filter(late_cancellations_90d__gt=0).values_list(
                "user_id", flat=True
            )
        )
    else:
        ids = set(mentor_ids)
    counts = dict.fromkeys(ids, 0)
    for mentor_id, count in (
        late.filter(mentor_id__in=ids)
        .values("mentor_id")
        .annotate(n=Count("pk"))
        .values_list("mentor_id", "n")
    ):
        counts[mentor_id] = count
    mentor_profile_set_late_cancellations(counts=counts)
    return len(counts)


def _target_slot(booking: Booking, slot_id: int) -> Slot:
    """The free time a booking may move to: another one-person time of the
    same mentor offering the way they meet (``ValidationError`` on the slot
    otherwise). A workshop seat does not move: cancel it and book another."""
    if booking.kind == Booking.Kind.WORKSHOP:
        raise Conflict(
            _("A workshop seat cannot move to another time: cancel it instead.")
        )
    slot = Slot.objects.filter(pk=slot_id, mentor_id=booking.mentor_id).first()
    if slot is None or slot.pk == booking.slot_id or slot.capacity != 1:
        raise ValidationError({"slot": _("Choose one of the free times shown.")})
    if booking.mode not in slot.modes:
        raise ValidationError(
            {"slot": _("This time does not offer the way you meet. Choose another.")}
        )
    return slot


def _free_now(slot: Slot, now: datetime) -> None:
    if slot.status != Slot.Status.FREE or slot.seats_taken >= slot.capacity:
        raise Conflict(_("This slot was just taken. Please choose another one."))
    if slot.start <= now:
        raise Conflict(_("This time has passed."))


def _booking_move(
    *,
    booking_id: int,
    slot_id: int,
    now: datetime,
    by_learner: bool,
    accepting: int | None = None,
) -> Booking:
    """Move a booking to another free time of its mentor: the new seat taken
    and the old one given back, the learner's busy time moved, the same
    booking (its UID) with the next SEQUENCE, METHOD:REQUEST to both.

    Precondition: in a transaction. Locks the two slots in id order, then the
    booking; the learner's exclusion constraint and the slot's seat count
    decide a race (one wins, the other gets ``Conflict`` and keeps their
    booking). Pending reschedule requests of the booking close, but
    ``accepting``.
    """
    booking = Booking.objects.get(pk=booking_id)
    target = _target_slot(booking, slot_id)
    slots = _lock_slots([booking.slot_id, target.pk])
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("learner", "mentor")
        .get(pk=booking_id)
    )
    _still_ahead(booking, now)
    if booking.slot_id is not None and booking.slot_id not in slots:
        raise Conflict(_("This session has just changed. Please look again."))
    slot = slots[target.pk]
    _free_now(slot, now)
    previous = booking.start
    old_slot_id = booking.slot_id
    end = slot.end
    if booking.kind == Booking.Kind.DISCOVERY:
        end = min(slot.end, slot.start + timedelta(minutes=DISCOVERY_MAX_MINUTES))
    booking.slot = slot
    booking.start = slot.start
    booking.end = end
    booking.sequence += 1
    try:
        with transaction.atomic():
            BusyTime.objects.filter(booking_id=booking.pk).update(
                period=DateTimeTZRange(booking.start, booking.end, "[)")
            )
            booking.save(update_fields=["slot", "start", "end", "sequence"])
    except IntegrityError as exc:
        if violated_constraint(exc) == "sessions_busy_no_overlap":
            raise Conflict(
                _("You already have something planned at that time.")
                if by_learner
                else _("The learner already has something planned at that time.")
            ) from exc
        raise
    slot.seats_taken += 1
    if slot.seats_taken >= slot.capacity:
        slot.status = Slot.Status.BOOKED
    slot.save(update_fields=["seats_taken", "status"])
    if old_slot_id is not None:
        _seats_give_back(Counter({old_slot_id: 1}))
    _reschedule_requests_close(booking_ids=[booking.pk], now=now, keep=accepting)
    profile_id = (
        MentorProfile.objects.filter(user_id=booking.mentor_id or 0)
        .values_list("pk", flat=True)
        .first()
    )
    if profile_id is not None:
        slot_summary_refresh(mentor_profile_id=profile_id, now=now)
    booking_invitations_send(booking=booking, method=REQUEST, previous_start=previous)
    return booking


@transaction.atomic
def booking_reschedule(
    *, person: Any, booking_id: int, slot_id: int, now: datetime | None = None
) -> Booking | RescheduleRequest:
    """The learner or the mentor of a booking moves it to another free time
    of the same mentor (``slot_id``).

    Outside the cut-off it moves now (``_booking_move``, one transaction):
    returns the booking. Inside it, the learner asks the mentor instead:
    returns the pending ``RescheduleRequest`` (the mentor is told). A mentor
    inside the cut-off may only cancel (a late move upsets the learner's plans
    as much as a cancellation). Raises ``Booking.DoesNotExist`` (not theirs),
    ``ValidationError`` (a time not offered) or ``Conflict``.
    """
    now = now or timezone.now()
    booking = _booking_of(person, booking_id)
    _still_ahead(booking, now)
    by_learner = booking.learner_id == person.pk
    if not booking_is_late(start=booking.start, now=now):
        return _booking_move(
            booking_id=booking.pk, slot_id=slot_id, now=now, by_learner=by_learner
        )
    if not by_learner:
        raise Conflict(
            _(
                "Less than %(hours)s hours before the session, you can no longer "
                "move it: cancel it if you must."
            )
            % {"hours": settings.BOOKING_LATE_CUTOFF_HOURS}
        )
    return _reschedule_request_create(booking=booking, slot_id=slot_id, now=now)


def _reschedule_request_create(
    *, booking: Booking, slot_id: int, now: datetime
) -> RescheduleRequest:
    """The learner asks, inside the cut-off, to move ``booking`` to a time
    free now (not held meanwhile); the mentor is told. One pending request per
    booking (``sessions_reschedule_one_pending``)."""
    slot = _target_slot(booking, slot_id)
    _free_now(slot, now)
    try:
        with transaction.atomic():
            request = RescheduleRequest.objects.create(
                booking=booking, slot=slot, start=slot.start, created_at=now
            )
    except IntegrityError as exc:
        if violated_constraint(exc) == "sessions_reschedule_one_pending":
            raise Conflict(
                _("You have already asked for another time for this session.")
            ) from exc
        raise
    if booking.mentor is not None and booking.mentor.is_active:
        notify(
            recipient=booking.mentor,
            kind=RESCHEDULE_REQUESTED_KIND,
            context=reschedule_context(request=request, recipient=booking.mentor),
            link=reverse("coaching_sessions:my-sessions"),
        )
    return request


def _request_for_mentor(mentor: Any, request_id: int) -> RescheduleRequest:
    request = (
        RescheduleRequest.objects.filter(
            pk=request_id, booking__mentor_id=getattr(mentor, "pk", None)
        )
        .select_related("booking")
        .first()
    )
    if request is None:
        raise RescheduleRequest.DoesNotExist(request_id)
    if request.status != RescheduleRequest.Status.PENDING:
        raise Conflict(_("This request has already been answered."))
    return request


def _claim(request: RescheduleRequest, status: str, now: datetime) -> None:
    """Answer a pending request by a conditional update: of two answers at
    once, one wins and the other is a ``Conflict``."""
    claimed = RescheduleRequest.objects.filter(
        pk=request.pk, status=RescheduleRequest.Status.PENDING
    ).update(status=status, answered_at=now)
    if not claimed:
        raise Conflict(_("This request has already been answered."))
    request.status = status
    request.answered_at = now


@transaction.atomic
def reschedule_request_accept(
    *, mentor: Any, request_id: int, now: datetime | None = None
) -> Booking:
    """The mentor accepts a learner's request: the booking moves to the
    proposed time with the rules of ``_booking_move`` (a time taken meanwhile
    is a ``Conflict``; the request then stays pending, to decline). Both get
    the new invitation. Another person's request is
    ``RescheduleRequest.DoesNotExist``."""
    now = now or timezone.now()
    request = _request_for_mentor(mentor, request_id)
    if request.slot_id is None:
        raise Conflict(_("This time is no longer offered. Decline the request."))
    booking = _booking_move(
        booking_id=request.booking_id,
        slot_id=request.slot_id,
        now=now,
        by_learner=False,
        accepting=request.pk,
    )
    _claim(request, RescheduleRequest.Status.ACCEPTED, now)
    return booking


@transaction.atomic
def reschedule_request_decline(
    *, mentor: Any, request_id: int, now: datetime | None = None
) -> RescheduleRequest:
    """The mentor declines a learner's request: the booking stays as it is;
    the learner is told. Another person's request is
    ``RescheduleRequest.DoesNotExist``."""
    now = now or timezone.now()
    request = _request_for_mentor(mentor, request_id)
    _claim(request, RescheduleRequest.Status.DECLINED, now)
    learner = (
        Booking.objects.filter(pk=request.booking_id)
        .select_related("learner", "mentor")
        .get()
        .learner
    )
    if learner is not None and learner.is_active:
        notify(
            recipient=learner,
            kind=RESCHEDULE_DECLINED_KIND,
            context=reschedule_context(request=request, recipient=learner),
            link=reverse("coaching_sessions:my-sessions"),
        )
    return request


def reschedule_requests_expire(*, now: datetime | None = None) -> int:
    """Pending requests whose session has started close unanswered (an
    hourly job); how many."""
    now = now or timezone.now()
    return RescheduleRequest.objects.filter(
        status=RescheduleRequest.Status.PENDING, booking__start__lte=now
    ).update(status=RescheduleRequest.Status.EXPIRED, answered_at=now)
