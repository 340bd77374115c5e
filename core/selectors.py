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


_UNREAD_COUNT = (
    "SELECT count(*) FROM core_notification WHERE recipient_id = {} AND read_at IS NULL"
)
_UNREAD_SQL = _UNREAD_COUNT.format("%s")


def notification_unread_count_sql(user_id_column: str) -> str:
    """The unread count as a scalar subquery on ``user_id_column``: the signed-in
    person's read (accounts/backends.py) carries it as ``user.unread_notifications``,
    so the header costs no round trip of its own."""
    return f"({_UNREAD_COUNT.format(user_id_column)})"
