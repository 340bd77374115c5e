from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox import outbox_deliver, outbox_enqueue
from tests.factories import PASSWORD, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_with_totp):
    client.post(
        reverse("account_login"), {"login": staff_with_totp.email, "password": PASSWORD}
    )
    client.post(
        reverse("mfa_authenticate"), {"code": totp_code(staff_with_totp.totp_secret)}
    )
    return client


@override_settings(OUTBOX_MAX_ATTEMPTS=1)
def test_staff_see_stuck_rows_and_can_retry_them(admin_client):
    stuck = outbox_enqueue(task="nowhere.missing_task")
    outbox_deliver(message_id=stuck.pk)
    late = outbox_enqueue(task="nowhere.other_task")
    OutboxMessage.objects.filter(pk=late.pk).update(
        available_at=timezone.now() - timedelta(hours=1)
    )
    fresh = outbox_enqueue(task="nowhere.fresh_task")

    url = reverse("admin:core_outboxmessage_changelist")
    page = admin_client.get(url, {"state": "stuck"})

    assert page.status_code == 200
    shown = {row.pk for row in page.context["cl"].result_list}
    assert shown == {stuck.pk, late.pk}
    assert fresh.pk not in shown

    response = admin_client.post(
        url, {"action": "retry", "_selected_action": [stuck.pk]}, follow=True
    )
    assert response.status_code == 200
    stuck.refresh_from_db()
    assert stuck.failed_at is None
    assert stuck.attempts == 0


def test_outbox_rows_cannot_be_edited_in_the_admin(admin_client):
    row = outbox_enqueue(task="nowhere.missing_task")

    page = admin_client.get(reverse("admin:core_outboxmessage_change", args=[row.pk]))

    assert page.status_code == 200
    assert b'name="task_name"' not in page.content
