from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_and_logout(client, user):
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_with_a_wrong_password_says_so(client, user):
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": "wrong-password-123"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_login_url_is_allauths_and_protects_private_pages(client):
    response = client.get(reverse("accounts:preferences"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


@override_settings(
    ACCOUNT_RATE_LIMITS={"login_failed": "3/m/ip,3/5m/key", "login": "30/m/ip"}
)
def test_failed_logins_are_rate_limited(client):
    person = UserFactory()
    for _ in range(3):
        client.post(
            reverse("account_login"),
            {"login": person.email, "password": "wrong-password-123"},
        )

    # Even the right password is refused while the limit holds.
    response = client.post(
        reverse("account_login"), {"login": person.email, "password": PASSWORD}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert (
        "too many" in str(response.context["form"].errors).lower()
        or "trop" in str(response.context["form"].errors).lower()
    )


@override_settings(ACCOUNT_RATE_LIMITS={"signup": "2/m/ip"})
def test_signups_are_rate_limited(client):
    codes = []
    for n in range(3):
        response = client.post(
            reverse("account_signup"),
            {
                "full_name": "Test Person",
                "email": f"rate{n}@example.org",
                "password1": "un-mot-de-passe-solide",
                "password2": "un-mot-de-passe-solide",
                "accept_terms": "on",
                "is_adult": "on",
            },
        )
        codes.append(response.status_code)
        client.logout()

    assert codes == [302, 302, 429]


def test_the_real_settings_keep_rate_limits_on():
    from compagnonnage.settings import base

    assert base.ACCOUNT_RATE_LIMITS
    assert base.ACCOUNT_RATE_LIMITS["login_failed"]
