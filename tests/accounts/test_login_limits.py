"""Failed log-ins are limited per account *and* client, under a per-account
ceiling: one client's wrong passwords do not lock the owner out elsewhere.

allauth's real rate limiter against the real Redis, with the production limits.
"""

from __future__ import annotations

import pytest
from allauth.core.internal.ratelimit import parse_rates
from django.test import Client, override_settings
from django.urls import reverse

from compagnonnage.settings.base import ACCOUNT_RATE_LIMITS
from tests.accounts.helpers import password_reset_form_url
from tests.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("_real_limits"),
]

WRONG = "wrong-password-123"
ATTACKER = "203.0.113.7"
OWNER = "198.51.100.20"


@pytest.fixture
def _real_limits():
    assert isinstance(ACCOUNT_RATE_LIMITS, dict)
    with override_settings(ACCOUNT_RATE_LIMITS=ACCOUNT_RATE_LIMITS):
        yield


def _limit(action: str) -> int:
    assert isinstance(ACCOUNT_RATE_LIMITS, dict)
    [rate] = [r for r in parse_rates(ACCOUNT_RATE_LIMITS[action]) if r.per == "key"]
    return rate.amount


def _log_in(client: Client, email: str, password: str, **addresses: str):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, **addresses
    )


def _refused_as_too_many(response) -> bool:
    errors = str(response.context["form"].errors).lower() if response.context else ""
    return response.status_code == 200 and ("too many" in errors or "trop" in errors)


def test_the_owner_signs_in_from_another_client_while_the_attackers_is_limited():
    person = UserFactory()
    attacker, owner = Client(), Client()
    for _ in range(_limit("login_failed_client")):
        _log_in(attacker, person.email, WRONG, REMOTE_ADDR=ATTACKER)

    # The attacker's client is refused, even with the right password…
    refused = _log_in(attacker, person.email, PASSWORD, REMOTE_ADDR=ATTACKER)
    assert _refused_as_too_many(refused)
    assert "_auth_user_id" not in attacker.session
    # …and the owner, from elsewhere, gets in.
    response = _log_in(owner, person.email, PASSWORD, REMOTE_ADDR=OWNER)
    assert response.status_code == 302
    assert int(owner.session["_auth_user_id"]) == person.pk


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_clients_are_told_apart_by_x_forwarded_for():
    person = UserFactory()
    attacker, owner = Client(), Client()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(_limit("login_failed_client")):
        _log_in(attacker, person.email, WRONG, HTTP_X_FORWARDED_FOR=ATTACKER, **proxy)

    refused = _log_in(
        attacker, person.email, PASSWORD, HTTP_X_FORWARDED_FOR=ATTACKER, **proxy
    )
    response = _log_in(
        owner, person.email, PASSWORD, HTTP_X_FORWARDED_FOR=OWNER, **proxy
    )

    assert _refused_as_too_many(refused)
    assert response.status_code == 302


def test_the_per_account_ceiling_stops_wrong_passwords_spread_over_clients():
    person = UserFactory()
    per_client, ceiling = _limit("login_failed_client"), _limit("login_failed")
    assert ceiling > per_client
    answers = []
    for n in range(ceiling):
        # Each client stays under its own limit.
        address = f"203.0.113.{n // (per_client - 1)}"
        answers.append(_log_in(Client(), person.email, WRONG, REMOTE_ADDR=address))

    # Every one of those passwords was checked (and found wrong)…
    assert not any(_refused_as_too_many(answer) for answer in answers)
    assert all(answer.status_code == 200 for answer in answers)
    # …then the account refuses even the right password, from a fresh client.
    owner = Client()
    response = _log_in(owner, person.email, PASSWORD, REMOTE_ADDR=OWNER)
    assert _refused_as_too_many(response)
    assert "_auth_user_id" not in owner.session


def test_a_password_reset_lets_the_owner_back_in_from_their_own_client():
    person = UserFactory()
    owner = Client(REMOTE_ADDR=OWNER)
    for _ in range(_limit("login_failed_client")):
        _log_in(owner, person.email, WRONG)
    assert _refused_as_too_many(_log_in(owner, person.email, PASSWORD))

    form_url = password_reset_form_url(owner, person.email)
    new_password = "un-tout-nouveau-mot-de-passe"
    owner.post(
        form_url,
        {"password1": new_password, "password2": new_password},
    )

    response = _log_in(owner, person.email, new_password)
    assert response.status_code == 302
    assert int(owner.session["_auth_user_id"]) == person.pk
