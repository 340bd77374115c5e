"""The directory's cost per query class, in this process: each search of a
sample requested through Django's test client as the signed-in bench
learner, with each statement it ran timed around its execution
(``connection.execute_wrapper``, to the microsecond: Django's query log rounds
each to the millisecond). Each search is requested ``--repeats`` times in a
row and counts as its median run (a pause of the machine is not the search's
cost); run it with ``SEARCH_QUERY_CACHES=0``, so that no cache keyed on the
query answers the repeats. Also times Fortunes the same way (the yardstick of
the SQL targets) and saves the query plan of each class's slowest statement.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from pathlib import Path
from random import Random
from typing import Any

from django.core.cache import caches
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.urls import reverse
from psycopg import ClientCursor

from bench import querymix
from bench.dataset import bench_learner
from bench.stats import percentile

from .bench_mix import directory_path

Statement = tuple[float, str, Any]  # ms, text, values


class _Timed:
    """An execute wrapper that notes each statement's time (ms), text and
    values."""

    def __init__(self, statements: list[Statement]) -> None:
        self.statements = statements

    def __call__(
        self, execute: Any, sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            self.statements.append((elapsed, sql, params))


def _with_values(sql: str, params: Any) -> str:
    """The statement as PostgreSQL would run it (values inlined), to EXPLAIN."""
    if not params:
        return sql
    return ClientCursor(connection.connection).mogrify(sql, params)


class Command(BaseCommand):
    help = "SQL and request time per directory query class, in process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("searches", type=Path, help="the JSON file bench_mix wrote")
        parser.add_argument("--per-class", type=int, default=100)
        parser.add_argument(
            "--repeats",
            type=int,
            default=3,
            help="each search's figures: the median of this many runs",
        )
        parser.add_argument("--fortunes", type=int, default=50)
        parser.add_argument("--seed", type=int, default=querymix.SEED)
        parser.add_argument(
            "--explain", type=Path, help="write each class's query plans here"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["repeats"] < 1:
            raise CommandError("--repeats: at least 1")
        searches = json.loads(options["searches"].read_text())["searches"]
        by_class: dict[str, list[str]] = defaultdict(list)
        for entry in searches:
            by_class[entry["class"]].append(entry["query"])
        rng = Random(f"classes:{options['seed']}")  # noqa: S311 - reproducible, not secret
        sample = {
            klass: rng.sample(queries, min(options["per_class"], len(queries)))
            for klass, queries in by_class.items()
        }
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(bench_learner())
        anonymous = Client(HTTP_HOST="127.0.0.1")
        fortunes_path = reverse("bench-fortunes")

        # Warm up the process and the database's buffers on searches that are
        # not measured (every class, so every index is read once).
        measured = {q for queries in sample.values() for q in queries}
        spare = [s["query"] for s in searches if s["query"] not in measured]
        for query in Random(0).sample(spare, min(40, len(spare))):  # noqa: S311 - reproducible, not secret
            client.get(directory_path(query))
        for _ in range(5):
            anonymous.get(fortunes_path)

        fortunes_ms = []
        for _ in range(options["fortunes"]):
            started = time.perf_counter()
            anonymous.get(fortunes_path)
            fortunes_ms.append((time.perf_counter() - started) * 1000)
        fortunes = statistics.median(fortunes_ms)

        # The classes interleaved, so a noisy minute spreads over all of them.
        order = [(k, q) for k, queries in sample.items() for q in queries]
        Random(1).shuffle(order)  # noqa: S311 - reproducible, not secret
        # Each search run ``repeats`` times in a row, its figures the median
        # run's (by SQL time): a pause of the machine or of the collector in
        # one run is not the search's cost. Nothing keyed on the query is
        # kept between them (query caches off), and the cards are emptied
        # before each run, so that the later runs do not find the cards the
        # first drew (and skip reading their skills): every run reads as the
        # first did, or more.
        runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for klass, query in order:
            path = directory_path(query)
            tries = []
            for _ in range(options["repeats"]):
                caches["cards"].clear()
                tries.append(self._run(client, path))
            tries.sort(key=lambda run: run["sql_ms"])
            runs[klass].append(tries[len(tries) // 2])

        classes: dict[str, dict[str, Any]] = {}
        plans: list[str] = []
        for klass in querymix.CLASS_NAMES:
            if klass not in runs:
                continue
            rows = runs[klass]
            sql = [r["sql_ms"] for r in rows]
            total = [r["ms"] for r in rows]
            classes[klass] = {
                "searches": len(rows),
                "sql_p50_ms": percentile(sql, 50),
                "sql_p99_ms": percentile(sql, 99),
                "sql_max_ms": max(sql),
                "p50_ms": percentile(total, 50),
                "p99_ms": percentile(total, 99),
                "queries_p50": percentile([r["queries"] for r in rows], 50),
            }
            if options["explain"]:
                plans.append(self._plans(klass, rows))
        if options["explain"]:
            options["explain"].write_text("\n\n".join(plans) + "\n")
        all_total = [r["ms"] for rows in runs.values() for r in rows]
        self.stdout.write(
            json.dumps(
                {
                    "fortunes_ms": fortunes,
                    "repeats": options["repeats"],
                    "classes": classes,
                    "directory_p50_ms": percentile(all_total, 50),
                    "directory_p99_ms": percentile(all_total, 99),
                }
            )
        )

    def _run(self, client: Client, path: str) -> dict[str, Any]:
        """One request of a search: its time, its statements and theirs."""
        statements: list[Statement] = []
        with connection.execute_wrapper(_Timed(statements)):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise CommandError(f"{path} answered {response.status_code}")
        return {
            "path": path,
            "ms": elapsed,
            "sql_ms": sum(ms for ms, _sql, _params in statements),
            "queries": len(statements),
            "statements": statements,
        }

    def _plans(self, klass: str, rows: list[dict[str, Any]]) -> str:
        """EXPLAIN (ANALYZE, BUFFERS) of the slowest statement of the class's
        median and slowest requests (by SQL time), run again now."""
        ranked = sorted(rows, key=lambda r: r["sql_ms"])
        picks = [("median", ranked[len(ranked) // 2]), ("slowest", ranked[-1])]
        parts = [f"===== {klass} ====="]
        for label, row in picks:
            ms, sql, params = max(
                row["statements"], key=lambda s: s[0], default=(0.0, "", None)
            )
            sql = _with_values(sql, params)
            parts.append(
                f"--- {label} request by SQL time: {row['path']}\n"
                f"--- its SQL {row['sql_ms']:.1f} ms in {row['queries']} queries; "
                f"slowest statement {ms:.1f} ms:\n{sql}"
            )
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    parts.append("\n".join(line for (line,) in cursor.fetchall()))
        return "\n\n".join(parts)
