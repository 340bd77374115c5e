"""Schemathesis over the live server's own schema, authenticated.

As a person who is both learner and mentor, with a token and objects of their
own: no operation answers a server error, every response matches the schema,
and every operation is reached at least once with a status other than 401/403.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)

from tests.gates.cast import approved_mentor_profile, make_cast

pytestmark = pytest.mark.django_db(transaction=True)

REACHED: dict[str, set[int]] = {}


@pytest.fixture
def api_schema(live_server):
    return schemathesis.openapi.from_url(live_server.url + "/api/schema/?format=json")


@pytest.fixture
def owner_headers() -> dict[str, str]:
    """Learner A of the cast, made a mentor too: both profiles, a block, a token."""
    cast = make_cast()
    approved_mentor_profile(cast.users["learner_a"], pending_changes=True)
    return cast.headers("learner_a")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, suppress_health_check=list(HealthCheck))
def test_api_answers_without_server_errors(case, owner_headers):
    # Every check but the two "data acceptance" ones: data valid for the schema
    # may still be refused by a rule (an unknown skill code, an incomplete
    # profile), and that refusal is a 400 with field errors, as it should be.
    response = case.call_and_validate(
        headers=owner_headers,
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )
    REACHED.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)


def test_every_operation_was_reached_with_access(live_server, api_schema):
    operations = {
        f"{method.upper()} {path}"
        for path, item in api_schema.raw_schema["paths"].items()
        for method in item
    }
    unreached = {op for op in operations if not (REACHED.get(op, set()) - {401, 403})}

    assert unreached == set()
