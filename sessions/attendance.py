"""Whether a past session took place: both people are asked, the rule decides,
staff settle disagreements; hours per skill follow.

The rule (``_outcome``): both answers the same → that outcome (``happened`` is
attended); two different answers → disputed (a staff queue in the admin);
one answer only → pending. A mentor's answer the learner has not contested
within ``ATTENDANCE_CONTEST_DAYS`` of the session's end settles alone
(``attendances_settle``, hourly): "it took place" counts as attended, "the
learner did not come" as the learner's absence. A learner's answer alone never
settles (attended needs the mentor's word); it waits for the mentor, who is
reminded once. Once settled, people cannot change it (409): only staff can
(``attendance_decide``, logged in the admin history).

Lock order: the booking row, then its attendance row, then the mentorship's
skill rows (by pk). Two answers at the same moment take turns on the booking
row; the second sees the first. ``MentorshipSkill.minutes_attended`` is
recomputed from the attended bookings (full duration each) in the
transaction of every change of status, after the skill rows are locked, so
the new statement reads every commit before it.

A workshop seat is its own booking, so each attendee has their own
attendance. A workshop (or a discovery session) has no mentorship skills: its
hours stay on the booking (attended, its duration), never in a mentorship.

Asking (``attendance_questions_queue``, a beat scan): a row per ended
confirmed booking, inserted with ``ON CONFLICT DO NOTHING``, then claimed with
``UPDATE … SET asked_at WHERE asked_at IS NULL RETURNING``: two scans at once
ask once. The e-mail (through the outbox, in the scan's transaction) goes to
whoever has not answered, with a signed link (``attendance_link_url``) to a
page that needs no login; the reminder is claimed the same way on
``reminded_at``. The link records nothing when opened; the button's POST
records the answer; once that person has answered the link is spent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import Conflict
from core.notifications import notify
from core.staff_log import staff_action_log
from matching.models import MentorshipSkill

from .display import span_label
from .invitations import _summary
from .meeting import other_name
from .models import Attendance, AttendanceAnswer, Booking
from .notes import activity_summary_refresh

QUESTION_KIND = "sessions.attendance_question"
ABSENCES_KIND = "sessions.learner_absences"
LINK_SALT = "sessions.attendance.link"
# Ended this long ago at most: older sessions are not asked about (the scan
# does not dig up history when it is first switched on).
ASK_WINDOW = timedelta(days=14)
ABSENCES_IN_A_ROW = 2
SETTLED_BY_STAFF = ("attended", "learner_absent", "mentor_absent")

Status = Attendance.Status


def _outcome(attendance: Attendance) -> str:
    mentor, learner = attendance.mentor_answer, attendance.learner_answer
    if not mentor or not learner:
        return Status.PENDING
    if mentor != learner:
        return Status.DISPUTED
    return Status.ATTENDED if mentor == AttendanceAnswer.HAPPENED else mentor


# --- the signed link -------------------------------------------------------------


def attendance_link_token(*, booking_id: int, person_id: int) -> str:
    return signing.dumps({"b": booking_id, "p": person_id}, salt=LINK_SALT)


def attendance_link_url(*, booking_id: int, person_id: int) -> str:
    token = attendance_link_token(booking_id=booking_id, person_id=person_id)
    return settings.SITE_URL + reverse(
        "coaching_sessions:attendance-link", args=[token]
    )


def attendance_link_read(token: str) -> tuple[int, int]:
    """(booking id, person id) of a link; raises ``signing.BadSignature``
    (forged) or ``signing.SignatureExpired`` (older than
    ``ATTENDANCE_LINK_DAYS``)."""
    data = signing.loads(
        token,
        salt=LINK_SALT,
        max_age=timedelta(days=settings.ATTENDANCE_LINK_DAYS),
    )
    return int(data["b"]), int(data["p"])


# --- answers ----------------------------------------------------------------------


def answer_from(*, happened: bool, absent: str | None) -> str:
    """The API's ``{"happened", "absent"}`` as one answer; ``ValidationError``
    with field errors when they do not fit together."""
    if happened:
        if absent:
            raise ValidationError(
                {"absent": _("Leave this empty when the session took place.")}
            )
        return AttendanceAnswer.HAPPENED
    if absent == "learner":
        return AttendanceAnswer.LEARNER_ABSENT
    if absent == "mentor":
        return AttendanceAnswer.MENTOR_ABSENT
    raise ValidationError({"absent": _("Say who did not come: learner or mentor.")})


def _locked(booking_id: int, person_id: int | None = None) -> Attendance:
    """The booking (locked first) and its attendance row (made if missing,
    then locked). A booking that is not the person's is
    ``Booking.DoesNotExist``."""
    bookings = Booking.objects.select_for_update().filter(pk=booking_id)
    if person_id is not None:
        bookings = bookings.filter(Q(learner_id=person_id) | Q(mentor_id=person_id))
    booking = bookings.first()
    if booking is None:
        raise Booking.DoesNotExist(booking_id)
    Attendance.objects.get_or_create(booking=booking)
    attendance = (
        Attendance.objects.select_for_update()
        .select_related("booking")
        .get(booking=booking)
    )
    return attendance


@transaction.atomic
def attendance_answer(
    *, person: Any, booking_id: int, answer: str, now: datetime | None = None
) -> Attendance:
    """The learner or the mentor of a past session says whether it took place.

    Locks the booking, then the attendance row. A person may change their
    answer while the other has not answered; once settled (or disputed) it is
    ``Conflict``. Raises ``Booking.DoesNotExist`` (not theirs),
    ``ValidationError`` (an unknown answer) or ``Conflict`` (cancelled, not
    over yet, settled). Settling recomputes the hours in this transaction.
    """
    now = now or timezone.now()
    if answer not in AttendanceAnswer.values:
        raise ValidationError({"answer": _("Choose one of the answers.")})
    attendance = _locked(booking_id, getattr(person, "pk", None))
    booking = attendance.booking
    if booking.status != Booking.Status.CONFIRMED:
        raise Conflict(_("This session was cancelled."))
    if booking.end > now:
        raise Conflict(_("This session is not over yet."))
    if attendance.status != Status.PENDING:
        raise Conflict(_("The answer for this session is already recorded."))
    if booking.mentor_id == person.pk:
        attendance.mentor_answer, attendance.mentor_answered_at = answer, now
    else:
        attendance.learner_answer, attendance.learner_answered_at = answer, now
    attendance.status = _outcome(attendance)
    if attendance.status != Status.PENDING:
        attendance.settled_at = now
    attendance.save()
    if attendance.status != Status.PENDING:
        _settled(attendance)
    return attendance


def _settled(attendance: Attendance) -> None:
    """What follows a change of status, in its transaction: the hours of the
    booking's skills, and staff told of a learner's repeated absences."""
    mentorship_hours_recompute(
        skill_ids=list(attendance.booking.skills.values_list("pk", flat=True))
    )
    if attendance.status == Status.LEARNER_ABSENT:
        _absences_check(attendance.booking)
    # Hours given and people helped follow the settled attendance (a staff
    # decision that turns "attended" into an absence takes them back).
    mentor_id = attendance.booking.mentor_id
    if mentor_id is not None:
        activity_summary_refresh(mentor_id=mentor_id)


def mentorship_hours_recompute(*, skill_ids: list[int]) -> None:
    """Set ``minutes_attended`` of these mentorship skills from the attended
    bookings that worked on them (each its full duration): never added to.

    Locks the skill rows (pk order) first, so the sum reads every attendance
    committed before the lock was granted."""
    if not skill_ids:
        return
    list(
        MentorshipSkill.objects.select_for_update()
        .filter(pk__in=skill_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE mentors_mentorship_skills AS ms
            SET minutes_attended = COALESCE((
                SELECT SUM(EXTRACT(EPOCH FROM (b."end" - b.start)))::bigint / 60
                FROM coaching_sessions_booking_skills AS bs
                JOIN coaching_sessions_booking AS b ON b.id = bs.booking_id
                JOIN coaching_sessions_attendance AS a ON a.booking_id = b.id
                WHERE bs.mentorshipskill_id = ms.id
                  AND b.status = 'confirmed'
                  AND a.status = 'attended'
            ), 0)
            WHERE ms.id = ANY(%s)
            """,
            [skill_ids],
        )


def _absences_check(booking: Booking) -> None:
    """Staff are told when the learner's last settled sessions were all
    missed (``ABSENCES_IN_A_ROW``); nothing is closed."""
    if booking.learner_id is None:
        return
    last = list(
        Attendance.objects.filter(booking__learner_id=booking.learner_id)
        .exclude(status__in=[Status.PENDING, Status.DISPUTED])
        .order_by("-booking__start", "-pk")
        .values_list("status", flat=True)[:ABSENCES_IN_A_ROW]
    )
    if len(last) < ABSENCES_IN_A_ROW or any(s != Status.LEARNER_ABSENT for s in last):
        return
    learner = booking.learner
    link = (
        reverse("admin:coaching_sessions_attendance_changelist")
        + "?"
        + (urlencode({"q": getattr(learner, "email", "")}))
    )
    for staff in get_user_model().objects.filter(is_staff=True, is_active=True):
        notify(
            recipient=staff,
            kind=ABSENCES_KIND,
            context={"learner_id": booking.learner_id, "count": ABSENCES_IN_A_ROW},
            link=link,
        )


def attendances_settle(*, now: datetime | None = None) -> int:
    """Settle on the mentor's answer what the learner has not contested within
    ``ATTENDANCE_CONTEST_DAYS`` of the session's end (an hourly job); how many.

    Each row in its own transaction, locked as ``attendance_answer`` locks
    (booking, then attendance), and checked again once locked: an answer
    that came meanwhile wins."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ATTENDANCE_CONTEST_DAYS)
    due = list(
        Attendance.objects.filter(
            status=Status.PENDING,
            learner_answer="",
            booking__end__lte=cutoff,
        )
        .exclude(mentor_answer="")
        .order_by("pk")
        .values_list("booking_id", flat=True)[:1000]
    )
    settled = 0
    for booking_id in due:
        with transaction.atomic():
            try:
                attendance = _locked(booking_id)
            except Booking.DoesNotExist:  # gone meanwhile (an erased account's)
                continue
            if (
                attendance.status != Status.PENDING
                or attendance.learner_answer
                or not attendance.mentor_answer
            ):
                continue
            attendance.status = (
                Status.ATTENDED
                if attendance.mentor_answer == AttendanceAnswer.HAPPENED
                else attendance.mentor_answer
            )
            attendance.settled_at = now
            attendance.save(update_fields=["status", "settled_at"])
            _settled(attendance)
            settled += 1
    return settled


@transaction.atomic
def attendance_decide(
    *,
    staff: Any,
    booking_id: int,
    status: str,
    note: str = "",
    now: datetime | None = None,
) -> Attendance:
    """Staff decide what happened (a disagreement, or a correction later);
    logged in the admin history. Locks as ``attendance_answer``; recomputes
    the hours of the booking's skills."""
    now = now or timezone.now()
    if status not in SETTLED_BY_STAFF:
        raise ValidationError({"status": _("Choose what happened.")})
    attendance = _locked(booking_id)
    attendance.status = status
    attendance.decided_by = staff
    attendance.decided_at = now
    attendance.decision_note = note.strip()[:300]
    attendance.settled_at = attendance.settled_at or now
    attendance.save()
    staff_action_log(
        staff=staff,
        obj=attendance,
        message=f"Attendance decided: {status}"
        + (f" ({attendance.decision_note})" if attendance.decision_note else ""),
    )
    _settled(attendance)
    return attendance


# --- asking -------------------------------------------------------------------------

_MAKE_ROWS = """
INSERT INTO coaching_sessions_attendance
    (booking_id, mentor_answer, learner_answer, status, decision_note)
SELECT b.id, '', '', 'pending', ''
FROM coaching_sessions_booking AS b
WHERE b.status = 'confirmed' AND b."end" <= %(now)s AND b."end" > %(since)s
ORDER BY b.id
ON CONFLICT (booking_id) DO NOTHING
"""
_CLAIM_ASK = """
UPDATE coaching_sessions_attendance AS a SET asked_at = %(now)s
FROM coaching_sessions_booking AS b
WHERE b.id = a.booking_id AND a.asked_at IS NULL AND a.status = 'pending'
  AND b.status = 'confirmed' AND b."end" <= %(now)s AND b."end" > %(since)s
RETURNING a.booking_id
"""
_CLAIM_REMIND = """
UPDATE coaching_sessions_attendance AS a SET reminded_at = %(now)s
WHERE a.reminded_at IS NULL AND a.status = 'pending'
  AND a.asked_at <= %(remind_before)s
RETURNING a.booking_id
"""


@transaction.atomic
def attendance_questions_queue(*, now: datetime | None = None) -> int:
    """Ask "did the session take place?" of sessions just ended, and remind
    once those still pending after ``ATTENDANCE_REMIND_AFTER_DAYS``; how many
    e-mails were queued. Claims rows with conditional updates, so two scans
    at once ask once; the e-mails go through the outbox in this transaction."""
    now = now or timezone.now()
    params = {
        "now": now,
        "since": now - ASK_WINDOW,
        "remind_before": now - timedelta(days=settings.ATTENDANCE_REMIND_AFTER_DAYS),
    }
    with connection.cursor() as cursor:
        cursor.execute(_MAKE_ROWS, params)
        cursor.execute(_CLAIM_ASK, params)
        asked = [row[0] for row in cursor.fetchall()]
        cursor.execute(_CLAIM_REMIND, params)
        reminded = [row[0] for row in cursor.fetchall()]
    sent = 0
    for booking_ids, reminder in ((asked, False), (reminded, True)):
        # A workshop's mentor gets one e-mail for its seats, a link per person.
        seats: dict[int, list[Attendance]] = {}
        for attendance in (
            Attendance.objects.filter(booking_id__in=booking_ids)
            .select_related("booking__learner", "booking__mentor", "booking__slot")
            .order_by("booking_id")
        ):
            booking = attendance.booking
            grouped = booking.kind == Booking.Kind.WORKSHOP and booking.slot_id
            sent += _ask(attendance, reminder=reminder, mentor=not grouped)
            if grouped and not attendance.mentor_answer:
                seats.setdefault(booking.slot_id or 0, []).append(attendance)
        for group in seats.values():
            sent += _ask_mentor_seats(group, reminder=reminder)
    return sent


def _ask_mentor_seats(group: list[Attendance], *, reminder: bool) -> int:
    """One question to a workshop's mentor for the seats of ``group`` (one
    workshop): each person's name with its own signed link."""
    booking = group[0].booking
    mentor = booking.mentor
    if mentor is None or not mentor.is_active:
        return 0
    with translation.override(mentor.language or settings.LANGUAGE_CODE):
        context = {
            "summary": _summary(booking, ""),
            "when": span_label(booking.start, booking.end, mentor.time_zone),
            "seats": [
                {
                    "name": other_name(seat.booking, viewer_id=mentor.pk),
                    "answer_url": attendance_link_url(
                        booking_id=seat.booking_id, person_id=mentor.pk
                    ),
                }
                for seat in group
            ],
            "reminder": reminder,
        }
    notify(
        recipient=mentor,
        kind=QUESTION_KIND,
        context=context,
        link=reverse("coaching_sessions:my-sessions"),
    )
    return 1


def _ask(attendance: Attendance, *, reminder: bool, mentor: bool = True) -> int:
    booking = attendance.booking
    people = []
    if not attendance.learner_answer:
        people.append(booking.learner)
    if mentor and not attendance.mentor_answer:
        people.append(booking.mentor)
    sent = 0
    for person in people:
        if person is None or not person.is_active:
            continue
        with translation.override(person.language or settings.LANGUAGE_CODE):
            context = {
                "summary": _summary(booking, other_name(booking, viewer_id=person.pk)),
                "when": span_label(booking.start, booking.end, person.time_zone),
                "answer_url": attendance_link_url(
                    booking_id=booking.pk, person_id=person.pk
                ),
                "reminder": reminder,
            }
        notify(
            recipient=person,
            kind=QUESTION_KIND,
            context=context,
            link=reverse("coaching_sessions:my-sessions"),
        )
        sent += 1
    return sent
