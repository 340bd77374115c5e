"""Celery tasks of the attestation app (beat)."""

from __future__ import annotations

from celery import shared_task

from .services import evidence_files_delete_expired


@shared_task
def delete_old_evidence_files_task() -> int:
    """Daily: delete request files 6 months after the decision."""
    return evidence_files_delete_expired()
