"""Reads of the base layer, filtered to what the caller may see."""

from __future__ import annotations

from django.db.models import QuerySet

from .db import prepared_cursor
from .models import Notification


def notification_list_for_user(*, user_id: int) -> QuerySet[Notification]:
    """The person's own notifications, newest first."""
    return Notification.objects.filter(recipient_id=user_id).order_by(
        "-created_at", "-id"
    )


def notification_unread_count(*, user_id: int) -> int:
    """Every signed-in page's header asks: plain SQL (the ORM took three times
    as long to build the query as the database to answer it), prepared."""
    with prepared_cursor() as cursor:
        cursor.execute(_UNREAD_SQL, [user_id])
        return int(cursor.fetchone()[0])


_UNREAD_SQL = (
    "SELECT count(*) FROM core_notification WHERE recipient_id = %s AND read_at IS NULL"
)
