"""After an attended session: the mentor's note for both people, the
learner's rating for staff, and what the mentor is recognised for (hours
given, people helped), recounted from attended sessions.

"Attended" is ``selectors.booking_attended_q`` only.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from mentors.models import MentorProfile
from mentors.services import mentor_profile_set_activity_summary

from .models import (
    NOTE_FIELD_MAX,
    RATING_COMMENT_MAX,
    Booking,
    SessionNote,
    SessionRating,
)
from .selectors import booking_attended_q

NOTE_FIELDS = ("worked", "achieved", "next_step")


def note_of(booking: Booking) -> SessionNote | None:
    """The booking's note, or None (read from ``select_related``)."""
    try:
        return booking.note
    except SessionNote.DoesNotExist:
        return None


def rating_of(booking: Booking) -> SessionRating | None:
    """The learner's rating of the booking, or None: for the learner's own
    pages and staff only, never for the mentor."""
    try:
        return booking.rating
    except SessionRating.DoesNotExist:
        return None


def _attended_booking(*, booking_id: int, person_field: str, person: Any) -> Booking:
    """The booking locked, when ``person`` holds it in the role
    ``person_field`` (else ``Booking.DoesNotExist``: the other person, or a
    stranger, finds nothing); ``Conflict`` when it is not attended (yet)."""
    person_id = getattr(person, "pk", None)
    booking = (
        Booking.objects.select_for_update()
        .filter(pk=booking_id, **{person_field: person_id})
        .first()
        if person_id is not None
        else None
    )
    if booking is None:
        raise Booking.DoesNotExist(booking_id)
    if not Booking.objects.filter(booking_attended_q(), pk=booking.pk).exists():
        raise Conflict(_("You can do this once the session has taken place."))
    return booking


@transaction.atomic
def session_note_save(
    *, mentor: Any, booking_id: int, worked: str, achieved: str, next_step: str
) -> SessionNote:
    """The mentor writes, or rewrites, the note of one of their attended
    sessions. Raises ``Booking.DoesNotExist`` (not their session as mentor),
    ``Conflict`` (not attended) or ``ValidationError`` (all empty, too long)."""
    values = {
        "worked": worked.strip(),
        "achieved": achieved.strip(),
        "next_step": next_step.strip(),
    }
    errors = {
        name: _("Keep it short: %(max)s characters at most.") % {"max": NOTE_FIELD_MAX}
        for name, value in values.items()
        if len(value) > NOTE_FIELD_MAX
    }
    if errors:
        raise ValidationError(errors)
    if not any(values.values()):
        raise ValidationError({"worked": _("Write at least one of the three lines.")})
    booking = _attended_booking(
        booking_id=booking_id, person_field="mentor_id", person=mentor
    )
    now = timezone.now()
    note, _made = SessionNote.objects.update_or_create(
        booking=booking,
        defaults={**values, "updated_at": now},
        create_defaults={**values, "written_at": now, "updated_at": now},
    )
    return note


@transaction.atomic
def session_rating_give(
    *, learner: Any, booking_id: int, stars: int, comment: str = ""
) -> SessionRating:
    """The learner rates one of their attended sessions, once, for staff.
    Raises ``Booking.DoesNotExist`` (not their session as learner),
    ``Conflict`` (not attended, rated already) or ``ValidationError``."""
    comment = comment.strip()
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise ValidationError({"stars": _("Choose from 1 to 5.")})
    if len(comment) > RATING_COMMENT_MAX:
        raise ValidationError(
            {
                "comment": _("Keep it short: %(max)s characters at most.")
                % {"max": RATING_COMMENT_MAX}
            }
        )
    booking = _attended_booking(
        booking_id=booking_id, person_field="learner_id", person=learner
    )
    rating, made = SessionRating.objects.get_or_create(
        booking=booking, defaults={"stars": stars, "comment": comment}
    )
    if not made:
        raise Conflict(_("You have already given your opinion on this session."))
    return rating


def activity_counts(
    *, mentor_id: int, now: datetime | None = None
) -> tuple[Decimal, int]:
    """Hours given (the attended sessions' lengths; a workshop counts once,
    however many came) and people helped (distinct learners) by a mentor."""
    attended = Booking.objects.filter(booking_attended_q(now=now), mentor_id=mentor_id)
    # A workshop's seats share one slot and one time: counted once.
    seconds = sum(
        (end - start).total_seconds()
        for _slot, start, end in attended.values_list("slot_id", "start", "end")
        .order_by()
        .distinct()
    )
    people = (
        attended.filter(learner_id__isnull=False)
        .values("learner_id")
        .order_by()
        .distinct()
        .count()
    )
    hours = (Decimal(int(seconds)) / Decimal(3600)).quantize(Decimal("0.01"))
    return hours, people


def activity_summary_refresh(
    *, mentor_id: int | None = None, now: datetime | None = None
) -> int:
    """Recount hours given and people helped from attended sessions and push
    them to the mentor's profile (``mentor_profile_set_activity_summary``),
    for one mentor, or (``mentor_id`` None, the daily job) for every mentor
    with a session or figures. Never incremented: a correction to attendance
    fixes the figures at the next count. How many profiles changed."""
    now = now or timezone.now()
    profiles = MentorProfile.objects.all()
    if mentor_id is not None:
        profiles = profiles.filter(user_id=mentor_id)
    else:
        profiles = profiles.filter(
            Q(user__bookings_as_mentor__isnull=False)
            | Q(hours_mentored__gt=0)
            | Q(people_helped__gt=0)
        ).distinct()
    changed = 0
    for profile_id, user_id, hours_was, people_was in profiles.values_list(
        "pk", "user_id", "hours_mentored", "people_helped"
    ):
        hours, people = activity_counts(mentor_id=user_id, now=now)
        if (hours, people) != (hours_was, people_was):
            mentor_profile_set_activity_summary(
                mentor_profile_id=profile_id, hours_mentored=hours, people_helped=people
            )
            changed += 1
    return changed
