""" "My space", assembled from each app's panels: what is going on now comes
first, each with its state in words and its next action, then suggestions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compagnonnage.space import space_sections
from core.panels import Section
from matching.engine.refresh import suggestions_refresh_for_learner
from matching.models import MentorshipRequest
from matching.services import (
    mentorship_request_accept,
    mentorship_request_create,
    mentorship_request_decline,
)
from mentors.data_version import bump_mentor_data_version
from tests.matching.helpers import learner_with_skills, mentor

pytestmark = pytest.mark.django_db


def _ask(learner, profile):
    return mentorship_request_create(
        learner=learner,
        mentor_profile_id=profile.pk,
        skill_codes=["python"],
        message="Bonjour, je voudrais apprendre Python.",
        preferred_mode="video",
    )


def test_an_accepted_request_comes_first_with_the_way_to_the_conversation(client):
    learner = learner_with_skills()
    accepted, waiting, declined, suggested = (mentor() for _ in range(4))
    mentorship = mentorship_request_accept(
        mentor=accepted.user, request_id=_ask(learner, accepted).pk
    )
    _ask(learner, waiting)
    mentorship_request_decline(
        mentor=declined.user, request_id=_ask(learner, declined).pk, message=""
    )
    bump_mentor_data_version()
    suggestions_refresh_for_learner(learner_id=learner.pk)
    client.force_login(learner)

    html = client.get(reverse("space")).content.decode()

    working = html.index(f"Vous travaillez avec {accepted.user.full_name}")
    thread = html.index(reverse("matching:thread", args=[mentorship.pk]))
    waiting_at = html.index(f"Votre demande à {waiting.user.full_name} attend")
    withdraw = html.index(
        reverse(
            "matching:request-withdraw",
            args=[MentorshipRequest.objects.get(mentor=waiting.user).pk],
        )
    )
    declined_at = html.index(f"{declined.user.full_name} ne peut pas")
    suggestions = html.index("Des mentors pour vous")
    assert working < thread < suggestions
    assert waiting_at < withdraw < suggestions
    assert declined_at < suggestions
    assert suggested.user.full_name in html[suggestions:]


def test_a_mentor_sees_how_many_requests_wait(client):
    profile = mentor()
    _ask(learner_with_skills(), profile)
    _ask(learner_with_skills(), profile)
    client.force_login(profile.user)

    html = client.get(reverse("space")).content.decode()

    assert "2 demandes attendent votre réponse" in html


def test_the_sections_follow_the_roles_and_the_panels_their_order():
    learner = learner_with_skills()
    both = mentor()

    learner_sections = space_sections(user=learner)
    mentor_sections = space_sections(user=both.user)

    assert [s[0] for s in learner_sections] == [Section.LEARNER.value]
    assert [s[0] for s in mentor_sections] == [Section.MENTOR.value]
    for _section, _title, panels in learner_sections + mentor_sections:
        assert [p.order for p in panels] == sorted(p.order for p in panels)


def test_my_space_takes_a_fixed_number_of_queries(client):
    learner = learner_with_skills()
    for _ in range(2):
        _ask(learner, mentor())
    client.force_login(learner)
    client.get(reverse("space"))  # warm what is cached per process

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("space"))
    for _ in range(2):
        _ask(learner, mentor())
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("space"))

    assert len(more) == len(few)
