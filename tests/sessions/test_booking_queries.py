"""What the mentor's week says of each booking, and the query counts of the
booking pages and API pinned: the same however many bookings and slots."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from sessions.models import Availability, Booking, BusyTime, Slot
from sessions.services import booking_create
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.sessions.test_bookings import START, _discovery, _mentorship, _slot

pytestmark = pytest.mark.django_db

WEEK = reverse("coaching_sessions:slot-week")
MINE = reverse("coaching_sessions:my-sessions")

# Each page's queries: the session with its person (and the unread-notices
# count of the header: one query), then its own reads. A change that adds a query
# per booking or per slot breaks the larger case of each test below.
# profile, zone, slots, their confirmed bookings with learners, their skills
WEEK_QUERIES = 1 + 5
# bookings with both people, their skills, the skills' names, the mentors'
# meeting links now (for bookings made before the mentor gave one), the
# pending requests to move a session, the person's waiting lists, the
# profiles of their mentors ("tell me if an earlier time frees up")
MINE_QUERIES = 1 + 7
# one plain query: the mentor public and not blocked, with the profile, the
# zone, the mentorship and its skills, the learner's place on the mentor's
# waiting list and the free slots
BOOKING_PAGE_QUERIES = 1 + 1
# bookings, their skills, the skills' names,
# the mentors' meeting links now
API_LIST_QUERIES = 1 + 4
API_ONE_QUERIES = 1 + 4
# the mentor public and not blocked, with the free slots and their venues: one
# plain query
API_SLOTS_QUERIES = 1 + 1


def _roomy(profile) -> None:
    """Lift the daily and weekly maximums so a test can add many slots."""
    _discovery(profile)
    Availability.objects.filter(mentor_profile=profile).update(
        max_per_day=12, max_per_week=60
    )


def _booked_week(profile, sessions: int) -> list[Slot]:
    """``sessions`` sessions of mentorships (two skills, an agenda), a
    discovery session and a workshop with two seats taken, all on START's
    day."""
    _roomy(profile)
    slots = []
    for index in range(sessions):
        learner = UserFactory(full_name=f"Personne {index}")
        mentorship = _mentorship(learner, profile, skills=2)
        slot = _slot(profile, START + timedelta(minutes=75 * index))
        booking_create(
            learner=learner,
            slot_id=slot.pk,
            mode="video",
            skill_ids=list(mentorship.mentorshipskill_set.values_list("pk", flat=True)),
            agenda=f"Mon CV {index}",
        )
        slots.append(slot)
    discovery = _slot(profile, START - timedelta(hours=2))
    booking_create(learner=UserFactory(), slot_id=discovery.pk, mode="video")
    workshop = _slot(
        profile, START - timedelta(hours=5), capacity=5, title="Mes démarches en ligne"
    )
    for _ in range(2):
        booking_create(learner=UserFactory(), slot_id=workshop.pk, mode="video")
    return [*slots, discovery, workshop]


def test_the_week_shows_who_booked_what_how_and_about_what(client):
    profile = mentor(full_name="Karim Benali")
    _roomy(profile)
    learner = UserFactory(full_name="Léa Martin")
    mentorship = _mentorship(learner, profile, skills=2)
    session = _slot(profile)
    booking_create(
        learner=learner,
        slot_id=session.pk,
        mode="video",
        skill_ids=list(mentorship.mentorshipskill_set.values_list("pk", flat=True)),
        agenda="Relire mon CV",
    )
    discovery = _slot(profile, START + timedelta(hours=2))
    booking_create(
        learner=UserFactory(full_name="Paul Durand"),
        slot_id=discovery.pk,
        mode="video",
    )
    workshop = _slot(
        profile, START + timedelta(hours=4), capacity=8, title="Mes démarches"
    )
    for name in ("Ana Lopes", "Jean Roux", "Inès Haddad"):
        booking_create(
            learner=UserFactory(full_name=name), slot_id=workshop.pk, mode="video"
        )
    skills = [s.skill.name for s in mentorship.mentorshipskill_set.all()]
    client.force_login(profile.user)

    page = client.get(WEEK, {"week": START.date().isoformat()}).text

    assert "Réservé par" in page
    assert "Léa Martin" in page
    assert "Séance de l’accompagnement" in page
    assert "Relire mon CV" in page
    assert all(name in page for name in skills)
    assert "Paul Durand" in page
    assert "Séance découverte" in page
    assert "Ana Lopes · Visio" in page
    assert "Atelier : 3 places prises sur 8" in page
    assert all(n in page for n in ("Ana Lopes", "Jean Roux", "Inès Haddad"))
    # The workshop still has places: it is open, and it is not removable.
    assert page.count("déjà réservé") == 2
    assert f"/creneaux/{workshop.pk}/retirer/" not in page


@pytest.mark.parametrize("seat_freed", [True, False])
def test_a_cancelled_booking_does_not_show_as_booked(client, seat_freed):
    """Whether the cancellation freed the seat (as it should) or left the
    slot marked booked, the week shows no booking there."""
    profile = mentor()
    learner = UserFactory(full_name="Léa Martin")
    _mentorship(learner, profile)
    slot = _slot(profile)
    booking = booking_create(learner=learner, slot_id=slot.pk, mode="video")
    Booking.objects.filter(pk=booking.pk).update(
        status=Booking.Status.CANCELLED, cancelled_at=timezone.now()
    )
    if seat_freed:
        BusyTime.objects.filter(booking=booking).delete()
        Slot.objects.filter(pk=slot.pk).update(status=Slot.Status.FREE, seats_taken=0)
    client.force_login(profile.user)

    page = client.get(WEEK, {"week": START.date().isoformat()}).text

    assert "Léa Martin" not in page
    assert "Réservé par" not in page
    assert "déjà réservé" not in page
    assert "libre" in page


@pytest.mark.parametrize("sessions", [1, 4])
def test_the_week_takes_a_fixed_number_of_queries(
    client, django_assert_num_queries, sessions
):
    profile = mentor()
    _booked_week(profile, sessions)
    client.force_login(profile.user)

    with django_assert_num_queries(WEEK_QUERIES):
        response = client.get(WEEK, {"week": START.date().isoformat()})

    assert response.status_code == 200
    assert response.text.count("Réservé par") == sessions + 1


@pytest.mark.parametrize("sessions", [1, 4])
def test_my_sessions_takes_a_fixed_number_of_queries_in_both_roles(
    client, django_assert_num_queries, sessions
):
    profile = mentor()
    _booked_week(profile, sessions)
    learner = Booking.objects.filter(kind="mentorship").first().learner
    client.force_login(profile.user)

    with django_assert_num_queries(MINE_QUERIES):
        as_mentor = client.get(MINE)
    client.force_login(learner)
    with django_assert_num_queries(MINE_QUERIES):
        as_learner = client.get(MINE)

    assert as_mentor.text.count("comme mentor") == sessions + 3
    assert "comme apprenant·e" in as_learner.text


@pytest.mark.parametrize("free", [1, 12])
def test_the_booking_page_takes_a_fixed_number_of_queries(
    client, django_assert_num_queries, free
):
    profile = mentor()
    _roomy(profile)
    learner = UserFactory()
    _mentorship(learner, profile, skills=3)
    for index in range(free):
        _slot(profile, START + timedelta(days=index // 6, minutes=75 * (index % 6)))
    client.force_login(learner)

    with django_assert_num_queries(BOOKING_PAGE_QUERIES):
        response = client.get(
            reverse("coaching_sessions:booking-new", args=[profile.pk])
        )

    assert response.status_code == 200
    assert response.text.count('type="radio" name="slot"') == free


@pytest.mark.parametrize("sessions", [1, 4])
def test_the_bookings_api_takes_a_fixed_number_of_queries(
    django_assert_num_queries, sessions
):
    profile = mentor()
    _booked_week(profile, sessions)
    api = APIClient()
    api.force_login(profile.user)
    one = Booking.objects.filter(kind="mentorship").first()

    with django_assert_num_queries(API_LIST_QUERIES):
        listed = api.get("/api/v1/bookings/", {"role": "mentor"})
    with django_assert_num_queries(API_ONE_QUERIES):
        shown = api.get(f"/api/v1/bookings/{one.pk}/")

    assert len(listed.json()) == sessions + 3
    assert len(shown.json()["skills"]) == 2


@pytest.mark.parametrize("free", [0, 1, 12])
def test_the_slots_api_takes_a_fixed_number_of_queries(django_assert_num_queries, free):
    profile = mentor()
    _roomy(profile)
    for index in range(free):
        _slot(profile, START + timedelta(days=index // 6, minutes=75 * (index % 6)))
    api = APIClient()
    api.force_login(UserFactory())

    with django_assert_num_queries(API_SLOTS_QUERIES):
        listed = api.get("/api/v1/slots/", {"mentor": profile.pk})

    assert listed.status_code == 200
    assert len(listed.json()) == free
