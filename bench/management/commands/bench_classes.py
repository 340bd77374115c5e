"""The directory's cost per query class, in this process: each search of a
sample requested once through Django's test client as the signed-in bench
learner, with the SQL it ran timed (``CaptureQueriesContext``). Each search is
requested once, so no cache keyed on the query can answer it; run it with
``SEARCH_QUERY_CACHES=0`` so none is even filled. Also times Fortunes the same
way (the yardstick of the SQL targets) and saves the query plan of each class's
slowest statement.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from pathlib import Path
from random import Random
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench import querymix
from bench.dataset import bench_learner
from bench.stats import percentile

from .bench_mix import directory_path


class Command(BaseCommand):
    help = "SQL and request time per directory query class, in process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("searches", type=Path, help="the JSON file bench_mix wrote")
        parser.add_argument("--per-class", type=int, default=100)
        parser.add_argument("--fortunes", type=int, default=50)
        parser.add_argument("--seed", type=int, default=querymix.SEED)
        parser.add_argument(
            "--explain", type=Path, help="write each class's query plans here"
        )

    def handle(self, *args: Any, **options: Any) -> None:
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
        runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for klass, query in order:
            path = directory_path(query)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise CommandError(f"{path} answered {response.status_code}")
            statements = [
                (float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries
            ]
            runs[klass].append(
                {
                    "path": path,
                    "ms": elapsed,
                    "sql_ms": sum(ms for ms, _sql in statements),
                    "queries": len(statements),
                    "statements": statements,
                }
            )

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
                    "classes": classes,
                    "directory_p50_ms": percentile(all_total, 50),
                    "directory_p99_ms": percentile(all_total, 99),
                }
            )
        )

    def _plans(self, klass: str, rows: list[dict[str, Any]]) -> str:
        """EXPLAIN (ANALYZE, BUFFERS) of the slowest statement of the class's
        median and slowest requests (by SQL time), run again now."""
        ranked = sorted(rows, key=lambda r: r["sql_ms"])
        picks = [("median", ranked[len(ranked) // 2]), ("slowest", ranked[-1])]
        parts = [f"===== {klass} ====="]
        for label, row in picks:
            ms, sql = max(row["statements"], default=(0.0, ""))
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
