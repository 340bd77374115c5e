"""Hostile input found by probing the API from outside: a 400 that says what is
wrong, never a 500."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.api import MAX_JSON_DEPTH
from tests.gates.cast import learner_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(user):
    learner_profile(user)
    api = APIClient()
    api.force_authenticate(user)
    return api


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "body",
    [
        "[" * 5000,  # what the probe sent: past Python's own recursion limit
        _nested(5000),
        '{"goals": ' + _nested(MAX_JSON_DEPTH) + "}",
    ],
    ids=["unclosed", "closed", "inside-a-field"],
)
def test_json_nested_too_deep_is_a_400_not_a_500(learner, body):
    response = learner.patch(
        "/api/v1/me/learner-profile/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert str(MAX_JSON_DEPTH) in response.json()["detail"]


def test_json_nested_as_deep_as_allowed_gets_field_errors(learner):
    body = '{"languages": ' + _nested(MAX_JSON_DEPTH - 1) + "}"

    response = learner.patch(
        "/api/v1/me/learner-profile/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert "languages" in response.json()


def test_a_nul_character_in_a_query_parameter_is_a_400_not_a_500():
    response = APIClient().get("/api/v1/mentors/?skill=%00")

    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
