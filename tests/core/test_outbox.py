from __future__ import annotations

import email
import json
import time
from datetime import timedelta

import pytest
from celery import shared_task
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from core import outbox
from core.emails import email_enqueue
from core.models import OutboxMessage
from core.outbox import outbox_deliver, outbox_enqueue, outbox_relay, outbox_requeue
from tests.outbox import run_outbox

pytestmark = pytest.mark.django_db

CALLS: list[dict[str, object]] = []


@shared_task(name="tests.record_call_task")
def record_call_task(**kwargs: object) -> None:
    CALLS.append(kwargs)


@shared_task(name="tests.failing_task")
def failing_task() -> None:
    raise RuntimeError("the mail server said no")


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()
    outbox.breaker.reset()
    yield
    outbox.breaker.reset()


def _mail(to="someone@example.org", subject="Bonjour"):
    return EmailMessage(subject=subject, body="Corps du message", to=[to])


def test_the_row_is_written_in_the_callers_transaction():
    def change_that_fails() -> None:
        with transaction.atomic():
            outbox_enqueue(task="tests.record_call_task", payload={"n": 1})
            raise RuntimeError("the change fails")

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert OutboxMessage.objects.count() == 0


def test_delivery_runs_the_named_task_once_even_when_delivered_twice():
    message = outbox_enqueue(task="tests.record_call_task", payload={"n": 1})

    assert outbox_deliver(message_id=message.pk) == "done"
    assert outbox_deliver(message_id=message.pk) == "already-done"

    assert CALLS == [{"n": 1}]
    message.refresh_from_db()
    assert message.done_at is not None
    assert message.attempts == 1


def test_a_pending_dedupe_key_merges_repeats_until_done():
    first = outbox_enqueue(task="tests.record_call_task", dedupe_key="refresh:7")
    second = outbox_enqueue(task="tests.record_call_task", dedupe_key="refresh:7")

    assert second.pk == first.pk
    assert OutboxMessage.objects.count() == 1

    run_outbox()
    third = outbox_enqueue(task="tests.record_call_task", dedupe_key="refresh:7")

    assert third.pk != first.pk
    assert OutboxMessage.objects.pending().count() == 1


def test_available_at_delays_the_work():
    later = timezone.now() + timedelta(minutes=10)
    message = outbox_enqueue(task="tests.record_call_task", available_at=later)

    assert not OutboxMessage.objects.due().filter(pk=message.pk).exists()
    assert (
        OutboxMessage.objects.due(later + timedelta(seconds=1))
        .filter(pk=message.pk)
        .exists()
    )


def test_the_relay_leases_what_it_publishes_and_publishes_again_after_the_lease():
    message = outbox_enqueue(task="tests.record_call_task")

    assert outbox_relay(lease=timedelta(seconds=1)) == 1
    # Leased: another relay run right away publishes nothing.
    assert outbox_relay(lease=timedelta(seconds=1)) == 0
    message.refresh_from_db()
    assert message.claimed_until is not None

    # The worker that got it died: once the lease expires it is published again.
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    assert outbox_relay() == 1


@override_settings(OUTBOX_MAX_ATTEMPTS=3, OUTBOX_RETRY_BASE_SECONDS=30)
def test_a_failing_task_is_retried_with_backoff_then_given_up_and_listed_as_stuck():
    message = outbox_enqueue(task="tests.failing_task")

    assert outbox_deliver(message_id=message.pk) == "retry"
    message.refresh_from_db()
    assert message.attempts == 1
    assert "the mail server said no" in message.last_error
    assert message.claimed_until > timezone.now() + timedelta(seconds=25)
    assert not OutboxMessage.objects.due().exists()  # waits for its backoff

    assert outbox_deliver(message_id=message.pk) == "retry"
    assert outbox_deliver(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert message.failed_at is not None
    assert list(OutboxMessage.objects.stuck()) == [message]

    assert outbox_requeue(message_ids=[message.pk]) == 1
    assert OutboxMessage.objects.due().filter(pk=message.pk).exists()


def test_an_unknown_task_name_is_recorded_not_lost():
    message = outbox_enqueue(task="nowhere.missing_task")

    assert outbox_deliver(message_id=message.pk) == "retry"
    message.refresh_from_db()
    assert "unknown task" in message.last_error
    assert message.done_at is None


def test_email_is_sent_by_the_outbox_with_a_stable_message_id():
    email_enqueue(message=_mail())
    assert mail.outbox == []

    message = OutboxMessage.objects.get()
    message_id = message.payload["headers"]["Message-ID"]
    assert message_id.startswith("<")
    assert message_id.endswith(">")

    run_outbox()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == message_id
    assert mail.outbox[0].to == ["someone@example.org"]

    # A second send of the same row (at least once) keeps the same Message-ID.
    OutboxMessage.objects.filter(pk=message.pk).update(done_at=None)
    run_outbox()
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [message_id] * 2


def test_attached_files_survive_the_outbox_payload():
    message = _mail()
    message.attach(
        "invitation.ics",
        "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        "text/calendar; method=REQUEST",
    )
    message.attach("note.bin", b"\x00\xffbytes", "application/octet-stream")
    email_enqueue(message=message)

    row = OutboxMessage.objects.get()
    assert json.loads(json.dumps(row.payload)) == row.payload  # stored as JSON
    run_outbox()

    [sent] = mail.outbox
    parsed = email.message_from_bytes(sent.message().as_bytes())
    parts = {p.get_filename(): p for p in parsed.walk() if p.get_filename()}
    assert set(parts) == {"invitation.ics", "note.bin"}
    calendar = parts["invitation.ics"]
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "REQUEST"
    # A text part's lines end as the mail's do (CRLF on the wire).
    assert calendar.get_payload(decode=True).splitlines() == [
        b"BEGIN:VCALENDAR",
        b"END:VCALENDAR",
    ]
    assert parts["note.bin"].get_payload(decode=True) == b"\x00\xffbytes"


def test_publishing_with_the_broker_down_fails_fast_and_leaves_the_row_to_the_relay(
    django_capture_on_commit_callbacks,
):
    from celery import Celery

    from compagnonnage.celery import app

    # The same configuration, with a broker where nothing listens.
    dead = Celery("dead-broker", set_as_current=False)
    dead.config_from_object("django.conf:settings", namespace="CELERY")
    dead.conf.broker_url = "redis://127.0.0.1:1/0"
    dead.set_current()
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            message = outbox_enqueue(task="tests.record_call_task")
        elapsed = time.monotonic() - started
    finally:
        app.set_current()
        dead.close()

    # Not the ~20 s a default publish blocks for: the request goes on.
    assert elapsed < 10
    message.refresh_from_db()
    assert message.claimed_until is None  # released for the relay
    assert not outbox.breaker.allows()
    assert OutboxMessage.objects.due().filter(pk=message.pk).exists()
