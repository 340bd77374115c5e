"""No GET writes: every page and API endpoint the cast can reach is opened with
GET by every actor, and the SQL it runs holds no INSERT, UPDATE or DELETE but
on the session table and the commented allow-list of ``page_checks``.

Every route of the URLconf is walked; a route with a path parameter this file
cannot fill fails the test (a new page needs its parameters here). The same
check runs on every GET of the whole suite (``conftest._page_gates``), with the
privacy headers' (``Permissions-Policy`` everywhere, ``Cache-Control: private,
no-store`` for the signed-in actors): this walk makes sure no page is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from accounts.models import ApiToken
from core.notifications import unsubscribe_token
from matching.models import Message
from sessions.attendance import attendance_link_token
from tests.factories import PASSWORD, totp_code
from tests.gates.cast import ACTORS, Cast, make_cast
from tests.gates.page_checks import forbidden_writes

pytestmark = pytest.mark.django_db

Filler = Callable[[Cast, str], dict[str, Any] | None]


def _admin_object(route: str, name: str) -> dict[str, Any] | None:
    """An admin change, delete or history page: the first row of its model."""
    match = re.fullmatch(r"admin:(\w+?)_(\w+)_(change|delete|history)", name)
    if not match:
        return None
    for model in apps.get_models():
        if (model._meta.app_label, model._meta.model_name) == match.group(1, 2):
            row = model._default_manager.order_by("pk").first()
            return {"object_id": row.pk} if row else None
    return None


def _person_of(cast: Cast, actor: str) -> int:
    return cast.id("mentor_of_a" if actor == "learner_a" else "learner_a")


def _token_of(cast: Cast, actor: str) -> int:
    user = cast.users.get(actor) or cast.users["learner_a"]
    return ApiToken.objects.filter(user=user).values_list("pk", flat=True)[0]


def _email_key(cast: Cast, actor: str) -> str:
    address = EmailAddress.objects.filter(user=cast.users["learner_b"]).first()
    assert address is not None
    return EmailConfirmationHMAC(address).key


def _reset_key(cast: Cast, actor: str) -> dict[str, Any]:
    from allauth.account.utils import user_pk_to_url_str

    user = cast.users["learner_b"]
    return {
        "uidb36": user_pk_to_url_str(user),
        "key": default_token_generator.make_token(user),
    }


# Path parameter name → its value for this cast and actor.
def _signing_thumbprint() -> str:
    from certification.credentials import keys

    return str(keys()[0].thumbprint())


PARAMETERS: dict[str, Callable[[Cast, str], Any]] = {
    "profile_id": lambda cast, actor: cast.objects["profile_of_mentor_of_a"],
    "user_id": _person_of,
    "mentorship_id": lambda cast, actor: cast.objects["mentorship_of_a"],
    "request_id": lambda cast, actor: cast.objects["request_of_b"],
    "message_id": lambda cast, actor: Message.objects.filter(
        mentorship_id=cast.objects["mentorship_of_a"]
    ).values_list("pk", flat=True)[0],
    "token_id": _token_of,
    "token": lambda cast, actor: unsubscribe_token(
        user_id=cast.id("learner_a"), kind="mentors.message_new"
    ),
    "key": _email_key,
    "export_id": lambda cast, actor: 0,  # none is ready: the 404 path
    "slot_id": lambda cast, actor: cast.objects["slot_of_mentor_of_a"],
    "entry_id": lambda cast, actor: cast.objects["waitlist_of_b"],
    "booking_id": lambda cast, actor: cast.objects["booking_of_a"],
    "reschedule_id": lambda cast, actor: cast.objects["reschedule_of_a"],
    "code": lambda cast, actor: "python",
    "app_label": lambda cast, actor: "mentors",
    "id": lambda cast, actor: cast.id("learner_b"),  # the admin's user password
    # The e-mail's link to say whether A's session of yesterday took place.
    "attendance_token": lambda cast, actor: attendance_link_token(
        booking_id=cast.objects["past_booking_of_a"], person_id=cast.id("learner_a")
    ),
    # Learner A's calendar feed (no sign-in: the same for every actor).
    "feed_token": lambda cast, actor: cast.objects["feed_token_of_a"],
    # Attestations: learner A's draft; no endorsement in the cast (404 path).
    "attestation_request_id": lambda cast, actor: cast.objects[
        "attestation_request_of_a"
    ],
    "endorsement_id": lambda cast, actor: 0,
    # Issue 19: learner A's issued attestation, a badge class, the signing key.
    "attestation_id": lambda cast, actor: cast.objects["attestation_of_a"],
    "class_id": lambda cast, actor: "2.1-3",
    "thumbprint": lambda cast, actor: _signing_thumbprint(),
}
# A router's "pk", by the collection it names.
ROUTER_PKS = {
    "mentorship-requests/": "request_of_b",
    "mentorships/": "mentorship_of_a",
    "blocks/": "block_of_a",
    "mentors/": "profile_of_mentor_of_a",
    "me/slots/": "slot_of_mentor_of_a",
    "bookings/": "booking_of_a",
    "waitlist/": "waitlist_of_b",
    "reschedule-requests/": "reschedule_of_a",
    "attestation-requests/": "attestation_request_of_a",
    "attestations/": "attestation_of_a",
}
# Routes not walked, each with why.
NOT_WALKED = {
    # Django's admin: its "view on site" redirect and its JavaScript catalogue.
    "admin:view_on_site": "a redirect to the object's own page, walked itself",
    "admin:jsi18n": "a static catalogue",
    # The admin's catch-all ("any other admin URL") answers 404 or a redirect.
    "admin:<catch-all>": "no page",
}


def _segment(pattern: object) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern)
    if isinstance(pattern, RegexPattern):
        return pattern._regex.lstrip("^").rstrip("$").replace("\\Z", "")
    return str(pattern)


def routes() -> list[tuple[str, str]]:
    """(URL name, route text) of every page of the URLconf."""
    found: list[tuple[str, str]] = []

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for entry in patterns:
            text = prefix + _segment(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}{entry.namespace}:"
                walk(entry.url_patterns, text, inner)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}{entry.name}" if entry.name else ""
                if not name and namespace == "admin:":
                    name = "admin:<catch-all>"
                found.append((name, text))

    walk(get_resolver().url_patterns, "", "")
    return found


_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def fill(route: str, name: str, cast: Cast, actor: str) -> str | None:
    """The route with its parameters filled; None when it cannot be, "" when
    there is nothing to open."""
    values: dict[str, Any] = {}
    if name == "account_reset_password_from_key":
        values = _reset_key(cast, actor)
    elif name.startswith("admin:") and "object_id" in route:
        found = _admin_object(route, name)
        if found is None:
            return ""  # no row of that model in the cast: nothing to open
        values = found
    elif "(?P<pk>" in route:
        collection = next(c for c in ROUTER_PKS if f"v1/{c}" in route)
        values = {"pk": cast.objects[ROUTER_PKS[collection]]}
    for match in _PARAM.finditer(route):
        param = match.group(1) or match.group(2)
        if param in values:
            continue
        if param not in PARAMETERS:
            return None
        values[param] = PARAMETERS[param](cast, actor)

    def replace(match: re.Match[str]) -> str:
        return str(values[match.group(1) or match.group(2)])

    path = _PARAM.sub(replace, route)
    path = path.replace("\\.", ".").replace("\\", "")
    return "/" + path


def _clients(cast: Cast) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for actor in ACTORS[1:]:
        client = Client()
        if actor == "staff":
            # Every admin page, not only those a plain staff member may see.
            cast.users[actor].is_superuser = True
            cast.users[actor].save(update_fields=["is_superuser"])
            client.post(
                "/accounts/login/",
                {"login": cast.users[actor].email, "password": PASSWORD},
            )
            client.post(
                "/accounts/2fa/authenticate/", {"code": totp_code(cast.totp_secret)}
            )
        else:
            client.force_login(cast.users[actor])
        clients[actor] = client
    return clients


def test_no_page_or_endpoint_writes_on_get():
    cast = make_cast()
    clients = _clients(cast)
    problems: list[str] = []
    unfilled: set[str] = set()
    walked = 0
    opened: dict[str, set[str]] = {actor: set() for actor in clients}
    for name, route in routes():
        if name in NOT_WALKED or re.search(r"<(?:\w+:)?format>|\(\?P<format>", route):
            continue  # format suffixes: the same views as the routes walked
        for actor, client in clients.items():
            path = fill(route, name, cast, actor)
            if path is None:
                unfilled.add(f"{name or '?'} {route}")
                continue
            if not path:
                continue
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            walked += 1
            if response.status_code == 200:
                opened[actor].add(name)
            sqls = [query["sql"] for query in queries.captured_queries]
            problems += [
                f"{actor} GET {path} ({response.status_code}): {sql}"
                for sql in forbidden_writes(name, sqls)
            ]

    assert unfilled == set(), "routes whose parameters this gate cannot fill"
    assert problems == [], "\n".join(problems)
    assert walked > 300  # the walk reaches the site's pages, API and admin
    # Each actor really opens pages as themself (sign-ins worked): staff the
    # admin's pages, mentors their requests, learners their threads.
    admin_pages = {name for name in opened["staff"] if name.startswith("admin:")}
    assert {
        "admin:mentors_report_changelist",
        "admin:mentors_mentorprofile_change",
        "admin:accounts_user_change",
    } <= admin_pages
    assert len(admin_pages) > 40
    assert "matching:requests-received" in opened["mentor_of_a"]
    assert "matching:thread" in opened["learner_a"]
    assert "space" in opened["learner_b"]
    assert all(len(names) > 20 for names in opened.values()), {
        actor: len(names) for actor, names in opened.items()
    }


def test_the_gate_sees_a_write():
    statements = [
        'SELECT 1 FROM "mentors_mentorprofile"',
        'INSERT INTO "mentors_mentorprofile" ("user_id") VALUES (1)',
        'UPDATE "accounts_session" SET "session_data" = \'x\'',
        'UPDATE "mentors_mentorship" SET "learner_read_at" = now()',
    ]

    assert forbidden_writes("matching:thread", statements) == [statements[1]]
    assert forbidden_writes("mentors:mentor-profile", statements) == [
        statements[1],
        statements[3],
    ]
