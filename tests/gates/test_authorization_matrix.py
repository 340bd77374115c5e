"""Every API operation, for every actor of a fixed cast, answers what DESIGN says.

The expected statuses are written by hand from the rules in DESIGN — never read
from the code. The test fails when an operation of the schema has no row, when a
``/api/v1/`` route is missing from the schema, or when no actor may succeed.
Later features add their rows.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.gates.cast import ACTORS, make_cast

pytestmark = pytest.mark.django_db

ANYONE_SIGNED_IN = {
    "anonymous": 401,
    "learner_a": 200,
    "learner_b": 200,
    "mentor_of_a": 200,
    "other_mentor": 200,
    "staff": 200,
}

# (method, path as in the schema) → expected status for each actor.
MATRIX: dict[tuple[str, str], dict[str, int]] = {
    # DESIGN: /api/v1/me/… only for singletons of the caller.
    ("GET", "/api/v1/me/"): ANYONE_SIGNED_IN,
}


@pytest.fixture
def schema() -> dict:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _operations(schema: dict) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def _api_routes() -> set[str]:
    """Every route under /api/v1/ in the URLconf, as the schema writes it."""
    routes: set[str] = set()

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                if not route.startswith("api/v1/") or entry.name == "api-root":
                    continue
                if "(?P<format>" in route or r"\.(?P" in route:
                    continue
                route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
                route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
                routes.add("/" + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return routes


def test_every_operation_has_a_row_and_every_row_an_operation(schema):
    operations = _operations(schema)

    assert operations - MATRIX.keys() == set(), "operations without a row"
    assert MATRIX.keys() - operations == set(), "rows for operations not in the schema"


def test_every_api_route_is_in_the_schema(schema):
    assert _api_routes() - set(schema["paths"]) == set()


def test_every_operation_lets_someone_succeed():
    for operation, expected in MATRIX.items():
        assert set(expected) == set(ACTORS), operation
        assert any(200 <= status < 300 for status in expected.values()), operation


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
def test_each_actor_gets_the_expected_status(method, path):
    cast = make_cast()
    url = path.format(**cast.path_params)
    client = APIClient()
    statuses = {}
    for actor in ACTORS:
        response = client.generic(method, url, headers=cast.headers(actor))
        statuses[actor] = response.status_code

    assert statuses == MATRIX[(method, path)]


def test_the_route_walker_finds_routes():
    routes = _api_routes()

    assert "/api/v1/me/" in routes
