"""When the relationship changes, the future bookings it concerns are
cancelled in the same transaction: a mentorship ends (by either person or
through a block), an account is turned off or erased, a mentor pauses or
staff hide them. Past sessions and other people's bookings stay."""

from __future__ import annotations

from datetime import timedelta

import ics
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_deactivate, user_erase
from core.errors import Conflict
from matching.services import mentor_pause, mentorship_end
from mentors.models import MentorProfile, Report
from mentors.services import (
    block_create,
    mentor_profile_visibility_changed,
    report_handle,
)
from sessions.models import Booking, BusyTime, Slot
from sessions.services import booking_create
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.sessions.test_bookings import START, _discovery, _mentorship, _slot
from tests.sessions.test_invitations import _event, _ics_text, _sent

pytestmark = pytest.mark.django_db


class Scene:
    """A mentor with: a learner's upcoming session of their mentorship, the
    same learner's past session, a seat in the mentor's workshop; and another
    learner's upcoming session with the same mentor."""

    def __init__(self) -> None:
        self.profile = mentor(full_name="Karim Benali")
        self.learner = UserFactory(full_name="Léa Martin")
        self.other = UserFactory(full_name="Paul Durand")
        self.mentorship = _mentorship(self.learner, self.profile)
        _mentorship(self.other, self.profile)
        self.session = self._book(self.learner, _slot(self.profile))
        past_slot = _slot(self.profile, START + timedelta(days=1))
        self.past = self._book(self.learner, past_slot)
        past = timezone.now() - timedelta(days=3)
        Booking.objects.filter(pk=self.past.pk).update(
            start=past, end=past + timedelta(hours=1)
        )
        Slot.objects.filter(pk=past_slot.pk).update(
            start=past, end=past + timedelta(hours=1)
        )
        self.workshop_slot = _slot(
            self.profile, START + timedelta(days=2), capacity=3, title="Le courriel"
        )
        self.seat = self._book(self.learner, self.workshop_slot)
        self._book(self.other, self.workshop_slot)
        self.others = self._book(
            self.other, _slot(self.profile, START + timedelta(days=3))
        )

    @staticmethod
    def _book(learner, slot: Slot) -> Booking:
        return booking_create(learner=learner, slot_id=slot.pk, mode="video")

    def state(self, booking: Booking) -> tuple[str, str, int]:
        booking.refresh_from_db()
        return booking.status, booking.cancel_reason, booking.sequence


def _cancelled(booking: Booking, reason: str) -> None:
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason, booking.sequence) == (
        "cancelled",
        reason,
        1,
    )
    assert booking.cancelled_at is not None
    assert booking.cancelled_by is None  # nobody cancelled late
    assert not BusyTime.objects.filter(booking=booking).exists()


def _kept(booking: Booking) -> None:
    booking.refresh_from_db()
    assert (booking.status, booking.sequence) == ("confirmed", 0)
    assert BusyTime.objects.filter(booking=booking).exists()


def test_ending_a_mentorship_cancels_its_upcoming_sessions_only():
    scene = Scene()

    mentorship_end(
        user=scene.learner,
        mentorship_id=scene.mentorship.pk,
        outcome="completed",
    )

    _cancelled(scene.session, "mentorship_ended")
    slot = Slot.objects.get(pk=scene.session.slot_id)
    assert (slot.status, slot.seats_taken) == ("free", 0)  # bookable again
    scene.profile.refresh_from_db()
    assert scene.profile.next_free_slot_at == slot.start  # the summary follows
    _kept(scene.seat)  # a workshop is outside the mentorship
    _kept(scene.others)
    assert scene.state(scene.past)[0] == "confirmed"  # history stays


def test_a_block_cancels_everything_the_two_had_booked_together():
    scene = Scene()

    block_create(blocker=scene.profile.user, blocked=scene.learner)

    _cancelled(scene.session, "mentorship_ended")  # the mentorship ended first
    _cancelled(scene.seat, "blocked")
    workshop = Slot.objects.get(pk=scene.workshop_slot.pk)
    assert (workshop.status, workshop.seats_taken) == ("free", 1)
    _kept(scene.others)
    assert scene.state(scene.past)[0] == "confirmed"


def test_a_learner_blocking_a_workshop_host_gives_back_the_seat():
    profile = mentor()
    learner = UserFactory()
    workshop = _slot(profile, capacity=2, title="Le courriel")
    seat = booking_create(learner=learner, slot_id=workshop.pk, mode="video")

    block_create(blocker=learner, blocked=profile.user)

    _cancelled(seat, "blocked")


@pytest.mark.parametrize("role", ["learner", "mentor"])
def test_an_account_turned_off_cancels_its_bookings_in_both_roles(role):
    scene = Scene()
    person = scene.learner if role == "learner" else scene.profile.user

    user_deactivate(user=person)

    _cancelled(scene.session, "account_closed")
    _cancelled(scene.seat, "account_closed")
    if role == "mentor":
        _cancelled(scene.others, "account_closed")
    else:
        _kept(scene.others)
    assert scene.state(scene.past)[0] == "confirmed"


def test_an_erased_learner_s_sessions_are_cancelled_and_the_history_stays():
    scene = Scene()

    user_erase(user=scene.learner)

    _cancelled(scene.session, "account_closed")
    _cancelled(scene.seat, "account_closed")
    _kept(scene.others)
    past = Booking.objects.select_related("learner").get(pk=scene.past.pk)
    assert (past.status, past.mentor_id) == ("confirmed", scene.profile.user_id)
    assert "Léa" not in str(past.learner.full_name if past.learner else "")


def test_a_mentor_taking_a_break_cancels_every_booking_with_them():
    scene = Scene()

    mentor_pause(mentor=scene.profile.user, paused=True)

    for booking in (scene.session, scene.seat, scene.others):
        _cancelled(booking, "mentor_paused")
    assert scene.state(scene.past)[0] == "confirmed"
    with pytest.raises(Conflict):  # and takes none meanwhile, workshops included
        Scene._book(UserFactory(), scene.workshop_slot)


def test_a_mentor_hidden_by_staff_on_a_report_has_their_bookings_cancelled(
    staff_user,
):
    scene = Scene()
    report = Report.objects.create(
        reporter=scene.learner, reported_user=scene.profile.user, reason="spam"
    )

    report_handle(report=report, staff=staff_user, action="hide", decision="…")

    for booking in (scene.session, scene.seat, scene.others):
        _cancelled(booking, "mentor_hidden")


def test_hidden_in_the_admin_cancels_and_showing_again_changes_nothing():
    scene = Scene()
    MentorProfile.objects.filter(pk=scene.profile.pk).update(
        hidden_by_staff_at=timezone.now()
    )

    mentor_profile_visibility_changed(profile_id=scene.profile.pk)
    mentor_profile_visibility_changed(profile_id=scene.profile.pk)  # again

    _cancelled(scene.others, "mentor_hidden")  # once: the sequence moved once


def test_a_mentor_s_own_bookings_as_a_learner_stay_when_they_pause():
    scene = Scene()
    elsewhere = mentor()
    _mentorship(scene.profile.user, elsewhere)
    own = Scene._book(scene.profile.user, _slot(elsewhere, START + timedelta(days=10)))

    mentor_pause(mentor=scene.profile.user, paused=True)

    _kept(own)


def test_a_discovery_cancelled_by_a_pause_can_be_booked_again():
    profile = mentor()
    _discovery(profile)
    learner = UserFactory()
    booking = booking_create(learner=learner, slot_id=_slot(profile).pk, mode="video")

    mentor_pause(mentor=profile.user, paused=True)
    mentor_pause(mentor=profile.user, paused=False)
    again = booking_create(
        learner=learner,
        slot_id=_slot(profile, START + timedelta(days=1)).pk,
        mode="video",
    )

    _cancelled(booking, "mentor_paused")
    assert again.kind == "discovery"  # the cancelled one does not count


def test_a_paused_mentor_s_pages_offer_no_time_to_book(client):
    profile = mentor()
    learner = UserFactory()
    _mentorship(learner, profile)
    slot = _slot(profile)
    client.force_login(learner)
    before = client.get(reverse("mentors:detail", args=[profile.pk])).text

    mentor_pause(mentor=profile.user, paused=True)
    page = client.get(reverse("mentors:detail", args=[profile.pk])).text
    booking = client.get(reverse("coaching_sessions:booking-new", args=[profile.pk]))
    posted = client.post(
        reverse("coaching_sessions:booking-new", args=[profile.pk]),
        {"slot": str(slot.pk), "mode": "video"},
    )

    assert "Réserver un horaire" in before
    assert "Réserver un horaire" not in page
    assert f'value="{slot.pk}"' not in booking.text
    assert "ne prend pas de nouvelles séances" in booking.text
    assert posted.status_code == 200
    assert not Booking.objects.exists()


# --- both people are told, with METHOD:CANCEL --------------------------------


def _cancels() -> dict[str, list[tuple[str, ics.Event, str]]]:
    """The calendar e-mails delivered now, by recipient: each one's METHOD,
    event and text (the other notices, such as "the mentorship has ended",
    aside)."""
    _sent()
    told: dict[str, list[tuple[str, ics.Event, str]]] = {}
    for message in mail.outbox:
        if "BEGIN:VCALENDAR" not in str(message.message()):
            continue
        text = _ics_text(message)
        method = next(line for line in text.splitlines() if line.startswith("METHOD"))
        told.setdefault(message.to[0], []).append(
            (method, _event(text)[1], message.body)
        )
    return told


def test_a_mentorship_ended_tells_both_with_a_cancel_of_the_same_invitation():
    scene = Scene()
    _sent()  # the invitations of the bookings

    mentorship_end(
        user=scene.learner, mentorship_id=scene.mentorship.pk, outcome="completed"
    )
    told = _cancels()

    assert set(told) == {scene.learner.email, scene.profile.user.email}
    for [(method, event, _body)] in told.values():  # one each: the session
        assert method == "METHOD:CANCEL"
        assert event.uid.startswith(f"booking-{scene.session.pk}@")
        assert event.begin == scene.session.start
        assert [c.value for c in event.extra if c.name == "SEQUENCE"] == ["1"]
    assert "L'accompagnement est terminé" in told[scene.learner.email][0][2]


def test_a_block_is_told_as_the_end_of_the_mentorship():
    scene = Scene()
    _sent()

    block_create(blocker=scene.profile.user, blocked=scene.learner)
    told = _cancels()

    # The session and the workshop seat, each to both.
    assert {person: len(mails) for person, mails in told.items()} == {
        scene.learner.email: 2,
        scene.profile.user.email: 2,
    }
    for *_calendar, body in told[scene.learner.email]:
        assert "terminé" in body
        assert "bloqu" not in body.lower()


def test_an_account_turned_off_gets_nothing_and_the_other_is_told_discreetly():
    scene = Scene()
    _sent()

    user_deactivate(user=scene.learner)
    told = _cancels()

    assert set(told) == {scene.profile.user.email}
    body = " ".join(mail[2] for mail in told[scene.profile.user.email])
    assert "Léa" not in body
    assert "compte" in body


def test_an_erased_learner_s_mentor_is_still_told_without_the_name():
    scene = Scene()
    _sent()

    user_erase(user=scene.learner)
    told = _cancels()

    assert scene.profile.user.email in told
    assert scene.learner.email not in told  # their mail went with them
    assert all("Léa" not in mail[2] for mail in told[scene.profile.user.email])
