"""Personal data held by the scheduling app: a mentor's availability and slots,
and the bookings a person holds in either role."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from .models import (
    Attendance,
    Availability,
    Booking,
    CalendarFeed,
    CancelReason,
    RescheduleRequest,
    SessionNote,
    SessionRating,
    Slot,
    WaitlistEntry,
)
from .services import bookings_cancel_for_change, calendar_feed_delete


def export_availability(user: Any) -> dict[str, Any]:
    availability = (
        Availability.objects.filter(mentor_profile__user=user)
        .select_related("venue")
        .prefetch_related("rules", "exceptions")
        .first()
    )
    return {
        "availability": None
        if availability is None
        else {
            "time_zone": availability.time_zone,
            "session_minutes": availability.session_minutes,
            "buffer_minutes": availability.buffer_minutes,
            "min_notice_hours": availability.min_notice_hours,
            "window_weeks": availability.window_weeks,
            "max_per_day": availability.max_per_day,
            "max_per_week": availability.max_per_week,
            "modes": availability.modes,
            "venue": str(availability.venue) if availability.venue else None,
            "place": availability.place,
            "commitment_hours": availability.commitment_hours,
            "commitment_period": availability.commitment_period,
            "weekly_rules": [
                {"weekday": r.weekday, "start": r.start, "end": r.end}
                for r in availability.rules.all()
            ],
            "exceptions": [
                {"date": e.date, "kind": e.kind, "start": e.start, "end": e.end}
                for e in availability.exceptions.all()
            ],
        },
        "slots": list(
            Slot.objects.filter(mentor=user).values(
                "start",
                "end",
                "capacity",
                "title",
                "modes",
                "venue__name",
                "place",
                "status",
                "source",
            )
        ),
    }


def erase_availability(user: Any) -> None:
    """A mentor's availability and slots go with them (nobody else's words are
    in them; bookings of others, later, keep their own record)."""
    Slot.objects.filter(mentor=user).delete()
    Availability.objects.filter(mentor_profile__user=user).delete()


def export_bookings(user: Any) -> dict[str, Any]:
    """The person's bookings in both roles; what the learner wrote or gave
    (the agenda, the phone number) only in the learner's own export."""
    rows = []
    for booking in Booking.objects.filter(
        Q(learner=user) | Q(mentor=user)
    ).select_related("learner", "mentor"):
        as_learner = booking.learner_id == user.pk
        other = booking.mentor if as_learner else booking.learner
        rows.append(
            {
                "role": "learner" if as_learner else "mentor",
                "kind": booking.kind,
                "start": booking.start,
                "end": booking.end,
                "mode": booking.mode,
                "meeting_url": booking.meeting_url,
                "phone": booking.phone if as_learner else "",
                "status": booking.status,
                "with": other.full_name if other else "",
                "agenda": booking.agenda if as_learner else "",
                "created_at": booking.created_at,
                "cancelled_at": booking.cancelled_at,
                "cancel_reason": booking.cancel_reason,
                "cancelled_by_me": booking.cancelled_by_id == user.pk,
                # Written by one of the two, for the other: both may read it.
                "cancel_note": booking.cancel_note,
                # About the person who cancelled: in their own export only.
                "cancelled_late": booking.cancelled_late
                if booking.cancelled_by_id == user.pk
                else None,
            }
        )
    return {"bookings": rows}


def erase_bookings(user: Any) -> None:
    """Future bookings of the person, in either role, are cancelled (a learner's
    seat goes back to the slot, the other person is told); past ones stay for
    the other person's history with the erased person anonymised (their link
    goes with the account; the agenda and phone number a learner gave go now,
    and so does a mentor's own meeting link kept on their bookings)."""
    bookings_cancel_for_change(
        bookings=Booking.objects.filter(Q(learner=user) | Q(mentor=user)),
        reason=CancelReason.ACCOUNT_CLOSED,
    )
    Booking.objects.filter(learner=user).update(agenda="", phone="")
    Booking.objects.filter(mentor=user).update(meeting_url="")


def export_calendar_feed(user: Any) -> dict[str, Any]:
    """Whether the person has a calendar feed link, since when and when a
    calendar last read it; never the link itself (a credential)."""
    feed = CalendarFeed.objects.filter(person=user).first()
    return {
        "calendar_feed": None
        if feed is None
        else {"created_at": feed.created_at, "last_read_at": feed.last_read_at}
    }


def erase_calendar_feed(user: Any) -> None:
    """The feed link is revoked: its URL answers 404."""
    calendar_feed_delete(person=user)


def export_waitlist(user: Any) -> dict[str, Any]:
    """The waiting lists the person asked to be on (as a learner)."""
    return {
        "waitlist": [
            {
                "mentor": entry.mentor.full_name,
                "before": entry.before,
                "created_at": entry.created_at,
                "expires_at": entry.expires_at,
                "notified_at": entry.notified_at,
            }
            for entry in WaitlistEntry.objects.filter(learner=user)
            .select_related("mentor")
            .order_by("created_at", "pk")
        ]
    }


def erase_waitlist(user: Any) -> None:
    """The person's entries go, and those of people waiting for them as a
    mentor (nobody is told of an erased mentor's times)."""
    WaitlistEntry.objects.filter(Q(learner=user) | Q(mentor=user)).delete()


def _reschedule_requests_of(user: Any) -> Any:
    return RescheduleRequest.objects.filter(
        Q(booking__learner=user) | Q(booking__mentor=user)
    )


def export_reschedule_requests(user: Any) -> dict[str, Any]:
    """Requests to move a session, for both people of the booking."""
    return {
        "reschedule_requests": [
            {
                "role": "learner"
                if request.booking.learner_id == user.pk
                else "mentor",
                "session_start": request.booking.start,
                "proposed_start": request.start,
                "status": request.status,
                "created_at": request.created_at,
                "answered_at": request.answered_at,
            }
            for request in _reschedule_requests_of(user).select_related("booking")
        ]
    }


def erase_reschedule_requests(user: Any) -> None:
    """The person's pending requests, either side, are closed (their sessions
    are cancelled next); answered ones stay with the booking's history."""
    _reschedule_requests_of(user).filter(
        status=RescheduleRequest.Status.PENDING
    ).update(status=RescheduleRequest.Status.EXPIRED, answered_at=timezone.now())


def export_attendance(user: Any) -> dict[str, Any]:
    """The person's own answers to "did the session take place?", in either
    role, and what was settled; the other person's answer stays theirs, and
    a staff note on a decision is shown to staff only."""
    rows = []
    for attendance in Attendance.objects.filter(
        Q(booking__learner=user) | Q(booking__mentor=user)
    ).select_related("booking"):
        as_learner = attendance.booking.learner_id == user.pk
        rows.append(
            {
                "role": "learner" if as_learner else "mentor",
                "session_start": attendance.booking.start,
                "my_answer": attendance.learner_answer
                if as_learner
                else attendance.mentor_answer,
                "answered_at": attendance.learner_answered_at
                if as_learner
                else attendance.mentor_answered_at,
                "status": attendance.status,
                "settled_at": attendance.settled_at,
                "decided_by_staff": attendance.decided_at is not None,
            }
        )
    return {"attendance": rows}


def erase_attendance(user: Any) -> None:
    """Whether a past session took place stays: it is the record funders audit
    and the other person's hours. Nothing in it is the erased person's words;
    its link to them goes with the booking's (the account is deleted)."""


def export_session_notes(user: Any) -> dict[str, Any]:
    """Notes after sessions, for both people of the booking (the mentor wrote
    them for the learner). Ratings: the learner's own only, never in the
    mentor's export."""
    notes = SessionNote.objects.filter(
        Q(booking__learner=user) | Q(booking__mentor=user)
    ).select_related("booking")
    ratings = SessionRating.objects.filter(booking__learner=user).select_related(
        "booking"
    )
    return {
        "session_notes": [
            {
                "role": "learner" if note.booking.learner_id == user.pk else "mentor",
                "session_start": note.booking.start,
                "worked": note.worked,
                "achieved": note.achieved,
                "next_step": note.next_step,
                "written_at": note.written_at,
                "updated_at": note.updated_at,
            }
            for note in notes.order_by("booking__start", "pk")
        ],
        "session_ratings_given": [
            {
                "session_start": rating.booking.start,
                "stars": rating.stars,
                "comment": rating.comment,
                "created_at": rating.created_at,
            }
            for rating in ratings.order_by("booking__start", "pk")
        ],
    }


def erase_session_notes(user: Any) -> None:
    """The learner's rating comments go (their own words); the stars stay,
    anonymous with the booking, for staff's follow-up of the mentor. Notes
    stay for the other person's history (the mentor's words about the work
    done, the erased person's name already gone from the booking): a mentor
    who leaves does not take their learner's record away, nor the reverse."""
    SessionRating.objects.filter(booking__learner=user).update(comment="")
