"""A person cancels or moves a session: late or not at the cut-off boundary
(for each side), seats and busy time given back or moved in one transaction,
requests to move inside the cut-off, and two people moving to the same free
time at once (real threads on PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import ics
import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings

from core.errors import Conflict
from mentors.models import MentorProfile
from sessions.models import (
    RELATIONSHIP_CHANGED,
    Booking,
    BusyTime,
    CancelReason,
    RescheduleRequest,
    Slot,
)
from sessions.services import (
    booking_cancel,
    booking_create,
    booking_is_late,
    booking_reschedule,
    bookings_cancel_for_change,
    late_cancellations_refresh,
    reschedule_request_accept,
    reschedule_request_decline,
    reschedule_requests_expire,
)
from tests.concurrency import race
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.sessions.test_bookings import START, _discovery, _mentorship, _slot
from tests.sessions.test_invitations import (
    _event,
    _ics_text,
    _pair,
    _sent,
    _sequence,
)

pytestmark = pytest.mark.django_db

CUTOFF = timedelta(hours=24)
SECOND = timedelta(seconds=1)


def _booked(learner=None, profile=None):
    """A session of a mentorship at START, and a free time the next day."""
    profile = profile or mentor(full_name="Karim Benali")
    learner = learner or UserFactory(full_name="Léa Martin")
    _mentorship(learner, profile)
    slot = _slot(profile)
    booking = booking_create(learner=learner, slot_id=slot.pk, mode="video")
    other = _slot(profile, START + timedelta(days=1))
    return profile, learner, booking, other


# --- cut-off -----------------------------------------------------------------


@pytest.mark.parametrize("side", ["learner", "mentor"])
@pytest.mark.parametrize(
    ("before", "late"),
    [(CUTOFF, False), (CUTOFF - SECOND, True), (CUTOFF + SECOND, False)],
    ids=["exactly-24h", "just-inside", "just-outside"],
)
def test_a_cancellation_is_late_only_inside_the_cut_off(side, before, late):
    profile, learner, booking, _other = _booked()
    person = learner if side == "learner" else profile.user

    cancelled = booking_cancel(
        person=person,
        booking_id=booking.pk,
        reason="transport",
        now=booking.start - before,
    )

    cancelled.refresh_from_db()
    assert (cancelled.status, cancelled.cancelled_late) == ("cancelled", late)
    assert (cancelled.cancelled_by, cancelled.cancel_reason) == (person, "transport")
    assert cancelled.cancelled_at == booking.start - before
    profile.refresh_from_db()
    # Only the mentor's own late cancellations count in their responsiveness.
    assert profile.late_cancellations_90d == (1 if late and side == "mentor" else 0)


@override_settings(BOOKING_LATE_CUTOFF_HOURS=48)
def test_the_cut_off_is_a_setting():
    start = START

    assert booking_is_late(start=start, now=start - timedelta(hours=47))
    assert not booking_is_late(start=start, now=start - timedelta(hours=48))


def test_a_learner_who_cancelled_late_still_books():
    _profile, learner, booking, other = _booked()
    booking_cancel(
        person=learner,
        booking_id=booking.pk,
        reason="health",
        now=booking.start - timedelta(hours=2),
    )

    again = booking_create(learner=learner, slot_id=other.pk, mode="video")

    assert again.status == "confirmed"


def test_relationship_changes_are_never_late_and_refuse_a_persons_reason():
    _profile, _learner, booking, _other = _booked()

    assert "health" not in RELATIONSHIP_CHANGED
    assert {
        "mentorship_ended",
        "blocked",
        "account_closed",
        "mentor_paused",
        "mentor_hidden",
    } == RELATIONSHIP_CHANGED
    with pytest.raises(ValueError, match="health"):
        bookings_cancel_for_change(
            bookings=Booking.objects.filter(pk=booking.pk), reason="health"
        )
    with transaction.atomic():
        [cancelled] = bookings_cancel_for_change(
            bookings=Booking.objects.filter(pk=booking.pk),
            reason=CancelReason.MENTOR_PAUSED,
            now=booking.start - timedelta(hours=1),
        )
    assert (cancelled.cancelled_late, cancelled.cancelled_by) == (False, None)


def test_the_mentors_late_count_covers_ninety_days():
    profile, _learner, booking, _other = _booked()
    booking_cancel(
        person=profile.user,
        booking_id=booking.pk,
        reason="childcare",
        now=booking.start - timedelta(hours=3),
    )
    profile.refresh_from_db()
    assert profile.late_cancellations_90d == 1

    late_cancellations_refresh(now=booking.start + timedelta(days=91))

    profile.refresh_from_db()
    assert profile.late_cancellations_90d == 0


# --- cancel ------------------------------------------------------------------


def test_a_cancellation_gives_the_seat_back_and_frees_the_busy_time():
    profile, learner, booking, _other = _booked()

    booking_cancel(person=learner, booking_id=booking.pk, reason="other", note="  ")

    slot = Slot.objects.get(pk=booking.slot_id)
    assert (slot.status, slot.seats_taken) == ("free", 0)
    assert not BusyTime.objects.filter(booking=booking).exists()
    profile.refresh_from_db()
    assert profile.next_free_slot_at == booking.start
    booking.refresh_from_db()
    assert (booking.sequence, booking.cancel_note) == (1, "")


def test_a_cancellation_is_refused_for_bad_input_another_person_and_the_past():
    _profile, learner, booking, _other = _booked()

    with pytest.raises(ValidationError) as bad:
        booking_cancel(person=learner, booking_id=booking.pk, reason="mentor_paused")
    assert "reason" in bad.value.message_dict
    with pytest.raises(ValidationError) as long:
        booking_cancel(
            person=learner, booking_id=booking.pk, reason="other", note="x" * 301
        )
    assert "note" in long.value.message_dict
    with pytest.raises(Booking.DoesNotExist):
        booking_cancel(person=UserFactory(), booking_id=booking.pk, reason="health")
    with pytest.raises(Conflict):
        booking_cancel(
            person=learner,
            booking_id=booking.pk,
            reason="health",
            now=booking.start + SECOND,
        )
    booking_cancel(person=learner, booking_id=booking.pk, reason="health")
    with pytest.raises(Conflict):
        booking_cancel(person=learner, booking_id=booking.pk, reason="health")


# --- reschedule --------------------------------------------------------------


@pytest.mark.parametrize("side", ["learner", "mentor"])
def test_outside_the_cut_off_either_side_moves_the_booking_in_one_go(side):
    profile, learner, booking, other = _booked()
    person = learner if side == "learner" else profile.user
    old_slot = booking.slot_id

    moved = booking_reschedule(person=person, booking_id=booking.pk, slot_id=other.pk)

    assert isinstance(moved, Booking)
    moved.refresh_from_db()
    assert (moved.pk, moved.slot_id, moved.start, moved.end) == (
        booking.pk,
        other.pk,
        other.start,
        other.end,
    )
    assert moved.sequence == 1
    busy = BusyTime.objects.get(booking=booking)
    assert (busy.period.lower, busy.period.upper) == (other.start, other.end)
    freed, taken = Slot.objects.get(pk=old_slot), Slot.objects.get(pk=other.pk)
    assert (freed.status, freed.seats_taken) == ("free", 0)
    assert (taken.status, taken.seats_taken) == ("booked", 1)
    profile.refresh_from_db()
    assert profile.next_free_slot_at == booking.start  # the old time is free


def test_a_move_keeps_the_rules_of_booking():
    profile, learner, booking, other = _booked()
    kept_slot = booking.slot_id
    profile.modes = ["video", "phone"]
    profile.save(update_fields=["modes"])
    workshop = _slot(profile, START + timedelta(days=2), capacity=3, title="Atelier")
    stranger = _slot(mentor(), START + timedelta(days=3))
    phone_only = _slot(profile, START + timedelta(days=4), modes=["phone"])
    # The learner holds something else at the other time (another mentor).
    elsewhere = mentor()
    _discovery(elsewhere)
    clash = _slot(elsewhere, other.start)
    booking_create(learner=learner, slot_id=clash.pk, mode="video")

    for slot in (workshop, stranger, phone_only):
        with pytest.raises(ValidationError):
            booking_reschedule(person=learner, booking_id=booking.pk, slot_id=slot.pk)
    with pytest.raises(Conflict, match="quelque chose de prévu"):
        booking_reschedule(person=learner, booking_id=booking.pk, slot_id=other.pk)

    booking.refresh_from_db()
    assert (booking.slot_id, booking.sequence) == (kept_slot, 0)
    assert Slot.objects.get(pk=other.pk).seats_taken == 0


def test_a_discovery_session_moves_with_its_thirty_minutes():
    profile = mentor()
    _discovery(profile)
    learner = UserFactory()
    first, second = _slot(profile), _slot(profile, START + timedelta(days=1))
    booking = booking_create(learner=learner, slot_id=first.pk, mode="video")

    moved = booking_reschedule(person=learner, booking_id=booking.pk, slot_id=second.pk)

    assert moved.end - moved.start == timedelta(minutes=30)


def test_inside_the_cut_off_the_learner_asks_and_the_mentor_accepts():
    profile, learner, booking, other = _booked()
    now = booking.start - timedelta(hours=5)

    with pytest.raises(Conflict):  # the mentor may only cancel then
        booking_reschedule(
            person=profile.user, booking_id=booking.pk, slot_id=other.pk, now=now
        )
    request = booking_reschedule(
        person=learner, booking_id=booking.pk, slot_id=other.pk, now=now
    )
    assert isinstance(request, RescheduleRequest)
    assert request.status == "pending"
    with pytest.raises(Conflict):  # one pending request at a time
        booking_reschedule(
            person=learner, booking_id=booking.pk, slot_id=other.pk, now=now
        )
    booking.refresh_from_db()
    assert booking.slot_id != other.pk  # unchanged until the mentor answers
    with pytest.raises(RescheduleRequest.DoesNotExist):
        reschedule_request_accept(mentor=learner, request_id=request.pk, now=now)

    moved = reschedule_request_accept(
        mentor=profile.user, request_id=request.pk, now=now
    )

    assert (moved.pk, moved.slot_id, moved.sequence) == (booking.pk, other.pk, 1)
    request.refresh_from_db()
    assert (request.status, request.answered_at) == ("accepted", now)
    with pytest.raises(Conflict):
        reschedule_request_decline(mentor=profile.user, request_id=request.pk)


def test_a_request_whose_time_was_taken_is_a_conflict_then_declined():
    profile, learner, booking, other = _booked()
    now = booking.start - timedelta(hours=5)
    request = booking_reschedule(
        person=learner, booking_id=booking.pk, slot_id=other.pk, now=now
    )
    _discovery(profile)
    booking_create(learner=UserFactory(), slot_id=other.pk, mode="video")

    with pytest.raises(Conflict, match="vient d'être pris"):
        reschedule_request_accept(mentor=profile.user, request_id=request.pk, now=now)
    request.refresh_from_db()
    assert request.status == "pending"
    reschedule_request_decline(mentor=profile.user, request_id=request.pk, now=now)

    request.refresh_from_db()
    booking.refresh_from_db()
    assert request.status == "declined"
    assert (booking.status, booking.start) == ("confirmed", START)


def test_a_cancellation_closes_the_pending_request_and_started_ones_expire():
    profile, learner, booking, other = _booked()
    second_learner = UserFactory()
    _mentorship(second_learner, profile)
    third = _slot(profile, START + timedelta(days=2))
    later = _slot(profile, START + timedelta(days=3))
    second = booking_create(learner=second_learner, slot_id=third.pk, mode="video")
    first_request = booking_reschedule(
        person=learner,
        booking_id=booking.pk,
        slot_id=other.pk,
        now=booking.start - timedelta(hours=5),
    )
    second_request = booking_reschedule(
        person=second_learner,
        booking_id=second.pk,
        slot_id=later.pk,
        now=second.start - timedelta(hours=5),
    )

    booking_cancel(person=learner, booking_id=booking.pk, reason="health")
    expired = reschedule_requests_expire(now=second.start)

    first_request.refresh_from_db()
    second_request.refresh_from_db()
    assert (first_request.status, second_request.status) == ("expired", "expired")
    assert expired == 1


@pytest.mark.django_db(transaction=True)
def test_two_learners_moving_to_the_same_free_time_at_once_one_wins():
    profile = mentor()
    first, second = UserFactory(), UserFactory()
    _mentorship(first, profile)
    _mentorship(second, profile)
    slots = [_slot(profile, START + timedelta(days=d)) for d in (0, 1)]
    bookings = [
        booking_create(learner=first, slot_id=slots[0].pk, mode="video"),
        booking_create(learner=second, slot_id=slots[1].pk, mode="video"),
    ]
    target = _slot(profile, START + timedelta(days=2))

    def move(learner, booking):
        return lambda: booking_reschedule(
            person=learner, booking_id=booking.pk, slot_id=target.pk
        )

    results, errors = race([move(first, bookings[0]), move(second, bookings[1])])

    assert len(results) == 1
    assert [type(e) for e in errors] == [Conflict]
    assert "vient d'être pris" in str(errors[0])
    [winner] = results
    loser = next(b for b in bookings if b.pk != winner.pk)
    loser.refresh_from_db()
    kept = BusyTime.objects.get(booking=loser)
    assert loser.slot_id in {slots[0].pk, slots[1].pk}
    assert (kept.period.lower, loser.sequence) == (loser.start, 0)
    target.refresh_from_db()
    assert (target.status, target.seats_taken) == ("booked", 1)
    assert Booking.objects.filter(slot=target, status="confirmed").count() == 1
    # Each of the two old times: free again (the winner's) or still held.
    seats = dict(
        Slot.objects.filter(pk__in=[s.pk for s in slots]).values_list(
            "pk", "seats_taken"
        )
    )
    winners_old = next(s.pk for s in slots if s.pk != loser.slot_id)
    assert seats == {loser.slot_id: 1, winners_old: 0}
    assert MentorProfile.objects.get(pk=profile.pk).next_free_slot_at is not None


# --- invitations across changes ----------------------------------------------


def test_the_invitations_keep_the_uid_and_raise_the_sequence_across_changes():
    profile, learner, slot = _pair()
    other = _slot(profile, START + timedelta(days=1))
    booking = booking_create(learner=learner, slot_id=slot.pk, mode="video")
    booked = _sent()
    booking_reschedule(person=learner, booking_id=booking.pk, slot_id=other.pk)
    moved = _sent()
    booking_cancel(
        person=profile.user,
        booking_id=booking.pk,
        reason="job_interview",
        note="Désolée, un entretien imprévu.",
    )
    cancelled = _sent()

    for sent in (booked, moved, cancelled):
        assert set(sent) == {"lea@example.org", "ada@example.org"}
    steps = []
    for sent in (booked, moved, cancelled):
        calendar, event = _event(_ics_text(sent["lea@example.org"]))
        steps.append((calendar.method, _sequence(event), event.begin.datetime))
        assert event.uid == f"booking-{booking.pk}@testserver"
    assert steps == [
        ("REQUEST", 0, slot.start),
        ("REQUEST", 1, other.start),
        ("CANCEL", 2, other.start),
    ]
    assert isinstance(ics.Calendar(_ics_text(moved["ada@example.org"])), ics.Calendar)
    to_learner = moved["lea@example.org"]
    assert "change d'horaire" in to_learner.body
    # The learner reads who cancelled, why, and the mentor's word.
    text = cancelled["lea@example.org"].body
    assert "Ada Lovelace l'a annulée (Entretien d'embauche)." in text
    assert "« Désolée, un entretien imprévu. »" in text
    assert "You cancelled it (Job interview)." in cancelled["ada@example.org"].body
    # Lateness is for staff: never in anyone's mail.
    for message in cancelled.values():
        assert "tardive" not in message.body
        assert " late" not in message.body
    # Every invitation offers the way to cancel or change it.
    assert (
        f"/mon-espace/seances/{booking.pk}/annuler/" in booked["lea@example.org"].body
    )
