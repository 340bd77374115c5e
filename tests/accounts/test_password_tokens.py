"""A password reset revokes the person's API tokens; a password change does
when the person ticks the box. Both pages say so."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_create, api_tokens_revoke_all
from tests.accounts.helpers import password_reset_form_url
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-tout-nouveau-mot-de-passe"


def _me_with(raw: str) -> int:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api.get("/api/v1/me/").status_code


def test_a_password_reset_revokes_the_persons_api_tokens(client, user):
    _, raw = api_token_create(user=user, name="script")
    _, others = api_token_create(user=UserFactory(), name="theirs")
    assert _me_with(raw) == 200

    response = client.post(
        password_reset_form_url(client, user.email),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert _me_with(raw) == 401
    assert _me_with(others) == 200


def test_the_reset_page_says_that_tokens_will_be_revoked(client, user):
    page = client.get(password_reset_form_url(client, user.email))

    assert page.status_code == 200
    assert "révoque aussi tous vos jetons" in page.content.decode()


def _change_password(client, **extra: str):
    return client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            **extra,
        },
    )


def test_a_password_change_revokes_the_tokens_when_the_box_is_ticked(client, user):
    _, raw = api_token_create(user=user, name="script")
    client.force_login(user)

    response = _change_password(client, revoke_api_tokens="on")

    assert response.status_code == 302
    assert _me_with(raw) == 401


def test_a_password_change_keeps_the_tokens_when_the_box_is_not_ticked(client, user):
    _, raw = api_token_create(user=user, name="script")
    client.force_login(user)

    response = _change_password(client)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert _me_with(raw) == 200


def test_the_change_page_offers_to_sign_out_the_tokens(client, user):
    client.force_login(user)

    html = client.get(reverse("account_change_password")).content.decode()

    assert re.search(r'<input type="checkbox" name="revoke_api_tokens"', html)
    assert "Révoquer aussi mes jetons" in html


def test_revoking_all_tokens_keeps_the_date_of_those_already_revoked(user):
    first, _ = api_token_create(user=user, name="old")
    api_tokens_revoke_all(user=user)
    first.refresh_from_db()
    revoked_at = first.revoked_at
    api_token_create(user=user, name="new")

    assert api_tokens_revoke_all(user=user) == 1

    first.refresh_from_db()
    assert first.revoked_at == revoked_at
    assert not ApiToken.objects.active().filter(user=user).exists()
