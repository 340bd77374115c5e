"""Camera, microphone and location are off on every response; what is shown to a
signed-in person, page or API answer, is kept by no cache; the public directory
shown to anonymous visitors keeps its caching."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create
from mentors.search import mentor_search_refresh
from tests.factories import UserFactory
from tests.gates.cast import approved_mentor_profile

pytestmark = pytest.mark.django_db

POLICY = "camera=(), microphone=(), geolocation=()"


def test_every_response_turns_camera_microphone_and_location_off(client, user):
    for path in ("/", "/healthz", "/mentors/", "/no-such-page/", "/api/v1/mentors/"):
        assert client.get(path)["Permissions-Policy"] == POLICY, path

    client.force_login(user)
    assert client.get("/accounts/preferences/")["Permissions-Policy"] == POLICY


def test_signed_in_pages_are_kept_by_no_cache(client, user):
    client.force_login(user)

    for path in ("/", "/mentors/", "/accounts/preferences/", "/mon-espace/"):
        assert client.get(path)["Cache-Control"] == "private, no-store", path


def test_only_answers_to_a_signed_in_person_are_kept_by_no_cache(user):
    """The public directory, page and API, keeps its caching for anonymous
    visitors; the same addresses asked by a signed-in person do not."""
    profile = approved_mentor_profile(UserFactory())
    mentor_search_refresh()
    public = ("/mentors/", "/api/v1/mentors/", f"/api/v1/mentors/{profile.pk}/")
    raw = api_token_create(user=user, name="script")[1]
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    by_session = APIClient()
    by_session.force_login(user)

    for path in public:
        response = APIClient().get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.get("Cache-Control", ""), path
    for api in (by_token, by_session):
        for path in ("/api/v1/me/", *public[1:]):
            response = api.get(path)
            assert response.status_code == 200, path
            assert response["Cache-Control"] == "private, no-store", path


def test_the_answer_to_a_form_sent_is_kept_by_no_cache(client):
    """It holds what was typed (a refused sign-up gives the passwords back)."""
    response = client.post("/accounts/password/reset/", {"email": ""})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
