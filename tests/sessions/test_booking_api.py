"""The bookings API: book, list one's own in either role, idempotency keys."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from sessions.models import Booking, BookingKey
from tests.concurrency import race
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.sessions.test_bookings import _discovery, _mentorship, _slot

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _book(client: APIClient, body: dict, key: str | None = None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/v1/bookings/",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def test_a_learner_books_and_both_people_see_it_others_do_not():
    profile = mentor()
    learner = UserFactory(full_name="Léa Martin")
    mentorship = _mentorship(learner, profile, skills=1)
    slot = _slot(profile)
    skill = mentorship.mentorshipskill_set.get()

    made = _book(
        _client(learner),
        {"slot": slot.pk, "mode": "video", "skills": [skill.pk], "agenda": "Mon CV"},
    )

    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["kind"] == "mentorship"
    assert body["skills"] == [skill.skill.code]
    assert body["learner"]["full_name"] == "Léa Martin"
    assert body["start"] == slot.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    url = f"/api/v1/bookings/{body['id']}/"
    assert _client(profile.user).get(url).json()["agenda"] == "Mon CV"
    assert _client(UserFactory()).get(url).status_code == 404
    as_mentor = _client(profile.user).get("/api/v1/bookings/", {"role": "mentor"})
    as_learner = _client(profile.user).get("/api/v1/bookings/", {"role": "learner"})
    assert [b["id"] for b in as_mentor.json()] == [body["id"]]
    assert as_learner.json() == []
    assert _client(learner).get("/api/v1/bookings/", {"role": "x"}).status_code == 400


def test_a_slot_just_taken_is_a_409_with_a_clear_message():
    profile = mentor()
    _discovery(profile)
    slot = _slot(profile)
    _book(_client(UserFactory()), {"slot": slot.pk, "mode": "video"})

    late = _book(_client(UserFactory()), {"slot": slot.pk, "mode": "video"})

    assert late.status_code == 409
    assert late.json()["detail"] == (
        "Ce créneau vient d'être pris. Choisissez-en un autre."
    )


def test_the_same_key_replays_and_another_body_is_a_422():
    profile = mentor()
    _discovery(profile)
    slot = _slot(profile)
    other = _slot(profile, slot.start + timedelta(hours=3))
    api = _client(UserFactory())
    body = {"slot": slot.pk, "mode": "video"}

    first = _book(api, body, key="reservation-1")
    again = _book(api, body, key="reservation-1")
    changed = _book(api, {"slot": other.pk, "mode": "video"}, key="reservation-1")
    bad_key = _book(api, body, key="x" * 300)

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert changed.status_code == 422
    assert bad_key.status_code == 400
    assert Booking.objects.count() == 1


def test_a_refused_booking_leaves_no_key():
    profile = mentor()  # no discovery sessions, no mentorship: refused
    slot = _slot(profile)
    api = _client(UserFactory())

    refused = _book(api, {"slot": slot.pk, "mode": "video"}, key="k-1")

    assert refused.status_code == 409
    assert not BookingKey.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_the_same_key_at_once_make_one_booking():
    profile = mentor()
    _discovery(profile)
    slot = _slot(profile)
    learner = UserFactory()

    def send():
        return _book(_client(learner), {"slot": slot.pk, "mode": "video"}, "same")

    results, errors = race([send, send, send])

    assert errors == []
    assert [r.status_code for r in results] == [201, 201, 201]
    assert len({r.json()["id"] for r in results}) == 1
    assert Booking.objects.count() == 1


def test_keys_older_than_a_day_are_forgotten_and_may_be_used_again():
    from datetime import timedelta

    from django.utils import timezone

    from sessions.tasks import forget_booking_keys_task

    profile = mentor()
    _discovery(profile)
    slot = _slot(profile)
    api = _client(UserFactory())
    _book(api, {"slot": slot.pk, "mode": "video"}, key="k")
    BookingKey.objects.update(created_at=timezone.now() - timedelta(hours=25))

    assert forget_booking_keys_task() == 1
    assert not BookingKey.objects.exists()
