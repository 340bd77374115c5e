"""After a session: the mentor's note (both read it, the mentor alone writes
it), the learner's rating (staff only: never readable by the mentor, not in
their export), and the mentor's hours and people helped, recounted from
attended sessions."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from core.errors import Conflict
from core.personal_data import personal_data_erase, providers
from mentors.models import MentorProfile
from sessions.attendance import attendance_answer, attendance_decide
from sessions.models import Booking, SessionNote, SessionRating
from sessions.notes import (
    activity_counts,
    activity_summary_refresh,
    session_note_save,
    session_rating_give,
)
from sessions.services import booking_create
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.sessions.test_bookings import START, _mentorship, _slot

pytestmark = pytest.mark.django_db

NOTE = {
    "worked": "Écrire un e-mail à un employeur",
    "achieved": "Joindre un CV seule",
    "next_step": "Répondre à une annonce",
}


def _attended(booking: Booking) -> None:
    """Both people say the session took place (the attendance rule settles it
    as attended)."""
    for person_id in (booking.mentor_id, booking.learner_id):
        attendance_answer(
            person=User.objects.get(pk=person_id),
            booking_id=booking.pk,
            answer="happened",
        )


def _held(
    learner=None,
    profile=None,
    days_ago: int = 3,
    minutes: int = 60,
    *,
    attended: bool = True,
):
    """A session of a mentorship that took place ``days_ago`` days ago, both
    people having said so."""
    profile = profile or mentor(full_name="Karim Benali")
    learner = learner or UserFactory(full_name="Léa Martin")
    if not learner.mentorships_as_learner.filter(mentor=profile.user).exists():
        _mentorship(learner, profile)
    slot = _slot(profile, START + timedelta(days=days_ago, hours=days_ago))
    booking = booking_create(learner=learner, slot_id=slot.pk, mode="video")
    start = (timezone.now() - timedelta(days=days_ago)).replace(microsecond=0)
    Booking.objects.filter(pk=booking.pk).update(
        start=start, end=start + timedelta(minutes=minutes)
    )
    booking.refresh_from_db()
    if attended:
        _attended(booking)
    return profile, learner, booking


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _post(user, path: str, body: dict):
    return _client(user).post(path, json.dumps(body), content_type="application/json")


# --- notes ---------------------------------------------------------------------


def test_the_mentor_writes_a_note_and_both_read_it_in_the_api():
    profile, learner, booking = _held()

    written = _post(profile.user, f"/api/v1/bookings/{booking.pk}/note/", NOTE)

    assert written.status_code == 200, written.content
    assert written.json()["note"]["worked"] == NOTE["worked"]
    for person in (learner, profile.user):
        seen = _client(person).get(f"/api/v1/bookings/{booking.pk}/").json()
        assert seen["note"]["next_step"] == "Répondre à une annonce"


def test_the_mentor_edits_the_note_and_the_learner_cannot_write_it():
    profile, learner, booking = _held()
    first = session_note_save(mentor=profile.user, booking_id=booking.pk, **NOTE)

    by_learner = _post(learner, f"/api/v1/bookings/{booking.pk}/note/", NOTE)
    by_stranger = _post(UserFactory(), f"/api/v1/bookings/{booking.pk}/note/", NOTE)
    edited = session_note_save(
        mentor=profile.user,
        booking_id=booking.pk,
        worked="Le CV",
        achieved="",
        next_step="",
    )

    assert by_learner.status_code == 404
    assert by_stranger.status_code == 404
    assert edited.pk == first.pk
    assert (edited.worked, edited.achieved) == ("Le CV", "")
    assert edited.written_at == first.written_at
    assert edited.updated_at >= first.updated_at


def test_a_note_needs_a_line_short_lines_and_a_session_that_took_place():
    profile, learner, booking = _held()
    empty = _post(
        profile.user,
        f"/api/v1/bookings/{booking.pk}/note/",
        {"worked": " ", "achieved": "", "next_step": ""},
    )
    too_long = _post(
        profile.user, f"/api/v1/bookings/{booking.pk}/note/", {"worked": "x" * 501}
    )
    ahead = booking_create(learner=learner, slot_id=_slot(profile).pk, mode="video")

    assert empty.status_code == 400
    assert "worked" in empty.json()
    assert too_long.status_code == 400
    assert "worked" in too_long.json()
    with pytest.raises(Conflict):
        session_note_save(mentor=profile.user, booking_id=ahead.pk, **NOTE)
    assert not SessionNote.objects.exists()


def test_a_cancelled_session_takes_no_note():
    profile, _learner, booking = _held()
    Booking.objects.filter(pk=booking.pk).update(
        status=Booking.Status.CANCELLED, cancelled_at=timezone.now()
    )

    with pytest.raises(Conflict):
        session_note_save(mentor=profile.user, booking_id=booking.pk, **NOTE)


# --- ratings -------------------------------------------------------------------


def test_the_learner_rates_once_and_the_mentor_never_reads_it():
    profile, learner, booking = _held()

    given = _post(
        learner,
        f"/api/v1/bookings/{booking.pk}/rating/",
        {"stars": 2, "comment": "Trop rapide pour moi"},
    )
    again = _post(learner, f"/api/v1/bookings/{booking.pk}/rating/", {"stars": 5})
    by_mentor = _post(
        profile.user, f"/api/v1/bookings/{booking.pk}/rating/", {"stars": 5}
    )

    assert given.status_code == 201, given.content
    assert given.json()["my_rating"]["stars"] == 2
    assert again.status_code == 409
    assert by_mentor.status_code == 404
    assert SessionRating.objects.get(booking=booking).stars == 2
    for path in (f"/api/v1/bookings/{booking.pk}/", "/api/v1/bookings/"):
        body = _client(profile.user).get(path).content.decode()
        assert "Trop rapide" not in body
        assert '"stars"' not in body
    shown = _client(profile.user).get(f"/api/v1/bookings/{booking.pk}/").json()
    assert shown["my_rating"] is None


def test_a_rating_is_from_one_to_five():
    _profile, learner, booking = _held()
    for stars in (0, 6, "beaucoup", None):
        answer = _post(
            learner, f"/api/v1/bookings/{booking.pk}/rating/", {"stars": stars}
        )
        assert answer.status_code == 400, stars
    with pytest.raises(ValidationError):
        session_rating_give(learner=learner, booking_id=booking.pk, stars=True)
    assert not SessionRating.objects.exists()


def _export(user) -> dict:
    data: dict = {}
    for provider in providers():
        data.update(provider.export(user))
    return data


def test_the_rating_is_in_the_learners_export_only_the_note_in_both():
    profile, learner, booking = _held()
    session_note_save(mentor=profile.user, booking_id=booking.pk, **NOTE)
    session_rating_give(
        learner=learner, booking_id=booking.pk, stars=3, comment="Bien mais court"
    )

    mine = _export(learner)
    theirs = _export(profile.user)

    assert mine["session_ratings_given"][0]["comment"] == "Bien mais court"
    assert theirs["session_ratings_given"] == []
    assert "Bien mais court" not in repr(theirs)
    assert mine["session_notes"][0]["worked"] == NOTE["worked"]
    assert theirs["session_notes"][0]["role"] == "mentor"


def test_erasing_the_learner_takes_their_comment_and_leaves_the_note():
    profile, learner, booking = _held()
    session_note_save(mentor=profile.user, booking_id=booking.pk, **NOTE)
    session_rating_give(
        learner=learner, booking_id=booking.pk, stars=4, comment="Merci"
    )

    personal_data_erase(user=learner)

    rating = SessionRating.objects.get(booking=booking)
    assert (rating.stars, rating.comment) == (4, "")
    assert SessionNote.objects.get(booking=booking).worked == NOTE["worked"]


# --- what mentors are recognised for -----------------------------------------------


def test_hours_and_people_count_attended_sessions_only():
    profile, learner, _b1 = _held(days_ago=3, minutes=60)
    _held(learner=learner, profile=profile, days_ago=4, minutes=90)
    _held(learner=UserFactory(), profile=profile, days_ago=5, minutes=30)
    # Not counted: a cancelled one, one ahead, another mentor's.
    _p, _l, cancelled = _held(learner=UserFactory(), profile=profile, days_ago=6)
    Booking.objects.filter(pk=cancelled.pk).update(
        status=Booking.Status.CANCELLED, cancelled_at=timezone.now()
    )
    booking_create(learner=learner, slot_id=_slot(profile).pk, mode="video")
    _held(days_ago=2)

    assert activity_counts(mentor_id=profile.user_id) == (Decimal("3.00"), 2)

    assert activity_summary_refresh(mentor_id=profile.user_id) == 1
    profile.refresh_from_db()
    assert (profile.hours_mentored, profile.people_helped) == (Decimal("3.00"), 2)
    # Recounted, never incremented: the same count again changes nothing.
    assert activity_summary_refresh(mentor_id=profile.user_id) == 0


def test_figures_follow_attendance_when_it_settles_and_when_staff_correct_it():
    profile = mentor(full_name="Karim Benali")
    learner = UserFactory()
    _mentorship(learner, profile)
    slot = _slot(profile, START + timedelta(days=3))
    booking = booking_create(learner=learner, slot_id=slot.pk, mode="video")
    start = (timezone.now() - timedelta(days=1)).replace(microsecond=0)
    Booking.objects.filter(pk=booking.pk).update(
        start=start, end=start + timedelta(minutes=45)
    )
    staff = UserFactory(is_staff=True)

    def figures() -> tuple[Decimal, int]:
        profile.refresh_from_db()
        return profile.hours_mentored, profile.people_helped

    # Over, but nobody has said it took place: not counted.
    assert activity_counts(mentor_id=profile.user_id) == (0, 0)
    attendance_answer(person=profile.user, booking_id=booking.pk, answer="happened")
    assert figures() == (0, 0)  # the learner may still contest
    attendance_answer(person=learner, booking_id=booking.pk, answer="happened")
    assert figures() == (Decimal("0.75"), 1)
    # Staff correct it later: the figures are taken back at once.
    attendance_decide(staff=staff, booking_id=booking.pk, status="learner_absent")
    assert figures() == (0, 0)
    attendance_decide(staff=staff, booking_id=booking.pk, status="attended")
    assert figures() == (Decimal("0.75"), 1)


def test_a_workshop_counts_its_hours_once_and_each_person():
    profile = mentor(full_name="Karim Benali")
    slot = _slot(profile, capacity=3, title="Atelier CV")
    for _ in range(3):
        booking_create(learner=UserFactory(), slot_id=slot.pk, mode="video")
    start = timezone.now() - timedelta(days=1)
    Booking.objects.filter(slot=slot).update(
        start=start, end=start + timedelta(hours=2)
    )
    seats = list(Booking.objects.filter(slot=slot))
    assert activity_counts(mentor_id=profile.user_id) == (0, 0)
    for seat in seats:
        _attended(seat)

    assert activity_counts(mentor_id=profile.user_id) == (Decimal("2.00"), 3)


def test_a_note_on_a_session_whose_attendance_is_not_settled_is_refused():
    profile = mentor(full_name="Karim Benali")
    learner = UserFactory()
    _mentorship(learner, profile)
    booking = booking_create(learner=learner, slot_id=_slot(profile).pk, mode="video")
    start = timezone.now() - timedelta(days=1)
    Booking.objects.filter(pk=booking.pk).update(
        start=start, end=start + timedelta(hours=1)
    )
    attendance_answer(
        person=profile.user, booking_id=booking.pk, answer="learner_absent"
    )

    with pytest.raises(Conflict):
        session_note_save(mentor=profile.user, booking_id=booking.pk, **NOTE)
    with pytest.raises(Conflict):
        session_rating_give(learner=learner, booking_id=booking.pk, stars=4)
    assert MentorProfile.objects.get(pk=profile.pk).hours_mentored == 0
