from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from matching.models import Mentorship
from tests.matching.helpers import learner_with_skills, mentor

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def send(client, profile, **overrides):
    body = {
        "mentor_profile": profile.pk,
        "skills": ["python"],
        "message": "Bonjour, pouvez-vous m'aider ?",
        "preferred_mode": "video",
    }
    body.update(overrides)
    return client.post("/api/v1/mentorship-requests/", body, format="json")


def test_full_flow_through_the_api():
    learner = learner_with_skills()
    profile = mentor(capacity=1)
    as_learner, as_mentor = client_for(learner), client_for(profile.user)

    created = send(as_learner, profile)
    assert created.status_code == 201
    request_id = created.json()["id"]
    assert (
        as_learner.get("/api/v1/mentorship-requests/?role=learner").json()["count"] == 1
    )
    assert (
        as_learner.get("/api/v1/mentorship-requests/?role=mentor").json()["count"] == 0
    )
    assert (
        as_mentor.get("/api/v1/mentorship-requests/?role=mentor").json()["count"] == 1
    )

    accepted = as_mentor.post(f"/api/v1/mentorship-requests/{request_id}/accept/")
    assert accepted.status_code == 200
    mentorship_id = accepted.json()["id"]

    again = as_mentor.post(f"/api/v1/mentorship-requests/{request_id}/decline/")
    assert again.status_code == 409
    assert "detail" in again.json()

    posted = as_learner.post(
        f"/api/v1/mentorships/{mentorship_id}/messages/",
        {"body": "Merci !"},
        format="json",
    )
    assert posted.status_code == 201
    thread = as_mentor.get(f"/api/v1/mentorships/{mentorship_id}/messages/").json()
    assert [m["body"] for m in thread["results"]] == ["Merci !"]
    assert "email" not in str(thread)

    ended = as_mentor.post(
        f"/api/v1/mentorships/{mentorship_id}/end/",
        {"outcome": "completed"},
        format="json",
    )
    assert ended.status_code == 200
    assert Mentorship.objects.get(pk=mentorship_id).status == "ended"
    assert (
        as_learner.post(
            f"/api/v1/mentorships/{mentorship_id}/messages/",
            {"body": "Encore"},
            format="json",
        ).status_code
        == 409
    )


def test_capacity_reached_is_a_409():
    profile = mentor(capacity=1)
    as_mentor = client_for(profile.user)
    first = send(client_for(learner_with_skills()), profile).json()["id"]
    second = send(client_for(learner_with_skills()), profile).json()["id"]

    assert (
        as_mentor.post(f"/api/v1/mentorship-requests/{first}/accept/").status_code
        == 200
    )
    refused = as_mentor.post(f"/api/v1/mentorship-requests/{second}/accept/")

    assert refused.status_code == 409
    assert refused.json()["detail"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"skills": ["seo"]}, "skills"),
        ({"skills": []}, "skills"),
        ({"message": ""}, "message"),
        ({"message": "x" * 2001}, "message"),
        ({"preferred_mode": "fax"}, "preferred_mode"),
        ({"preferred_mode": "phone"}, "preferred_mode"),  # not one of the mentor's
    ],
)
def test_bad_requests_are_400_with_field_errors(overrides, field):
    profile = mentor()

    response = send(client_for(learner_with_skills()), profile, **overrides)

    assert response.status_code == 400
    assert field in response.json()


def test_pending_cap_and_duplicate_are_409():
    learner = learner_with_skills()
    as_learner = client_for(learner)
    profiles = [mentor() for _ in range(6)]
    for profile in profiles[:5]:
        assert send(as_learner, profile).status_code == 201

    assert send(as_learner, profiles[0]).status_code == 409
    assert send(as_learner, profiles[5]).status_code == 409


def test_role_must_be_learner_or_mentor():
    response = client_for(learner_with_skills()).get(
        "/api/v1/mentorship-requests/?role=boss"
    )

    assert response.status_code == 400
