"""The API's throttles at the production rates, counting in the real Redis.

The test settings raise every rate so that no other test trips one; these tests
set the real ones back (``API_THROTTLE_RATES``). Past a rate: 429 with
``Retry-After``. With Redis down: everything is served.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.services import api_token_create
from compagnonnage.settings.base import API_THROTTLE_RATES
from tests.core.test_redis_down import REDIS_DOWN
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REAL_RATES = override_settings(
    REST_FRAMEWORK={
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": API_THROTTLE_RATES,
    }
)


def _rate(scope: str) -> int:
    number, period = API_THROTTLE_RATES[scope].split("/")
    assert period == "min"
    return int(number)


def _statuses(send, times: int) -> list[int]:
    return [send().status_code for _ in range(times)]


def _assert_throttled(response) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60


def _token_client(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def _report(api: APIClient):
    # An empty report is refused (400) after the throttles have counted it.
    return api.post("/api/v1/reports/", {}, format="json")


@REAL_RATES
def test_an_anonymous_caller_gets_429_with_retry_after_past_the_anonymous_rate():
    api = APIClient()

    assert set(_statuses(lambda: api.get("/api/v1/skills/"), _rate("anon"))) == {200}
    _assert_throttled(api.get("/api/v1/skills/"))


@REAL_RATES
def test_the_anonymous_rate_is_per_address_and_x_forwarded_for_cannot_dodge_it():
    api = APIClient()
    _statuses(lambda: api.get("/api/v1/skills/"), _rate("anon"))

    spoofed = api.get("/api/v1/skills/", HTTP_X_FORWARDED_FOR="203.0.113.9")
    elsewhere = api.get("/api/v1/skills/", REMOTE_ADDR="198.51.100.7")

    _assert_throttled(spoofed)
    assert elsewhere.status_code == 200


@REAL_RATES
def test_writes_get_429_with_retry_after_past_the_write_rate_and_reads_go_on():
    user = UserFactory()
    api = _token_client(api_token_create(user=user, name="script")[1])

    assert set(_statuses(lambda: _report(api), _rate("write"))) == {400}
    _assert_throttled(_report(api))
    assert api.get("/api/v1/me/").status_code == 200


@REAL_RATES
def test_tokens_are_throttled_per_person_not_per_token_nor_per_address():
    user = UserFactory()
    first = _token_client(api_token_create(user=user, name="one")[1])
    second = _token_client(api_token_create(user=user, name="two")[1])
    other = _token_client(api_token_create(user=UserFactory(), name="x")[1])
    _statuses(lambda: _report(first), _rate("write"))

    _assert_throttled(_report(second))
    assert _report(other).status_code == 400


@REAL_RATES
def test_the_directory_has_its_own_stricter_rate():
    assert _rate("directory") < _rate("anon")
    api = APIClient()

    directory = _statuses(lambda: api.get("/api/v1/mentors/"), _rate("directory"))
    _assert_throttled(api.get("/api/v1/mentors/"))
    assert set(directory) == {200}
    assert api.get("/api/v1/skills/").status_code == 200


@REDIS_DOWN
@REAL_RATES
def test_with_redis_down_every_request_is_served_past_every_rate():
    user = UserFactory()
    signed_in = _token_client(api_token_create(user=user, name="script")[1])
    anonymous = APIClient()

    skills = _statuses(lambda: anonymous.get("/api/v1/skills/"), _rate("anon") + 5)
    directory = _statuses(
        lambda: anonymous.get("/api/v1/mentors/"), _rate("directory") + 5
    )
    writes = _statuses(lambda: _report(signed_in), _rate("write") + 5)

    assert set(skills) == {200}
    assert set(directory) == {200}
    assert set(writes) == {400}
