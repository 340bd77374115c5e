"""Celery tasks of the base layer: the outbox relay and runner, e-mail, heartbeat."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from .emails import email_from_payload
from .outbox import outbox_deliver, outbox_relay
from .personal_data import data_export_build, data_export_delete_expired

logger = logging.getLogger(__name__)


@shared_task(ignore_result=False)
def echo_task(value: str) -> str:
    """Return ``value`` unchanged: a round trip through the broker and a worker."""
    return value


@shared_task
def heartbeat_task() -> str:
    """Record when beat and a worker last ran together (shown by /healthz)."""
    now = timezone.now().isoformat()
    cache.set("core:heartbeat", now, timeout=None)
    logger.info("heartbeat %s", now)
    return now


@shared_task
def relay_outbox_task() -> int:
    """Publish due outbox rows whose lease is free (beat, every few seconds)."""
    return outbox_relay()


@shared_task
def deliver_outbox_message_task(message_id: int) -> str:
    """Run one outbox row's task; does nothing for a row already done."""
    return outbox_deliver(message_id=message_id)


@shared_task
def send_email_task(**payload: Any) -> None:
    """Send one queued e-mail (called through the outbox, with its Message-ID)."""
    email_from_payload(payload).send()


@shared_task
def build_data_export_task(export_id: int) -> str:
    """Build a person's data archive (enqueued through the outbox)."""
    return data_export_build(export_id=export_id)


@shared_task
def delete_expired_data_exports_task() -> int:
    """Remove personal-data archives past their expiry date."""
    return data_export_delete_expired()
