"""One block rule, at every entry point: after a block in either direction, no
request, accept or message between the two people, through the pages or the
API; and blocking acts on what exists (requests closed, a mentorship ended with
a neutral notice, a safeguarding item for staff, suggestions refreshed)."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from core.errors import Conflict
from core.models import Notification, OutboxMessage
from matching.models import MatchSuggestion, Mentorship, MentorshipRequest, Message
from matching.services import (
    mentorship_request_accept,
    mentorship_request_create,
    message_send,
)
from mentors.models import Block, Report
from mentors.services import block_create
from tests.factories import UserFactory
from tests.matching.helpers import learner_with_skills, mentor
from tests.outbox import run_outbox

pytestmark = pytest.mark.django_db

# Words that would tell of a block, in French and English.
BLOCK_WORDS = ("bloqu", "blocage", "blocked", "blocking", "a block")


def ask(learner, profile):
    return mentorship_request_create(
        learner=learner,
        mentor_profile_id=profile.pk,
        skill_codes=["python"],
        message="Bonjour, pouvez-vous m'aider ?",
        preferred_mode="video",
    )


@pytest.fixture
def pair():
    """A learner and a mentor working together."""
    learner = learner_with_skills()
    profile = mentor()
    request = ask(learner, profile)
    mentorship = mentorship_request_accept(mentor=profile.user, request_id=request.pk)
    return learner, profile.user, mentorship


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post_json(client: APIClient, url: str, body: dict) -> int:
    return client.post(
        url, json.dumps(body), content_type="application/json"
    ).status_code


def _people(pair, who_blocks: str):
    learner, mentor_user, mentorship = pair
    if who_blocks == "mentor":
        return mentor_user, learner, mentorship
    return learner, mentor_user, mentorship


# --- messages, both directions, pages and API ---------------------------------


@pytest.mark.parametrize("who_blocks", ["mentor", "learner"])
def test_no_message_either_way_after_a_block(client, pair, who_blocks):
    blocker, blocked, mentorship = _people(pair, who_blocks)
    block_create(blocker=blocker, blocked=blocked)
    before = Message.objects.count()
    Notification.objects.all().delete()

    for author in (blocker, blocked):
        url = f"/api/v1/mentorships/{mentorship.pk}/messages/"
        assert post_json(api(author), url, {"body": "Coucou"}) == 409
        client.force_login(author)
        response = client.post(
            reverse("matching:thread", args=[mentorship.pk]),
            {"body": "Coucou"},
            follow=True,
        )
        # Back to the thread, with the reason.
        assert response.redirect_chain == [
            (reverse("matching:thread", args=[mentorship.pk]), 302)
        ]
        assert [str(m) for m in response.context["messages"]] != []
        assert "Coucou" not in [m.body for m in Message.objects.all()]

    assert Message.objects.count() == before
    assert not Notification.objects.filter(kind="mentors.message_new").exists()


@pytest.mark.parametrize("who_blocks", ["mentor", "learner"])
def test_the_rule_holds_even_where_a_mentorship_was_left_open(pair, who_blocks):
    """A block row made outside the service (data from before this rule, a
    race): message_send checks the rule itself, not only the status."""
    blocker, blocked, mentorship = _people(pair, who_blocks)
    Block.objects.create(blocker=blocker, blocked=blocked)

    for author in (blocker, blocked):
        with pytest.raises(Conflict):
            message_send(author=author, mentorship_id=mentorship.pk, body="Coucou")
    assert Mentorship.objects.get(pk=mentorship.pk).status == "active"


# --- requests and accepts, before a request is accepted ----------------------


@pytest.mark.parametrize("who_blocks", ["mentor", "learner"])
def test_no_request_either_way_after_a_block(who_blocks):
    learner = learner_with_skills()
    profile = mentor()
    blocker, blocked = (
        (profile.user, learner) if who_blocks == "mentor" else (learner, profile.user)
    )
    block_create(blocker=blocker, blocked=blocked)

    body = {
        "mentor_profile": profile.pk,
        "skills": ["python"],
        "message": "Bonjour",
        "preferred_mode": "video",
    }
    assert post_json(api(learner), "/api/v1/mentorship-requests/", body) == 404
    assert not MentorshipRequest.objects.exists()


@pytest.mark.parametrize("who_blocks", ["mentor", "learner"])
def test_a_pending_request_cannot_be_accepted_after_a_block(client, who_blocks):
    learner = learner_with_skills()
    profile = mentor()
    request = ask(learner, profile)
    blocker, blocked = (
        (profile.user, learner) if who_blocks == "mentor" else (learner, profile.user)
    )
    block_create(blocker=blocker, blocked=blocked)

    url = f"/api/v1/mentorship-requests/{request.pk}/accept/"
    assert post_json(api(profile.user), url, {}) == 409
    client.force_login(profile.user)
    client.post(reverse("matching:request-accept", args=[request.pk]))
    assert not Mentorship.objects.exists()


@pytest.mark.parametrize("who_blocks", ["mentor", "learner"])
def test_accept_checks_the_rule_itself(who_blocks):
    """Even if a pending request were left open next to a block, accepting it
    is refused (409), and nothing starts."""
    learner = learner_with_skills()
    profile = mentor()
    request = ask(learner, profile)
    blocker, blocked = (
        (profile.user, learner) if who_blocks == "mentor" else (learner, profile.user)
    )
    Block.objects.create(blocker=blocker, blocked=blocked)

    with pytest.raises(Conflict):
        mentorship_request_accept(mentor=profile.user, request_id=request.pk)
    assert not Mentorship.objects.exists()
    assert MentorshipRequest.objects.get(pk=request.pk).status == "pending"


# --- what blocking closes and ends --------------------------------------------


def test_a_learner_blocking_withdraws_their_pending_request():
    learner = learner_with_skills()
    profile = mentor()
    request = ask(learner, profile)

    block_create(blocker=learner, blocked=profile.user)

    request.refresh_from_db()
    assert request.status == MentorshipRequest.Status.WITHDRAWN
    assert not Report.objects.exists()  # no mentorship ended: no staff item


def test_a_mentor_blocking_declines_the_request_and_the_answer_is_neutral():
    learner = learner_with_skills()
    profile = mentor()
    request = ask(learner, profile)

    block_create(blocker=profile.user, blocked=learner)
    run_outbox()

    request.refresh_from_db()
    assert request.status == MentorshipRequest.Status.DECLINED
    assert request.answer_message == ""
    notice = Notification.objects.get(recipient=learner)
    assert not any(word in notice.text.lower() for word in BLOCK_WORDS)
    for message in mail.outbox:
        text = (message.subject + message.body).lower()
        assert not any(word in text for word in BLOCK_WORDS)


@pytest.mark.parametrize("who_blocks", ["mentor", "learner"])
def test_blocking_ends_the_mentorship_with_a_neutral_notice(pair, who_blocks):
    blocker, blocked, mentorship = _people(pair, who_blocks)
    run_outbox()  # what the request and its answer sent
    Notification.objects.all().delete()
    mail.outbox.clear()

    block_create(blocker=blocker, blocked=blocked)
    run_outbox()

    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.ENDED
    assert mentorship.outcome == Mentorship.Outcome.STOPPED
    assert mentorship.end_reason == ""
    notice = Notification.objects.get(recipient=blocked)
    assert notice.kind == "mentors.mentorship_ended"
    texts = [notice.text] + [
        m.subject + m.body + str(m.alternatives)
        for m in mail.outbox
        if blocked.email in m.to
    ]
    assert len(texts) == 2  # the in-app notice and the e-mail
    for text in texts:
        assert not any(word in text.lower() for word in BLOCK_WORDS), text
    assert not Notification.objects.filter(recipient=blocker).exists()


def test_a_block_that_ends_a_mentorship_puts_an_item_in_the_staff_queue(pair):
    learner, mentor_user, mentorship = pair

    block_create(blocker=mentor_user, blocked=learner)

    report = Report.objects.get()
    assert report.reason == Report.Reason.BLOCK_ENDED_MENTORSHIP
    assert (report.reporter, report.reported_user) == (mentor_user, learner)
    assert report.status == Report.Status.OPEN
    assert str(mentorship.pk) in report.text


def test_blocking_twice_acts_once(pair):
    learner, mentor_user, _mentorship = pair

    block_create(blocker=learner, blocked=mentor_user)
    block_create(blocker=learner, blocked=mentor_user)

    assert Block.objects.count() == 1
    assert Report.objects.count() == 1


def test_a_block_leaves_other_people_alone(pair):
    learner, mentor_user, mentorship = pair
    other_learner = learner_with_skills()
    other_request = ask(other_learner, mentor_user.mentor_profile)

    block_create(blocker=learner, blocked=UserFactory())

    assert Mentorship.objects.get(pk=mentorship.pk).status == "active"
    assert MentorshipRequest.objects.get(pk=other_request.pk).status == "pending"


def test_blocking_drops_the_suggestion_and_refreshes_the_learners_list(pair):
    learner, mentor_user, _mentorship = pair
    MatchSuggestion.objects.create(
        learner=learner,
        mentor_profile=mentor_user.mentor_profile,
        rank=1,
        score=0.9,
        breakdown={},
        reasons=[],
        weights_version=1,
    )

    block_create(blocker=mentor_user, blocked=learner)

    assert not MatchSuggestion.objects.filter(learner=learner).exists()
    assert OutboxMessage.objects.filter(
        task_name="mentors.tasks.refresh_suggestions_for_learner_task",
        dedupe_key=f"suggestions:{learner.pk}",
    ).exists()


# --- the block page ------------------------------------------------------------


def test_the_block_page_says_what_it_does_then_blocks_on_post(client, pair):
    learner, mentor_user, mentorship = pair
    client.force_login(mentor_user)
    url = reverse("mentors:block", args=[learner.pk])

    with translation.override("fr"):
        page = client.get(url)
    assert page.status_code == 200
    assert "n'est pas prévenue" in page.content.decode()
    assert not Block.objects.exists()  # opening the page blocks nobody

    response = client.post(url)

    assert response.status_code == 302
    assert Block.objects.filter(blocker=mentor_user, blocked=learner).exists()
    assert Mentorship.objects.get(pk=mentorship.pk).status == "ended"


def test_the_thread_and_the_requests_page_offer_to_block(client, pair):
    learner, mentor_user, mentorship = pair
    other = learner_with_skills()
    ask(other, mentor_user.mentor_profile)
    client.force_login(mentor_user)

    thread = client.get(reverse("matching:thread", args=[mentorship.pk]))
    received = client.get(reverse("matching:requests-received"))

    assert reverse("mentors:block", args=[learner.pk]) in thread.content.decode()
    assert reverse("mentors:block", args=[other.pk]) in received.content.decode()


def test_nobody_blocks_a_stranger_or_themself(client):
    me = learner_with_skills()
    stranger = UserFactory()
    client.force_login(me)

    assert client.get(reverse("mentors:block", args=[stranger.pk])).status_code == 404
    assert client.post(reverse("mentors:block", args=[stranger.pk])).status_code == 404
    assert client.post(reverse("mentors:block", args=[me.pk])).status_code == 404
    assert not Block.objects.exists()


def test_the_block_page_needs_a_log_in(client, pair):
    learner, _mentor_user, _mentorship = pair

    response = client.get(reverse("mentors:block", args=[learner.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_person_blocked_by_a_mentor_cannot_tell_from_the_block_page(client):
    """The mentor's profile answers 404 to the person they blocked; so must
    every page that would name the mentor (block, report)."""
    profile = mentor()
    someone = UserFactory()
    block_create(blocker=profile.user, blocked=someone)
    client.force_login(someone)

    assert client.get(reverse("mentors:detail", args=[profile.pk])).status_code == 404
    assert (
        client.get(reverse("mentors:block", args=[profile.user_id])).status_code == 404
    )
    body = {"person": profile.user_id, "reason": "spam"}
    assert post_json(api(someone), "/api/v1/reports/", body) == 400
    # Whoever made the block may still name the other (blocking again is kept).
    client.force_login(profile.user)
    assert client.post(reverse("mentors:block", args=[someone.pk])).status_code == 404
    learner = learner_with_skills()
    ask(learner, profile)
    block_create(blocker=learner, blocked=profile.user)
    client.force_login(learner)
    assert (
        client.post(reverse("mentors:block", args=[profile.user_id])).status_code == 302
    )
    assert Block.objects.filter(blocker=learner).count() == 1
