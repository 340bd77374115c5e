"""Hostile input to every operation of the API answers below 500.

The operations, their query parameters and their bodies' field names are read
from the OpenAPI schema, so a new endpoint is covered at once. The caller is
learner A of the gates' cast, made a mentor too and asked for by learner B, so
that path parameters can name objects they see (the cast's ids) and requests
get past the lookups to the parsing and validation.

- A sweep, the same every run: a NUL character in each query parameter, in
  each body field (JSON and form), and JSON nested 5,000 levels deep.
- Hypothesis: arbitrary text (NUL bytes included), numbers and nested JSON in
  the query parameters, path parameters and bodies, and raw bodies that are not
  JSON at all. Ten derandomised examples per operation.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from core.api import MAX_JSON_DEPTH
from matching.services import mentorship_request_create
from tests.gates.cast import approved_mentor_profile, make_cast

pytestmark = pytest.mark.django_db

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _pattern(schema: dict[str, Any]) -> str:
    return r"^\d+$" if schema.get("type") == "integer" else schema.get("pattern", "")


def _operations() -> list[dict[str, Any]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            parameters = operation.get("parameters", [])
            content = operation.get("requestBody", {}).get("content", {})
            body = (
                _resolve(schema, next(iter(content.values()))["schema"])
                if content
                else {}
            )
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "query": [p["name"] for p in parameters if p["in"] == "query"],
                    "path_params": {
                        p["name"]: _pattern(p["schema"])
                        for p in parameters
                        if p["in"] == "path"
                    },
                    "fields": sorted(body.get("properties", {})),
                    "form": FORM in content,
                }
            )
    return operations


OPERATIONS = _operations()
IDS = [f"{op['method']} {op['path']}" for op in OPERATIONS]


@pytest.fixture
def caller() -> tuple[APIClient, list[str]]:
    """Learner A's client, and the ids of objects A sees (path parameters)."""
    cast = make_cast()
    profile = approved_mentor_profile(cast.users["learner_a"])
    request = mentorship_request_create(
        learner=cast.users["learner_b"],
        mentor_profile_id=profile.pk,
        skill_codes=["python"],
        message="Bonjour !",
        preferred_mode="video",
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=cast.headers("learner_a")["Authorization"])
    ids = sorted({str(v) for v in cast.objects.values()} | {str(request.pk)})
    return api, [*ids, "python"]


def _call(
    api: APIClient,
    operation: dict[str, Any],
    path_values: dict[str, str],
    query: dict[str, str],
    body: str | None = None,
    content_type: str = JSON,
) -> None:
    path = operation["path"]
    for name, value in path_values.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    url = f"{path}?{urlencode(query)}" if query else path
    response = api.generic(
        operation["method"], url, data=body or "", content_type=content_type
    )
    assert response.status_code < 500, (url, body, response.content[:300])


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_nul_characters_and_deep_nesting_anywhere_are_refused_without_a_500(
    caller, operation
):
    api, known_ids = caller
    for value in known_ids if operation["path_params"] else [""]:
        if not all(re.match(p, value) for p in operation["path_params"].values()):
            continue
        path_values = dict.fromkeys(operation["path_params"], value)
        for name in operation["query"]:
            _call(api, operation, path_values, {name: "a\x00b"})
        if operation["method"] == "GET":
            continue
        _call(api, operation, path_values, {}, "[" * 5000)
        _call(api, operation, path_values, {}, json.dumps(_nested(MAX_JSON_DEPTH)))
        for field in operation["fields"]:
            for hostile in ("a\x00b", _nested(MAX_JSON_DEPTH)):
                _call(api, operation, path_values, {}, json.dumps({field: hostile}))
            if operation["form"]:
                form = urlencode({field: "a\x00b"})
                _call(api, operation, path_values, {}, form, FORM)


text = st.one_of(
    st.text(max_size=30),
    st.builds("{}\x00{}".format, st.text(max_size=8), st.text(max_size=8)),
    st.sampled_from(["", "0", "-1", "1e400", "9" * 30, "null", "%00", "[]"]),
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3)
    ),
    max_leaves=8,
) | st.integers(min_value=1, max_value=3 * MAX_JSON_DEPTH).map(_nested)


@st.composite
def requests(draw: st.DrawFn, operation: dict[str, Any], known_ids: list[str]):
    path_values = {
        name: draw(st.sampled_from([v for v in known_ids if re.match(p, v)]) | text)
        for name, p in operation["path_params"].items()
    }
    names = [*operation["query"], "unknown"]
    query = draw(st.fixed_dictionaries({}, optional=dict.fromkeys(names, text)))
    if operation["method"] == "GET":
        return path_values, query, None, JSON
    fields = dict.fromkeys(operation["fields"], json_values)
    kind = draw(st.sampled_from(["object", "any", "raw", "form"]))
    if kind == "object":
        body = json.dumps(draw(st.fixed_dictionaries({}, optional=fields)))
    elif kind == "any":
        body = json.dumps(draw(json_values))
    elif kind == "raw":
        body = draw(st.text(max_size=50) | st.integers(1, 5000).map("[".__mul__))
    else:
        form = dict.fromkeys(operation["fields"], text)
        return path_values, query, urlencode(draw(st.fixed_dictionaries(form))), FORM
    return path_values, query, body, JSON


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_arbitrary_input_never_gets_a_server_error(caller, operation, data):
    api, known_ids = caller

    _call(api, operation, *data.draw(requests(operation, known_ids)))
