"""The outbox: work that must happen after a change, never lost.

A row is written in the same transaction as the change (``outbox_enqueue``).
After commit it is published to Celery with short timeouts and no retries, so a
request never waits on a dead broker; the relay (a beat job) publishes whatever
is due and not leased, again and again, until a worker has run it. The worker
runs the named task and marks the row done in one transaction, holding a row
lock: a re-delivered message finds it done (or locked) and does nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

DELIVER_TASK = "core.tasks.deliver_outbox_message_task"


class _PublishBreaker:
    """After a failed publish, skip publishing in requests for a short while.

    During a broker outage each request would otherwise pay the connect timeout;
    the relay catches up once the broker is back.
    """

    def __init__(self) -> None:
        self._open_until = 0.0
        self._lock = threading.Lock()

    def allows(self) -> bool:
        return time.monotonic() >= self._open_until

    def trip(self) -> None:
        with self._lock:
            self._open_until = (
                time.monotonic() + settings.OUTBOX_PUBLISH_BACKOFF_SECONDS
            )

    def reset(self) -> None:
        with self._lock:
            self._open_until = 0.0


breaker = _PublishBreaker()


def outbox_enqueue(
    *,
    task: str,
    payload: dict[str, Any] | None = None,
    available_at: datetime | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Write an outbox row; publish it after the surrounding transaction commits.

    With ``dedupe_key``, a pending row with the same key absorbs this one (the
    existing row is returned; None only if it vanished meanwhile). Call inside the
    transaction of the change that makes the work necessary.
    """
    message = OutboxMessage(
        task_name=task,
        payload=payload or {},
        available_at=available_at or timezone.now(),
        dedupe_key=dedupe_key,
    )
    if dedupe_key:
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError:
            return OutboxMessage.objects.pending().filter(dedupe_key=dedupe_key).first()
    else:
        message.save()
    if message.available_at <= timezone.now():
        message_id = message.pk
        transaction.on_commit(lambda: outbox_publish(message_ids=[message_id]))
    return message


def _publish_one(message_id: int) -> bool:
    try:
        current_app.send_task(
            DELIVER_TASK,
            args=[message_id],
            retry=False,
            ignore_result=True,
        )
    except Exception as exc:  # any broker failure: the relay retries
        logger.warning(
            "outbox: publish of #%s failed, relay will retry: %s", message_id, exc
        )
        return False
    return True


def outbox_publish(*, message_ids: list[int], lease: timedelta | None = None) -> int:
    """Claim the given rows if they are due and publish them; never raises.

    Runs after commit in the request path: short broker timeouts, no retries.
    A row whose publish fails is released at once for the relay.
    """
    if not breaker.allows():
        return 0
    lease = lease or settings.OUTBOX_LEASE
    published = 0
    try:
        for message_id in message_ids:
            now = timezone.now()
            claimed = (
                OutboxMessage.objects.due(now)
                .filter(pk=message_id)
                .update(claimed_until=now + lease)
            )
            if not claimed:
                continue
            if not _publish_one(message_id):
                OutboxMessage.objects.filter(pk=message_id).update(claimed_until=None)
                breaker.trip()
                break
            published += 1
    except Exception:  # never break the request that enqueued
        logger.exception("outbox: publish failed")
    return published


def outbox_relay(*, limit: int = 500, lease: timedelta | None = None) -> int:
    """Claim due, unleased rows (lease ``OUTBOX_LEASE``) and publish them.

    Run by beat every ``OUTBOX_RELAY_INTERVAL``; safe to run concurrently (rows
    are claimed with SKIP LOCKED and a conditional update). Returns how many
    rows were published.
    """
    lease = lease or settings.OUTBOX_LEASE
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.due(now)
            .select_for_update(skip_locked=True)
            .order_by("available_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        OutboxMessage.objects.filter(pk__in=ids).update(claimed_until=now + lease)
    published = 0
    for position, message_id in enumerate(ids):
        if not _publish_one(message_id):
            OutboxMessage.objects.filter(pk__in=ids[position:]).update(
                claimed_until=None
            )
            break
        published += 1
    if published == len(ids):
        breaker.reset()
    return published


def _find_task(name: str) -> Any:
    task = current_app.tasks.get(name)
    if task is None:
        # Outside a worker (a shell, a test) the apps' tasks modules may not be
        # imported yet: Celery's autodiscovery runs when its loader imports them.
        current_app.loader.import_default_modules()
        task = current_app.tasks.get(name)
    return task


def _retry_delay(attempts: int) -> timedelta:
    seconds = min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (attempts - 1), 3600)
    return timedelta(seconds=seconds)


def outbox_deliver(*, message_id: int) -> str:
    """Run the task a row names, and mark the row done, in one transaction.

    Holds the row lock while the task runs: a concurrent delivery of the same row
    skips it; a delivered row is never run again. A failing task is retried later
    with exponential backoff, then given up after ``OUTBOX_MAX_ATTEMPTS`` (the
    admin lists such rows). Returns what happened, for logs and tests.
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            return "locked-or-gone"
        if message.done_at or message.failed_at:
            return "already-done"
        task = _find_task(message.task_name)
        error = ""
        if task is None:
            error = f"unknown task {message.task_name!r}"
        else:
            try:
                with transaction.atomic():
                    task.run(**message.payload)
            except Exception as exc:  # recorded, retried by the relay
                error = f"{exc.__class__.__name__}: {exc}"
                logger.warning(
                    "outbox: #%s %s failed: %s", message.pk, message.task_name, error
                )
        now = timezone.now()
        attempts = message.attempts + 1
        if not error:
            OutboxMessage.objects.filter(pk=message.pk).update(
                done_at=now,
                attempts=F("attempts") + 1,
                claimed_until=None,
                last_error="",
            )
            return "done"
        if attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            OutboxMessage.objects.filter(pk=message.pk).update(
                failed_at=now, attempts=attempts, last_error=error, claimed_until=None
            )
            return "failed"
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=attempts,
            last_error=error,
            claimed_until=now + _retry_delay(attempts),
        )
        return "retry"


@transaction.atomic
def outbox_requeue(*, message_ids: list[int]) -> int:
    """Give rows that were given up another round of attempts (admin action)."""
    return OutboxMessage.objects.filter(
        pk__in=message_ids, done_at__isnull=True
    ).update(
        failed_at=None, attempts=0, claimed_until=None, available_at=timezone.now()
    )
