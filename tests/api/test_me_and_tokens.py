from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _create_token(client, user, name="script"):
    """Log in, confirm the password again as the token page asks, make a token."""
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    asked = client.get(reverse("accounts:api-tokens"))
    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    client.post(asked["Location"], {"password": PASSWORD})
    response = client.post(reverse("accounts:api-tokens"), {"name": name})
    assert response.status_code == 200
    match = re.search(r"(cpg_[A-Za-z0-9_\-]+)", response.content.decode())
    assert match, "the new token is shown once on the page"
    return match.group(1)


def test_me_requires_authentication(api):
    response = api.get("/api/v1/me/")

    assert response.status_code in (401, 403)


def test_me_returns_the_callers_account_with_a_session(api, user):
    api.force_login(user)

    response = api.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "language": "fr",
        "time_zone": "Europe/Paris",
        "date_joined": response.json()["date_joined"],
    }


def test_token_made_on_the_account_page_authenticates_the_api(client, api, user):
    raw = _create_token(client, user)

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["email"] == user.email
    token = ApiToken.objects.get(user=user)
    assert token.key_hash != raw
    assert raw not in token.key_hash
    assert token.last_used_at is not None


def test_the_token_is_shown_once_then_only_its_prefix(client, user):
    raw = _create_token(client, user)

    listing = client.get(reverse("accounts:api-tokens")).content.decode()

    assert raw not in listing
    assert raw[:8] in listing


def test_a_revoked_token_is_refused(client, api, user):
    raw = _create_token(client, user)
    token = ApiToken.objects.get(user=user)

    response = client.post(reverse("accounts:api-token-revoke", args=[token.pk]))
    assert response.status_code == 302

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/me/").status_code == 401


def test_nobody_can_revoke_another_persons_token(client, user):
    other = UserFactory()
    _create_token(client, other, name="theirs")
    theirs = ApiToken.objects.get(user=other)
    client.logout()
    _create_token(client, user, name="mine")

    response = client.post(reverse("accounts:api-token-revoke", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_token_page_requires_a_recent_authentication(client, user):
    client.force_login(user)  # no authentication record in the session

    response = client.get(reverse("accounts:api-tokens"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_an_unknown_token_is_refused(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer cpg_not-a-real-token")

    assert api.get("/api/v1/me/").status_code == 401


def test_no_endpoint_trades_a_password_for_a_token(api, user):
    for path in (
        "/api/v1/token/",
        "/api/v1/auth/token/",
        "/api-token-auth/",
        "/api/token/",
    ):
        response = api.post(path, {"username": user.email, "password": PASSWORD})
        assert response.status_code in (401, 403, 404), path
    schema = api.get("/api/schema/").content.decode()
    assert "password" not in schema


def test_schema_and_docs_are_served_from_local_assets(api):
    schema = api.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/" in schema.content

    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # strict CSP: no inline script


def test_json_with_a_nul_character_is_a_400_not_a_500(api, user):
    api.force_login(user)

    response = api.put(
        "/api/v1/me/learner-profile/",
        '{"goals": "a\\u0000b"}',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
