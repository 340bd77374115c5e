"""The demo's bookings: the demo logins' sessions (held and to come, a
workshop with seats taken, a discovery session) and the population's
discovery sessions, written as ``booking_create`` writes them."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from accounts.demo import DEMO_ACCOUNTS
from accounts.models import User
from mentors.models import MentorProfile
from sessions.models import Booking, BusyTime, SessionNote, SessionRating, Slot
from sessions.services import slot_summary_refresh
from tests.mentors.test_seed_demo import _slot_summary

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", mentors=80, learners=60, seed=5, verbosity=0, stdout=out)
    return out.getvalue()


def test_the_demo_logins_have_sessions_held_and_to_come():
    _seed()
    now = timezone.now()
    learner = User.objects.get(email=DEMO_ACCOUNTS[0].email)
    mentor = User.objects.get(email=DEMO_ACCOUNTS[1].email)

    theirs = Booking.objects.filter(learner=learner, mentor=mentor, kind="mentorship")
    # The earliest held one (a later one waits for the learner's answer).
    held = theirs.filter(start__lt=now).earliest("start")
    coming = theirs.get(start__gte=now)
    assert held.mentorship == coming.mentorship
    assert held.mentorship.status == "active"
    assert held.agenda
    assert coming.agenda
    assert [s.skill.code for s in held.skills.all()] == ["python"]
    assert coming.skills.count() == 2
    workshop = Booking.objects.filter(mentor=mentor, kind="workshop", start__gte=now)
    assert workshop.count() == 3
    assert workshop.values("slot").distinct().count() == 1
    slot = workshop.first().slot
    assert (slot.capacity, slot.seats_taken, slot.status) == (8, 3, "free")
    discovery = Booking.objects.get(mentor=mentor, kind="discovery")
    assert discovery.start > now
    assert discovery.end - discovery.start <= timedelta(minutes=30)
    assert mentor.mentor_profile.availability.discovery_enabled


def test_demo_bookings_hold_the_invariants_booking_create_keeps():
    output = _seed()
    assert "demo bookings of the demo logins: 6 made" in output
    now = timezone.now()
    bookings = Booking.objects.select_related("slot", "busy").filter(status="confirmed")
    # The population's discovery sessions: one held, one to come per mentor
    # who offers them. (The attestation demo adds past sessions of ended
    # mentorships to two population mentors: held, never to come.)
    population = bookings.filter(mentor__email__startswith="m5-")
    assert not population.filter(start__gte=now).exclude(kind="discovery")
    population = population.filter(kind="discovery")
    assert population.filter(start__lt=now).count() == (
        population.filter(start__gte=now).count()
    )
    assert population.filter(start__lt=now).count() >= 3
    for booking in bookings:
        slot = booking.slot
        assert (booking.mentor_id, booking.start) == (slot.mentor_id, slot.start)
        assert booking.mode in slot.modes
        assert booking.learner_id != booking.mentor_id
        # Busy time for the learner over the session, as booking_create writes.
        assert booking.busy.person_id == booking.learner_id
        assert (booking.busy.period.lower, booking.busy.period.upper) == (
            booking.start,
            booking.end,
        )
        if booking.kind == "discovery":
            assert booking.mentorship_id is None
            assert booking.end == min(slot.end, slot.start + timedelta(minutes=30))
            assert slot.mentor.mentor_profile.availability.discovery_enabled
        else:
            assert booking.end == slot.end
        if booking.kind == "mentorship":
            assert (booking.mentorship.learner_id, booking.mentorship.mentor_id) == (
                booking.learner_id,
                booking.mentor_id,
            )
        assert (booking.kind == "workshop") == (slot.capacity > 1)
    # Every slot: its seats count its confirmed bookings, it is booked when
    # full, and it is busy time for its mentor (widened by its break).
    slots = Slot.objects.annotate(
        confirmed=Count("bookings", filter=Q(bookings__status="confirmed"))
    ).select_related("busy")
    for slot in slots:
        assert slot.seats_taken == slot.confirmed
        assert (slot.status == "booked") == (slot.confirmed == slot.capacity)
        assert slot.busy.person_id == slot.mentor_id
        assert slot.busy.period.upper == slot.end + timedelta(
            minutes=slot.buffer_minutes
        )
    assert BusyTime.objects.count() == slots.count() + bookings.count()
    # The summaries say what the free slots say, bookings taken into account.
    booked_mentors = MentorProfile.objects.filter(
        user__in=bookings.values("mentor")
    ).select_related("availability")
    assert booked_mentors.count() >= 4
    for profile in booked_mentors:
        stored = _slot_summary(profile)
        slot_summary_refresh(
            mentor_profile_id=profile.pk, now=profile.availability.updated_at
        )
        profile.refresh_from_db()
        assert _slot_summary(profile) == stored


def test_seeding_again_makes_no_booking_twice():
    _seed()
    first = set(Booking.objects.values_list("pk", "slot_id", "learner_id"))

    output = _seed()

    assert "demo bookings of the demo logins: 0 made" in output
    assert set(Booking.objects.values_list("pk", "slot_id", "learner_id")) == first


def test_the_demo_has_attended_hours_a_pending_answer_and_a_disagreement():
    from sessions.models import Attendance

    _seed()
    _seed()  # idempotent
    learner = User.objects.get(email=DEMO_ACCOUNTS[0].email)
    mentor = User.objects.get(email=DEMO_ACCOUNTS[1].email)

    theirs = Attendance.objects.filter(
        booking__learner=learner, booking__mentor=mentor
    ).order_by("booking__start")
    assert [a.status for a in theirs] == ["attended", "pending"]
    held = theirs[0].booking
    [python] = held.skills.all()
    python.refresh_from_db()
    assert python.minutes_attended == (held.end - held.start).seconds // 60
    assert theirs[1].mentor_answer == "happened"
    assert theirs[1].learner_answer == ""
    [disputed] = Attendance.objects.filter(status="disputed")
    assert disputed.booking.mentor == mentor
    assert disputed.booking.kind == "workshop"


def test_the_demo_mentor_wrote_a_note_and_their_hours_show_once_seeded_twice():
    _seed()
    _seed()
    learner = User.objects.get(email=DEMO_ACCOUNTS[0].email)
    mentor = User.objects.get(email=DEMO_ACCOUNTS[1].email)

    held = Booking.objects.get(
        learner=learner,
        mentor=mentor,
        kind="mentorship",
        start__lt=timezone.now(),
        attendance__status="attended",
    )
    assert held.note.worked
    assert SessionNote.objects.filter(booking__mentor=mentor).count() == 1
    assert not SessionRating.objects.exists()
    profile = MentorProfile.objects.get(user=mentor)
    minutes = (held.end - held.start).total_seconds() / 60
    assert profile.people_helped == 1
    assert float(profile.hours_mentored) * 60 == minutes
