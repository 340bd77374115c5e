"""When Redis is down, pages, log-ins (TOTP included) and sign-ups still work."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from compagnonnage.settings.base import ACCOUNT_RATE_LIMITS, cache_settings
from tests.factories import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every call to this "Redis" fails at once.
REDIS_DOWN = override_settings(
    CACHES=cache_settings("redis://127.0.0.1:1/0"),
    ACCOUNT_RATE_LIMITS=ACCOUNT_RATE_LIMITS,  # the real limits, as in production
    CELERY_BROKER_URL="redis://127.0.0.1:1/0",
)


@REDIS_DOWN
def test_the_cache_fails_open():
    assert cache.add("key", "value") is True  # allauth's limiter needs add() to succeed
    assert cache.get("key", "default") == "default"
    cache.set("key", "value")
    assert cache.get_many(["key"]) == {}
    assert cache.delete("key") is False


@REDIS_DOWN
def test_pages_and_login_work_with_the_real_rate_limits(client, user):
    assert client.get(reverse("home")).status_code == 200

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


@REDIS_DOWN
def test_staff_login_with_totp_works(client, staff_with_totp):
    client.post(
        reverse("account_login"), {"login": staff_with_totp.email, "password": PASSWORD}
    )
    client.post(
        reverse("mfa_authenticate"), {"code": totp_code(staff_with_totp.totp_secret)}
    )

    assert client.get("/admin/").status_code == 200


@REDIS_DOWN
def test_signup_works(client):
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "Lucie Bernard",
            "email": "lucie@example.org",
            "password1": "un-mot-de-passe-solide",
            "password2": "un-mot-de-passe-solide",
            "accept_terms": "on",
            "is_adult": "on",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")


@REDIS_DOWN
def test_healthz_reports_the_broker_down_but_answers_200(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker"]["ok"] is False
