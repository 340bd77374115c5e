"""Celery tasks of the attestation app (beat)."""

from __future__ import annotations

from celery import shared_task

from .services import evidence_files_delete_expired


@shared_task
def delete_old_evidence_files_task() -> int:
    """Daily: delete request files 6 months after the decision."""
    return evidence_files_delete_expired()


@shared_task
def award_mentor_badges_task() -> int:
    """Daily: mentor badges at 10, 50 and 100 hours given (issue 19)."""
    from .retention import mentor_badges_award

    return mentor_badges_award()


@shared_task
def process_inactive_accounts_task() -> tuple[int, int]:
    """Daily: warn inactive accounts, delete them after the limit (issue 19)."""
    from .retention import inactive_accounts_process

    return inactive_accounts_process()
