"""The mentor's page after a session: endorse a skill it worked on, or record
a practical task the person did; only the session's mentor, only once it took
place; refusals read as form errors, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from certification.models import Endorsement, ObservedTask, TaskObservation
from sessions.models import Attendance
from tests.certification.helpers import SKILL, a_mentor, attended, skill
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(booking) -> str:
    return f"/attestations/apres-la-seance/{booking.pk}/"


def test_only_the_sessions_mentor_opens_it_and_only_once_it_took_place():
    learner, mentor = UserFactory(full_name="Léa Martin"), a_mentor(level=5)
    booking = attended(learner, mentor)

    page = _client(mentor).get(_url(booking))

    assert page.status_code == 200
    assert "Léa Martin" in page.content.decode()
    assert _client(learner).get(_url(booking)).status_code == 404
    assert _client(UserFactory()).get(_url(booking)).status_code == 404
    Attendance.objects.filter(booking=booking).update(
        status="disputed", learner_answer="mentor_absent"
    )
    assert _client(mentor).get(_url(booking)).status_code == 404


def test_the_mentor_endorses_a_skill_of_the_session_and_may_agree_to_be_named():
    learner, mentor = UserFactory(), a_mentor(level=5)
    booking = attended(learner, mentor)
    body = {
        "form": "endorse",
        "endorse-skill": skill(SKILL).pk,
        "endorse-level": 4,
        "endorse-comment": "Envoie seule un courriel avec une pièce jointe",
        "endorse-named": "on",
    }

    sent = _client(mentor).post(_url(booking), body)
    again = _client(mentor).post(_url(booking), body, follow=True)
    too_high = _client(mentor).post(
        _url(booking), {**body, "endorse-level": 6, "endorse-skill": skill(SKILL).pk}
    )

    assert sent.status_code == 302
    [endorsement] = Endorsement.objects.all()
    assert (endorsement.learner, endorsement.level, endorsement.named) == (
        learner,
        4,
        True,
    )
    # Twice: the message, not a second row nor a 500.
    assert again.status_code == 200
    assert "déjà recommandé" in again.content.decode()
    assert too_high.status_code == 200  # the form again, with what is wrong
    assert Endorsement.objects.count() == 1


def test_the_mentor_records_a_task_and_an_empty_note_is_a_form_error():
    learner, main = UserFactory(), a_mentor(level=5)
    attended(learner, main, minutes=240)  # the main mentor on the skill
    second = a_mentor(level=5)
    booking = attended(learner, second)
    task = ObservedTask.objects.get(
        skill=skill(SKILL), band="intermediate", is_active=True
    )
    body = {
        "form": "observe",
        "observe-task": task.pk,
        "observe-result": "passed",
        "observe-note": "A envoyé le fichier à l'adresse donnée, seule.",
    }

    empty = _client(second).post(_url(booking), {**body, "observe-note": " "})
    assert empty.status_code == 200
    assert not TaskObservation.objects.exists()

    sent = _client(second).post(_url(booking), body)
    by_main = _client(main).post(
        _url(attended(learner, main)), {**body, "observe-note": "Bien"}
    )

    assert sent.status_code == 302
    [observation] = TaskObservation.objects.all()
    assert (observation.observer, observation.result) == (second, "passed")
    # The main mentor may not observe from the intermediate band up.
    assert by_main.status_code == 200
    assert "mentor principal" in by_main.content.decode()
    assert TaskObservation.objects.count() == 1


def test_my_sessions_links_the_mentor_to_it():
    learner, mentor = UserFactory(), a_mentor(level=5)
    booking = attended(learner, mentor)

    page = _client(mentor).get("/mon-espace/seances/").content.decode()

    assert _url(booking) in page


def test_a_session_on_a_skill_no_attestation_covers_offers_nothing_to_record():
    learner, mentor = UserFactory(), a_mentor(level=5)
    booking = attended(learner, mentor, code="python")

    page = _client(mentor).get(_url(booking)).content.decode()

    assert "rien à noter" in page
    assert 'name="endorse-skill"' not in page
