"""Authentication backends and session store, with the per-request reads in
plain SQL, prepared (core/db.py).

Every signed-in request loads its session and its user. Django builds those two
ORM queries anew each time, which took longer than the database took to answer
them; here the session is read with its person in one statement (the session
row holds the person's id: ``accounts.models.Session``), which keeps the same
rules (an expired session is not loaded; an inactive account is not signed in;
Django still checks the session's hash against the person's password).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, cast

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.sessions.backends import db
from django.db import DEFAULT_DB_ALIAS, connection
from django.utils import timezone

from core.db import prepared_cursor
from core.selectors import notification_unread_count_sql

from .models import Session, User

# Every column named (a prepared ``SELECT *`` fails once a migration adds one),
# then the person's unread notifications, which every page's header shows: one
# round trip for both (``user.unread_notifications``, as the request began).
_USER_COLUMNS = tuple(f.attname for f in User._meta.concrete_fields)
_USER_READ = "{}, {}".format(
    ", ".join("u." + connection.ops.quote_name(c) for c in _USER_COLUMNS),
    notification_unread_count_sql("u.id"),
)
_USER_TABLE = connection.ops.quote_name(User._meta.db_table)
_USER_SQL = f"SELECT {_USER_READ} FROM {_USER_TABLE} u WHERE u.id = %s"  # noqa: S608
# The session, and the person it names (NULLs when none, or gone).
_SESSION_SQL = (
    f"SELECT s.session_data, s.expire_date, {_USER_READ}"  # noqa: S608 - ours
    f" FROM {connection.ops.quote_name(Session._meta.db_table)} s"
    f" LEFT JOIN {_USER_TABLE} u ON u.id = s.user_id"
    " WHERE s.session_key = %s AND s.expire_date > %s"
)

# The person read with this request's session, for the backend that Django
# asks for them next (``_user_by_id``): set when the session loads, taken once,
# and forgotten when a request starts (``forget_session_user``).
_READ_WITH_SESSION: ContextVar[User | None] = ContextVar(
    "accounts_read_with_session", default=None
)


def forget_session_user(**kwargs: Any) -> None:
    """``request_started``: no person read by an earlier request is used."""
    _READ_WITH_SESSION.set(None)


def _user(row: Any) -> User:
    user = User.from_db(DEFAULT_DB_ALIAS, _USER_COLUMNS, row[:-1])
    user.unread_notifications = row[-1]
    return user


def _user_by_id(user_id: Any) -> User | None:
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    if not -(2**63) <= pk < 2**63:
        return None
    read = _READ_WITH_SESSION.get()
    if read is not None and read.pk == pk:
        _READ_WITH_SESSION.set(None)
        return read
    with prepared_cursor() as cursor:
        cursor.execute(_USER_SQL, [pk])
        row = cursor.fetchone()
    return None if row is None else _user(row)


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = _user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = _user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def _with_user_id(session: Session, data: dict[str, Any]) -> Session:
    """The session row with the id of the person its data names (None if
    none): what erasure and the read with the person go by."""
    try:
        session.user_id = int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        session.user_id = None
    return session


class SessionStore(db.SessionStore):
    """Django's database sessions, in ``accounts.models.Session``: each row
    holds its person's id, and the read (in plain SQL) takes the person too."""

    @classmethod
    def get_model_class(cls) -> Any:
        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        return _with_user_id(cast(Session, super().create_model_instance(data)), data)

    async def acreate_model_instance(self, data: dict[str, Any]) -> Session:
        session = cast(Session, await super().acreate_model_instance(data))
        return _with_user_id(session, data)

    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if not key:
            self._session_key = None
            return None
        with prepared_cursor() as cursor:
            cursor.execute(_SESSION_SQL, [key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        session_data, expire_date, *user_row = row
        # The person's row, when the session names one that exists; Django
        # still decides whether they are signed in (backend, hash, active).
        _READ_WITH_SESSION.set(_user(user_row) if user_row[0] is not None else None)
        return self.model(
            session_key=key, session_data=session_data, expire_date=expire_date
        )
