"""Resolve DATABASE_URL / REDIS_URL for local and test settings.

The environment wins; otherwise the addresses recorded by the embedded
services (``make services``). Settings never start anything themselves.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from compagnonnage.local_services import STATE_FILE, read_state


def service_url(name: str) -> str:
    value = os.environ.get(name, "")
    if value:
        return value
    value = read_state().get(name, "")
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set and no embedded service is recorded in {STATE_FILE}. "
            "Run `make services` (or set the variable)."
        )
    return value
