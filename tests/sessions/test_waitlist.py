"""The waitlist (notify only): who may join, who is told when a time frees up
(the first 3 in line, oldest first, only for a time earlier than theirs),
expiry, the pages, the API and personal data."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import Conflict
from core.personal_data import personal_data_erase
from mentors.models import Block, MentorProfile
from sessions.models import Booking, WaitlistEntry
from sessions.personal_data import export_waitlist
from sessions.services import (
    availability_get_or_create,
    booking_create,
    bookings_cancel_for_change,
    slot_create,
)
from sessions.waitlist import (
    waitlist_forget_expired,
    waitlist_join,
    waitlist_slots_freed,
)
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.outbox import run_outbox
from tests.sessions.test_bookings import _mentorship

pytestmark = pytest.mark.django_db

DAY = (timezone.now() + timedelta(days=3)).replace(
    hour=9, minute=0, second=0, microsecond=0, tzinfo=UTC
)


def _slot(profile: MentorProfile, start: datetime, **fields):
    availability_get_or_create(mentor_profile=profile)
    return slot_create(mentor_profile_id=profile.pk, start=start, **fields)


def _line(profile: MentorProfile, count: int) -> list:
    """``count`` learners in a mentorship with the mentor, on their waiting
    list one minute apart: the first is the oldest entry, made last (so the
    line follows the time people asked, not the row ids)."""
    learners = []
    for position in reversed(range(count)):
        learner = UserFactory(email=f"l{position}@example.org", language="fr")
        _mentorship(learner, profile)
        waitlist_join(
            learner=learner,
            mentor_profile_id=profile.pk,
            now=timezone.now() - timedelta(minutes=count - position),
        )
        learners.insert(0, learner)
    return learners


def _told() -> set[str]:
    """Who the outbox tells of a free time now (other mail left aside)."""
    mail.outbox.clear()
    run_outbox()
    return {
        message.to[0]
        for message in mail.outbox
        if "Un horaire est libre avec" in message.subject
    }


def _taken_then_later(profile: MentorProfile):
    """The mentor's first time is booked by someone; the next free one is two
    days later: that is the "earlier than" of people who join now."""
    early = _slot(profile, DAY)
    _slot(profile, DAY + timedelta(days=2))
    holder = UserFactory()
    _mentorship(holder, profile)
    booking = booking_create(learner=holder, slot_id=early.pk, mode="video")
    return early, booking


def test_joining_sets_before_to_the_first_free_time_or_ones_next_session():
    profile = mentor()
    _taken_then_later(profile)
    _slot(profile, DAY + timedelta(days=4))
    waiting, booked = UserFactory(), UserFactory()
    _mentorship(booked, profile)
    next_free = profile.user.slots.filter(status="free").order_by("start").first()
    booking_create(learner=booked, slot_id=next_free.pk, mode="video")

    first = waitlist_join(learner=waiting, mentor_profile_id=profile.pk)
    second = waitlist_join(learner=booked, mentor_profile_id=profile.pk)

    assert first.before == DAY + timedelta(days=4)  # the first free time now
    assert second.before == DAY + timedelta(days=2)  # their own next session
    assert first.expires_at - first.created_at == timedelta(weeks=8)


def test_a_cancellation_tells_the_first_three_in_line_oldest_first():
    profile = mentor(full_name="Ada Lovelace")
    _early, booking = _taken_then_later(profile)
    learners = _line(profile, 5)
    mail.outbox.clear()
    run_outbox()

    bookings_cancel_for_change(
        bookings=Booking.objects.filter(pk=booking.pk), reason="mentorship_ended"
    )
    told = _told()

    assert told >= {"l0@example.org", "l1@example.org", "l2@example.org"}
    assert told.isdisjoint({"l3@example.org", "l4@example.org"})
    notified = WaitlistEntry.objects.filter(notified_at__isnull=False)
    assert set(notified.values_list("learner_id", flat=True)) == {
        learner.pk for learner in learners[:3]
    }
    [message] = [m for m in mail.outbox if m.to == ["l0@example.org"]]
    assert message.subject.endswith("Un horaire est libre avec Ada Lovelace")
    assert reverse("coaching_sessions:booking-new", args=[profile.pk]) in message.body
    # The next time that frees up goes to the next two in line.
    later = _slot(profile, DAY + timedelta(hours=3))
    assert later.pk
    assert _told() == {"l3@example.org", "l4@example.org"}


def test_a_time_later_than_theirs_tells_nobody_an_earlier_one_does():
    profile = mentor()
    _taken_then_later(profile)
    _line(profile, 2)

    _slot(profile, DAY + timedelta(days=3))  # later than their first free time
    later = _told()
    _slot(profile, DAY + timedelta(days=1))  # earlier: added by hand
    earlier = _told()

    assert later == set()
    assert earlier == {"l0@example.org", "l1@example.org"}


def test_expired_entries_blocked_pairs_and_a_paused_mentor_are_left_out():
    profile = mentor()
    _taken_then_later(profile)
    expired, blocked, fine = _line(profile, 3)
    WaitlistEntry.objects.filter(learner=expired).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    Block.objects.create(blocker=profile.user, blocked=blocked)

    _slot(profile, DAY + timedelta(days=1))

    assert _told() == {fine.email}
    assert waitlist_forget_expired() == 1
    assert not WaitlistEntry.objects.filter(learner=expired).exists()
    MentorProfile.objects.filter(pk=profile.pk).update(is_paused=True)
    WaitlistEntry.objects.update(notified_at=None)
    slot = _slot(profile, DAY + timedelta(days=1, hours=3))
    assert waitlist_slots_freed(slot_ids=[slot.pk]) == 0


def test_people_who_could_not_book_the_time_are_not_told_of_it():
    profile = mentor()
    _taken_then_later(profile)
    outsider = UserFactory(email="outsider@example.org")
    waitlist_join(learner=outsider, mentor_profile_id=profile.pk)

    _slot(profile, DAY + timedelta(days=1))  # one-person: their mentorship only
    one_person = _told()
    _slot(profile, DAY + timedelta(hours=4), capacity=4, title="Créer son e-mail")
    workshop = _told()

    assert one_person == set()
    assert workshop == {"outsider@example.org"}


def test_who_may_join_not_oneself_a_blocked_pair_a_hidden_mentor_nor_twice():
    profile = mentor()
    learner, blocked = UserFactory(), UserFactory()
    Block.objects.create(blocker=blocked, blocked=profile.user)
    hidden = mentor()
    MentorProfile.objects.filter(pk=hidden.pk).update(hidden_by_staff_at=timezone.now())

    for who, whom in ((profile.user, profile), (blocked, profile), (learner, hidden)):
        with pytest.raises(MentorProfile.DoesNotExist):
            waitlist_join(learner=who, mentor_profile_id=whom.pk)
    waitlist_join(learner=learner, mentor_profile_id=profile.pk)
    with pytest.raises(Conflict):
        waitlist_join(learner=learner, mentor_profile_id=profile.pk)
    # Once told (or expired), they may ask again.
    WaitlistEntry.objects.update(notified_at=timezone.now())
    waitlist_join(learner=learner, mentor_profile_id=profile.pk)
    assert WaitlistEntry.objects.filter(learner=learner).count() == 2


# --- API ----------------------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _post(client: APIClient, body: object):
    return client.post(
        "/api/v1/waitlist/", json.dumps(body), content_type="application/json"
    )


def test_api_join_list_withdraw_and_the_answers():
    profile = mentor(full_name="Ada Lovelace")
    _taken_then_later(profile)
    learner, other = UserFactory(), UserFactory()
    client = _api(learner)

    made = _post(client, {"mentor": profile.pk})
    again = _post(client, {"mentor": profile.pk})
    bad = [_post(client, {}), _post(client, {"mentor": "abc"})]
    missing = [
        _post(client, {"mentor": 999999}),
        _post(_api(profile.user), {"mentor": profile.pk}),
    ]
    listed = client.get("/api/v1/waitlist/")
    theirs = _api(other).get("/api/v1/waitlist/")
    entry_id = made.json()["id"]
    not_theirs = _api(other).delete(f"/api/v1/waitlist/{entry_id}/")
    withdrawn = client.delete(f"/api/v1/waitlist/{entry_id}/")
    anonymous = APIClient().get("/api/v1/waitlist/")

    assert made.status_code == 201, made.json()
    assert made.json()["mentor"] == {"id": profile.pk, "full_name": "Ada Lovelace"}
    assert made.json()["before"] == (DAY + timedelta(days=2)).isoformat().replace(
        "+00:00", "Z"
    )
    assert again.status_code == 409
    assert [r.status_code for r in bad] == [400, 400]
    assert "mentor" in bad[0].json()
    assert [r.status_code for r in missing] == [404, 404]
    assert [e["id"] for e in listed.json()] == [entry_id]
    assert theirs.json() == []
    assert not_theirs.status_code == 404
    assert withdrawn.status_code == 204
    assert not WaitlistEntry.objects.exists()
    assert anonymous.status_code in (401, 403)


# --- pages --------------------------------------------------------------------------


def test_pages_ask_from_the_booking_page_and_my_sessions_then_withdraw(client):
    profile = mentor(full_name="Ada Lovelace")
    early, _booking = _taken_then_later(profile)
    learner = UserFactory(language="fr")
    _mentorship(learner, profile)
    later = booking_create(
        learner=learner,
        slot_id=profile.user.slots.filter(status="free").first().pk,
        mode="video",
    )
    client.force_login(learner)
    book = reverse("coaching_sessions:booking-new", args=[profile.pk])
    mine = reverse("coaching_sessions:my-sessions")

    page = client.get(book)
    offered = client.get(mine)
    asked = client.post(
        reverse("coaching_sessions:waitlist-join", args=[profile.pk]),
        {"from": "sessions"},
        follow=True,
    )
    entry = WaitlistEntry.objects.get(learner=learner)
    listed = client.get(mine)
    got = client.get(reverse("coaching_sessions:waitlist-join", args=[profile.pk]))
    twice = client.post(
        reverse("coaching_sessions:waitlist-join", args=[profile.pk]),
        {"from": "booking"},
        follow=True,
    )
    withdraw = reverse("coaching_sessions:waitlist-withdraw", args=[entry.pk])
    stranger = client_for(UserFactory()).post(withdraw)
    left = client.post(withdraw, {"from": "booking", "profile": profile.pk})

    assert "Prévenez-moi si un horaire plus tôt se libère" in page.text
    assert "Prévenez-moi si un horaire plus tôt se libère" in offered.text
    assert asked.redirect_chain[-1][0] == mine
    assert "Nous vous écrirons si un horaire plus tôt se libère" in asked.text
    assert entry.before == later.start  # earlier than their own session
    assert "Mes listes d'attente" in listed.text
    assert "Ne plus me prévenir" in listed.text
    assert got.status_code == 405
    assert twice.redirect_chain[-1][0] == book
    assert "Vous êtes déjà sur la liste d&#x27;attente" in twice.text
    assert stranger.status_code == 404
    assert left.status_code == 302
    assert left["Location"] == book
    assert not WaitlistEntry.objects.exists()
    assert early.pk


def client_for(user):
    from django.test import Client

    other = Client()
    other.force_login(user)
    return other


def test_pages_ask_a_signed_in_person_and_refuse_a_hidden_mentor(client):
    profile = mentor()
    MentorProfile.objects.filter(pk=profile.pk).update(
        hidden_by_staff_at=timezone.now()
    )
    join = reverse("coaching_sessions:waitlist-join", args=[profile.pk])

    anonymous = client.post(join)
    client.force_login(UserFactory())
    hidden = client.post(join)

    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"] or "connexion" in anonymous["Location"]
    assert hidden.status_code == 404


# --- personal data ------------------------------------------------------------------


def test_personal_data_export_and_erasure():
    profile = mentor(full_name="Ada Lovelace")
    learner, waiting_for_them = UserFactory(), UserFactory()
    waitlist_join(learner=learner, mentor_profile_id=profile.pk)
    waitlist_join(learner=waiting_for_them, mentor_profile_id=profile.pk)

    exported = export_waitlist(learner)
    personal_data_erase(user=learner)

    assert [row["mentor"] for row in exported["waitlist"]] == ["Ada Lovelace"]
    assert not WaitlistEntry.objects.filter(learner=learner).exists()
    personal_data_erase(user=profile.user)
    assert not WaitlistEntry.objects.exists()  # nobody waits for an erased mentor
