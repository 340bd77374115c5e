"""Signing staff in to the admin and filling the admin's user change form."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, totp_code


def sign_in_staff(client, staff: User) -> None:
    """Password then TOTP code, as the admin requires (``force_login`` is refused)."""
    client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(staff.totp_secret)})


def admin_user_change(client, person: User, **changes: Any):
    """Post the admin's change form of ``person`` as shown, with ``changes``
    (False unticks a box)."""
    url = reverse("admin:accounts_user_change", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    shown = {name: form[name].value() for name in form.fields}
    data: dict[str, Any] = {}
    for name, value in {**shown, **changes}.items():
        if form.fields[name].disabled or value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response
