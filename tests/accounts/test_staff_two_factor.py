from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory, add_totp, totp_code

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"


def _login_with_password(client, user):
    return client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}
    )


def test_anonymous_visitors_are_sent_to_allauths_login(client):
    response = client.get(ADMIN, follow=True)

    final_url = response.redirect_chain[-1][0]
    assert final_url.startswith(reverse("account_login"))
    assert "next=" in final_url


def test_djangos_admin_login_form_never_authenticates(client, staff_with_totp):
    response = client.post(
        reverse("admin:login"),
        {"username": staff_with_totp.email, "password": PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_staff_with_only_a_password_must_set_up_totp_and_cannot_reach_the_admin(
    client, staff_user
):
    response = _login_with_password(client, staff_user)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session

    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("mfa_activate_totp"))

    admin_page = client.get(ADMIN)
    assert admin_page.status_code == 302
    assert admin_page["Location"].startswith(reverse("mfa_activate_totp"))
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 302


def test_staff_logged_in_by_force_login_cannot_reach_the_admin(client, staff_with_totp):
    client.force_login(staff_with_totp)

    response = client.get(ADMIN)

    assert response.status_code == 302
    login = client.get(response["Location"])
    assert login.status_code == 302
    assert login["Location"].startswith(reverse("mfa_reauthenticate"))
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 302


def test_staff_logging_in_with_password_and_totp_reaches_the_admin(
    client, staff_with_totp
):
    response = _login_with_password(client, staff_with_totp)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not logged in before the code

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    client.post(
        reverse("mfa_authenticate"), {"code": totp_code(staff_with_totp.totp_secret)}
    )
    assert int(client.session["_auth_user_id"]) == staff_with_totp.pk

    assert client.get(ADMIN).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_staff_confirming_with_totp_after_force_login_reaches_the_admin(
    client, staff_with_totp
):
    client.force_login(staff_with_totp)
    assert client.get(ADMIN).status_code == 302

    client.post(
        reverse("mfa_reauthenticate"), {"code": totp_code(staff_with_totp.totp_secret)}
    )

    assert client.get(ADMIN).status_code == 200


def test_a_person_who_is_not_staff_is_refused_the_admin_even_with_totp(client):
    person = UserFactory()
    secret = add_totp(person)
    _login_with_password(client, person)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert "_auth_user_id" in client.session

    assert client.get(ADMIN).status_code == 302
    assert client.get(reverse("admin:login")).status_code == 403


def test_non_staff_people_without_totp_use_the_site_normally(client, user):
    client.force_login(user)

    assert client.get(reverse("home")).status_code == 200


def test_staff_set_up_totp_through_allauths_pages_then_reach_the_admin(
    client, staff_user
):

    _login_with_password(client, staff_user)
    sent = client.get(ADMIN)
    assert sent["Location"].startswith(reverse("mfa_activate_totp"))

    page = client.get(reverse("mfa_activate_totp"), follow=True)
    if page.redirect_chain and "reauthenticate" in page.redirect_chain[-1][0]:
        client.post(page.redirect_chain[-1][0], {"password": PASSWORD})
        page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    activated = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert activated.status_code == 302

    # A new session: password, then the code from the authenticator app.
    client.logout()
    _login_with_password(client, staff_user)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.get(ADMIN).status_code == 200
