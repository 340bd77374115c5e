"""Authentication backends and session store, with the per-request reads in
plain SQL, prepared (core/db.py).

Every signed-in request loads its session and its user. Django builds those two
ORM queries anew each time, which took longer than the database took to answer
them; the same reads written as SQL keep the same rules (an expired session is
not loaded; an inactive account is not signed in).
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.sessions.backends import db
from django.db import DEFAULT_DB_ALIAS, connection
from django.utils import timezone

from core.db import prepared_cursor
from core.selectors import notification_unread_count_sql

from .models import User

# Every column named (a prepared ``SELECT *`` fails once a migration adds one),
# then the person's unread notifications, which every page's header shows: one
# round trip for both (``user.unread_notifications``, as the request began).
_USER_COLUMNS = tuple(f.attname for f in User._meta.concrete_fields)
_USER_SQL = "SELECT {}, {} FROM {} u WHERE u.id = %s".format(  # noqa: S608 - ours
    ", ".join("u." + connection.ops.quote_name(c) for c in _USER_COLUMNS),
    notification_unread_count_sql("u.id"),
    connection.ops.quote_name(User._meta.db_table),
)


def _user_by_id(user_id: Any) -> User | None:
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    if not -(2**63) <= pk < 2**63:
        return None
    with prepared_cursor() as cursor:
        cursor.execute(_USER_SQL, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    user = User.from_db(DEFAULT_DB_ALIAS, _USER_COLUMNS, row[:-1])
    user.unread_notifications = row[-1]
    return user


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = _user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = _user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class SessionStore(db.SessionStore):
    """Django's database sessions; the read in plain SQL."""

    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if not key:
            self._session_key = None
            return None
        table = connection.ops.quote_name(self.model._meta.db_table)
        with prepared_cursor() as cursor:
            cursor.execute(
                f"SELECT session_data, expire_date FROM {table}"  # noqa: S608
                " WHERE session_key = %s AND expire_date > %s",
                [key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=key, session_data=row[0], expire_date=row[1])
