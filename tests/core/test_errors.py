"""Domain errors are translated once: the API's exception handler and the HTML
views' decorator turn them into 409/400/404 or a message and a redirect, and
leave every other integrity error a 500. The violations are real ones, made on
the test database.

This module is also the URLconf of its tests: throwaway views that raise,
in front of the project's own URLs (the error pages' layout needs them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient

from accounts.models import User
from compagnonnage.urls import urlpatterns as project_urlpatterns
from core import errors
from core.errors import (
    Conflict,
    conflict_from_integrity_error,
    constraint_message_register,
    constraint_messages,
    violated_constraint,
)
from core.models import DataExport, EmailOptOut, OutboxMessage
from core.views import domain_errors
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

OPT_OUT_MESSAGE = "Vous ne recevez déjà plus ces e-mails."
GENERIC_MESSAGE = "Cela entre en conflit avec un élément qui existe déjà."


# --- what the views do: each a real failure -----------------------------------


def _conflict() -> None:
    raise Conflict("Ce créneau vient d'être pris.")


def _invalid_fields() -> None:
    raise ValidationError(
        {"kind": ["Choisissez un type."], NON_FIELD_ERRORS: ["Pas les deux."]}
    )


def _invalid() -> None:
    raise ValidationError("Trop tard pour changer.")


def _missing() -> None:
    User.objects.get(pk=0)


def _opt_out_twice() -> None:
    user = UserFactory()
    EmailOptOut.objects.create(user=user, kind="digest")
    with transaction.atomic():
        EmailOptOut.objects.create(user=user, kind="digest")


def _dedupe_key_twice() -> None:
    OutboxMessage.objects.create(task_name="t", dedupe_key="same")
    with transaction.atomic():
        OutboxMessage.objects.create(task_name="t", dedupe_key="same")


def _overlap() -> None:
    # No table has an exclusion constraint yet: a temporary one, on the real server.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE slot_test (during int4range,"
            " CONSTRAINT slot_test_no_overlap EXCLUDE USING gist (during WITH &&))"
            " ON COMMIT DROP"
        )
        cursor.execute("INSERT INTO slot_test VALUES ('[1,5)')")
        with transaction.atomic():
            cursor.execute("INSERT INTO slot_test VALUES ('[3,8)')")


def _not_null() -> None:
    with transaction.atomic():
        OutboxMessage.objects.create(task_name=None)


def _check() -> None:
    user = UserFactory()
    with transaction.atomic():
        DataExport.objects.create(user=user, progress=101)


def _foreign_key() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        # Django's foreign keys are deferred: check them now, not at commit.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        EmailOptOut.objects.create(user_id=0, kind="digest")


def _a_write_then_a_duplicate() -> None:
    """Two services: the first succeeds, the second hits a unique constraint."""
    with transaction.atomic():
        UserFactory()
    _dedupe_key_twice()


FAILURES: dict[str, Callable[[], None]] = {
    "conflict": _conflict,
    "invalid-fields": _invalid_fields,
    "invalid": _invalid,
    "missing": _missing,
    "unique-registered": _opt_out_twice,
    "unique": _dedupe_key_twice,
    "exclusion": _overlap,
    "not-null": _not_null,
    "check": _check,
    "foreign-key": _foreign_key,
    "partial": _a_write_then_a_duplicate,
}


@api_view(["POST"])
@authentication_classes([])
@permission_classes([])
def api_failing(request: Request, what: str) -> Response:
    FAILURES[what]()
    return Response({"done": True})


def html_failing(request: HttpRequest, what: str) -> HttpResponse:
    FAILURES[what]()
    return HttpResponse("done")


def html_conflict(request: HttpRequest, **kwargs: object) -> HttpResponse:
    _conflict()
    return HttpResponse("done")


urlpatterns = [
    path("api/test-errors/<str:what>/", api_failing),
    path("test-errors/<str:what>/", domain_errors()(html_failing)),
    path(
        "test-errors/to-profile/<int:profile_id>/",
        domain_errors("mentors:detail")(html_conflict),
    ),
    path(
        "test-errors/to-directory/<int:profile_id>/",
        domain_errors("mentors:directory")(html_conflict),
    ),
    path(
        "test-errors/to-callable/<int:profile_id>/",
        domain_errors(lambda request, profile_id: f"/?after={profile_id}")(
            html_conflict
        ),
    ),
    *project_urlpatterns,
]
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"


@pytest.fixture
def opt_out_message() -> Iterator[None]:
    constraint_message_register("core_optout_unique", OPT_OUT_MESSAGE)
    yield
    del errors._constraint_messages["core_optout_unique"]


@pytest.fixture
def api() -> APIClient:
    return APIClient(raise_request_exception=False)


def _post_api(api, what):
    return api.post(f"/api/test-errors/{what}/")


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the constraint names -------------------------------------------------------


@pytest.mark.parametrize(
    ("what", "sqlstate", "constraint"),
    [
        ("unique-registered", "23505", "core_optout_unique"),
        ("unique", "23505", "core_outbox_pending_dedupe_key_unique"),
        ("exclusion", "23P01", "slot_test_no_overlap"),
        ("not-null", "23502", None),
        ("check", "23514", None),
        ("foreign-key", "23503", None),
    ],
)
def test_only_unique_and_exclusion_violations_name_their_constraint(
    what, sqlstate, constraint
):
    with pytest.raises(IntegrityError) as caught:
        FAILURES[what]()

    assert caught.value.__cause__.sqlstate == sqlstate
    assert violated_constraint(caught.value) == constraint
    assert (conflict_from_integrity_error(caught.value) is None) == (constraint is None)


def test_a_constraint_keeps_its_first_message():
    constraint_message_register("tests_twice", "Une fois.")
    try:
        constraint_message_register("tests_twice", "Une fois.")
        with pytest.raises(ValueError, match="tests_twice"):
            constraint_message_register("tests_twice", "Autre chose.")
        assert constraint_messages()["tests_twice"] == "Une fois."
    finally:
        del errors._constraint_messages["tests_twice"]


def test_every_registered_constraint_exists_in_the_database():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint UNION SELECT indexname FROM pg_indexes"
        )
        existing = {name for (name,) in cursor.fetchall()}

    assert set(constraint_messages()) <= existing


# --- the API ---------------------------------------------------------------------


def test_api_conflict_answers_409_with_its_message(api):
    response = _post_api(api, "conflict")

    assert response.status_code == 409
    assert response.json() == {"detail": "Ce créneau vient d'être pris."}


def test_api_validation_error_answers_400_with_the_fields(api):
    response = _post_api(api, "invalid-fields")

    assert response.status_code == 400
    assert response.json() == {
        "kind": ["Choisissez un type."],
        "non_field_errors": ["Pas les deux."],
    }


def test_api_validation_error_without_fields_is_a_non_field_error(api):
    response = _post_api(api, "invalid")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Trop tard pour changer."]}


def test_api_missing_object_answers_404(api):
    response = _post_api(api, "missing")

    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_api_unique_violation_answers_409_with_the_registered_message(
    api, opt_out_message
):
    response = _post_api(api, "unique-registered")

    assert response.status_code == 409
    assert response.json() == {"detail": OPT_OUT_MESSAGE}


@pytest.mark.parametrize("what", ["unique", "exclusion"])
def test_api_unregistered_constraint_answers_409_with_a_generic_message(api, what):
    response = _post_api(api, what)

    assert response.status_code == 409
    assert response.json() == {"detail": GENERIC_MESSAGE}


@pytest.mark.parametrize("what", ["not-null", "check", "foreign-key"])
def test_api_other_integrity_errors_stay_server_errors(api, what):
    response = _post_api(api, what)

    assert response.status_code == 500


@pytest.mark.django_db(transaction=True)
def test_api_conflict_rolls_the_request_back(api, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)

    response = _post_api(api, "partial")

    assert response.status_code == 409
    assert not User.objects.exists()
    assert not OutboxMessage.objects.exists()


# --- HTML views --------------------------------------------------------------------


def test_html_conflict_goes_back_with_the_message(client):
    response = client.post(
        "/test-errors/conflict/", HTTP_REFERER="http://testserver/mentors/?page=2"
    )

    assert response.status_code == 302
    assert response["Location"] == "http://testserver/mentors/?page=2"
    assert _messages(response) == ["Ce créneau vient d'être pris."]


@pytest.mark.parametrize(
    ("method", "referer"),
    [
        ("post", None),
        ("post", "https://elsewhere.example/mentors/"),
        # Back to the very page that failed would fail again, forever.
        ("get", "http://testserver/test-errors/conflict/"),
    ],
)
def test_html_conflict_goes_home_when_there_is_no_safe_way_back(
    client, method, referer
):
    headers = {"HTTP_REFERER": referer} if referer else {}

    response = getattr(client, method)("/test-errors/conflict/", **headers)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _messages(response) == ["Ce créneau vient d'être pris."]


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("to-profile", "/mentors/7/"),
        ("to-directory", "/mentors/"),
        ("to-callable", "/?after=7"),
    ],
)
def test_html_conflict_goes_where_the_view_says(client, target, location):
    response = client.post(f"/test-errors/{target}/7/")

    assert response.status_code == 302
    assert response["Location"] == location


def test_html_unique_violation_shows_the_registered_message(client, opt_out_message):
    response = client.post("/test-errors/unique-registered/")

    assert response.status_code == 302
    assert _messages(response) == [OPT_OUT_MESSAGE]


def test_html_missing_object_is_a_404(client):
    response = client.post("/test-errors/missing/")

    assert response.status_code == 404


@pytest.mark.parametrize("what", ["check", "not-null"])
def test_html_other_integrity_errors_stay_server_errors(client, what):
    client.raise_request_exception = False

    response = client.post(f"/test-errors/{what}/")

    assert response.status_code == 500


@pytest.mark.django_db(transaction=True)
def test_html_conflict_rolls_the_request_back(client, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)

    response = client.post("/test-errors/partial/")

    assert response.status_code == 302
    assert _messages(response) == [GENERIC_MESSAGE]
    assert not User.objects.exists()
    assert not OutboxMessage.objects.exists()
