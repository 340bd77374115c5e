""" "On continue ?" on long mentorships: asked once per period to both people
(e-mails through the outbox), continue recorded, end with a reason through
mentorship_end; only the two people see or answer it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from core.errors import Conflict
from core.models import Notification
from matching.checkins import checkin_answer, checkins_ask, months_between
from matching.models import Mentorship, MentorshipCheckIn
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.outbox import run_outbox

pytestmark = pytest.mark.django_db


def _mentorship(months_ago: float) -> Mentorship:
    profile = mentor(full_name="Karim Benali")
    learner = UserFactory(full_name="Léa Martin")
    return Mentorship.objects.create(
        learner=learner,
        mentor=profile.user,
        started_at=timezone.now() - timedelta(days=round(31 * months_ago)),
    )


def test_months_are_calendar_months():
    start = datetime(2026, 1, 31, 10, tzinfo=UTC)
    assert months_between(start, datetime(2026, 2, 28, 23, tzinfo=UTC)) == 0
    assert months_between(start, datetime(2026, 3, 31, 10, tzinfo=UTC)) == 2
    assert months_between(start, datetime(2026, 4, 30, 10, tzinfo=UTC)) == 2
    assert months_between(start, datetime(2026, 5, 1, 10, tzinfo=UTC)) == 3


def test_both_are_asked_once_after_three_months_by_email():
    young = _mentorship(months_ago=2)
    old = _mentorship(months_ago=3.2)
    ended = _mentorship(months_ago=4)
    Mentorship.objects.filter(pk=ended.pk).update(
        status=Mentorship.Status.ENDED, outcome="completed", ended_at=timezone.now()
    )

    mail.outbox.clear()
    assert checkins_ask() == 1
    assert checkins_ask() == 0
    run_outbox()

    assert list(MentorshipCheckIn.objects.values_list("mentorship_id", "period")) == [
        (old.pk, 1)
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [old.learner.email, old.mentor.email]
    )
    assert all("continue" in m.subject for m in mail.outbox)
    assert Notification.objects.filter(kind="matching.checkin").count() == 2
    assert not young.checkins.exists()


@override_settings(MENTORSHIP_CHECKIN_MONTHS=2)
def test_the_period_is_a_setting_and_asked_again_each_period():
    mentorship = _mentorship(months_ago=4.2)

    assert checkins_ask() == 1
    assert mentorship.checkins.get().period == 2


def test_continue_is_recorded_and_end_ends_the_mentorship_with_its_reason():
    mentorship = _mentorship(months_ago=3.2)
    checkins_ask()

    checkin_answer(
        user=mentorship.learner, mentorship_id=mentorship.pk, answer="continue"
    )
    checkin_answer(
        user=mentorship.mentor,
        mentorship_id=mentorship.pk,
        answer="end",
        outcome="completed",
        reason="Léa a trouvé un emploi.",
    )

    checkin = mentorship.checkins.get()
    assert (checkin.learner_answer, checkin.mentor_answer) == ("continue", "end")
    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.ENDED
    assert mentorship.end_reason == "Léa a trouvé un emploi."
    assert mentorship.ended_by_id == mentorship.mentor_id
    with pytest.raises(Conflict):
        checkin_answer(
            user=mentorship.learner, mentorship_id=mentorship.pk, answer="continue"
        )


def test_nobody_answers_before_being_asked_nor_another_persons():
    mentorship = _mentorship(months_ago=3.2)
    with pytest.raises(Conflict):
        checkin_answer(
            user=mentorship.learner, mentorship_id=mentorship.pk, answer="continue"
        )
    checkins_ask()
    with pytest.raises(Mentorship.DoesNotExist):
        checkin_answer(user=UserFactory(), mentorship_id=mentorship.pk, answer="end")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_has_two_buttons_and_opening_it_records_nothing():
    mentorship = _mentorship(months_ago=3.2)
    checkins_ask()
    page = f"/mon-espace/accompagnements/{mentorship.pk}/on-continue/"

    opened = _client(mentorship.learner).get(page)
    stranger = _client(UserFactory()).get(page)

    assert opened.status_code == 200
    html = opened.content.decode()
    assert "On continue" in html
    assert "Terminer l" in html
    assert stranger.status_code == 404
    assert mentorship.checkins.get().learner_answer == ""

    kept = _client(mentorship.learner).post(page, {"answer": "continue"})
    assert kept.status_code == 302
    assert mentorship.checkins.get().learner_answer == "continue"

    refused = _client(mentorship.mentor).post(page, {"answer": "end"})
    assert refused.status_code == 200
    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.ACTIVE

    ended = _client(mentorship.mentor).post(
        page, {"answer": "end", "outcome": "stopped", "reason": "Plus de temps."}
    )
    assert ended.status_code == 302
    mentorship.refresh_from_db()
    assert (mentorship.status, mentorship.end_reason) == ("ended", "Plus de temps.")


def test_the_conversation_says_a_question_waits_until_answered():
    mentorship = _mentorship(months_ago=3.2)
    thread = f"/mon-espace/accompagnements/{mentorship.pk}/"
    link = f"/mon-espace/accompagnements/{mentorship.pk}/on-continue/"

    before = _client(mentorship.learner).get(thread).content.decode()
    checkins_ask()
    waiting = _client(mentorship.learner).get(thread).content.decode()
    checkin_answer(
        user=mentorship.learner, mentorship_id=mentorship.pk, answer="continue"
    )
    answered = _client(mentorship.learner).get(thread).content.decode()
    other_side = _client(mentorship.mentor).get(thread).content.decode()

    assert link not in before
    assert link in waiting
    assert link not in answered
    assert link in other_side
