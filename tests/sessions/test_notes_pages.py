"""Pages after a session: the note in My sessions for both, written by the
mentor only; the learner's opinion never on any page of the mentor; the
mentor's history of sessions given and its CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from sessions.models import Booking, SessionNote, SessionRating
from sessions.notes import (
    session_note_save,
    session_rating_give,
)
from sessions.services import booking_create
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.sessions.test_bookings import _slot
from tests.sessions.test_notes import NOTE, _attended, _held

pytestmark = pytest.mark.django_db

MY_SESSIONS = "/mon-espace/seances/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_both_read_the_note_in_my_sessions_and_only_the_mentor_may_change_it():
    profile, learner, booking = _held()
    session_note_save(mentor=profile.user, booking_id=booking.pk, **NOTE)

    as_learner = _client(learner).get(MY_SESSIONS).content.decode()
    as_mentor = _client(profile.user).get(MY_SESSIONS).content.decode()

    for page in (as_learner, as_mentor):
        assert "Écrire un e-mail à un employeur" in page
        assert "Répondre à une annonce" in page
    note_page = f"/mon-espace/seances/{booking.pk}/note/"
    assert note_page in as_mentor
    assert note_page not in as_learner
    assert "Donner mon avis" in as_learner
    assert f"/mon-espace/seances/{booking.pk}/avis/" not in as_mentor
    assert _client(learner).get(note_page).status_code == 404
    assert _client(UserFactory()).get(note_page).status_code == 404
    refused = _client(learner).post(note_page, {"worked": "Rien"})
    assert refused.status_code == 404
    assert SessionNote.objects.get(booking=booking).worked == NOTE["worked"]


def test_the_mentor_writes_then_edits_the_note_from_its_page():
    profile, learner, booking = _held()
    page = f"/mon-espace/seances/{booking.pk}/note/"
    client = _client(profile.user)

    empty = client.post(page, {"worked": "", "achieved": "", "next_step": ""})
    written = client.post(page, NOTE)
    edited = client.post(page, {**NOTE, "next_step": "Un entretien blanc"})

    assert empty.status_code == 200
    assert "Écrivez au moins une des trois lignes." in empty.content.decode()
    assert written.status_code == 302
    assert edited.status_code == 302
    assert SessionNote.objects.get(booking=booking).next_step == "Un entretien blanc"
    assert "Un entretien blanc" in _client(learner).get(MY_SESSIONS).content.decode()


def test_no_note_before_the_session_has_taken_place():
    profile, _learner, booking = _held()
    later = timezone.now() + timedelta(days=2)
    Booking.objects.filter(pk=booking.pk).update(
        start=later, end=later + timedelta(hours=1)
    )

    page = _client(profile.user).post(f"/mon-espace/seances/{booking.pk}/note/", NOTE)

    assert page.status_code == 200
    assert not SessionNote.objects.exists()


def test_the_learner_gives_an_opinion_the_mentor_never_sees_it():
    profile, learner, booking = _held()
    page = f"/mon-espace/seances/{booking.pk}/avis/"

    sent = _client(learner).post(page, {"stars": "2", "comment": "AVIS-SECRET"})
    again = _client(learner).get(page).content.decode()

    assert sent.status_code == 302
    assert SessionRating.objects.get(booking=booking).stars == 2
    assert "déjà donné votre avis" in again
    assert "Donner mon avis" not in _client(learner).get(MY_SESSIONS).content.decode()
    assert _client(profile.user).get(page).status_code == 404
    for path in (
        MY_SESSIONS,
        "/mon-espace/seances-donnees/",
        "/mon-espace/seances-donnees.csv",
        f"/mon-espace/seances/{booking.pk}/note/",
    ):
        body = _client(profile.user).get(path).content.decode("utf-8-sig")
        assert "AVIS-SECRET" not in body, path


def test_the_mentor_history_lists_sessions_given_and_downloads_as_csv():
    profile, _learner, booking = _held(days_ago=3, minutes=90)
    _held(learner=UserFactory(full_name="=HYPERLINK(1)"), profile=profile, days_ago=4)
    # Not given: one as a learner, one cancelled.
    _held(learner=profile.user, days_ago=5)
    _p, _l, cancelled = _held(learner=UserFactory(), profile=profile, days_ago=6)
    Booking.objects.filter(pk=cancelled.pk).update(
        status=Booking.Status.CANCELLED, cancelled_at=timezone.now()
    )

    page = _client(profile.user).get("/mon-espace/seances-donnees/").content.decode()
    download = _client(profile.user).get("/mon-espace/seances-donnees.csv")

    assert "2 h 30 avec 2 personnes" in page
    assert "Léa Martin" in page
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in download["Content-Disposition"]
    raw = download.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0] == [
        "Date",
        "Heure",
        "Durée (minutes)",
        "Personne",
        "Type de séance",
        "Compétences",
    ]
    assert len(rows) == 3
    local = timezone.localtime(booking.start)
    assert rows[1][:4] == [
        local.date().isoformat(),
        local.strftime("%H:%M"),
        "90",
        "Léa Martin",
    ]
    # A name that looks like a formula stays text in a spreadsheet.
    assert rows[2][3] == "'=HYPERLINK(1)"


def test_a_person_who_gave_no_session_has_an_empty_history():
    learner = UserFactory()

    page = _client(learner).get("/mon-espace/seances-donnees/").content.decode()
    download = _client(learner).get("/mon-espace/seances-donnees.csv")

    assert "Pas encore de séance donnée" in page
    assert len(download.content.decode("utf-8-sig").strip().splitlines()) == 1


def test_a_rating_needs_a_choice():
    _profile, learner, booking = _held()
    page = _client(learner).post(f"/mon-espace/seances/{booking.pk}/avis/", {})

    assert page.status_code == 200
    assert not SessionRating.objects.exists()
    session_rating_give(learner=learner, booking_id=booking.pk, stars=5)


# --- what mentors are recognised for, on their page and card -------------------------


def test_the_mentor_page_and_card_show_hours_given_and_people_helped():
    profile, _learner, _booking = _held(days_ago=3, minutes=90)
    _held(learner=UserFactory(), profile=profile, days_ago=4, minutes=90)
    _held(learner=UserFactory(), profile=profile, days_ago=5, minutes=60)

    page = Client().get(f"/mentors/{profile.pk}/").content.decode()
    directory = Client().get("/mentors/").content.decode()

    assert "4 h données · 3 personnes accompagnées" in page
    assert "4 h données · 3 personnes accompagnées" in directory


def test_one_person_and_under_an_hour_read_right_and_nothing_shows_at_zero():
    profile, _learner, booking = _held(days_ago=3, minutes=45, attended=False)
    nobody = mentor(full_name="Nadia Sow")

    before = Client().get(f"/mentors/{profile.pk}/").content.decode()
    _attended(booking)  # settled as attended: the figures are recounted
    after = Client().get(f"/mentors/{profile.pk}/").content.decode()
    idle = Client().get(f"/mentors/{nobody.pk}/").content.decode()

    assert "mentor-activity" not in before
    assert "45 min données · 1 personne accompagnée" in after
    assert "mentor-activity" not in idle


def test_a_workshop_is_a_line_per_person_and_its_time_counts_once():
    profile = mentor(full_name="Karim Benali")
    slot = _slot(profile, capacity=3, title="Atelier CV")
    for name in ("Ana Diaz", "Bruno Petit"):
        booking_create(
            learner=UserFactory(full_name=name), slot_id=slot.pk, mode="video"
        )
    start = timezone.now() - timedelta(days=1)
    Booking.objects.filter(slot=slot).update(
        start=start, end=start + timedelta(hours=2)
    )
    for seat in Booking.objects.filter(slot=slot):
        _attended(seat)

    page = _client(profile.user).get("/mon-espace/seances-donnees/").content.decode()
    download = _client(profile.user).get("/mon-espace/seances-donnees.csv")

    assert "En tout : 2 h avec 2 personnes." in page
    lines = download.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 3
    assert all(";120;" in line for line in lines[1:])
