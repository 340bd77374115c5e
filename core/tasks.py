"""Tasks that prove the Celery wiring and keep an eye on it."""

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

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
