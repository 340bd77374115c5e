"""Celery tasks of the mentors app (enqueued through the core outbox, or by beat)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from .data_version import bump_mentor_data_version
from .search import (
    mentor_search_refresh,
    search_lexicon_rebuild,
    search_postings_repair,
)


@shared_task
def refresh_mentor_search_task(user_id: int) -> int:
    """Recompute a mentor's directory search columns (after a name change);
    cached directory pages show the name, so their version moves too."""
    with transaction.atomic():
        refreshed = mentor_search_refresh(user_ids=[user_id])
        bump_mentor_data_version()
    return refreshed


@shared_task
def rebuild_search_lexicon_task() -> dict[str, int]:
    """Nightly: every profile's search columns again, then the lexicon counted
    again from them (``search_lexicon_rebuild``), then the search postings
    compared with the profiles and repaired (``search_postings_repair``);
    cached directory pages and the processes' copies of the lexicon move on
    when a profile, a count or a posting changed."""
    changed, fixed = search_lexicon_rebuild()
    if changed or fixed:
        bump_mentor_data_version()
    # Moves the version itself, in each transaction that repaired postings.
    postings = search_postings_repair()
    return {
        "profiles_changed": changed,
        "lexicon_rows_fixed": fixed,
        "postings_fixed": postings,
    }
