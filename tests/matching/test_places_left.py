"""Matching pushes each mentor's count of active mentorships down to their
profile (places left on cards and pages): recounted by every change that starts
or ends one, never drifting from the rows."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.db.models import Count, Q

from core.errors import Conflict
from matching.models import Mentorship
from matching.services import (
    mentorship_end,
    mentorship_request_accept,
    mentorship_request_create,
)
from mentors.data_version import mentor_data_version
from mentors.models import MentorProfile
from mentors.services import block_create
from tests.matching.helpers import learner_with_skills, mentor

pytestmark = pytest.mark.django_db


def ask(learner, profile):
    return mentorship_request_create(
        learner=learner,
        mentor_profile_id=profile.pk,
        skill_codes=["python"],
        message="Bonjour, j'aimerais apprendre Python.",
        preferred_mode="video",
    )


def assert_summaries_match_the_rows() -> None:
    real = dict(
        MentorProfile.objects.annotate(
            real=Count(
                "user__mentorships_as_mentor",
                filter=Q(user__mentorships_as_mentor__status="active"),
            )
        ).values_list("pk", "real")
    )
    stored = dict(MentorProfile.objects.values_list("pk", "active_mentorships"))
    assert stored == real


def test_places_left_follow_accept_end_and_block():
    profile = mentor(capacity=3)
    other = mentor(capacity=2)
    learners = [learner_with_skills() for _ in range(3)]
    started = [
        mentorship_request_accept(mentor=profile.user, request_id=ask(lr, profile).pk)
        for lr in learners
    ]
    mentorship_request_accept(mentor=other.user, request_id=ask(learners[0], other).pk)
    profile.refresh_from_db()
    assert (profile.active_mentorships, profile.places_left) == (3, 0)
    assert_summaries_match_the_rows()

    mentorship_end(user=learners[0], mentorship_id=started[0].pk, outcome="completed")
    profile.refresh_from_db()
    assert (profile.active_mentorships, profile.places_left) == (2, 1)
    assert_summaries_match_the_rows()

    block_create(blocker=learners[1], blocked=profile.user)
    profile.refresh_from_db()
    assert (profile.active_mentorships, profile.places_left) == (1, 2)
    assert_summaries_match_the_rows()

    # Ending twice changes nothing; a block with no mentorship neither.
    with pytest.raises(Conflict):
        mentorship_end(
            user=learners[0], mentorship_id=started[0].pk, outcome="completed"
        )
    block_create(blocker=learner_with_skills(), blocked=profile.user)
    assert_summaries_match_the_rows()
    assert Mentorship.objects.filter(status="active").count() == 2


def test_a_lowered_capacity_leaves_no_place_rather_than_fewer_than_none():
    profile = mentor(capacity=2)
    for learner in (learner_with_skills(), learner_with_skills()):
        mentorship_request_accept(
            mentor=profile.user, request_id=ask(learner, profile).pk
        )
    profile.refresh_from_db()
    profile.capacity = 1

    assert profile.places_left == 0


def test_each_change_moves_the_mentor_data_version_after_commit(
    django_capture_on_commit_callbacks,
):
    profile = mentor(capacity=2)
    learner = learner_with_skills()
    request = ask(learner, profile)

    before = mentor_data_version()
    with django_capture_on_commit_callbacks(execute=True):
        started = mentorship_request_accept(mentor=profile.user, request_id=request.pk)
    after_accept = mentor_data_version()
    with django_capture_on_commit_callbacks(execute=True):
        mentorship_end(user=learner, mentorship_id=started.pk, outcome="stopped")

    assert before < after_accept < mentor_data_version()


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_and_ends_leave_the_true_count():
    profile = mentor(capacity=20)
    running = [
        mentorship_request_accept(
            mentor=profile.user, request_id=ask(learner_with_skills(), profile).pk
        )
        for _ in range(6)
    ]
    waiting = [ask(learner_with_skills(), profile) for _ in range(6)]
    barrier = threading.Barrier(12)
    errors: list[BaseException] = []

    def run(action) -> None:
        try:
            barrier.wait(timeout=30)
            action()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    actions = [
        lambda m=m: mentorship_end(
            user=m.learner, mentorship_id=m.pk, outcome="completed"
        )
        for m in running
    ] + [
        lambda r=r: mentorship_request_accept(mentor=profile.user, request_id=r.pk)
        for r in waiting
    ]
    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    profile.refresh_from_db()
    assert profile.active_mentorships == 6
    assert_summaries_match_the_rows()
