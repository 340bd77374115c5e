"""The availability and slot endpoints: a mentor's own availability, free slots
of a public mentor, one-off slots added and taken back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from mentors.models import MentorProfile
from mentors.services import block_create
from sessions.models import Availability, Slot
from sessions.services import availability_get_or_create, slot_create
from tests.factories import UserFactory
from tests.gates.cast import AVAILABILITY_BODY
from tests.matching.helpers import mentor

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _on_the_hour(days: float, hour: int = 9) -> datetime:
    return (timezone.now() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def _slot(profile: MentorProfile, start: datetime, **kwargs) -> Slot:
    availability_get_or_create(mentor_profile=profile)
    return slot_create(mentor_profile_id=profile.pk, start=start, **kwargs)


# --- /api/v1/me/availability/ -------------------------------------------------


def test_a_mentor_reads_the_defaults_then_replaces_their_availability():
    profile = mentor()
    api = _client(profile.user)

    before = api.get("/api/v1/me/availability/")

    assert before.status_code == 200
    assert before.json()["time_zone"] == "Europe/Paris"
    assert before.json()["rules"] == []
    assert not Availability.objects.exists()  # reading writes nothing

    body = {
        **AVAILABILITY_BODY,
        "time_zone": "Indian/Reunion",
        "rules": [
            {"weekday": 0, "start": "17:00", "end": "19:00"},
            {"weekday": 3, "start": "09:30", "end": "11:30"},
        ],
        "exceptions": [
            {"date": "2030-01-07", "kind": "off"},
            {"date": "2030-01-08", "kind": "extra", "start": "08:00", "end": "10:00"},
        ],
    }
    saved = api.put("/api/v1/me/availability/", body, format="json")

    assert saved.status_code == 200, saved.json()
    assert saved.json() == {
        **body,
        "exceptions": [
            {"date": "2030-01-07", "kind": "off", "start": None, "end": None},
            {"date": "2030-01-08", "kind": "extra", "start": "08:00", "end": "10:00"},
        ],
    }
    assert api.get("/api/v1/me/availability/").json() == saved.json()
    assert Availability.objects.get().time_zone == "Indian/Reunion"
    assert Slot.objects.filter(mentor=profile.user, status="free").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": "America"}, "time_zone"),  # a folder of the zone database
        ({"session_minutes": 50}, "session_minutes"),
        ({"modes": ["phone"]}, "modes"),  # the profile offers video only
        ({"rules": [{"weekday": 1, "start": "12:00", "end": "10:00"}]}, "rules"),
        ({"rules": [{"weekday": 7, "start": "09:00", "end": "10:00"}]}, "rules"),
        ({"rules": [{"weekday": 1, "start": "9h", "end": "10:00"}]}, "rules"),
        (
            {
                "rules": [
                    {"weekday": 1, "start": "09:00", "end": "12:00"},
                    {"weekday": 1, "start": "11:00", "end": "13:00"},
                ]
            },
            "rules",
        ),
        ({"exceptions": [{"date": "2030-01-08", "kind": "extra"}]}, "exceptions"),
        (
            {"exceptions": [{"date": "2030-01-08", "kind": "off", "start": "08:00"}]},
            "exceptions",
        ),
        ({"rules": None}, "rules"),
        ({"meeting_link": "http://visio.example.org/salle"}, "meeting_link"),
        ({"meeting_link": "javascript:alert(1)"}, "meeting_link"),
    ],
)
def test_bad_availability_is_a_400_with_field_errors_and_nothing_written(change, field):
    profile = mentor()
    api = _client(profile.user)

    response = api.put(
        "/api/v1/me/availability/", {**AVAILABILITY_BODY, **change}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not Availability.objects.exists()
    assert not Slot.objects.exists()


def test_someone_without_a_mentor_profile_has_no_availability_nor_slots():
    api = _client(UserFactory())

    assert api.get("/api/v1/me/availability/").status_code == 404
    assert (
        api.put(
            "/api/v1/me/availability/", AVAILABILITY_BODY, format="json"
        ).status_code
        == 404
    )
    assert (
        api.post(
            "/api/v1/me/slots/", {"start": _on_the_hour(3).isoformat()}, format="json"
        ).status_code
        == 404
    )
    assert not Availability.objects.exists()


# --- /api/v1/slots/ -----------------------------------------------------------------


def test_a_learner_sees_the_free_slots_of_a_public_mentor_in_utc():
    profile = mentor()
    first = _slot(profile, _on_the_hour(3, hour=8))
    workshop = _slot(
        profile, _on_the_hour(4, hour=8), capacity=6, title="Créer son adresse e-mail"
    )
    booked = _slot(profile, _on_the_hour(5, hour=8))
    Slot.objects.filter(pk=booked.pk).update(status=Slot.Status.BOOKED, seats_taken=1)
    _slot(profile, _on_the_hour(20, hour=8))  # past the range asked for
    api = _client(UserFactory())

    response = api.get(
        "/api/v1/slots/",
        {
            "mentor": profile.pk,
            "from": timezone.now().isoformat(),
            "to": (timezone.now() + timedelta(days=10)).isoformat(),
        },
    )

    assert response.status_code == 200
    assert [s["id"] for s in response.json()] == [first.pk, workshop.pk]
    shown = response.json()[1]
    assert shown["start"] == workshop.start.astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert shown["end"] == (workshop.start + timedelta(hours=1)).astimezone(
        UTC
    ).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert shown["capacity"] == 6
    assert shown["title"] == "Créer son adresse e-mail"
    assert (shown["venue"], shown["place"]) == (None, "")
    assert shown["modes"] == ["video"]
    assert shown["status"] == "free"


def test_without_a_range_the_next_four_weeks_are_listed():
    profile = mentor()
    soon = _slot(profile, _on_the_hour(3))
    _slot(profile, _on_the_hour(40))

    response = _client(UserFactory()).get("/api/v1/slots/", {"mentor": profile.pk})

    assert [s["id"] for s in response.json()] == [soon.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "mentor"),
        ({"mentor": "abc"}, "mentor"),
        ({"from": "tomorrow"}, "from"),
        ({"from": "2030-03-01T10:00:00"}, "from"),  # no offset: refused, not guessed
        (
            {"from": _on_the_hour(3).isoformat(), "to": _on_the_hour(2).isoformat()},
            "to",
        ),
        (
            {"from": _on_the_hour(3).isoformat(), "to": _on_the_hour(60).isoformat()},
            "to",
        ),
        ({"to": _on_the_hour(500).isoformat()}, "to"),
        ({"from": "9999-12-31T23:59:59+00:00"}, "from"),
        ({"from": "0001-01-01T00:00:00+01:00"}, "from"),
        ({"page": "2"}, "page"),
    ],
)
def test_bad_slot_parameters_are_a_400_with_field_errors(params, field):
    profile = mentor()
    query = params if field == "mentor" else {"mentor": profile.pk, **params}

    response = _client(UserFactory()).get("/api/v1/slots/", query)

    assert response.status_code == 400
    assert field in response.json()


def test_a_blocked_pair_does_not_see_each_others_slots():
    profile = mentor()
    _slot(profile, _on_the_hour(3))
    learner = UserFactory()
    block_create(blocker=profile.user, blocked=learner)

    response = _client(learner).get("/api/v1/slots/", {"mentor": profile.pk})

    assert response.status_code == 404
    assert (
        _client(UserFactory())
        .get("/api/v1/slots/", {"mentor": profile.pk})
        .json()[0]["start"]
    )


def test_a_mentor_who_is_not_public_has_no_slots_to_show():
    profile = mentor()
    _slot(profile, _on_the_hour(3))
    MentorProfile.objects.filter(pk=profile.pk).update(is_published=False)

    response = _client(UserFactory()).get("/api/v1/slots/", {"mentor": profile.pk})

    assert response.status_code == 404


# --- /api/v1/me/slots/ -------------------------------------------------------------


def test_a_mentor_adds_a_workshop():
    profile = mentor()
    start = _on_the_hour(3)

    response = _client(profile.user).post(
        "/api/v1/me/slots/",
        {
            "start": start.astimezone(UTC).isoformat(),
            "capacity": 8,
            "minutes": 120,
            "title": "  Faire son CV  en ligne ",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    slot = Slot.objects.get(pk=response.json()["id"])
    assert (slot.start, slot.capacity, slot.source) == (start, 8, "manual")
    assert slot.title == response.json()["title"] == "Faire son CV en ligne"
    assert slot.end == start + timedelta(hours=2)
    profile.refresh_from_db()
    assert profile.next_free_slot_at == start


def test_a_slot_over_the_mentors_busy_time_is_a_409():
    profile = mentor()
    start = _on_the_hour(3)
    _slot(profile, start)

    response = _client(profile.user).post(
        "/api/v1/me/slots/",
        {"start": (start + timedelta(minutes=30)).isoformat()},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["detail"]
    assert Slot.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "start"),
        ({"start": "2030-03-01T10:00:00"}, "start"),
        ({"start": "2130-03-01T10:00:00Z"}, "start"),
        ({"start": _on_the_hour(3).isoformat(), "capacity": 0}, "capacity"),
        ({"start": _on_the_hour(3).isoformat(), "capacity": 31}, "capacity"),
    ],
)
def test_bad_slot_input_is_a_400_with_field_errors(body, field):
    profile = mentor()

    response = _client(profile.user).post("/api/v1/me/slots/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Slot.objects.exists()


def test_a_mentor_takes_back_a_free_slot_but_not_a_booked_one():
    profile = mentor()
    free = _slot(profile, _on_the_hour(3))
    booked = _slot(profile, _on_the_hour(4))
    Slot.objects.filter(pk=booked.pk).update(status=Slot.Status.BOOKED, seats_taken=1)
    api = _client(profile.user)

    assert api.delete(f"/api/v1/me/slots/{free.pk}/").status_code == 204
    refused = api.delete(f"/api/v1/me/slots/{booked.pk}/")

    assert refused.status_code == 409
    assert refused.json()["detail"]
    assert list(Slot.objects.values_list("pk", flat=True)) == [booked.pk]


def test_another_mentors_slot_is_not_found():
    slot = _slot(mentor(), _on_the_hour(3))
    api = _client(mentor().user)

    assert api.delete(f"/api/v1/me/slots/{slot.pk}/").status_code == 404
    assert api.delete("/api/v1/me/slots/999999999/").status_code == 404
    assert Slot.objects.filter(pk=slot.pk).exists()


# --- methods and sign-in ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("patch", "/api/v1/me/availability/"),
        ("delete", "/api/v1/me/availability/"),
        ("post", "/api/v1/slots/"),
        ("get", "/api/v1/me/slots/"),
        ("get", "/api/v1/me/slots/1/"),
        ("put", "/api/v1/me/slots/1/"),
    ],
)
def test_wrong_methods_are_refused(method, path):
    api = _client(mentor().user)

    assert getattr(api, method)(path).status_code == 405


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/me/availability/"),
        ("put", "/api/v1/me/availability/"),
        ("get", "/api/v1/slots/"),
        ("post", "/api/v1/me/slots/"),
        ("delete", "/api/v1/me/slots/1/"),
    ],
)
def test_anonymous_callers_must_sign_in(method, path):
    response = getattr(APIClient(), method)(path)

    assert response.status_code == 401
