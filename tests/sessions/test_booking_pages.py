"""The booking page (radio buttons: keyboard alone, no JavaScript), "My
sessions" in both roles, and the mentor's week showing the booking."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mentors.models import Block
from sessions.models import Booking
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.sessions.test_bookings import _discovery, _mentorship, _slot

pytestmark = pytest.mark.django_db

MINE = reverse("coaching_sessions:my-sessions")


def _page(profile) -> str:
    return reverse("coaching_sessions:booking-new", args=[profile.pk])


def test_a_learner_books_from_the_page_and_both_see_it(client):
    profile = mentor(full_name="Karim Benali")
    learner = UserFactory(full_name="Léa Martin")
    mentorship = _mentorship(learner, profile, skills=1)
    slot = _slot(profile)
    client.force_login(learner)

    page = client.get(_page(profile))
    booked = client.post(
        _page(profile),
        {
            "slot": str(slot.pk),
            "mode": "video",
            "skills": [str(mentorship.mentorshipskill_set.get().pk)],
            "agenda": "Mon CV",
        },
    )
    mine = client.get(MINE).text
    client.force_login(profile.user)
    theirs = client.get(MINE).text
    week = client.get(
        reverse("coaching_sessions:slot-week"), {"week": slot.start.date()}
    ).text

    assert page.status_code == 200
    assert 'type="radio" name="slot"' in page.text
    assert "Les horaires les plus proches" in page.text
    assert booked.status_code == 302
    assert booked.url == MINE
    booking = Booking.objects.get()
    assert (booking.kind, booking.agenda) == ("mentorship", "Mon CV")
    assert "avec Karim Benali" in mine
    assert "avec Léa Martin" in theirs
    assert "déjà réservé" in week


def test_the_page_is_a_404_for_a_blocked_or_own_mentor(client):
    profile = mentor()
    learner = UserFactory()
    Block.objects.create(blocker=profile.user, blocked=learner)
    client.force_login(learner)

    assert client.get(_page(profile)).status_code == 404
    client.force_login(profile.user)
    assert client.get(_page(profile)).status_code == 404


def test_a_slot_taken_meanwhile_is_explained_on_the_form(client):
    profile = mentor()
    _discovery(profile)
    slot = _slot(profile)
    client.force_login(UserFactory())
    client.get(_page(profile))
    from sessions.services import booking_create

    booking_create(learner=UserFactory(), slot_id=slot.pk, mode="video")
    response = client.post(_page(profile), {"slot": str(slot.pk), "mode": "video"})

    assert response.status_code == 200
    assert "Ce créneau vient d&#x27;être pris" in response.text
    assert Booking.objects.count() == 1


def test_my_sessions_needs_to_sign_in(client):
    response = client.get(MINE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
