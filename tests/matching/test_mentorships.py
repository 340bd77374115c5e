from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import connection
from django.utils import timezone, translation

from core.errors import Conflict
from core.models import Notification, OutboxMessage
from matching.models import Mentorship, MentorshipRequest
from matching.services import (
    mentor_pause,
    mentorship_end,
    mentorship_request_accept,
    mentorship_request_create,
    mentorship_request_decline,
    mentorship_request_withdraw,
    mentorship_requests_expire_and_remind,
    message_send,
)
from mentors.models import LearnerSkill, MentorProfile, Skill
from mentors.services import block_create
from tests.matching.helpers import learner_with_skills, mentor
from tests.outbox import run_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English here (the site's default is French)."""
    with translation.override("en"):
        yield


def ask(learner, profile, **overrides):
    data = {
        "learner": learner,
        "mentor_profile_id": profile.pk,
        "skill_codes": ["python"],
        "message": "Bonjour, j'aimerais apprendre Python.",
        "preferred_mode": "video",
    }
    data.update(overrides)
    return mentorship_request_create(**data)


def test_request_accept_creates_a_mentorship_and_tells_the_learner():
    learner = learner_with_skills(language="en")
    profile = mentor()

    request = ask(learner, profile)
    mentorship = mentorship_request_accept(mentor=profile.user, request_id=request.pk)
    run_outbox()

    request.refresh_from_db()
    assert request.status == "accepted"
    assert (mentorship.learner, mentorship.mentor) == (learner, profile.user)
    assert [s.code for s in mentorship.skills.all()] == ["python"]
    to_mentor = [m for m in mail.outbox if m.to == [profile.user.email]]
    to_learner = [m for m in mail.outbox if m.to == [learner.email]]
    assert len(to_mentor) == 1
    assert "asks you for mentoring" not in to_mentor[0].subject  # mentor speaks French
    assert len(to_learner) == 1
    assert (
        "accepts to be your mentor" in to_learner[0].subject
    )  # learner speaks English
    profile.refresh_from_db()
    assert profile.acceptance_rate_90d == 1


@pytest.mark.parametrize(
    "second",
    ["accept", "decline", "withdraw"],
)
@pytest.mark.parametrize("first", ["accept", "decline", "withdraw"])
def test_every_illegal_transition_is_refused(first, second):
    learner = learner_with_skills()
    profile = mentor()
    request = ask(learner, profile)
    actions = {
        "accept": lambda: mentorship_request_accept(
            mentor=profile.user, request_id=request.pk
        ),
        "decline": lambda: mentorship_request_decline(
            mentor=profile.user, request_id=request.pk
        ),
        "withdraw": lambda: mentorship_request_withdraw(
            learner=learner, request_id=request.pk
        ),
    }
    actions[first]()

    with pytest.raises(Conflict, match="already"):
        actions[second]()


def test_an_expired_request_cannot_be_accepted():
    learner = learner_with_skills()
    profile = mentor()
    request = ask(learner, profile)
    MentorshipRequest.objects.filter(pk=request.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    with pytest.raises(Conflict, match="expired"):
        mentorship_request_accept(mentor=profile.user, request_id=request.pk)


def test_only_the_mentor_answers_and_only_the_learner_withdraws():
    learner = learner_with_skills()
    profile = mentor()
    request = ask(learner, profile)
    stranger = learner_with_skills()

    with pytest.raises(ObjectDoesNotExist):
        mentorship_request_accept(mentor=learner, request_id=request.pk)
    with pytest.raises(ObjectDoesNotExist):
        mentorship_request_decline(mentor=stranger, request_id=request.pk)
    with pytest.raises(ObjectDoesNotExist):
        mentorship_request_withdraw(learner=profile.user, request_id=request.pk)


def test_one_open_request_per_pair_and_five_pending_at_most():
    learner = learner_with_skills()
    mentors = [mentor() for _ in range(6)]
    ask(learner, mentors[0])

    with pytest.raises(Conflict, match="already have a request"):
        ask(learner, mentors[0])
    for profile in mentors[1:5]:
        ask(learner, profile)
    with pytest.raises(Conflict, match="5 requests"):
        ask(learner, mentors[5])


def test_a_request_keeps_its_skills_a_full_or_current_mentor_refuses_another():
    learner = learner_with_skills()
    LearnerSkill.objects.create(
        profile=learner.learner_profile,
        skill=Skill.objects.get(code="seo"),
        current_level=0,
        target_level=2,
    )
    profile, full = mentor(capacity=2), mentor(capacity=1)

    request = ask(learner, profile, skill_codes=["seo", "python", "seo"])
    assert sorted(s.code for s in request.skills.all()) == ["python", "seo"]
    mentorship_request_accept(mentor=profile.user, request_id=request.pk)
    with pytest.raises(Conflict, match="already working with this mentor"):
        ask(learner, profile)
    taken = ask(learner_with_skills(), full)
    mentorship_request_accept(mentor=full.user, request_id=taken.pk)
    with pytest.raises(Conflict, match="as many people as they can"):
        ask(learner, full)
    assert MentorshipRequest.objects.filter(learner=learner).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_of_one_learner_keep_one_per_mentor_and_five_pending():
    """Eight requests at once, two of them to the same mentor: what each reads
    is read under the learner's lock, so the cap holds (without that lock,
    seven got through). One request a pair is the database's own rule (test
    below)."""
    learner = learner_with_skills()
    mentors = [mentor() for _ in range(7)]
    targets = [mentors[0], *mentors]
    barrier = threading.Barrier(len(targets))
    outcomes: list[str] = []
    lock = threading.Lock()

    def send(profile: MentorProfile) -> None:
        try:
            barrier.wait(timeout=30)
            ask(learner, profile)
            result = "sent"
        except Conflict:
            result = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=send, args=(p,)) for p in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    pending = MentorshipRequest.objects.filter(learner=learner, status="pending")
    assert sorted(outcomes) == ["refused"] * 3 + ["sent"] * 5
    assert pending.count() == 5


def test_the_database_keeps_one_open_request_per_pair():
    from django.db import IntegrityError, transaction

    learner = learner_with_skills()
    profile = mentor()
    request = ask(learner, profile)

    with pytest.raises(IntegrityError), transaction.atomic():
        MentorshipRequest.objects.create(
            learner=learner,
            mentor=profile.user,
            message="x",
            preferred_mode="video",
            expires_at=request.expires_at,
        )


def test_request_rules_self_blocks_paused_mode_and_skills():
    learner = learner_with_skills()
    profile = mentor()

    with pytest.raises(ValidationError):
        ask(
            learner, profile, preferred_mode="in_person"
        )  # not one of the mentor's modes
    with pytest.raises(ValidationError):
        ask(learner, profile, skill_codes=["seo"])  # not in the learner's profile
    with pytest.raises(ValidationError):
        ask(learner, profile, message="   ")
    with pytest.raises(ValidationError):
        ask(learner, profile, message="x" * 2001)
    with pytest.raises(ValidationError, match="yourself"):
        ask(profile.user, profile)  # a mentor cannot ask themself
    block_create(blocker=profile.user, blocked=learner)
    with pytest.raises(ObjectDoesNotExist):
        ask(learner, profile)


def test_pausing_refuses_new_requests_and_declines_pending_ones_politely():
    first, second = learner_with_skills(), learner_with_skills()
    profile = mentor()
    request = ask(first, profile)

    mentor_pause(mentor=profile.user, paused=True)

    request.refresh_from_db()
    assert request.status == "declined"
    assert request.answer_message
    assert Notification.objects.filter(
        recipient=first, kind="mentors.request_declined"
    ).exists()
    with pytest.raises(Conflict, match="not taking new mentees"):
        ask(second, profile)
    mentor_pause(mentor=profile.user, paused=False)
    ask(second, profile)


def test_capacity_counts_active_mentorships():
    profile = mentor(capacity=1)
    first, second = learner_with_skills(), learner_with_skills()
    r1, r2 = ask(first, profile), ask(second, profile)
    mentorship = mentorship_request_accept(mentor=profile.user, request_id=r1.pk)

    with pytest.raises(Conflict, match="Capacity reached"):
        mentorship_request_accept(mentor=profile.user, request_id=r2.pk)

    mentorship_end(user=first, mentorship_id=mentorship.pk, outcome="completed")
    mentorship_request_accept(mentor=profile.user, request_id=r2.pk)


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_accepts_never_exceed_the_capacity():
    profile = mentor(capacity=3)
    requests = [ask(learner_with_skills(), profile) for _ in range(20)]
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def accept(request_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            mentorship_request_accept(mentor=profile.user, request_id=request_id)
            result = "ok"
        except Conflict:
            result = "capacity"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=accept, args=(r.pk,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["capacity"] * 17 + ["ok"] * 3
    assert Mentorship.objects.filter(mentor=profile.user, status="active").count() == 3


def test_expiry_and_reminders_are_claimed_once_by_two_runs():
    learner = learner_with_skills()
    profiles = [mentor(), mentor(), mentor()]
    old = ask(learner, profiles[0])
    day4 = ask(learner, profiles[1])
    day11 = ask(learner, profiles[2])
    now = timezone.now()
    MentorshipRequest.objects.filter(pk=old.pk).update(
        created_at=now - timedelta(days=15), expires_at=now - timedelta(days=1)
    )
    MentorshipRequest.objects.filter(pk=day4.pk).update(
        created_at=now - timedelta(days=4)
    )
    MentorshipRequest.objects.filter(pk=day11.pk).update(
        created_at=now - timedelta(days=11), reminded_day3_at=now - timedelta(days=8)
    )

    first = mentorship_requests_expire_and_remind(now=now)
    second = mentorship_requests_expire_and_remind(now=now)

    assert first == {"expired": 1, "reminded": 2}
    assert second == {"expired": 0, "reminded": 0}
    assert Notification.objects.filter(kind="mentors.request_expired").count() == 1
    assert Notification.objects.filter(kind="mentors.request_reminder").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_beat_runs_at_the_same_moment_claim_each_reminder_once():
    learner = learner_with_skills()
    requests = [ask(learner, mentor()) for _ in range(4)]
    now = timezone.now()
    MentorshipRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
        created_at=now - timedelta(days=4)
    )
    barrier = threading.Barrier(2)
    results = []

    def run() -> None:
        barrier.wait(timeout=30)
        try:
            results.append(mentorship_requests_expire_and_remind(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(r["reminded"] for r in results) == 4
    assert Notification.objects.filter(kind="mentors.request_reminder").count() == 4


def test_a_burst_of_messages_makes_one_notice_and_one_email():
    learner = learner_with_skills()
    profile = mentor()
    mentorship = mentorship_request_accept(
        mentor=profile.user, request_id=ask(learner, profile).pk
    )
    mail.outbox.clear()
    for text in ("Bonjour !", "Je suis disponible mardi.", "Et jeudi aussi."):
        message_send(author=learner, mentorship_id=mentorship.pk, body=text)

    notices = Notification.objects.filter(
        recipient=profile.user, kind="mentors.message_new"
    )
    assert notices.count() == 1
    pending = OutboxMessage.objects.pending().filter(dedupe_key__startswith="messages:")
    assert pending.count() == 1
    assert pending.get().available_at > timezone.now() + timedelta(minutes=5)


def test_messages_are_plain_text_and_only_for_the_two_people():
    learner = learner_with_skills()
    profile = mentor()
    mentorship = mentorship_request_accept(
        mentor=profile.user, request_id=ask(learner, profile).pk
    )

    message = message_send(
        author=profile.user, mentorship_id=mentorship.pk, body="<b>Salut</b>\x07\n  "
    )
    assert message.body == "<b>Salut</b>"  # stored as text, escaped when shown
    with pytest.raises(ObjectDoesNotExist):
        message_send(
            author=learner_with_skills(), mentorship_id=mentorship.pk, body="Hi"
        )
    with pytest.raises(ValidationError):
        message_send(author=learner, mentorship_id=mentorship.pk, body="x" * 5001)
    mentorship_end(
        user=learner, mentorship_id=mentorship.pk, outcome="stopped", reason=""
    )
    with pytest.raises(Conflict, match="ended"):
        message_send(author=learner, mentorship_id=mentorship.pk, body="Encore")
    with pytest.raises(Conflict, match="already ended"):
        mentorship_end(
            user=profile.user, mentorship_id=mentorship.pk, outcome="completed"
        )
    assert Notification.objects.filter(
        recipient=profile.user, kind="mentors.mentorship_ended"
    ).exists()


def test_responsiveness_is_kept_on_the_profile():
    profile = mentor(capacity=5)
    requests = [ask(learner_with_skills(), profile) for _ in range(4)]
    MentorshipRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
        created_at=timezone.now() - timedelta(hours=10)
    )
    mentorship_request_accept(mentor=profile.user, request_id=requests[0].pk)
    mentorship_request_accept(mentor=profile.user, request_id=requests[1].pk)
    mentorship_request_accept(mentor=profile.user, request_id=requests[2].pk)
    mentorship_request_decline(mentor=profile.user, request_id=requests[3].pk)

    profile = MentorProfile.objects.get(pk=profile.pk)
    assert profile.acceptance_rate_90d == pytest.approx(0.75)
    assert 9 <= profile.median_answer_hours_90d <= 11
