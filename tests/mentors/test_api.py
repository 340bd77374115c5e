from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from mentors.models import Block, LearnerProfile, MentorProfile, Report
from tests.factories import UserFactory
from tests.gates.cast import (
    LEARNER_PROFILE_BODY,
    MENTOR_PROFILE_BODY,
    approved_mentor_profile,
)

pytestmark = pytest.mark.django_db

MENTOR = MENTOR_PROFILE_BODY
LEARNER = LEARNER_PROFILE_BODY


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_skills_are_public_and_named_in_the_language():
    client = APIClient()

    response = client.get("/api/v1/skills/", {"page": 1}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.json()["count"] >= 51
    detail = client.get("/api/v1/skills/1.1/").json()
    assert detail["name_fr"].startswith("Naviguer")
    assert detail["area"]["framework"] == "digcomp"
    assert client.get("/api/v1/skills/knitting/").status_code == 404


def test_put_then_get_my_mentor_profile_and_submit_it(api, user):
    assert api.get("/api/v1/me/mentor-profile/").status_code == 404

    response = api.put("/api/v1/me/mentor-profile/", MENTOR, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert response.json()["missing"] == []

    refused = api.post("/api/v1/me/mentor-profile/submit/", {}, format="json")
    assert refused.status_code == 400
    assert "accept_charter" in refused.json()

    done = api.post(
        "/api/v1/me/mentor-profile/submit/", {"accept_charter": True}, format="json"
    )
    assert done.status_code == 200
    assert MentorProfile.objects.get(user=user).status == "submitted"


def test_patch_of_an_approved_profile_waits_for_review(user):
    profile = approved_mentor_profile(user)
    client = APIClient()
    client.force_login(user)

    response = client.patch(
        "/api/v1/me/mentor-profile/", {"headline": "Nouvelle accroche"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["headline"] == "Nouvelle accroche"
    assert response.json()["has_pending_changes"] is True
    profile.refresh_from_db()
    assert profile.headline == "Développeur Python"  # the public version is unchanged


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"skills": [{"skill": "knitting", "level": 3}]}, "skills"),
        ({"skills": [{"skill": "python", "level": 9}]}, "skills"),
        (
            {
                "skills": [
                    {"skill": "python", "level": 3},
                    {"skill": "python", "level": 4},
                ]
            },
            "skills",
        ),
        ({"headline": "x" * 121}, "headline"),
        ({"bio": "x" * 5001}, "bio"),
        ({"region": "99"}, "region"),
        ({"languages": ["xx"]}, "languages"),
        ({"modes": ["telepathy"]}, "modes"),
        ({"capacity": 0}, "capacity"),
    ],
)
def test_bad_mentor_input_is_a_400_with_field_errors(api, user, change, field):
    response = api.put(
        "/api/v1/me/mentor-profile/", {**MENTOR, **change}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    profile = MentorProfile.objects.filter(user=user).first()
    assert profile is None or profile.draft is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"skills": [{"skill": "python", "current_level": 5, "target_level": 3}]},
            "skills",
        ),
        (
            {"skills": [{"skill": "nope", "current_level": 1, "target_level": 3}]},
            "skills",
        ),
        ({"time_windows": [200]}, "time_windows"),
        ({"situation": "astronaut"}, "situation"),
        ({"goals": "x" * 3001}, "goals"),
    ],
)
def test_bad_learner_input_is_a_400_with_field_errors(api, user, change, field):
    response = api.put(
        "/api/v1/me/learner-profile/", {**LEARNER, **change}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not LearnerProfile.objects.filter(user=user, skills__isnull=False).exists()


def test_learner_profile_round_trip(api, user):
    assert (
        api.put("/api/v1/me/learner-profile/", LEARNER, format="json").status_code
        == 200
    )

    mine = api.get("/api/v1/me/learner-profile/").json()

    assert mine["skills"] == [
        {"skill": "python", "current_level": 0, "target_level": 3}
    ]
    assert mine["time_windows"] == [42, 43]


def test_reports_and_blocks_through_the_api(api, user):
    other = approved_mentor_profile(UserFactory()).user

    report = api.post(
        "/api/v1/reports/", {"person": other.pk, "reason": "spam"}, format="json"
    )
    assert report.status_code == 201
    assert Report.objects.get().reported_user == other
    assert (
        api.post("/api/v1/reports/", {"person": user.pk, "reason": "spam"}).status_code
        == 400
    )
    assert (
        api.post("/api/v1/reports/", {"person": 0, "reason": "spam"}).status_code == 400
    )

    created = api.post("/api/v1/blocks/", {"person": other.pk}, format="json")
    assert created.status_code == 201
    again = api.post("/api/v1/blocks/", {"person": other.pk}, format="json")
    assert again.status_code == 200
    listing = api.get("/api/v1/blocks/").json()
    assert [b["person"] for b in listing["results"]] == [other.pk]
    assert "email" not in str(listing)

    theirs = Block.objects.create(blocker=other, blocked=UserFactory())
    assert api.delete(f"/api/v1/blocks/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/v1/blocks/{created.json()['id']}/").status_code == 204
    assert not Block.objects.filter(blocker=user).exists()


def test_another_persons_email_is_never_in_an_answer(api, user):
    other = UserFactory()
    approved_mentor_profile(other)
    api.post("/api/v1/blocks/", {"person": other.pk}, format="json")

    for path in ("/api/v1/blocks/", "/api/v1/skills/", "/api/v1/me/"):
        assert other.email not in api.get(path).content.decode()


def test_people_one_cannot_see_are_unknown_and_their_names_stay_hidden(api):
    hidden = UserFactory(full_name="Personne Invisible")  # no public profile, no link

    block = api.post("/api/v1/blocks/", {"person": hidden.pk}, format="json")
    report = api.post(
        "/api/v1/reports/", {"person": hidden.pk, "reason": "spam"}, format="json"
    )

    assert block.status_code == 400
    assert report.status_code == 400
    assert "Invisible" not in block.content.decode() + report.content.decode()
    assert not Block.objects.exists()
    assert not Report.objects.exists()
