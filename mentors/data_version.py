"""The mentor-data version: caches of what the directory and the matching
engine read about mentors are keyed on it, and every change that matters to
them moves it.

It is a Postgres sequence (``mentors_data_version_seq``, migration 0011), not a
row: ``nextval`` takes no lock that lasts, so writers on different mentors never
wait on each other, and it is moved after the change commits, so a cache that
reads a new version always finds the data it versions. Sequences ignore
rollbacks: the version only ever grows.
"""

from __future__ import annotations

from django.db import connection, transaction

SEQUENCE = "mentors_data_version_seq"

# ``last_value`` is the last number handed out, except on a sequence never
# called (created, or restarted by hand) where it is the first one to come.
VERSION_SQL = """
SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END
FROM mentors_data_version_seq
"""


def mentor_data_version() -> int:
    """The current version, as any transaction sees it (a sequence is not
    transactional: no snapshot holds it back)."""
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL)
        (version,) = cursor.fetchone()
    return int(version)


def _next_version() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [SEQUENCE])


def mentor_data_pending() -> bool:
    """This connection's open transaction changed mentor data whose version
    waits for the commit: its reads must neither come from a cache (older than
    its own change) nor go into one (they see rows that may roll back)."""
    # Entries are (savepoint ids, callback, robust); the stubs know two of them.
    return any(entry[1] is _next_version for entry in connection.run_on_commit)


def bump_mentor_data_version() -> None:
    """Move the version once the current transaction commits (at once outside
    one); nothing if it rolls back.

    Call in the transaction of any change that matters to the directory or to
    matching (profile published, pause, capacity, a mentorship starting or
    ending; not the slot summary, see ``mentor_profile_set_slot_summary``).
    Holds no lock. ``robust``: the change is committed by
    then, so a failure is logged instead of raised and the callbacks after it
    (outbox, mail) still run; the caches then lag until the next move (directory
    pages expire within 30 s anyway).
    """
    transaction.on_commit(_next_version, robust=True)
