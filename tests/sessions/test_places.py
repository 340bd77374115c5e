"""In person only at a public place, workshops with a title, a time commitment,
and the hourly summaries computed in bulk."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from sessions.api import SlotSerializer
from sessions.models import Availability, Slot, Venue
from sessions.services import (
    availability_get_or_create,
    availability_update,
    slot_create,
    slot_summaries_refresh_all,
    slot_summary_refresh,
)
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.sessions.test_slots import NOW

pytestmark = pytest.mark.django_db

TUESDAY_MORNING = [(1, time(9), time(12))]


def _in_person_mentor():
    profile = mentor()
    profile.modes = ["video", "in_person"]
    profile.save(update_fields=["modes"])
    return profile


def _venue(**fields) -> Venue:
    return Venue.objects.create(
        **{
            "name": "Médiathèque Jean-Macé",
            "address": "2 rue Jean-Macé",
            "postcode": "69007",
            "city": "Lyon",
            **fields,
        }
    )


def test_a_new_availability_offers_in_person_only_once_a_place_is_named():
    profile = _in_person_mentor()

    assert availability_get_or_create(mentor_profile=profile).modes == ["video"]
    with pytest.raises(ValidationError) as refused:
        availability_update(
            mentor_profile=profile,
            settings={"modes": ["video", "in_person"]},
            rules=TUESDAY_MORNING,
            exceptions=[],
            now=NOW,
        )

    assert "place" in refused.value.error_dict
    assert not Slot.objects.exists()  # nothing written


@pytest.mark.parametrize(
    "place",
    [
        "Chez moi, 3 rue des Lilas",
        "à mon domicile",
        "At home in Lyon centre",
        "Mon appartement, Lyon",
        "Café",  # too short to be found
    ],
)
def test_a_home_is_never_a_place_to_meet(place):
    profile = _in_person_mentor()

    with pytest.raises(ValidationError) as refused:
        availability_update(
            mentor_profile=profile,
            settings={"modes": ["in_person"], "place": place},
            rules=TUESDAY_MORNING,
            exceptions=[],
            now=NOW,
        )

    assert "place" in refused.value.error_dict


def test_slots_in_person_carry_the_venue_and_follow_a_change_of_place():
    profile = _in_person_mentor()
    venue = _venue()
    availability_update(
        mentor_profile=profile,
        settings={"modes": ["video", "in_person"], "venue_id": venue.pk},
        rules=TUESDAY_MORNING,
        exceptions=[],
        now=NOW,
    )
    first_ids = set(Slot.objects.values_list("pk", flat=True))
    assert first_ids
    assert set(Slot.objects.values_list("venue_id", "place")) == {(venue.pk, "")}

    availability_update(
        mentor_profile=profile,
        settings={
            "modes": ["video", "in_person"],
            "venue_id": None,
            "place": "  Café des Sciences,  12 place Bellecour, Lyon ",
        },
        rules=TUESDAY_MORNING,
        exceptions=[],
        now=NOW,
    )

    # The same times stay the same slots, now at the new place.
    assert set(Slot.objects.values_list("pk", flat=True)) == first_ids
    assert set(Slot.objects.values_list("venue_id", "place")) == {
        (None, "Café des Sciences, 12 place Bellecour, Lyon")
    }

    availability_update(
        mentor_profile=profile,
        settings={"modes": ["video"]},
        rules=TUESDAY_MORNING,
        exceptions=[],
        now=NOW,
    )

    assert {
        (tuple(modes), venue_id, place)
        for modes, venue_id, place in Slot.objects.values_list(
            "modes", "venue_id", "place"
        )
    } == {(("video",), None, "")}
    # The written place is kept for the next time in person is offered.
    assert Availability.objects.get().place.startswith("Café des Sciences")


def test_a_venue_staff_no_longer_offer_stays_for_mentors_already_there():
    profile = _in_person_mentor()
    venue = _venue()
    other = _in_person_mentor()
    settings = {"modes": ["in_person"], "venue_id": venue.pk}
    availability_update(
        mentor_profile=profile,
        settings=settings,
        rules=TUESDAY_MORNING,
        exceptions=[],
        now=NOW,
    )
    Venue.objects.filter(pk=venue.pk).update(is_active=False)

    availability_update(  # saving again keeps it
        mentor_profile=profile,
        settings={**settings, "max_per_day": 2},
        rules=TUESDAY_MORNING,
        exceptions=[],
        now=NOW,
    )
    with pytest.raises(ValidationError) as refused:  # nobody new chooses it
        availability_update(
            mentor_profile=other,
            settings=settings,
            rules=TUESDAY_MORNING,
            exceptions=[],
            now=NOW,
        )

    assert "venue" in refused.value.error_dict


def test_both_a_venue_and_a_written_place_is_refused():
    profile = _in_person_mentor()

    with pytest.raises(ValidationError) as refused:
        availability_update(
            mentor_profile=profile,
            settings={
                "modes": ["in_person"],
                "venue_id": _venue().pk,
                "place": "Maison des associations, Lyon",
            },
            rules=TUESDAY_MORNING,
            exceptions=[],
            now=NOW,
        )

    assert "place" in refused.value.error_dict


def test_the_database_refuses_in_person_without_a_place():
    profile = _in_person_mentor()
    start = datetime(2027, 3, 3, 10, tzinfo=UTC)

    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.create(
            mentor=profile.user,
            start=start,
            end=start + timedelta(hours=1),
            modes=["in_person"],
            source="manual",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.create(  # a workshop needs a title
            mentor=profile.user,
            start=start,
            end=start + timedelta(hours=1),
            modes=["video"],
            capacity=5,
            source="manual",
        )


def test_a_workshop_by_hand_in_person_at_a_venue():
    profile = _in_person_mentor()
    venue = _venue()
    availability_get_or_create(mentor_profile=profile)

    workshop = slot_create(
        mentor_profile_id=profile.pk,
        start=datetime(2027, 3, 3, 13, tzinfo=UTC),
        minutes=120,
        capacity=10,
        title="Faire ses démarches en ligne",
        modes=["in_person"],
        venue_id=venue.pk,
        now=NOW,
    )

    assert (workshop.capacity, workshop.venue_id, workshop.modes) == (
        10,
        venue.pk,
        ["in_person"],
    )
    assert workshop.end - workshop.start == timedelta(hours=2)
    with pytest.raises(ValidationError) as refused:
        slot_create(
            mentor_profile_id=profile.pk,
            start=datetime(2027, 3, 4, 13, tzinfo=UTC),
            capacity=10,
            title="",
            now=NOW,
        )
    assert "title" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        slot_create(
            mentor_profile_id=profile.pk,
            start=datetime(2027, 3, 4, 13, tzinfo=UTC),
            modes=["in_person"],
            now=NOW,
        )
    assert "place" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        slot_create(
            mentor_profile_id=profile.pk,
            start=datetime(2027, 3, 4, 13, tzinfo=UTC),
            minutes=50,
            now=NOW,
        )
    assert "minutes" in refused.value.error_dict
    assert Slot.objects.count() == 1


@pytest.mark.parametrize(
    ("hours", "period", "valid"),
    [(2, "month", True), (1, "week", True), (None, "", True), (2, "", False)],
)
def test_a_time_commitment_is_hours_per_week_or_month(hours, period, valid):
    profile = mentor()
    settings = {"commitment_hours": hours, "commitment_period": period}

    if valid:
        availability_update(
            mentor_profile=profile, settings=settings, rules=[], exceptions=[]
        )
        saved = Availability.objects.get()
        assert (saved.commitment_hours, saved.commitment_period) == (hours, period)
    else:
        with pytest.raises(ValidationError):
            availability_update(
                mentor_profile=profile, settings=settings, rules=[], exceptions=[]
            )
        assert not Availability.objects.exists()


def test_the_hourly_job_computes_the_same_summaries_in_bulk():
    profiles = [mentor() for _ in range(3)]
    for number, profile in enumerate(profiles):
        availability_update(
            mentor_profile=profile,
            settings={"time_zone": ["Europe/Paris", "Indian/Reunion", "UTC"][number]},
            rules=[(number, time(9), time(11 + number))],
            exceptions=[],
            now=NOW,
        )
    later = NOW + timedelta(days=5, hours=3)

    def summaries():
        return [
            tuple(
                type(p)
                .objects.filter(pk=p.pk)
                .values_list(
                    "next_free_slot_at",
                    "free_slots_7d",
                    "free_slots_14d",
                    "free_slots_28d",
                    "availability_bitmap",
                )
                .get()
            )
            for p in profiles
        ]

    for profile in profiles:
        slot_summary_refresh(mentor_profile_id=profile.pk, now=later)
    one_by_one = summaries()
    type(profiles[0]).objects.update(
        next_free_slot_at=None, free_slots_7d=0, free_slots_14d=0, free_slots_28d=0
    )

    assert slot_summaries_refresh_all(now=later, batch_size=2) == 3

    assert summaries() == one_by_one
    assert all(row[0] is not None and row[0] > later for row in one_by_one)


def test_venues_are_listed_for_signed_in_people_only():
    _venue()
    _venue(name="Espace public numérique", city="Évry", postcode="91000")
    _venue(name="Ancien tiers-lieu", city="Lyon", is_active=False)
    api = APIClient()

    assert api.get("/api/v1/venues/").status_code in (401, 403)
    api.force_login(UserFactory())
    listed = api.get("/api/v1/venues/", {"city": "evr"})

    assert listed.status_code == 200
    assert [v["name"] for v in listed.json()] == ["Espace public numérique"]
    assert [v["city"] for v in api.get("/api/v1/venues/").json()] == ["Évry", "Lyon"]


def test_staff_keep_the_venues_and_look_at_availability_without_changing_it(
    client, staff_with_totp
):
    from django.urls import reverse

    from tests.accounts.helpers import sign_in_staff

    profile = _in_person_mentor()
    sign_in_staff(client, staff_with_totp)

    added = client.post(
        reverse("admin:coaching_sessions_venue_add"),
        {
            "name": "Espace public numérique",
            "address": "1 place de la Mairie",
            "postcode": "91000",
            "city": "Évry",
            "region": "11",
            "access_notes": "",
            "is_active": "on",
        },
    )
    venue = Venue.objects.get()
    availability_update(
        mentor_profile=profile,
        settings={"modes": ["in_person"], "venue_id": venue.pk},
        rules=TUESDAY_MORNING,
        exceptions=[],
        now=NOW,
    )
    availability = Availability.objects.get()
    listed = client.get(reverse("admin:coaching_sessions_venue_changelist"))
    shown = client.get(
        reverse("admin:coaching_sessions_availability_change", args=[availability.pk])
    )
    changed = client.post(
        reverse("admin:coaching_sessions_availability_change", args=[availability.pk]),
        {"time_zone": "UTC"},
    )
    slots = client.get(reverse("admin:coaching_sessions_slot_changelist"))
    deleted = client.post(
        reverse("admin:coaching_sessions_venue_delete", args=[venue.pk]),
        {"post": "yes"},
    )

    assert added.status_code == 302
    assert "Espace public numérique" in listed.text
    assert shown.status_code == 200
    assert changed.status_code == 403  # read only: the mentor's pages change it
    assert Availability.objects.get().time_zone == "Europe/Paris"
    assert slots.status_code == 200
    # Slots are planned there: the venue cannot go (staff untick it instead).
    assert deleted.status_code == 200
    assert Venue.objects.filter(pk=venue.pk).exists()


def test_the_api_takes_a_place_for_in_person_and_explains_refusals():
    profile = _in_person_mentor()
    venue = _venue()
    api = APIClient()
    api.force_login(profile.user)
    start = (
        (timezone.now() + timedelta(days=3))
        .replace(hour=10, minute=0, second=0, microsecond=0)
        .isoformat()
    )

    no_place = api.post(
        "/api/v1/me/slots/", {"start": start, "modes": ["in_person"]}, format="json"
    )
    home = api.post(
        "/api/v1/me/slots/",
        {"start": start, "modes": ["in_person"], "place": "à mon domicile, Lyon"},
        format="json",
    )
    at_venue = api.post(
        "/api/v1/me/slots/",
        {"start": start, "modes": ["in_person", "video"], "venue": venue.pk},
        format="json",
    )
    availability = api.put(
        "/api/v1/me/availability/",
        {
            **api.get("/api/v1/me/availability/").json(),
            "modes": ["in_person"],
            "venue": venue.pk,
        },
        format="json",
    )

    assert no_place.status_code == 400
    assert "place" in no_place.json()
    assert home.status_code == 400
    assert "place" in home.json()
    assert at_venue.status_code == 201, at_venue.json()
    assert at_venue.json()["venue"]["name"] == "Médiathèque Jean-Macé"
    assert at_venue.json()["modes"] == ["in_person", "video"]
    assert availability.status_code == 200, availability.json()
    assert availability.json()["venue"] == venue.pk
    assert Slot.objects.count() == 1


@pytest.mark.parametrize("at_venue", [True, False])
def test_the_slot_output_is_the_declared_fields_read_straight(at_venue):
    """``SlotSerializer`` builds its output directly, for speed: it must stay
    what the declared fields (the schema) would give."""
    profile = _in_person_mentor()
    availability_get_or_create(mentor_profile=profile)
    start = (timezone.now() + timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    place = {"venue_id": _venue().pk} if at_venue else {"place": "Mairie de Lyon 7e"}
    slot = slot_create(
        mentor_profile_id=profile.pk,
        start=start,
        modes=["in_person"],
        capacity=4,
        title="Créer son adresse e-mail",
        **place,
    )
    slot = Slot.objects.select_related("venue").get(pk=slot.pk)

    fast = SlotSerializer(slot).data
    generic = serializers.Serializer.to_representation(SlotSerializer(), slot)

    assert dict(fast) == dict(generic)


def test_the_slot_list_gives_what_the_declared_fields_give():
    """``GET /api/v1/slots/`` builds each slot from a plain row, for speed: it
    must stay what the declared fields (the schema) give for the same slots,
    at a venue, at a public place, and by video."""
    profile = _in_person_mentor()
    availability_get_or_create(mentor_profile=profile)
    day = (timezone.now() + timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    venue = _venue(access_notes="Au 1er étage")
    slot_create(
        mentor_profile_id=profile.pk,
        start=day,
        modes=["in_person"],
        capacity=4,
        title="Créer son adresse e-mail",
        venue_id=venue.pk,
    )
    slot_create(
        mentor_profile_id=profile.pk,
        start=day + timedelta(hours=2),
        modes=["in_person", "video"],
        place="Mairie de Lyon 7e",
    )
    slot_create(
        mentor_profile_id=profile.pk, start=day + timedelta(hours=4), modes=["video"]
    )
    api = APIClient()
    api.force_login(UserFactory())

    listed = api.get("/api/v1/slots/", {"mentor": profile.pk})

    assert listed.status_code == 200
    generic = [
        serializers.Serializer.to_representation(SlotSerializer(), slot)
        for slot in Slot.objects.select_related("venue").order_by("start")
    ]
    assert len(generic) == 3
    assert listed.json() == [dict(g) for g in generic]
