"""The reads nearly every request makes are prepared statements (core/db.py):
prepared once per connection, then reused, and safe when a migration changes a
table under a running process."""

from __future__ import annotations

import datetime

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from core.notifications import notify
from tests.factories import UserFactory

# A signed-in page with the header (its unread count).
PAGE = "accounts:preferences"
# The statement of the session with its person (and the header's unread
# count).
SIGNED_IN_READS = ('FROM "accounts_session"',)


def _prepared() -> dict[str, int]:
    """This connection's prepared statements: text → times run."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
        )
        return dict(cursor.fetchall())


def _runs(read: str, prepared: dict[str, int]) -> int:
    return sum(n for statement, n in prepared.items() if read in statement)


@pytest.mark.django_db
def test_the_signed_in_reads_are_prepared_once_and_reused(client):
    client.force_login(UserFactory())
    client.get(reverse(PAGE))  # the statements are prepared on this one
    before = _prepared()

    for _ in range(3):
        assert client.get(reverse(PAGE)).status_code == 200

    after = _prepared()
    for read in SIGNED_IN_READS:
        assert _runs(read, before) >= 1, read
        # The same prepared statement ran three more times (none prepared anew).
        assert _runs(read, after) - _runs(read, before) == 3, read
        assert len([s for s in after if read in s]) == 1, read


@pytest.mark.django_db
def test_with_prepared_statements_off_the_reads_still_work_unprepared(client):
    client.force_login(UserFactory())
    connection.ensure_connection()
    raw = connection.connection
    threshold = raw.prepare_threshold
    # What DATABASE_PREPARED_STATEMENTS=0 gives the connection.
    raw.prepare_threshold = None
    try:
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        response = client.get(reverse(PAGE))
        assert _prepared() == {}
    finally:
        raw.prepare_threshold = threshold
    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated


@pytest.mark.django_db(transaction=True)
def test_a_column_added_by_another_process_does_not_break_the_prepared_reads(client):
    """A deploy migrates while the old processes still serve: their prepared
    statements name their columns, so PostgreSQL plans them again instead of
    failing ("cached plan must not change result type", as a SELECT * would)."""
    person = UserFactory()
    client.force_login(person)
    assert client.get(reverse(PAGE)).status_code == 200
    assert _runs('FROM "accounts_session"', _prepared()) >= 1

    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("ALTER TABLE accounts_user ADD COLUMN added_later integer")
        try:
            response = client.get(reverse(PAGE))
        finally:
            other.execute("ALTER TABLE accounts_user DROP COLUMN added_later")

    assert response.status_code == 200
    assert response.wsgi_request.user.pk == person.pk


@pytest.mark.django_db
def test_a_query_log_shows_the_prepared_reads_with_their_values(client):
    """Django's query log (DEBUG, tests that count queries, the bench's SQL
    timings) shows a prepared statement's text as for any other query."""
    person = UserFactory()
    client.force_login(person)
    client.get(reverse(PAGE))

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse(PAGE))

    logged = [q["sql"] for q in queries.captured_queries]
    key = client.session.session_key
    assert f"WHERE s.session_key = '{key}'" in " ".join(logged)
    assert all(isinstance(sql, str) and sql for sql in logged)


@pytest.mark.django_db
def test_the_header_count_comes_with_the_person_in_one_round_trip(client):
    person = UserFactory()
    notify(recipient=person, kind="account.welcome", link="/")
    notify(recipient=person, kind="account.welcome", link="/")
    first = Notification.objects.filter(recipient=person).order_by("pk")[:1]
    Notification.objects.filter(pk__in=first).update(read_at=timezone.now())
    client.force_login(person)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse(PAGE))

    assert page.context["unread_notifications"] == 1
    # No statement of its own: the count is a subquery of the person's read.
    alone = [
        q for q in queries.captured_queries if q["sql"].startswith("SELECT count(*)")
    ]
    assert alone == []


def test_no_parallel_workers_start_for_a_request(db):
    """A web request's statement never waits for parallel workers to start
    (~10 ms, more than the directory's statements take alone)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.django_db
def test_instances_built_from_columns_are_those_from_db_builds():
    """``loaded_instances`` skips ``Model.__init__``: each instance must hold
    what ``from_db`` gives (the columns read, the others deferred and read on
    use, not new), and a listener of ``post_init`` must still be honoured."""
    from django.db import DEFAULT_DB_ALIAS
    from django.db.models.signals import post_init

    from accounts.models import User
    from core.db import loaded_instances

    people = [UserFactory(full_name="Awa Ndiaye"), UserFactory(full_name="Léo Petit")]
    columns = ["id", "full_name", "language"]
    rows = [[p.pk, p.full_name, p.language] for p in people]

    built = loaded_instances(User, columns, rows)
    expected = [User.from_db(DEFAULT_DB_ALIAS, columns, row) for row in rows]

    assert len(built) == 2
    for one, other in zip(built, expected, strict=True):
        assert {c: getattr(one, c) for c in columns} == {
            c: getattr(other, c) for c in columns
        }
        assert one.get_deferred_fields() == other.get_deferred_fields()
        assert (one._state.adding, one._state.db) == (False, DEFAULT_DB_ALIAS)
        assert one == other
    with CaptureQueriesContext(connection) as queries:
        assert built[1].email == people[1].email  # deferred: read on use
    assert len(queries) == 1

    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(listener, sender=User)
    try:
        listened = loaded_instances(User, columns, rows)
    finally:
        post_init.disconnect(listener, sender=User)
    assert seen == listened


@pytest.mark.django_db
def test_timestamps_are_read_as_django_reads_them_only_faster():
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader
    from psycopg.pq import Format

    from core.db import _UTCTimestampLoader

    typed = [
        "2026-12-06 17:56:13.793452+00",
        "2026-12-06 17:56:13+00",
        "2026-12-06 17:56:13.5+00",
        "0001-01-01 00:00:00+00",
        "2026-03-29 01:30:00+02",  # another offset: read in UTC
        "1999-12-31 23:59:59.999999-08",
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v::timestamptz, v::timestamptz::text FROM unnest(%s::text[]) v",
            [typed],
        )
        rows = cursor.fetchall()
    raw = connection.connection
    oid = raw.adapters.types["timestamptz"].oid
    assert raw.adapters.get_loader(oid, Format.TEXT) is _UTCTimestampLoader

    class DjangoLoader(BaseTzLoader):
        timezone = datetime.UTC

    django_loader = DjangoLoader(oid, raw)
    for value, text in rows:
        expected = django_loader.load(text.encode())
        assert value == expected
        assert value.tzinfo == expected.tzinfo == datetime.UTC
        assert (value.year, value.microsecond) == (expected.year, expected.microsecond)
