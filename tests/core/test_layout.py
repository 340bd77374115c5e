"""The layout's header: its fixed parts are rendered once per process, so what
varies (the page's menu entry, the person's state, the unread count, the
language, the CSRF tokens) must still show through."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.cache import caches
from django.urls import reverse

from core.notifications import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def current_entries(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" aria-current="page">', html)


def csrf_tokens(html: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)


def test_the_menu_marks_the_page_the_person_is_on(client):
    caches["local"].clear()
    client.force_login(UserFactory())

    directory = client.get(reverse("mentors:directory")).content.decode()
    notifications = client.get(reverse("core:notifications")).content.decode()

    assert current_entries(directory) == [reverse("mentors:directory")]
    assert current_entries(notifications) == [reverse("core:notifications")]


def test_the_unread_count_the_state_and_the_language_show_through(client):
    caches["local"].clear()
    person = UserFactory()
    home = reverse("home")
    anonymous = client.get(home).content.decode()
    client.force_login(person)
    before = client.get(home).content.decode()
    notify(recipient=person, kind="account.welcome", link="/")
    after = client.get(home).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(home).content.decode()

    assert "Créer un compte" in anonymous
    assert "Se déconnecter" not in anonymous
    assert "Se déconnecter" in before
    assert 'class="count"' not in before
    assert re.search(r'<span class="count">1<', after)
    assert "Find a mentor" in english
    assert "Log out" in english
    # Each page gets its own CSRF tokens: they are never part of a cached piece.
    assert len(csrf_tokens(before)) == len(csrf_tokens(after)) == 2
    assert set(csrf_tokens(before)).isdisjoint(csrf_tokens(after))


def test_the_header_forms_post_to_the_language_switch_and_the_log_out(client):
    """Their addresses are reversed once per process: they must still be the
    views' own, and log the person out / switch the language."""
    client.force_login(UserFactory())
    html = client.get(reverse("home")).content.decode()
    actions = re.findall(r'<form method="post" action="([^"]+)"', html)

    assert reverse("accounts:set-language") in actions
    assert reverse("account_logout") in actions
    token = csrf_tokens(html)[0]
    switched = client.post(
        reverse("accounts:set-language"),
        {"language": "en", "next": "/", "csrfmiddlewaretoken": token},
    )
    assert switched.status_code == 302
    client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert "_auth_user_id" not in client.session
