from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.outbox import run_outbox

pytestmark = pytest.mark.django_db


def test_changing_the_email_address_needs_the_new_address_verified(client, user):
    old = user.email
    client.force_login(user)

    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "nouvelle@example.org"}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == old  # unchanged until the new address is verified
    assert mail.outbox == []  # queued in the outbox, not sent in the request
    run_outbox()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nouvelle@example.org"]
    link = re.search(
        r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body
    )
    assert link
    client.post(link.group(1))

    user.refresh_from_db()
    assert user.email == "nouvelle@example.org"
    assert EmailAddress.objects.get(user=user, email="nouvelle@example.org").primary
    assert not EmailAddress.objects.filter(user=user, email=old).exists()
