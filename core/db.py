"""Prepared statements for the reads nearly every request makes.

Django sends each query as text with its values written in (client-side
binding), so PostgreSQL parses and plans it every time: for the booking page's
one statement, planning took twice as long as running it. ``prepared_cursor()``
gives a cursor that sends the values apart and has each statement prepared on
the connection the first time it runs; PostgreSQL then reuses the plan
(measured on the 20,000-mentor bench database: booking page statement 1.2 ms
→ 0.35 ms, slots 0.6 → 0.3 ms, session and user reads 0.2 → 0.13 ms).

Only for statements written for it: fixed SQL text with every value a
parameter, columns named (a ``SELECT *`` would fail once a migration adds a
column under a running process: "cached plan must not change result type"),
and lookups whose best plan does not depend on the values (a search with
filters does: it stays unprepared).

Prepared statements live on one server connection. A pooler in transaction
mode older than PgBouncer 1.21 mixes connections and breaks them:
``DATABASE_PREPARED_STATEMENTS=0`` turns them off (the cursor then sends the
values apart without preparing), as ``settings.database_settings`` reads it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from django.db.backends.utils import CursorWrapper
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


class _Text(NamedTuple):
    query: bytes


class _PreparedCursor(ServerBindingCursor):
    # Set while Django logs queries (DEBUG, a test counting them): Django reads
    # the statement's text from ``_query``, which only psycopg's client-side
    # cursors keep; it is written out, values included, as for any query.
    log_text = False

    def execute(
        self, query: Any, params: Any = None, *, prepare: Any = None, binary: Any = None
    ) -> Any:
        result = super().execute(  # type: ignore[misc]
            query, params, prepare=True, binary=binary
        )
        if self.log_text:
            text = connection.ops.compose_sql(query, params)  # type: ignore[attr-defined]
            self._query = _Text(text.encode())
        return result


def prepared_cursor() -> CursorWrapper:
    """A cursor of the default connection (Django's wrapper: errors, query log
    and execute wrappers as for any cursor) whose statements are prepared."""
    connection.ensure_connection()
    raw = connection.connection
    default = raw.cursor_factory
    raw.cursor_factory = _PreparedCursor
    try:
        # If a failed health check reconnects here, the new connection gives
        # Django's own cursor: the query runs unprepared, nothing else changes.
        cursor = connection.cursor()
        cursor.cursor.log_text = connection.queries_logged
        return cursor
    finally:
        raw.cursor_factory = default


M = TypeVar("M", bound=Model)


def loaded_instances(
    model: type[M], attnames: Sequence[str], rows: Iterable[Sequence[Any]]
) -> list[M]:
    """What ``model.from_db(DEFAULT_DB_ALIAS, attnames, values)`` gives for
    each row of values (an instance read from the database, the other fields
    deferred), without ``Model.__init__``, which goes through every field of
    the model (a page of 21 directory cards took ~0.35 ms with ``from_db``,
    ~0.04 this way).

    For the models whose instances nothing listens to (no ``pre_init`` or
    ``post_init`` receiver, checked once for the rows: those run in
    ``__init__``, so ``from_db`` is used then) and whose fields keep their
    values in the instance's ``__dict__`` (plain fields and foreign keys' ids,
    not files); ``tests/core/test_prepared.py`` holds it to ``from_db``."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        names = list(attnames)
        return [model.from_db(DEFAULT_DB_ALIAS, names, list(row)) for row in rows]
    instances = []
    for row in rows:
        instance = model.__new__(model)
        instance.__dict__.update(zip(attnames, row, strict=True))
        state = instance._state = ModelState()
        state.adding = False
        state.db = DEFAULT_DB_ALIAS
        instances.append(instance)
    return instances


class _UTCTimestampLoader(BaseTzLoader):
    """Django's loader of ``timestamptz`` values (in the connection's time
    zone, UTC), with a fast path for what a UTC session sends:
    ``YYYY-MM-DD HH:MM:SS[.ffffff]+00``, read by ``datetime.fromisoformat``
    (C, ~0.2 µs) instead of psycopg's parser in Python (~3 µs; a directory
    page reads ~50 of them). Anything else (another offset, BC, infinity) goes
    the usual way."""

    timezone = datetime.UTC

    def load(self, data: Any) -> Any:
        if data[-3:] == b"+00":
            try:
                return datetime.datetime.fromisoformat(bytes(data).decode())
            except ValueError:
                pass
        return super().load(data)


def fast_timestamps(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: the fast loader, on a PostgreSQL connection in
    UTC (Django's own check on each cursor then finds its time zone and keeps
    it)."""
    if connection.vendor == "postgresql" and connection.timezone == (datetime.UTC):
        connection.connection.adapters.register_loader(
            "timestamptz", _UTCTimestampLoader
        )
