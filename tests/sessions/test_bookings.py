"""Booking a slot: what kind of session it is, the rules that refuse it, and
no double booking under load (real threads on PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import Conflict
from matching.models import Mentorship, MentorshipSkill
from mentors.models import Block, MentorProfile, Skill
from sessions.models import Availability, Booking, BusyTime, Slot
from sessions.services import (
    availability_get_or_create,
    booking_create,
    slot_create,
    slot_delete,
)
from tests.concurrency import race
from tests.factories import UserFactory
from tests.matching.helpers import mentor

START = (timezone.now() + timedelta(days=5)).replace(
    hour=9, minute=0, second=0, microsecond=0, tzinfo=UTC
)


def _slot(profile: MentorProfile, start: datetime = START, **fields) -> Slot:
    availability_get_or_create(mentor_profile=profile)
    return slot_create(mentor_profile_id=profile.pk, start=start, **fields)


def _discovery(profile: MentorProfile) -> None:
    availability_get_or_create(mentor_profile=profile)
    Availability.objects.filter(mentor_profile=profile).update(discovery_enabled=True)


def _mentorship(learner, profile: MentorProfile, skills: int = 0) -> Mentorship:
    """An active mentorship working on ``skills`` skills of the taxonomy."""
    mentorship = Mentorship.objects.create(learner=learner, mentor=profile.user)
    for skill in Skill.objects.order_by("pk")[:skills]:
        MentorshipSkill.objects.create(mentorship=mentorship, skill=skill)
    return mentorship


@pytest.mark.django_db
def test_a_learner_books_a_session_of_their_mentorship_with_skills():
    profile = mentor()
    learner = UserFactory()
    mentorship = _mentorship(learner, profile, skills=2)
    slot = _slot(profile)
    skills = list(mentorship.mentorshipskill_set.values_list("pk", flat=True))

    booking = booking_create(
        learner=learner,
        slot_id=slot.pk,
        mode="video",
        skill_ids=skills,
        agenda="  Relire mon script  ",
    )

    assert (booking.kind, booking.mentorship, booking.agenda) == (
        "mentorship",
        mentorship,
        "Relire mon script",
    )
    assert set(booking.skills.values_list("pk", flat=True)) == set(skills)
    slot.refresh_from_db()
    assert (slot.status, slot.seats_taken) == ("booked", 1)
    busy = BusyTime.objects.get(booking=booking)
    assert (busy.person_id, busy.period.lower, busy.period.upper) == (
        learner.pk,
        slot.start,
        slot.end,
    )
    profile.refresh_from_db()
    assert profile.next_free_slot_at is None  # the only slot is taken
    with pytest.raises(Conflict):  # a booked slot is not taken back
        slot_delete(mentor=profile.user, slot_id=slot.pk)


@pytest.mark.django_db
def test_without_a_mentorship_a_learner_books_one_short_discovery_session():
    profile = mentor()
    learner = UserFactory()
    first = _slot(profile)
    second = _slot(profile, START + timedelta(days=1))

    with pytest.raises(Conflict):  # the mentor does not offer them
        booking_create(learner=learner, slot_id=first.pk, mode="video")
    _discovery(profile)
    booking = booking_create(learner=learner, slot_id=first.pk, mode="video")
    with pytest.raises(Conflict):  # once per learner and mentor
        booking_create(learner=learner, slot_id=second.pk, mode="video")

    assert booking.kind == "discovery"
    assert booking.end - booking.start == timedelta(minutes=30)
    assert booking.mentorship is None


@pytest.mark.django_db
def test_workshop_seats_go_to_anyone_not_blocked_until_full():
    profile = mentor()
    workshop = _slot(profile, capacity=2, title="Créer son adresse e-mail")
    learners = [UserFactory() for _ in range(3)]
    Block.objects.create(blocker=profile.user, blocked=learners[2])

    for learner in learners[:2]:
        booking = booking_create(learner=learner, slot_id=workshop.pk, mode="video")
        assert booking.kind == "workshop"
    with pytest.raises(Slot.DoesNotExist):  # blocked: as if there were no slot
        booking_create(learner=learners[2], slot_id=workshop.pk, mode="video")
    with pytest.raises(Conflict):  # full
        booking_create(learner=UserFactory(), slot_id=workshop.pk, mode="video")

    workshop.refresh_from_db()
    assert (workshop.seats_taken, workshop.status) == (2, "booked")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "error"),
    [
        ("paused", Conflict),
        ("hidden", Slot.DoesNotExist),
        ("own", Slot.DoesNotExist),
        ("phone", ValidationError),
        ("past", Conflict),
        ("foreign_skill", ValidationError),
    ],
)
def test_the_rules_refuse_a_booking_and_nothing_is_written(change, error):
    profile = mentor()
    learner = UserFactory()
    _mentorship(learner, profile, skills=1)
    slot = _slot(profile)
    mode, skill_ids = "video", []
    if change == "paused":
        MentorProfile.objects.filter(pk=profile.pk).update(is_paused=True)
    elif change == "hidden":
        MentorProfile.objects.filter(pk=profile.pk).update(
            hidden_by_staff_at=timezone.now()
        )
    elif change == "own":
        learner = profile.user
    elif change == "phone":
        mode = "phone"  # the slot offers video only
    elif change == "past":
        Slot.objects.filter(pk=slot.pk).update(
            start=timezone.now() - timedelta(hours=2),
            end=timezone.now() - timedelta(hours=1),
        )
    elif change == "foreign_skill":
        other = _mentorship(UserFactory(), profile, skills=1)
        skill_ids = [other.mentorshipskill_set.get().pk]

    with pytest.raises(error):
        booking_create(learner=learner, slot_id=slot.pk, mode=mode, skill_ids=skill_ids)

    assert not Booking.objects.exists()
    assert Slot.objects.get(pk=slot.pk).seats_taken == 0


@pytest.mark.django_db
def test_a_person_who_also_mentors_cannot_book_over_their_own_slot():
    profile = mentor()
    other = mentor()
    _discovery(profile)
    own = _slot(other, START + timedelta(minutes=15))  # the learner's own slot
    theirs = _slot(profile)

    with pytest.raises(Conflict):
        booking_create(learner=other.user, slot_id=theirs.pk, mode="video")

    slot_delete(mentor=other.user, slot_id=own.pk)
    booking = booking_create(learner=other.user, slot_id=theirs.pk, mode="video")
    # And the other way round: no slot of theirs over the booking.
    with pytest.raises(Conflict):
        _slot(other, START + timedelta(minutes=15))
    assert booking.kind == "discovery"


@pytest.mark.django_db(transaction=True)
def test_fifty_people_booking_one_seat_at_once_one_wins():
    profile = mentor()
    _discovery(profile)
    slot = _slot(profile)
    learners = UserFactory.create_batch(50)

    results, errors = race(
        [
            lambda learner=learner: booking_create(
                learner=learner, slot_id=slot.pk, mode="video"
            )
            for learner in learners
        ]
    )

    assert len(results) == 1
    assert len(errors) == 49
    assert all(isinstance(e, Conflict) for e in errors), errors[:3]
    assert {str(e) for e in errors} == {
        "Ce créneau vient d'être pris. Choisissez-en un autre."
    }
    assert Booking.objects.count() == 1
    assert Slot.objects.get(pk=slot.pk).seats_taken == 1


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_bookings_of_different_lengths_at_once_one_wins():
    learner = UserFactory()
    first, second = mentor(), mentor()
    for profile in (first, second):
        _discovery(profile)
    at_ten = _slot(first, START + timedelta(hours=1), minutes=30)
    at_quarter_to = _slot(second, START + timedelta(minutes=45), minutes=60)

    results, errors = race(
        [
            lambda: booking_create(learner=learner, slot_id=at_ten.pk, mode="video"),
            lambda: booking_create(
                learner=learner, slot_id=at_quarter_to.pk, mode="video"
            ),
        ]
    )

    assert len(results) == 1
    assert [type(e) for e in errors] == [Conflict]
    assert Booking.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_workshop_seats_hold_under_concurrency_and_discovery_stays_single():
    profile = mentor()
    _discovery(profile)
    workshop = _slot(profile, capacity=5, title="Premiers pas sur l'ordinateur")
    seats, seat_errors = race(
        [
            lambda learner=learner: booking_create(
                learner=learner, slot_id=workshop.pk, mode="video"
            )
            for learner in UserFactory.create_batch(12)
        ]
    )
    learner = UserFactory()
    slots = [_slot(profile, START + timedelta(days=d)) for d in (1, 2, 3)]
    discoveries, discovery_errors = race(
        [
            lambda slot=slot: booking_create(
                learner=learner, slot_id=slot.pk, mode="video"
            )
            for slot in slots
        ]
    )

    assert len(seats) == 5
    assert len(seat_errors) == 7
    assert all(isinstance(e, Conflict) for e in seat_errors)
    assert Slot.objects.get(pk=workshop.pk).seats_taken == 5
    assert len(discoveries) == 1
    assert all(isinstance(e, Conflict) for e in discovery_errors)
    assert Booking.objects.filter(kind="discovery").count() == 1


@pytest.mark.django_db
def test_personal_data_of_bookings_both_roles_and_erasure_anonymises():
    from sessions.personal_data import erase_bookings, export_bookings

    profile = mentor()
    learner = UserFactory(full_name="Léa Martin")
    _mentorship(learner, profile)
    past = booking_create(learner=learner, slot_id=_slot(profile).pk, mode="video")
    Booking.objects.filter(pk=past.pk).update(
        start=timezone.now() - timedelta(days=2),
        end=timezone.now() - timedelta(days=2) + timedelta(hours=1),
        agenda="Mon CV",
    )
    future_slot = _slot(profile, START + timedelta(days=1))
    future = booking_create(learner=learner, slot_id=future_slot.pk, mode="video")

    as_learner = export_bookings(learner)["bookings"]
    as_mentor = export_bookings(profile.user)["bookings"]
    erase_bookings(learner)

    assert {b["role"] for b in as_learner} == {"learner"}
    assert {b["agenda"] for b in as_learner} == {"Mon CV", ""}
    assert {b["with"] for b in as_mentor} == {"Léa Martin"}
    assert {b["agenda"] for b in as_mentor} == {""}  # the learner's words
    future.refresh_from_db()
    assert future.status == "cancelled"
    assert not BusyTime.objects.filter(booking=future).exists()
    future_slot.refresh_from_db()
    assert (future_slot.status, future_slot.seats_taken) == ("free", 0)
    assert Booking.objects.get(pk=past.pk).agenda == ""
