"""Signing staff in to the admin, filling the admin's user change form,
following a password reset link."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, totp_code
from tests.outbox import run_outbox


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


def password_reset_form_url(client, email: str) -> str:
    """Ask for a reset of ``email``'s password and follow the mailed link to the
    form for the new password (allauth moves the key into the session)."""
    client.post(reverse("account_reset_password"), {"email": email})
    run_outbox()
    link = re.search(
        r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body
    )
    assert link, mail.outbox[-1].body
    page = client.get(link.group(1), follow=True)
    return page.redirect_chain[-1][0]
