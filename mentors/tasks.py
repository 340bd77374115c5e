"""Celery tasks of the mentors app (enqueued through the core outbox)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from .data_version import bump_mentor_data_version
from .search import mentor_search_refresh


@shared_task
def refresh_mentor_search_task(user_id: int) -> int:
    """Recompute a mentor's directory search columns (after a name change);
    cached directory pages show the name, so their version moves too."""
    with transaction.atomic():
        refreshed = mentor_search_refresh(user_ids=[user_id])
        bump_mentor_data_version()
    return refreshed
