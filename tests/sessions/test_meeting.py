"""Where to meet: the mentor's own video link, a room on MEETING_BASE_URL
(unguessable, chosen once), or a plain sentence; whom to call by phone; the
public place in person. Shown to the two people only, in My sessions, the API
and the invitation."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from core.personal_data import personal_data_erase
from sessions.invitations import booking_invitations_send
from sessions.models import Availability, Booking
from sessions.personal_data import export_bookings
from sessions.services import booking_create
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.outbox import run_outbox
from tests.sessions.test_booking_api import _book, _client
from tests.sessions.test_bookings import START, _mentorship, _slot
from tests.sessions.test_invitations import _event, _ics_text, _sent
from tests.sessions.test_places import _venue

pytestmark = pytest.mark.django_db

MINE = reverse("coaching_sessions:my-sessions")
BASE = "https://visio.example.org/salle"
LINK = "https://visio.example.org/karim"
PHONE = "06 12 34 56 78"


def _pair(modes=("video", "phone", "in_person"), **slot_fields):
    """Karim mentors Léa (both French); his slot offers ``modes``."""
    profile = mentor(full_name="Karim Benali")
    profile.modes = list(modes)
    profile.save(update_fields=["modes"])
    learner = UserFactory(full_name="Léa Martin")
    _mentorship(learner, profile)
    if "in_person" in modes and "venue_id" not in slot_fields:
        slot_fields.setdefault(
            "place", "Café associatif Le Lien, 12 rue Paul Bert, Lyon"
        )
    slot = _slot(profile, modes=list(modes), **slot_fields)
    return profile, learner, slot


def _link(profile, link: str) -> None:
    Availability.objects.filter(mentor_profile=profile).update(meeting_link=link)


def _page(user, client) -> str:
    client.force_login(user)
    return client.get(MINE).text


def _api(user, booking: Booking):
    return _client(user).get(f"/api/v1/bookings/{booking.pk}/")


def test_video_uses_the_mentors_own_link_everywhere(client):
    profile, learner, slot = _pair()
    _link(profile, LINK)

    booking = booking_create(learner=learner, slot_id=slot.pk, mode="video")
    sent = _sent()

    assert booking.meeting_url == LINK
    for person in (learner, profile.user):
        assert f'<a href="{LINK}" rel="noopener noreferrer">{LINK}</a>' in _page(
            person, client
        )
        assert _api(person, booking).json()["meeting_url"] == LINK
    for message in sent.values():
        assert f"Visio : {LINK}" in message.body
        assert _event(_ics_text(message))[1].location == LINK


@override_settings(MEETING_BASE_URL=BASE)
def test_without_a_link_of_their_own_video_gets_an_unguessable_room_kept_for_good(
    client,
):
    profile, learner, slot = _pair()
    other_slot = _slot(profile, START.replace(hour=14), modes=["video"])
    other_learner = UserFactory()
    _mentorship(other_learner, profile)

    booking = booking_create(learner=learner, slot_id=slot.pk, mode="video")
    other = booking_create(learner=other_learner, slot_id=other_slot.pk, mode="video")
    sent = _sent()

    room = booking.meeting_url
    assert re.fullmatch(rf"{BASE}/compagnonnage-[A-Za-z0-9_-]{{24}}", room)
    assert other.meeting_url.startswith(f"{BASE}/compagnonnage-")
    assert other.meeting_url != room
    # Stable: stored, so every page, the API and the invitation say the same.
    booking.refresh_from_db()
    assert booking.meeting_url == room
    assert room in _page(learner, client)
    assert room in _page(profile.user, client)
    assert room in _page(profile.user, client)
    assert _api(learner, booking).json()["meeting_url"] == room
    assert _event(_ics_text(sent[learner.email]))[1].location == room
    # The room the invitation gave stays, even once the mentor has a link.
    _link(profile, LINK)
    page = _page(learner, client)
    assert room in page
    assert LINK not in page


@override_settings(MEETING_BASE_URL=BASE)
def test_the_seats_of_a_workshop_share_one_room():
    profile, _learner, _first = _pair()
    workshop = _slot(
        profile,
        START.replace(hour=16),
        capacity=3,
        title="Mes e-mails",
        modes=["video"],
    )

    rooms = {
        booking_create(
            learner=UserFactory(), slot_id=workshop.pk, mode="video"
        ).meeting_url
        for _ in range(3)
    }

    assert len(rooms) == 1
    assert rooms.pop().startswith(f"{BASE}/compagnonnage-")


def test_video_without_link_or_room_says_who_sends_it(client):
    profile, learner, slot = _pair()

    booking = booking_create(learner=learner, slot_id=slot.pk, mode="video")
    sent = _sent()

    assert booking.meeting_url == ""
    assert "Karim Benali vous enverra le lien dans vos messages." in _page(
        learner, client
    )
    assert "Envoyez le lien à Léa Martin dans vos messages" in _page(
        profile.user, client
    )
    assert "Karim Benali vous enverra le lien dans vos messages." in (
        sent[learner.email].body
    )
    # The mentor adds their link later: both find it in My sessions.
    _link(profile, LINK)
    assert LINK in _page(learner, client)
    assert _api(learner, booking).json()["meeting_url"] == LINK


def test_by_phone_the_mentor_calls_the_number_the_learner_gave(client):
    profile, learner, slot = _pair()
    client.force_login(learner)
    form = reverse("coaching_sessions:booking-new", args=[profile.pk])
    page = client.get(form).text

    missing = client.post(form, {"slot": str(slot.pk), "mode": "phone"})
    wrong = client.post(
        form, {"slot": str(slot.pk), "mode": "phone", "phone": "appelez-moi"}
    )
    booked = client.post(
        form, {"slot": str(slot.pk), "mode": "phone", "phone": f"  {PHONE} "}
    )

    assert 'autocomplete="tel"' in page
    assert "Donnez le numéro de téléphone où le mentor doit vous appeler." in (
        missing.text
    )
    assert "Écrivez un numéro de téléphone, par exemple 06 12 34 56 78." in wrong.text
    assert booked.status_code == 302
    booking = Booking.objects.get()
    assert booking.phone == PHONE
    sent = _sent()
    assert f"Karim Benali vous appellera au {PHONE}." in _page(learner, client)
    assert f"Appelez Léa Martin au {PHONE}." in _page(profile.user, client)
    assert f"Appelez Léa Martin au {PHONE}." in sent[profile.user.email].body
    assert PHONE in _event(_ics_text(sent[profile.user.email]))[1].description
    assert _api(profile.user, booking).json()["phone"] == PHONE


def test_a_number_sent_with_another_way_to_meet_is_not_kept():
    _profile, learner, slot = _pair()

    booking = booking_create(
        learner=learner, slot_id=slot.pk, mode="video", phone=PHONE
    )

    assert booking.phone == ""


def test_the_api_takes_the_phone_number_and_checks_it():
    _profile, learner, slot = _pair()
    client = _client(learner)

    missing = _book(client, {"slot": slot.pk, "mode": "phone"})
    wrong = _book(client, {"slot": slot.pk, "mode": "phone", "phone": "12"})
    made = _book(client, {"slot": slot.pk, "mode": "phone", "phone": PHONE})

    assert missing.status_code == 400
    assert "phone" in missing.json()
    assert wrong.status_code == 400
    assert "phone" in wrong.json()
    assert made.status_code == 201, made.json()
    assert made.json()["phone"] == PHONE
    assert PHONE in made.json()["where"]


def test_in_person_is_the_venue_with_its_address(client):
    venue = _venue()
    profile, learner, slot = _pair(modes=("video", "in_person"), venue_id=venue.pk)

    booking = booking_create(learner=learner, slot_id=slot.pk, mode="in_person")
    sent = _sent()

    where = "Médiathèque Jean-Macé, 2 rue Jean-Macé, 69007 Lyon"
    assert f"En personne : {where}" in _page(learner, client)
    assert f"En personne : {where}" in _page(profile.user, client)
    assert _api(learner, booking).json()["place"] == where
    for message in sent.values():
        assert f"En personne : {where}" in message.body
        assert _event(_ics_text(message))[1].location == where


def test_in_person_at_a_place_the_mentor_wrote(client):
    profile, learner, slot = _pair(modes=("in_person",))

    booking = booking_create(learner=learner, slot_id=slot.pk, mode="in_person")
    sent = _sent()

    where = "Café associatif Le Lien, 12 rue Paul Bert, Lyon"
    assert f"En personne : {where}" in _page(learner, client)
    assert _api(profile.user, booking).json()["where"].endswith(where)
    assert _event(_ics_text(sent[learner.email]))[1].location == where


@override_settings(MEETING_BASE_URL=BASE)
def test_a_third_person_never_sees_the_link_or_the_number(client):
    profile, learner, slot = _pair()
    workshop = _slot(
        profile,
        START.replace(hour=16),
        capacity=3,
        title="Mes e-mails",
        modes=["video", "phone"],
    )
    by_phone = booking_create(
        learner=learner, slot_id=workshop.pk, mode="phone", phone=PHONE
    )
    by_video = booking_create(learner=learner, slot_id=slot.pk, mode="video")
    neighbour = UserFactory()  # another seat of the same workshop
    booking_create(
        learner=neighbour, slot_id=workshop.pk, mode="phone", phone="0700000000"
    )
    stranger = UserFactory()

    for outsider in (neighbour, stranger):
        page = _page(outsider, client)
        assert PHONE not in page
        assert by_video.meeting_url not in page
        for booking in (by_phone, by_video):
            assert _api(outsider, booking).status_code == 404
        listed = str(_client(outsider).get("/api/v1/bookings/").json())
        assert PHONE not in listed
        assert by_video.meeting_url not in listed


def test_erasure_clears_the_number_and_the_export_gives_it_to_its_owner_only():
    profile, learner, slot = _pair()
    booking = booking_create(
        learner=learner, slot_id=slot.pk, mode="phone", phone=PHONE
    )
    run_outbox()

    assert export_bookings(learner)["bookings"][0]["phone"] == PHONE
    assert export_bookings(profile.user)["bookings"][0]["phone"] == ""
    Booking.objects.filter(pk=booking.pk).update(
        start=START.replace(year=2020), end=START.replace(year=2020, hour=10)
    )
    personal_data_erase(user=learner)
    booking.refresh_from_db()
    assert booking.phone == ""


def test_the_invitation_says_where_to_meet_after_a_cancellation_too():
    profile, learner, slot = _pair()
    booking = booking_create(
        learner=learner, slot_id=slot.pk, mode="phone", phone=PHONE
    )
    _sent()
    Booking.objects.filter(pk=booking.pk).update(sequence=1)
    booking.refresh_from_db()

    booking_invitations_send(booking=booking, method="CANCEL")
    sent = _sent()

    assert PHONE in _event(_ics_text(sent[profile.user.email]))[1].location
