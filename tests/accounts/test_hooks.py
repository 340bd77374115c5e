"""Every path that changes a person's name or active state sends
``accounts.user_changed``, naming what changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.hooks import user_changed
from accounts.services import user_deactivate, user_erase, user_update_preferences
from tests.accounts.helpers import admin_user_change, sign_in_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    calls: list[tuple[int, frozenset[str]]] = []

    def record(*, user, fields):
        calls.append((user.pk, fields))

    user_changed.connect(record)
    yield calls
    user_changed.disconnect(record)


def test_a_new_name_in_the_preferences_is_sent(user, sent):
    user_update_preferences(
        user=user, full_name="Jeanne Dupont", language="fr", time_zone="UTC"
    )
    user_update_preferences(
        user=user, full_name=" Jeanne Dupont ", language="en", time_zone="UTC"
    )

    assert sent == [(user.pk, frozenset({"full_name"}))]


def test_deactivating_is_sent_once(user, sent):
    user_deactivate(user=user)
    user_deactivate(user=user)

    user.refresh_from_db()
    assert not user.is_active
    assert sent == [(user.pk, frozenset({"is_active"}))]


def test_erasing_an_account_sends_both_fields(user, sent):
    user_erase(user=user)

    assert sent == [(user.pk, frozenset({"full_name", "is_active"}))]


def test_the_admins_change_form_sends_the_fields_changed(
    client, user, staff_with_totp, sent
):
    sign_in_staff(client, staff_with_totp)

    admin_user_change(client, user, language="en")
    admin_user_change(client, user, full_name="Jeanne Dupont", is_active=False)

    assert sent == [(user.pk, frozenset({"full_name", "is_active"}))]


def test_the_admins_add_form_sends_nothing(client, staff_with_totp, sent):
    sign_in_staff(client, staff_with_totp)

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "nouvelle@example.org",
            "full_name": "Nouvelle Personne",
            "usable_password": "false",
        },
    )

    assert response.status_code == 302
    assert sent == []
