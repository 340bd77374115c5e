"""The session store and authentication backends that read in plain SQL keep
Django's rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.backends import AuthenticationBackend, ModelBackend, SessionStore
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
