"""Reads of the base layer, filtered to what the caller may see."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Notification


def notification_list_for_user(*, user_id: int) -> QuerySet[Notification]:
    """The person's own notifications, newest first."""
    return Notification.objects.filter(recipient_id=user_id).order_by(
        "-created_at", "-id"
    )


def notification_unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(
        recipient_id=user_id, read_at__isnull=True
    ).count()
