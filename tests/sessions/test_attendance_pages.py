"""Attendance from the pages, the e-mail's signed link and the API: the
buttons in My sessions, a link that records nothing when opened and is spent
once used, refused when forged or too old; the API's answers (400, 404, 409);
the kind word and the next times for a learner marked absent; the e-mail
through the real worker."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core import signing
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from core.personal_data import providers
from sessions.attendance import (
    attendance_answer,
    attendance_link_token,
    attendance_questions_queue,
)
from sessions.models import Attendance
from sessions.personal_data import export_attendance
from sessions.services import slot_create
from tests.factories import PASSWORD, UserFactory, totp_code
from tests.sessions.test_attendance import minutes, past
from tests.sessions.test_reminders import _booked

MINE = "/mon-espace/seances/"


def _link(booking, person) -> str:
    token = attendance_link_token(booking_id=booking.pk, person_id=person.pk)
    return f"/seance/presence/{token}/"


@pytest.fixture
def session():
    return past(_booked(hours_ahead=20))


@pytest.mark.django_db
def test_my_sessions_asks_and_records_the_answer(client, session):
    client.force_login(session.learner)

    page = client.get(MINE).text
    done = client.post(
        f"{MINE}{session.pk}/presence/", {"answer": "happened"}, follow=True
    )

    assert "La séance a-t-elle eu lieu ?" in page
    assert "Oui, la séance a eu lieu" in page
    assert "Merci, votre réponse est enregistrée." in done.text
    assert Attendance.objects.get(booking=session).learner_answer == "happened"
    assert "La séance a-t-elle eu lieu ?" not in client.get(MINE).text


@pytest.mark.django_db
def test_my_sessions_answer_for_another_persons_session_is_a_404(client, session):
    client.force_login(UserFactory())

    assert (
        client.post(f"{MINE}{session.pk}/presence/", {"answer": "happened"}).status_code
        == 404
    )
    assert client.get(f"{MINE}{session.pk}/presence/").status_code == 405
    assert not Attendance.objects.exists()


@pytest.mark.django_db
def test_a_learner_marked_absent_sees_a_kind_word_and_the_next_times(client, session):
    profile = session.mentor.mentor_profile
    slot_create(
        mentor_profile_id=profile.pk,
        start=(timezone.now() + timedelta(days=2)).replace(
            minute=0, second=0, microsecond=0
        ),
    )
    attendance_answer(
        person=session.mentor, booking_id=session.pk, answer="learner_absent"
    )
    client.force_login(session.learner)

    page = client.get(MINE).text

    assert (
        "Vous n'avez pas pu venir ? Ce n'est pas grave. Choisissez un autre créneau."
    ) in page
    assert f"/mentors/{profile.pk}/reserver/" in page


@pytest.mark.django_db
def test_opening_the_link_records_nothing_the_button_does_once(client, session):
    link = _link(session, session.learner)

    opened = client.get(link)
    assert opened.status_code == 200
    assert "Non, je n&#x27;ai pas pu venir" in opened.text
    assert "Séance avec Ada Lovelace" in opened.text
    assert not Attendance.objects.exists()  # a mail scanner opened it

    answered = client.post(link, {"answer": "happened"})
    again = client.post(link, {"answer": "learner_absent"})
    reopened = client.get(link)

    assert answered.status_code == 200
    assert "Merci, votre réponse est enregistrée." in answered.text
    assert again.status_code == 409
    assert "déjà enregistrée" in reopened.text
    attendance = Attendance.objects.get(booking=session)
    assert attendance.learner_answer == "happened"  # only the first answer
    assert attendance.mentor_answer == ""  # only the answer, only theirs
    assert "_auth_user_id" not in client.session  # nobody is signed in


@pytest.mark.django_db
def test_a_forged_or_expired_link_is_refused_politely(client, session):
    token = attendance_link_token(booking_id=session.pk, person_id=session.learner_id)
    forged = signing.dumps(
        {"b": session.pk, "p": session.learner_id}, salt="another.salt"
    )

    tampered = client.post(f"/seance/presence/{token[:-2]}xx/", {"answer": "happened"})
    other_salt = client.post(f"/seance/presence/{forged}/", {"answer": "happened"})
    with override_settings(ATTENDANCE_LINK_DAYS=0):
        expired = client.post(f"/seance/presence/{token}/", {"answer": "happened"})

    assert tampered.status_code == other_salt.status_code == 400
    assert "Ce lien ne fonctionne pas" in tampered.text
    assert expired.status_code == 410
    assert "Ce lien est trop ancien" in expired.text
    assert not Attendance.objects.exists()


@pytest.mark.django_db
def test_the_api_records_answers_with_field_errors_404_and_409(client, session):
    url = f"/api/v1/bookings/{session.pk}/attendance/"
    client.force_login(session.mentor)

    missing = client.post(url, {}, content_type="application/json")
    mixed = client.post(
        url, {"happened": True, "absent": "learner"}, content_type="application/json"
    )
    unsaid = client.post(
        url, {"happened": False, "absent": None}, content_type="application/json"
    )
    done = client.post(url, {"happened": True}, content_type="application/json")
    client.force_login(session.learner)
    settled = client.post(
        url, {"happened": True, "absent": None}, content_type="application/json"
    )
    late = client.post(
        url, {"happened": False, "absent": "mentor"}, content_type="application/json"
    )
    client.force_login(UserFactory())
    foreign = client.post(url, {"happened": True}, content_type="application/json")

    assert missing.status_code == 400
    assert "happened" in missing.json()
    assert mixed.status_code == 400
    assert "absent" in mixed.json()
    assert unsaid.status_code == 400
    assert "absent" in unsaid.json()
    assert done.status_code == 200
    assert done.json()["status"] == "pending"
    assert settled.status_code == 200
    assert settled.json()["status"] == "attended"
    assert late.status_code == 409
    assert foreign.status_code == 404
    assert minutes(session) == 60


@pytest.mark.django_db
def test_the_api_refuses_a_session_not_over_yet(client):
    booking = _booked(hours_ahead=20)
    client.force_login(booking.learner)

    answer = client.post(
        f"/api/v1/bookings/{booking.pk}/attendance/",
        {"happened": True},
        content_type="application/json",
    )

    assert answer.status_code == 409


# --- the real worker ---------------------------------------------------------------


@pytest.mark.worker
def test_the_question_goes_out_through_the_real_worker_with_a_working_link(
    live_worker, smtp_sink, client
):
    session = past(_booked(hours_ahead=20))

    attendance_questions_queue()  # commits, then publishes to the worker
    received = {m["To"]: m for m in smtp_sink.wait_for(2)}
    live_worker.drain()

    [text] = [
        p.get_payload(decode=True).decode()
        for p in received["lea@example.org"].walk()
        if p.get_content_type() == "text/plain"
    ]
    assert "La séance a-t-elle eu lieu ?" in text
    [path] = re.findall(r"https?://[^/\s]+(/seance/presence/[^\s]+/)", text)
    assert client.post(path, {"answer": "happened"}).status_code == 200
    assert Attendance.objects.get(booking=session).learner_answer == "happened"
    assert OutboxMessage.objects.filter(done_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_the_mentorship_page_shows_hours_per_skill_once_attended(client, session):
    thread = reverse("matching:thread", args=[session.mentorship_id])
    [skill] = session.skills.all()
    name = str(skill.skill.name)
    client.force_login(session.learner)
    before = client.get(thread).text

    attendance_answer(person=session.mentor, booking_id=session.pk, answer="happened")
    attendance_answer(person=session.learner, booking_id=session.pk, answer="happened")
    after = client.get(thread).text

    assert "Heures de séances par compétence" in before
    assert f"{name} : 0 h" in before
    assert f"{name} : 1 h" in after


@pytest.mark.django_db
def test_staff_decide_a_disagreement_from_the_admin_queue(
    client, staff_with_totp, session
):
    attendance_answer(person=session.mentor, booking_id=session.pk, answer="happened")
    attendance_answer(
        person=session.learner, booking_id=session.pk, answer="mentor_absent"
    )
    client.post(
        reverse("account_login"), {"login": staff_with_totp.email, "password": PASSWORD}
    )
    client.post(
        reverse("mfa_authenticate"), {"code": totp_code(staff_with_totp.totp_secret)}
    )
    changelist = reverse("admin:coaching_sessions_attendance_changelist")
    attendance = Attendance.objects.get(booking=session)

    queue = client.get(changelist, {"status__exact": "disputed"})
    searched = client.get(changelist, {"q": session.learner.email})
    client.post(
        changelist,
        {"action": "decide_attended", "_selected_action": [attendance.pk]},
    )

    assert [a.pk for a in queue.context["cl"].result_list] == [attendance.pk]
    assert [a.pk for a in searched.context["cl"].result_list] == [attendance.pk]
    attendance.refresh_from_db()
    assert (attendance.status, attendance.decided_by) == ("attended", staff_with_totp)
    assert minutes(session) == 60
    assert LogEntry.objects.filter(object_id=str(attendance.pk)).count() == 1


@pytest.mark.django_db
def test_each_persons_export_holds_their_own_answer(session):
    attendance_answer(person=session.mentor, booking_id=session.pk, answer="happened")
    attendance_answer(
        person=session.learner, booking_id=session.pk, answer="mentor_absent"
    )

    [learners] = export_attendance(session.learner)["attendance"]
    [mentors] = export_attendance(session.mentor)["attendance"]

    assert (learners["role"], learners["my_answer"]) == ("learner", "mentor_absent")
    assert (mentors["role"], mentors["my_answer"]) == ("mentor", "happened")
    assert learners["status"] == "disputed"
    assert "attendance" in {provider.name for provider in providers()}
    assert export_attendance(UserFactory())["attendance"] == []
