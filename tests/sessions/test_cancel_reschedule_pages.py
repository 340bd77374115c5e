"""Cancel and change the time from "My sessions", from the e-mail and through
the API: who may, what the pages say (late, reasons), bad input, another
person's booking, and the staff-only lateness; personal data of requests;
the e-mails through the real worker in each person's language."""

from __future__ import annotations

import email.header
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.personal_data import providers
from sessions.invitations import booking_cancel_url
from sessions.models import Availability, Booking, RescheduleRequest
from sessions.personal_data import (
    erase_reschedule_requests,
    export_bookings,
    export_reschedule_requests,
)
from sessions.services import booking_cancel, booking_create, booking_reschedule
from tests.accounts.helpers import sign_in_staff
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.sessions.test_bookings import START, _mentorship, _slot
from tests.sessions.test_invitations import _pair

pytestmark = pytest.mark.django_db

MINE = reverse("coaching_sessions:my-sessions")


def _cancel_page(booking) -> str:
    return reverse("coaching_sessions:booking-cancel", args=[booking.pk])


def _move_page(booking) -> str:
    return reverse("coaching_sessions:booking-reschedule", args=[booking.pk])


def _soon(profile, hours: int = 5):
    """A free time in ``hours`` hours (inside the cut-off)."""
    Availability.objects.filter(mentor_profile=profile).update(min_notice_hours=0)
    start = (timezone.now() + timedelta(hours=hours)).replace(second=0, microsecond=0)
    return _slot(profile, start)


def _booked(soon: bool = False):
    profile = mentor(full_name="Karim Benali")
    learner = UserFactory(full_name="Léa Martin")
    _mentorship(learner, profile)
    other = _slot(profile, START + timedelta(days=1))
    slot = _soon(profile) if soon else _slot(profile)
    booking = booking_create(learner=learner, slot_id=slot.pk, mode="video")
    return profile, learner, booking, other


def test_my_sessions_links_to_cancel_and_change_the_time(client):
    _profile, learner, booking, _other = _booked()
    client.force_login(learner)

    page = client.get(MINE).text

    assert f'href="{_cancel_page(booking)}"' in page
    assert f'href="{_move_page(booking)}"' in page
    assert "Annuler" in page
    assert "Changer d'horaire" in page


def test_the_learner_cancels_late_with_a_reason_and_only_staff_see_it(
    client, staff_with_totp
):
    profile, learner, booking, _other = _booked(soon=True)
    client.force_login(learner)

    page = client.get(_cancel_page(booking)).text
    refused = client.post(_cancel_page(booking), {"note": "Désolée"})
    done = client.post(
        _cancel_page(booking), {"reason": "childcare", "note": "Ma fille est malade."}
    )

    assert "c'est une annulation tardive" in page
    for reason in ("Santé", "Entretien d&#x27;embauche", "Garde d&#x27;enfant"):
        assert reason in page
    assert 'type="radio" name="reason"' in page
    assert refused.status_code == 200
    assert "Ce champ est obligatoire" in refused.text
    assert (done.status_code, done.url) == (302, MINE)
    booking.refresh_from_db()
    assert (booking.cancelled_late, booking.cancel_reason) == (True, "childcare")
    # The mentor reads the reason and the note, never that it was late.
    client.force_login(profile.user)
    shown = APIClient()
    shown.force_authenticate(profile.user)
    seen = shown.get(f"/api/v1/bookings/{booking.pk}/").json()
    assert seen["cancel_reason"] == "childcare"
    assert seen["cancelled_by"] == "learner"
    assert "late" not in str(seen)
    staff = Client()
    sign_in_staff(staff, staff_with_totp)
    admin = staff.get(
        reverse("admin:coaching_sessions_booking_changelist"), {"cancelled_late": "1"}
    )
    assert admin.status_code == 200
    assert "Léa Martin" in admin.text


def test_a_mentor_inside_the_cut_off_may_only_cancel(client):
    profile, _learner, booking, other = _booked(soon=True)
    client.force_login(profile.user)

    page = client.get(_move_page(booking)).text
    posted = client.post(_move_page(booking), {"slot": str(other.pk)})

    assert "vous ne pouvez plus la déplacer" in page
    assert 'name="slot"' not in page
    assert posted.status_code == 200
    booking.refresh_from_db()
    assert booking.slot_id != other.pk


def test_the_learner_moves_from_the_page_and_the_mentor_answers_a_request(client):
    _profile, learner, booking, other = _booked()
    client.force_login(learner)

    page = client.get(_move_page(booking)).text
    moved = client.post(_move_page(booking), {"slot": str(other.pk)})

    assert "Les horaires les plus proches" in page
    assert f'value="{other.pk}"' in page
    assert (moved.status_code, moved.url) == (302, MINE)
    booking.refresh_from_db()
    assert booking.slot_id == other.pk

    soon_profile, soon_learner, soon_booking, soon_other = _booked(soon=True)
    client.force_login(soon_learner)
    asking = client.get(_move_page(soon_booking)).text
    client.post(_move_page(soon_booking), {"slot": str(soon_other.pk)})
    request = RescheduleRequest.objects.get(booking=soon_booking)
    client.force_login(soon_profile.user)
    mentors_page = client.get(MINE).text
    accept = reverse("coaching_sessions:reschedule-accept", args=[request.pk])
    client.force_login(learner)
    foreign = client.post(accept)
    client.force_login(soon_profile.user)
    answered = client.post(accept)

    assert "doit être d'accord" in asking
    assert "Léa Martin demande de déplacer cette séance" in mentors_page
    assert f'action="{accept}"' in mentors_page
    assert foreign.status_code == 404
    assert (answered.status_code, answered.url) == (302, MINE)
    soon_booking.refresh_from_db()
    assert soon_booking.slot_id == soon_other.pk


def test_another_persons_booking_is_a_404_and_get_writes_nothing(client):
    _profile, _learner, booking, _other = _booked()
    client.force_login(UserFactory())

    assert client.get(_cancel_page(booking)).status_code == 404
    assert client.post(_cancel_page(booking), {"reason": "health"}).status_code == 404
    assert client.get(_move_page(booking)).status_code == 404
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    anonymous = Client().get(_cancel_page(booking))
    assert anonymous.status_code == 302  # to sign in first, then back here


def test_the_cancel_url_of_the_e_mail_is_absolute_and_opens_the_page(client):
    _profile, learner, booking, _other = _booked()

    url = booking_cancel_url(booking)

    assert url == f"http://testserver{_cancel_page(booking)}"
    client.force_login(learner)
    assert client.get(url.removeprefix("http://testserver")).status_code == 200


# --- API ---------------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_cancels_with_field_errors_for_bad_input():
    profile, learner, booking, _other = _booked()
    url = f"/api/v1/bookings/{booking.pk}/cancel/"

    bad = _api(learner).post(url, {"reason": "blocked", "note": "x" * 301})
    stranger = _api(UserFactory()).post(url, {"reason": "health"}, format="json")
    done = _api(profile.user).post(url, {"reason": "health"}, format="json")
    again = _api(learner).post(url, {"reason": "health"}, format="json")

    assert bad.status_code == 400
    assert set(bad.json()) == {"reason", "note"}
    assert stranger.status_code == 404
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["cancelled_by"]) == (
        "cancelled",
        "mentor",
    )
    assert again.status_code == 409


def test_the_api_moves_or_asks_and_the_mentor_answers():
    _profile, learner, booking, other = _booked()
    moved = _api(learner).post(
        f"/api/v1/bookings/{booking.pk}/reschedule/", {"slot": other.pk}, format="json"
    )
    soon_profile, soon_learner, soon_booking, soon_other = _booked(soon=True)
    url = f"/api/v1/bookings/{soon_booking.pk}/reschedule/"
    missing = _api(soon_learner).post(url, {}, format="json")
    asked = _api(soon_learner).post(url, {"slot": soon_other.pk}, format="json")
    refused = _api(soon_profile.user).post(url, {"slot": soon_other.pk}, format="json")
    listed = _api(soon_learner).get("/api/v1/reschedule-requests/").json()
    request_id = asked.json()["id"]
    declined = _api(soon_profile.user).post(
        f"/api/v1/reschedule-requests/{request_id}/decline/"
    )
    twice = _api(soon_profile.user).post(
        f"/api/v1/reschedule-requests/{request_id}/accept/"
    )

    assert moved.status_code == 200
    assert (moved.json()["start"], moved.json()["sequence"]) == (
        other.start.isoformat().replace("+00:00", "Z"),
        1,
    )
    assert missing.status_code == 400
    assert "slot" in missing.json()
    assert asked.status_code == 202
    assert asked.json()["status"] == "pending"
    assert refused.status_code == 409
    assert [r["id"] for r in listed] == [request_id]
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    assert twice.status_code == 409


# --- personal data -----------------------------------------------------------


def test_requests_are_in_both_exports_and_erasure_closes_the_pending_ones():
    profile, learner, booking, other = _booked(soon=True)
    request = booking_reschedule(
        person=learner, booking_id=booking.pk, slot_id=other.pk
    )
    mine = export_reschedule_requests(learner)["reschedule_requests"]
    theirs = export_reschedule_requests(profile.user)["reschedule_requests"]
    erase_reschedule_requests(profile.user)

    assert [(r["role"], r["status"]) for r in mine] == [("learner", "pending")]
    assert [(r["role"], r["proposed_start"]) for r in theirs] == [
        ("mentor", other.start)
    ]
    request.refresh_from_db()
    assert request.status == "expired"
    assert "reschedule_requests" in {provider.name for provider in providers()}
    booking_cancel(person=learner, booking_id=booking.pk, reason="other", note="Oups")
    [exported] = export_bookings(learner)["bookings"]
    assert (exported["cancelled_by_me"], exported["cancelled_late"]) == (True, True)
    [to_mentor] = export_bookings(profile.user)["bookings"]
    assert (to_mentor["cancel_note"], to_mentor["cancelled_late"]) == ("Oups", None)


# --- e-mails through the real worker -------------------------------------------


def _plain(message) -> str:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return part.get_payload(decode=True).decode()


@pytest.mark.worker
def test_a_cancellation_reaches_both_through_the_real_worker_in_their_language(
    live_worker, smtp_sink
):
    _profile, learner, slot = _pair()
    with transaction.atomic():
        booking = booking_create(learner=learner, slot_id=slot.pk, mode="video")
    smtp_sink.wait_for(2)
    smtp_sink.clear()

    with transaction.atomic():
        booking_cancel(
            person=learner,
            booking_id=booking.pk,
            reason="health",
            note="Je suis malade.",
        )
    received = {m["To"]: m for m in smtp_sink.wait_for(2)}

    subjects = {
        to: str(email.header.make_header(email.header.decode_header(m["Subject"])))
        for to, m in received.items()
    }
    assert "Annulé : Séance avec Ada Lovelace" in subjects["lea@example.org"]
    assert "Cancelled: Session with Léa Martin" in subjects["ada@example.org"]
    to_mentor, to_learner = (
        _plain(received["ada@example.org"]),
        _plain(received["lea@example.org"]),
    )
    assert "Léa Martin cancelled it (Health)." in to_mentor
    assert "Their note: “Je suis malade.”" in to_mentor
    assert "Vous l'avez annulée (Santé)." in to_learner
    live_worker.drain()
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
