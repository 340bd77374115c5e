"""The session store and authentication backends that read in plain SQL keep
Django's rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session as DjangoSession
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.backends import AuthenticationBackend, ModelBackend, SessionStore
from accounts.models import Session
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_session_is_read_until_it_expires():
    store = SessionStore()
    store["colour"] = "blue"
    store.create()
    key = store.session_key

    assert SessionStore(key).load() == {"colour": "blue"}
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(key)
    assert expired.load() == {}
    assert expired.session_key is None
    assert SessionStore("no-such-key").load() == {}


@pytest.mark.parametrize("backend", [ModelBackend(), AuthenticationBackend()])
def test_the_backends_load_active_people_only(backend):
    person = UserFactory()
    gone = UserFactory(is_active=False)

    assert backend.get_user(person.pk) == person
    assert backend.get_user(person.pk).email == person.email
    assert backend.get_user(gone.pk) is None
    assert backend.get_user(0) is None
    assert backend.get_user("not a number") is None


def test_signing_in_and_out_still_works(client):
    person = UserFactory()
    client.force_login(person)
    assert client.get(reverse("accounts:preferences")).status_code == 200

    person.is_active = False
    person.save()

    assert client.get(reverse("accounts:preferences")).status_code == 302


def _person_reads(queries) -> int:
    return sum('FROM "accounts_user" u WHERE u.id' in q["sql"] for q in queries)


def test_a_signed_in_request_reads_its_session_and_person_in_one_statement(client):
    person = UserFactory()
    client.force_login(person)
    assert Session.objects.get().user_id == person.pk

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("accounts:preferences"))

    assert response.status_code == 200
    assert response.context["user"] == person
    assert _person_reads(queries) == 0
    assert sum('"accounts_session" s' in q["sql"] for q in queries) == 1


def test_the_person_read_with_a_session_serves_that_request_only(client):
    person, other = UserFactory(), UserFactory()
    store = SessionStore()
    store["_auth_user_id"] = str(person.pk)
    store.create()
    SessionStore(store.session_key).load()

    with CaptureQueriesContext(connection) as asked_for_another:
        assert ModelBackend().get_user(other.pk) == other
    with CaptureQueriesContext(connection) as read_with_it:
        assert ModelBackend().get_user(person.pk) == person
    with CaptureQueriesContext(connection) as asked_again:
        assert ModelBackend().get_user(person.pk) == person  # taken once
    # (Counted now: a request empties the query log these contexts read.)
    assert [
        _person_reads(q) for q in (asked_for_another, read_with_it, asked_again)
    ] == [1, 0, 1]
    SessionStore(store.session_key).load()
    client.get("/")  # the next request, anonymous: starts afresh
    with CaptureQueriesContext(connection) as next_request:
        assert ModelBackend().get_user(person.pk) == person

    assert _person_reads(next_request) == 1


def test_a_session_without_a_person_holds_no_id():
    store = SessionStore()
    store["colour"] = "blue"
    store.create()

    assert Session.objects.get(session_key=store.session_key).user_id is None


def test_a_changed_password_still_signs_the_session_out(client):
    person = UserFactory()
    client.force_login(person)
    person.set_password("another-password-2026")
    person.save()

    assert client.get(reverse("accounts:preferences")).status_code == 302


def test_the_move_keeps_django_s_open_sessions_with_their_person(django_db_setup):
    from importlib import import_module

    from django.apps import apps

    move = import_module("accounts.migrations.0003_session")
    person = UserFactory()
    open_session = DjangoSessionStore()
    open_session["_auth_user_id"] = str(person.pk)
    open_session.create()
    anonymous = DjangoSessionStore()
    anonymous["colour"] = "blue"
    anonymous.create()
    old = DjangoSessionStore()
    old.create()
    DjangoSession.objects.filter(session_key=old.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )

    move.copy_sessions(apps, None)

    moved = {s.session_key: s.user_id for s in Session.objects.all()}
    assert moved == {open_session.session_key: person.pk, anonymous.session_key: None}
    assert not DjangoSession.objects.exists()  # nothing left behind
    assert SessionStore(open_session.session_key).load()["_auth_user_id"] == str(
        person.pk
    )
