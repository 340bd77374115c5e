"""The outbox with a real worker process, the real Redis and an SMTP sink."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from core.emails import email_enqueue
from core.models import OutboxMessage
from core.outbox import outbox_relay

pytestmark = pytest.mark.worker


def _queue_mail(to: str) -> OutboxMessage:
    with transaction.atomic():
        message = email_enqueue(
            message=EmailMessage(subject="Votre demande", body="Bonjour", to=[to])
        )
    assert message is not None
    return message


def test_mail_goes_out_after_commit_once_with_its_message_id(live_worker, smtp_sink):
    row = _queue_mail("lea@example.org")

    [sent] = smtp_sink.wait_for(1)

    assert sent["To"] == "lea@example.org"
    assert sent["Message-ID"] == row.payload["headers"]["Message-ID"]
    live_worker.drain()
    row.refresh_from_db()
    assert row.done_at is not None
    # The relay finds nothing left to do, so nothing is sent twice.
    assert outbox_relay() == 0
    live_worker.drain()
    assert len(smtp_sink.messages) == 1


def test_a_worker_killed_while_sending_is_relieved_after_the_lease(
    live_worker, smtp_sink
):
    smtp_sink.stall_next = 60  # hold the worker in the middle of the send
    # A lease long enough for a loaded machine to kill the worker and look.
    with override_settings(OUTBOX_LEASE=timedelta(seconds=8)):
        row = _queue_mail("sam@example.org")
        assert smtp_sink.stalled.wait(30), "the worker never started sending"

        live_worker.kill()
        assert outbox_relay() == 0  # still leased: nobody takes it yet
        live_worker.start()

        row.refresh_from_db()
        assert row.claimed_until is not None
        time.sleep(max((row.claimed_until - timezone.now()).total_seconds(), 0) + 0.5)
        assert outbox_relay() == 1

    [sent] = smtp_sink.wait_for(1)
    assert sent["To"] == "sam@example.org"
    live_worker.drain()
    row.refresh_from_db()
    assert row.done_at is not None
    assert row.attempts == 1  # the killed attempt rolled back with its worker
    assert len(smtp_sink.messages) == 1
