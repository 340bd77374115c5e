"""Attendance confirmed by both sides: every path of the rule (both confirm;
the learner silent for the contest days; the learner contests; the mentor says
the learner did not come; a staff decision), two answers at the same moment,
the hours per skill recomputed after each change, the question asked once and
reminded once, staff told of two absences in a row."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from core.errors import Conflict
from core.models import Notification
from matching.models import MentorshipSkill
from sessions.attendance import (
    attendance_answer,
    attendance_decide,
    attendance_questions_queue,
    attendances_settle,
)
from sessions.models import Attendance, Booking
from sessions.services import availability_get_or_create, booking_create, slot_create
from tests.concurrency import race
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.outbox import run_outbox
from tests.sessions.test_reminders import _booked

HAPPENED, LEARNER_ABSENT, MENTOR_ABSENT = "happened", "learner_absent", "mentor_absent"


def past(booking: Booking, *, hours_ago: float = 2) -> Booking:
    """Move a booked session into the past (it lasted its own length)."""
    length = booking.end - booking.start
    start = timezone.now() - timedelta(hours=hours_ago) - length
    Booking.objects.filter(pk=booking.pk).update(start=start, end=start + length)
    booking.refresh_from_db()
    return booking


def minutes(booking: Booking) -> int:
    [skill] = booking.skills.all()
    return MentorshipSkill.objects.get(pk=skill.pk).minutes_attended


@pytest.fixture
def session() -> Booking:
    return past(_booked(hours_ahead=20))


@pytest.mark.django_db
def test_both_confirm_it_counts_as_attended_with_the_full_duration(session):
    attendance_answer(person=session.mentor, booking_id=session.pk, answer=HAPPENED)
    assert Attendance.objects.get(booking=session).status == "pending"
    assert minutes(session) == 0

    done = attendance_answer(
        person=session.learner, booking_id=session.pk, answer=HAPPENED
    )

    assert done.status == "attended"
    assert done.settled_at is not None
    assert minutes(session) == 60


@pytest.mark.django_db
def test_a_learner_silent_for_the_contest_days_settles_on_the_mentors_word(session):
    attendance_answer(person=session.mentor, booking_id=session.pk, answer=HAPPENED)
    end = session.end

    with override_settings(ATTENDANCE_CONTEST_DAYS=7):
        assert attendances_settle(now=end + timedelta(days=6, hours=23)) == 0
        assert minutes(session) == 0
        assert attendances_settle(now=end + timedelta(days=7, minutes=1)) == 1
        assert attendances_settle(now=end + timedelta(days=8)) == 0

    assert Attendance.objects.get(booking=session).status == "attended"
    assert minutes(session) == 60


@pytest.mark.django_db
def test_the_contest_days_are_a_setting(session):
    attendance_answer(person=session.mentor, booking_id=session.pk, answer=HAPPENED)

    with override_settings(ATTENDANCE_CONTEST_DAYS=2):
        assert attendances_settle(now=session.end + timedelta(days=2, minutes=1)) == 1


@pytest.mark.django_db
def test_a_learners_answer_alone_never_settles(session):
    attendance_answer(person=session.learner, booking_id=session.pk, answer=HAPPENED)

    assert attendances_settle(now=session.end + timedelta(days=30)) == 0
    assert Attendance.objects.get(booking=session).status == "pending"
    assert minutes(session) == 0


@pytest.mark.django_db
def test_the_learner_contests_it_goes_to_the_staff_queue(session):
    attendance_answer(person=session.mentor, booking_id=session.pk, answer=HAPPENED)
    attendance_answer(
        person=session.learner, booking_id=session.pk, answer=MENTOR_ABSENT
    )

    attendance = Attendance.objects.get(booking=session)
    assert attendance.status == "disputed"
    assert minutes(session) == 0
    assert attendances_settle(now=session.end + timedelta(days=30)) == 0
    with pytest.raises(Conflict):
        attendance_answer(
            person=session.learner, booking_id=session.pk, answer=HAPPENED
        )


@pytest.mark.django_db
def test_the_mentor_says_the_learner_did_not_come(session):
    attendance_answer(
        person=session.mentor, booking_id=session.pk, answer=LEARNER_ABSENT
    )
    assert attendances_settle(now=session.end + timedelta(days=8)) == 1

    assert Attendance.objects.get(booking=session).status == "learner_absent"
    assert minutes(session) == 0


@pytest.mark.django_db
def test_a_staff_decision_settles_corrects_later_and_is_logged(session):
    staff = UserFactory(is_staff=True)
    attendance_answer(
        person=session.mentor, booking_id=session.pk, answer=LEARNER_ABSENT
    )
    attendance_answer(person=session.learner, booking_id=session.pk, answer=HAPPENED)
    assert Attendance.objects.get(booking=session).status == "disputed"

    attendance_decide(staff=staff, booking_id=session.pk, status="attended", note="ok")
    assert minutes(session) == 60
    # A later correction fixes the figure: recomputed, never added to.
    attendance_decide(staff=staff, booking_id=session.pk, status="attended")
    assert minutes(session) == 60
    attendance_decide(staff=staff, booking_id=session.pk, status="learner_absent")
    assert minutes(session) == 0

    attendance = Attendance.objects.get(booking=session)
    assert attendance.decided_by == staff
    logged = LogEntry.objects.filter(object_id=str(attendance.pk)).order_by("pk")
    assert [e.change_message for e in logged] == [
        "Attendance decided: attended (ok)",
        "Attendance decided: attended",
        "Attendance decided: learner_absent",
    ]


@pytest.mark.django_db
def test_hours_are_the_sum_of_attended_sessions_of_the_skill(session):
    attendance_answer(person=session.mentor, booking_id=session.pk, answer=HAPPENED)
    attendance_answer(person=session.learner, booking_id=session.pk, answer=HAPPENED)
    # A figure written wrong by hand is put right by the next change.
    [skill] = session.skills.all()
    MentorshipSkill.objects.filter(pk=skill.pk).update(minutes_attended=999)
    staff = UserFactory(is_staff=True)

    attendance_decide(staff=staff, booking_id=session.pk, status="attended")

    assert minutes(session) == 60


@pytest.mark.django_db
def test_no_answer_before_the_end_nor_for_another_persons_session(session):
    upcoming = _booked_again(session)
    with pytest.raises(Conflict):
        attendance_answer(
            person=upcoming.mentor, booking_id=upcoming.pk, answer=HAPPENED
        )
    with pytest.raises(Booking.DoesNotExist):
        attendance_answer(person=UserFactory(), booking_id=session.pk, answer=HAPPENED)


def _booked_again(session: Booking) -> Booking:
    """A session of the same two people that has not ended."""
    start = timezone.now() + timedelta(hours=30)
    return Booking.objects.create(
        learner=session.learner,
        mentor=session.mentor,
        mentorship=session.mentorship,
        kind=session.kind,
        start=start,
        end=start + timedelta(hours=1),
        mode=session.mode,
    )


@pytest.mark.django_db
def test_the_question_is_asked_once_and_reminded_once(session):
    now = session.end + timedelta(minutes=10)

    asked = [attendance_questions_queue(now=now) for _ in range(2)]
    attendance_answer(
        person=session.mentor, booking_id=session.pk, answer=HAPPENED, now=now
    )
    reminded = [
        attendance_questions_queue(now=now + timedelta(days=d)) for d in (1, 2, 3)
    ]

    assert asked == [2, 0]  # both people
    assert reminded == [0, 1, 0]  # once, to the one who has not answered
    notices = Notification.objects.filter(kind="sessions.attendance_question")
    assert sorted(n.recipient_id for n in notices) == sorted(
        [session.learner_id, session.mentor_id, session.learner_id]
    )


@pytest.mark.django_db
def test_staff_are_told_after_two_absences_in_a_row_nothing_closes(session):
    staff = UserFactory(is_staff=True)
    second = past(_booked_again(session), hours_ago=1)
    attendance_answer(
        person=session.mentor, booking_id=session.pk, answer=LEARNER_ABSENT
    )
    attendance_answer(
        person=session.learner, booking_id=session.pk, answer=LEARNER_ABSENT
    )
    assert not Notification.objects.filter(recipient=staff).exists()

    attendance_answer(person=second.mentor, booking_id=second.pk, answer=LEARNER_ABSENT)
    attendances_settle(now=second.end + timedelta(days=8))

    [notice] = Notification.objects.filter(recipient=staff)
    assert notice.kind == "sessions.learner_absences"
    assert notice.link.endswith("?q=lea%40example.org")  # their sessions, for staff
    session.mentorship.refresh_from_db()
    assert session.mentorship.status == "active"


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_the_same_moment_both_count():
    session = past(_booked(hours_ahead=20))

    def answer(person: object) -> Callable[[], object]:
        return lambda: attendance_answer(
            person=person, booking_id=session.pk, answer=HAPPENED
        )

    _done, errors = race([answer(session.learner), answer(session.mentor)])

    assert errors == []
    attendance = Attendance.objects.get(booking=session)
    assert (attendance.mentor_answer, attendance.learner_answer) == (
        HAPPENED,
        HAPPENED,
    )
    assert attendance.status == "attended"
    assert minutes(session) == 60


def _workshop_held(profile, people) -> list[Booking]:
    """A video workshop of ``profile`` booked three days ago by ``people``,
    now over: their seats."""
    availability_get_or_create(mentor_profile=profile)
    then = timezone.now() - timedelta(days=3)
    start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    slot = slot_create(
        mentor_profile_id=profile.pk,
        start=start,
        capacity=4,
        title="Créer son adresse e-mail",
        modes=["video"],
        now=then,
    )
    return [
        past(booking_create(learner=p, slot_id=slot.pk, mode="video", now=then))
        for p in people
    ]


@pytest.mark.django_db
def test_each_workshop_seat_has_its_own_attendance_and_no_mentorship_hours():
    profile = mentor()
    came, missed = UserFactory(), UserFactory()
    seats = _workshop_held(profile, [came, missed])

    attendance_answer(person=profile.user, booking_id=seats[0].pk, answer=HAPPENED)
    attendance_answer(person=came, booking_id=seats[0].pk, answer=HAPPENED)
    attendance_answer(
        person=profile.user, booking_id=seats[1].pk, answer=LEARNER_ABSENT
    )

    assert Attendance.objects.get(booking=seats[0]).status == "attended"
    assert Attendance.objects.get(booking=seats[1]).status == "pending"
    assert seats[0].skills.count() == 0  # its hours stay on the booking


@pytest.mark.django_db
def test_a_workshops_mentor_is_asked_once_with_a_link_per_person():
    profile = mentor(full_name="Karim Benali")
    people = [UserFactory(full_name=n) for n in ("Ana Diaz", "Bruno Petit", "Cléo")]
    seats = _workshop_held(profile, people)
    now = seats[0].end + timedelta(minutes=10)
    run_outbox()  # the booking confirmations
    mail.outbox.clear()

    assert attendance_questions_queue(now=now) == 4  # 3 people, 1 mentor
    run_outbox()
    [to_mentor] = [m for m in mail.outbox if m.to == [profile.user.email]]
    links = re.findall(r"https?://\S+/seance/presence/\S+/", to_mentor.body)
    assert len(links) == 3
    assert all(person.full_name in to_mentor.body for person in people)
    assert "Atelier « Créer son adresse e-mail »" in to_mentor.subject

    # The reminder names only the seats the mentor has not answered.
    attendance_answer(
        person=profile.user, booking_id=seats[0].pk, answer=HAPPENED, now=now
    )
    mail.outbox.clear()
    later = now + timedelta(days=2)
    assert attendance_questions_queue(now=later) == 4
    run_outbox()
    [reminder] = [m for m in mail.outbox if m.to == [profile.user.email]]
    assert "Ana Diaz" not in reminder.body
    assert "Bruno Petit" in reminder.body
    assert len(re.findall(r"/seance/presence/\S+/", reminder.body)) == 2


@pytest.mark.django_db(transaction=True)
def test_scans_at_the_same_moment_ask_once():
    session = past(_booked(hours_ahead=20))

    asked, errors = race([attendance_questions_queue] * 3)

    assert errors == []
    assert sorted(asked) == [0, 0, 2]
    assert Notification.objects.filter(kind="sessions.attendance_question").count() == 2
    assert Attendance.objects.get(booking=session).asked_at is not None
