"""Every API operation, for every actor of a fixed cast, answers what DESIGN says.

The expected statuses are written by hand from the rules in DESIGN — never read
from the code. The test fails when an operation of the schema has no row, when a
``/api/v1/`` route is missing from the schema, or when no actor may succeed.
Later features add their rows.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from tests.gates.cast import (
    ACTORS,
    AVAILABILITY_BODY,
    LEARNER_PROFILE_BODY,
    MENTOR_PROFILE_BODY,
    make_cast,
)

pytestmark = pytest.mark.django_db


def row(anonymous, learner_a, learner_b, mentor_of_a, other_mentor, staff, *more):
    # The attestation reviewer (staff with TOTP) answers as staff unless given.
    reviewer = more[0] if more else staff
    statuses = (anonymous, learner_a, learner_b, mentor_of_a, other_mentor, staff)
    return dict(zip(ACTORS, (*statuses, reviewer), strict=True))


ANYONE_SIGNED_IN = row(401, 200, 200, 200, 200, 200)
EVERYONE = row(200, 200, 200, 200, 200, 200)
LEARNERS_ONLY = row(401, 200, 200, 404, 404, 404)
MENTORS_ONLY = row(401, 404, 404, 200, 200, 404)

# (method, path as in the schema) → expected status for each actor, from DESIGN:
# /api/v1/me/… is the caller's own; the taxonomy is public; another person's
# object answers 404; validation errors 400.
MATRIX: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/api/v1/me/"): ANYONE_SIGNED_IN,
    ("GET", "/api/v1/skills/"): EVERYONE,
    ("GET", "/api/v1/skills/{code}/"): EVERYONE,
    # A mentor profile is the caller's own; PUT creates one for anyone.
    ("GET", "/api/v1/me/mentor-profile/"): MENTORS_ONLY,
    ("PUT", "/api/v1/me/mentor-profile/"): ANYONE_SIGNED_IN,
    ("PATCH", "/api/v1/me/mentor-profile/"): MENTORS_ONLY,
    # Only A's mentor has changes waiting to be sent for review.
    ("POST", "/api/v1/me/mentor-profile/submit/"): row(401, 404, 404, 200, 400, 404),
    ("GET", "/api/v1/me/learner-profile/"): LEARNERS_ONLY,
    ("PUT", "/api/v1/me/learner-profile/"): ANYONE_SIGNED_IN,
    ("PATCH", "/api/v1/me/learner-profile/"): LEARNERS_ONLY,
    # Anyone signed in reports A's mentor, except A's mentor themself.
    ("POST", "/api/v1/reports/"): row(401, 201, 201, 400, 201, 201),
    ("GET", "/api/v1/blocks/"): ANYONE_SIGNED_IN,
    # Anyone signed in blocks A's mentor (a public mentor), except that mentor;
    # a person one cannot see is "unknown" (see test_mentors api tests).
    ("POST", "/api/v1/blocks/"): row(401, 201, 201, 400, 201, 201),
    # {id} is learner A's block: only learner A lifts it.
    ("DELETE", "/api/v1/blocks/{id}/"): row(401, 204, 404, 404, 404, 404),
    # The directory is public; the other mentor's page is hidden from learner A,
    # who blocked them.
    ("GET", "/api/v1/mentors/"): EVERYONE,
    # Suggestions are the caller's own (empty for those who are not learners).
    ("GET", "/api/v1/me/suggestions/"): ANYONE_SIGNED_IN,
    ("GET", "/api/v1/mentors/{id}/"): row(200, 404, 200, 200, 200, 200),
    # Requests: each person lists their own; {id} is learner B's request to A's
    # mentor: only they see it, only the mentor answers, only B withdraws.
    ("GET", "/api/v1/mentorship-requests/"): ANYONE_SIGNED_IN,
    # Asking the other mentor: learner A blocked them (404), learner B may;
    # the others have no learner profile to ask from (400), or are that mentor.
    ("POST", "/api/v1/mentorship-requests/"): row(401, 404, 201, 400, 400, 400),
    ("GET", "/api/v1/mentorship-requests/{id}/"): row(401, 404, 200, 200, 404, 404),
    ("POST", "/api/v1/mentorship-requests/{id}/accept/"): row(
        401, 404, 404, 200, 404, 404
    ),
    ("POST", "/api/v1/mentorship-requests/{id}/decline/"): row(
        401, 404, 404, 200, 404, 404
    ),
    ("POST", "/api/v1/mentorship-requests/{id}/withdraw/"): row(
        401, 404, 200, 404, 404, 404
    ),
    # Mentorships: {id} is learner A's with A's mentor; only the two see it.
    ("GET", "/api/v1/mentorships/"): ANYONE_SIGNED_IN,
    ("GET", "/api/v1/mentorships/{id}/"): row(401, 200, 404, 200, 404, 404),
    ("POST", "/api/v1/mentorships/{id}/end/"): row(401, 200, 404, 200, 404, 404),
    ("GET", "/api/v1/mentorships/{id}/messages/"): row(401, 200, 404, 200, 404, 404),
    ("POST", "/api/v1/mentorships/{id}/messages/"): row(401, 201, 404, 201, 404, 404),
    # Availability is a mentor's own; PUT needs a mentor profile (404 without).
    ("GET", "/api/v1/me/availability/"): MENTORS_ONLY,
    ("PUT", "/api/v1/me/availability/"): MENTORS_ONLY,
    # The other mentor's free slots: signed in, but learner A blocked them.
    ("GET", "/api/v1/slots/"): row(401, 404, 200, 200, 200, 200),
    ("POST", "/api/v1/me/slots/"): row(401, 404, 404, 201, 201, 404),
    # {id} is a free slot of A's mentor: only they take it back.
    ("DELETE", "/api/v1/me/slots/{id}/"): row(401, 404, 404, 204, 404, 404),
    # Partner venues: a public list, for people signed in.
    ("GET", "/api/v1/venues/"): ANYONE_SIGNED_IN,
    # Bookings: one's own, in either role. The body books A's mentor's free
    # slot: A has a mentorship with them; the others have none (no discovery
    # sessions offered): 409; the mentor's own slot is not bookable: 404.
    ("GET", "/api/v1/bookings/"): ANYONE_SIGNED_IN,
    ("POST", "/api/v1/bookings/"): row(401, 201, 409, 404, 409, 409),
    ("GET", "/api/v1/bookings/{id}/"): row(401, 200, 404, 200, 404, 404),
    # The calendar feed is the caller's own: learner A has one; anyone signed
    # in makes one (replacing theirs); only A has one to show or revoke.
    ("GET", "/api/v1/me/calendar-feed/"): row(401, 200, 404, 404, 404, 404),
    ("POST", "/api/v1/me/calendar-feed/"): row(401, 201, 201, 201, 201, 201),
    ("DELETE", "/api/v1/me/calendar-feed/"): row(401, 204, 404, 404, 404, 404),
    # The waitlist: one's own entries. The body asks for A's mentor: B already
    # waits for them (409), a mentor never waits for themself (404, as if
    # there were no such mentor); {id} is B's entry.
    ("GET", "/api/v1/waitlist/"): ANYONE_SIGNED_IN,
    ("POST", "/api/v1/waitlist/"): row(401, 201, 409, 404, 201, 201),
    ("DELETE", "/api/v1/waitlist/{id}/"): row(401, 404, 204, 404, 404, 404),
    # Either person of the booking cancels it or moves it (to A's mentor's free
    # slot, four days ahead: outside the cut-off); nobody else sees it.
    ("POST", "/api/v1/bookings/{id}/cancel/"): row(401, 200, 404, 200, 404, 404),
    ("POST", "/api/v1/bookings/{id}/reschedule/"): row(401, 200, 404, 200, 404, 404),
    # After a session (A's of yesterday) either person says whether it took
    # place; nobody else sees it.
    ("POST", "/api/v1/bookings/{id}/attendance/"): row(401, 200, 404, 200, 404, 404),
    # {id} is learner A's request to move their session of tomorrow: both see
    # it, only the mentor answers it.
    ("GET", "/api/v1/reschedule-requests/"): ANYONE_SIGNED_IN,
    ("POST", "/api/v1/reschedule-requests/{id}/accept/"): row(
        401, 404, 404, 200, 404, 404
    ),
    ("POST", "/api/v1/reschedule-requests/{id}/decline/"): row(
        401, 404, 404, 200, 404, 404
    ),
    # {id} is learner A's session of three days ago: only its mentor writes the
    # note (both read it in the booking), only learner A rates it (for staff).
    ("POST", "/api/v1/bookings/{id}/note/"): row(401, 404, 404, 200, 404, 404),
    ("POST", "/api/v1/bookings/{id}/rating/"): row(401, 201, 404, 404, 404, 404),
}

# --- attestations (issue 18) ------------------------------------------------------
# Endorsements and requests are one's own; tasks are reference data for people
# signed in. Only the other mentor had an attended session with learner B on
# 2.1 (and holds it): only they endorse B or observe a task in that session.
# {id} is learner A's draft: A has the two hours level 1 needs.
_ATTESTATION_MATRIX = {
    ("GET", "/api/v1/endorsements/"): ANYONE_SIGNED_IN,
    ("POST", "/api/v1/endorsements/"): row(401, 404, 404, 404, 201, 404),
    ("GET", "/api/v1/observed-tasks/"): ANYONE_SIGNED_IN,
    ("POST", "/api/v1/task-observations/"): row(401, 404, 404, 404, 201, 404),
    ("GET", "/api/v1/attestation-requests/"): ANYONE_SIGNED_IN,
    ("POST", "/api/v1/attestation-requests/"): row(401, 201, 201, 201, 201, 201),
    ("POST", "/api/v1/attestation-requests/{id}/submit/"): row(
        401, 200, 404, 404, 404, 404
    ),
    ("POST", "/api/v1/attestation-requests/{id}/withdraw/"): row(
        401, 200, 404, 404, 404, 404
    ),
}
MATRIX.update(_ATTESTATION_MATRIX)
# --- attestations (issue 19) ------------------------------------------------------
# Issued attestations are their holder's own (another person's is 404); the
# verification by code is open to anyone: the code is what holders share.
_OWN_ATTESTATION = row(401, 200, 404, 404, 404, 404)
MATRIX.update(
    {
        ("GET", "/api/v1/attestations/"): ANYONE_SIGNED_IN,
        ("GET", "/api/v1/attestations/{id}/"): _OWN_ATTESTATION,
        ("GET", "/api/v1/attestations/{id}/pdf/"): _OWN_ATTESTATION,
        ("GET", "/api/v1/attestations/{id}/ob3/"): _OWN_ATTESTATION,
        ("GET", "/api/v1/attestations/verify/{code}/"): EVERYONE,
    }
)
_ATTESTATION_OF_A = {
    **{
        f"/api/v1/attestations/{{id}}/{tail}": lambda cast: {
            "id": cast.objects["attestation_of_a"]
        }
        for tail in ("", "pdf/", "ob3/")
    },
    "/api/v1/attestations/verify/{code}/": lambda cast: {
        "code": cast.objects["attestation_code_of_a"]
    },
}
_REQUEST_OF_A = {
    f"/api/v1/attestation-requests/{{id}}/{verb}/": lambda cast: {
        "id": cast.objects["attestation_request_of_a"]
    }
    for verb in ("submit", "withdraw")
}
_ATTESTATION_BODIES = {
    ("POST", "/api/v1/endorsements/"): lambda cast: {
        "learner": cast.id("learner_b"),
        "skill": "2.1",
        "level": 3,
        "comment": "Envoie des pièces jointes seule.",
    },
    ("POST", "/api/v1/task-observations/"): lambda cast: {
        "booking": cast.objects["attended_booking_of_b"],
        "task": cast.objects["foundation_task_2_1"],
        "result": "passed",
        "note": "Fait seule.",
    },
    ("POST", "/api/v1/attestation-requests/"): lambda cast: {
        "skill": "2.2",
        "level": 1,
        "statement": "Je partage des photos.",
    },
}

# Path parameters of each route, from the cast's objects.
PATH_PARAMS = {
    "/api/v1/skills/{code}/": lambda cast: {"code": "python"},
    "/api/v1/blocks/{id}/": lambda cast: {"id": cast.objects["block_of_a"]},
    "/api/v1/mentors/{id}/": lambda cast: {
        "id": cast.objects["profile_of_other_mentor"]
    },
    "/api/v1/mentorship-requests/{id}/": lambda cast: {
        "id": cast.objects["request_of_b"]
    },
    "/api/v1/mentorship-requests/{id}/accept/": lambda cast: {
        "id": cast.objects["request_of_b"]
    },
    "/api/v1/mentorship-requests/{id}/decline/": lambda cast: {
        "id": cast.objects["request_of_b"]
    },
    "/api/v1/mentorship-requests/{id}/withdraw/": lambda cast: {
        "id": cast.objects["request_of_b"]
    },
    "/api/v1/mentorships/{id}/": lambda cast: {"id": cast.objects["mentorship_of_a"]},
    "/api/v1/mentorships/{id}/end/": lambda cast: {
        "id": cast.objects["mentorship_of_a"]
    },
    "/api/v1/mentorships/{id}/messages/": lambda cast: {
        "id": cast.objects["mentorship_of_a"]
    },
    "/api/v1/me/slots/{id}/": lambda cast: {"id": cast.objects["slot_of_mentor_of_a"]},
    "/api/v1/bookings/{id}/": lambda cast: {"id": cast.objects["booking_of_a"]},
    "/api/v1/waitlist/{id}/": lambda cast: {"id": cast.objects["waitlist_of_b"]},
    "/api/v1/bookings/{id}/cancel/": lambda cast: {"id": cast.objects["booking_of_a"]},
    "/api/v1/bookings/{id}/attendance/": lambda cast: {
        "id": cast.objects["past_booking_of_a"]
    },
    "/api/v1/bookings/{id}/note/": lambda cast: {"id": cast.objects["held_of_a"]},
    "/api/v1/bookings/{id}/rating/": lambda cast: {"id": cast.objects["held_of_a"]},
    "/api/v1/bookings/{id}/reschedule/": lambda cast: {
        "id": cast.objects["booking_of_a"]
    },
    "/api/v1/reschedule-requests/{id}/accept/": lambda cast: {
        "id": cast.objects["reschedule_of_a"]
    },
    "/api/v1/reschedule-requests/{id}/decline/": lambda cast: {
        "id": cast.objects["reschedule_of_a"]
    },
}

PATH_PARAMS.update(_REQUEST_OF_A)
PATH_PARAMS.update(_ATTESTATION_OF_A)

# Query parameters an operation needs to reach its answer.
QUERIES = {
    ("GET", "/api/v1/slots/"): lambda cast: {
        "mentor": cast.objects["profile_of_other_mentor"]
    },
}

BODIES = {
    ("PUT", "/api/v1/me/mentor-profile/"): lambda cast: MENTOR_PROFILE_BODY,
    ("PATCH", "/api/v1/me/mentor-profile/"): lambda cast: {
        "headline": "Nouvelle accroche"
    },
    ("POST", "/api/v1/me/mentor-profile/submit/"): lambda cast: {
        "accept_charter": True
    },
    ("PUT", "/api/v1/me/learner-profile/"): lambda cast: LEARNER_PROFILE_BODY,
    ("PATCH", "/api/v1/me/learner-profile/"): lambda cast: {
        "goals": "Changer de métier"
    },
    ("POST", "/api/v1/reports/"): lambda cast: {
        "person": cast.id("mentor_of_a"),
        "reason": "spam",
    },
    ("POST", "/api/v1/blocks/"): lambda cast: {"person": cast.id("mentor_of_a")},
    ("POST", "/api/v1/mentorship-requests/"): lambda cast: {
        "mentor_profile": cast.objects["profile_of_other_mentor"],
        "skills": ["python"],
        "message": "Bonjour, pouvez-vous m'aider ?",
        "preferred_mode": "video",
    },
    ("POST", "/api/v1/mentorship-requests/{id}/decline/"): lambda cast: {
        "message": "Désolé"
    },
    ("POST", "/api/v1/mentorships/{id}/end/"): lambda cast: {"outcome": "completed"},
    ("POST", "/api/v1/mentorships/{id}/messages/"): lambda cast: {"body": "Bonjour"},
    ("PUT", "/api/v1/me/availability/"): lambda cast: AVAILABILITY_BODY,
    ("POST", "/api/v1/me/slots/"): lambda cast: {
        # Five days ahead at 6:00 UTC: clear of the cast's slot.
        "start": (timezone.now() + timedelta(days=5))
        .replace(hour=6, minute=0, second=0, microsecond=0)
        .isoformat(),
        "capacity": 4,
        "title": "Créer son adresse e-mail",
    },
    ("POST", "/api/v1/bookings/"): lambda cast: {
        "slot": cast.objects["slot_of_mentor_of_a"],
        "mode": "video",
    },
    ("POST", "/api/v1/waitlist/"): lambda cast: {
        "mentor": cast.objects["profile_of_mentor_of_a"]
    },
    ("POST", "/api/v1/bookings/{id}/attendance/"): lambda cast: {
        "happened": True,
        "absent": None,
    },
    ("POST", "/api/v1/bookings/{id}/cancel/"): lambda cast: {
        "reason": "transport",
        "note": "Mon train est supprimé.",
    },
    ("POST", "/api/v1/bookings/{id}/reschedule/"): lambda cast: {
        "slot": cast.objects["slot_of_mentor_of_a"]
    },
    ("POST", "/api/v1/bookings/{id}/note/"): lambda cast: {
        "worked": "Le CV",
        "achieved": "",
        "next_step": "Une lettre",
    },
    ("POST", "/api/v1/bookings/{id}/rating/"): lambda cast: {
        "stars": 2,
        "comment": "SECRET-RATING-COMMENT",
    },
}

BODIES.update(_ATTESTATION_BODIES)


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

    def segment(pattern: object) -> str:
        text = str(pattern).removeprefix("^").removesuffix("$")
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)  # regex routes
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)  # path() routes

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + segment(entry.pattern))
            elif isinstance(entry, URLPattern):
                route = prefix + segment(entry.pattern)
                if not route.startswith("api/v1/") or entry.name == "api-root":
                    continue
                if "{format}" in route:
                    continue
                # drf-spectacular names a router's primary key "id".
                routes.add("/" + route.replace("{pk}", "{id}"))

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
    expected = MATRIX[(method, path)]
    client = APIClient()
    statuses = {}
    for actor in ACTORS:
        # A fresh cast for each actor, rolled back after: one actor's write never
        # changes what the next one finds.
        with transaction.atomic():
            cast = make_cast()
            url = path.format(**PATH_PARAMS.get(path, lambda cast: {})(cast))
            if (method, path) in QUERIES:
                url += "?" + urlencode(QUERIES[(method, path)](cast))
            body = BODIES.get((method, path), lambda cast: None)(cast)
            response = client.generic(
                method,
                url,
                data=json.dumps(body) if body is not None else "",
                content_type="application/json",
                headers=cast.headers(actor),
            )
            statuses[actor] = response.status_code
            transaction.set_rollback(True)

    assert statuses == expected


def test_the_route_walker_finds_routes():
    routes = _api_routes()

    assert "/api/v1/me/" in routes


def test_a_rating_is_never_readable_by_the_mentor():
    """Learner A rates their past session; then every GET of the API that
    takes no other parameter, and the booking itself, answers A's mentor
    without the stars or the comment (the booking's ``my_rating`` is null)."""
    cast = make_cast()
    client = APIClient()
    given = client.post(
        f"/api/v1/bookings/{cast.objects['held_of_a']}/rating/",
        json.dumps({"stars": 2, "comment": "SECRET-RATING-COMMENT"}),
        content_type="application/json",
        headers=cast.headers("learner_a"),
    )
    assert given.status_code == 201
    held = f"/api/v1/bookings/{cast.objects['held_of_a']}/"
    paths = [path for method, path in MATRIX if method == "GET" and "{" not in path]
    for path in [*paths, held]:
        answer = client.get(path, headers=cast.headers("mentor_of_a"))
        assert "SECRET-RATING-COMMENT" not in answer.content.decode(), path
    booking = client.get(held, headers=cast.headers("mentor_of_a")).json()
    assert booking["my_rating"] is None
    assert (
        client.get(held, headers=cast.headers("learner_a")).json()["my_rating"]["stars"]
        == 2
    )
