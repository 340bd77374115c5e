from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from tests.factories import PASSWORD
from tests.outbox import run_outbox

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-tout-nouveau-mot-de-passe"


def test_password_reset_by_email_link(client, user):
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    run_outbox()
    assert len(mail.outbox) == 1
    match = re.search(
        r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body
    )
    assert match, mail.outbox[0].body

    # allauth moves the key into the session and redirects to a key-less URL.
    page = client.get(match.group(1), follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else match.group(1)
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)


def test_password_reset_for_an_unknown_address_reveals_nothing(client, user):
    response = client.post(
        reverse("account_reset_password"), {"email": "nobody@example.org"}
    )

    assert response.status_code == 302
    # allauth tells the owner of the address that no account exists, nobody else.
    run_outbox()
    assert all(m.to == ["nobody@example.org"] for m in mail.outbox)


def test_password_change_keeps_the_person_logged_in(client, user):
    client.force_login(user)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:preferences")).status_code == 200


@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)
def test_passwords_are_hashed_with_argon2_in_the_real_settings():
    from compagnonnage.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert identify_hasher(make_password("whatever-password")).algorithm == "argon2"
