"""The per-class figures of the directory time each statement itself (Django's
query log rounds each to the millisecond) and count a search as its median
run."""

from __future__ import annotations

import pytest
from django.db import connection

from bench.management.commands.bench_classes import _Timed, _with_values


@pytest.mark.django_db
def test_each_statement_is_timed_to_the_microsecond_with_its_values():
    statements: list = []
    with connection.execute_wrapper(_Timed(statements)), connection.cursor() as c:
        c.execute("SELECT pg_sleep(0.0015)")
        c.execute("SELECT %(a)s::int + 1", {"a": 41})
    assert [sql for _ms, sql, _params in statements] == [
        "SELECT pg_sleep(0.0015)",
        "SELECT %(a)s::int + 1",
    ]
    slept, added = (ms for ms, _sql, _params in statements)
    assert 1.5 <= slept < 1000
    # Not a whole millisecond: measured, not rounded.
    assert 0 < added < 1.5
    assert _with_values(*statements[1][1:]) == "SELECT 41::int + 1"
