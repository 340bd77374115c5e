"""Probes for /healthz. Each answers within about a second, whatever is down."""

from __future__ import annotations

import redis
from django.conf import settings


def broker_status() -> dict[str, object]:
    try:
        url = getattr(settings, "CELERY_BROKER_URL", "")
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True}
