"""Time pages in this process, one request at a time: the cost behind the load
figures, without HTTP, queueing or the load generator."""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.dataset import bench_learner


class Command(BaseCommand):
    help = "Median time, SQL time and query count of GET requests, in process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="'path' or 'signed-in:path'")
        parser.add_argument("--repeat", type=int, default=15)

    def handle(self, *args: Any, **options: Any) -> None:
        anonymous = Client(HTTP_HOST="127.0.0.1")
        signed_in = Client(HTTP_HOST="127.0.0.1")
        signed_in.force_login(bench_learner())
        result: dict[str, dict[str, float]] = {}
        for spec in options["paths"]:
            as_learner, _, path = spec.rpartition(":")
            client = signed_in if as_learner == "signed-in" else anonymous
            for _ in range(3):
                client.get(path)
            totals, sql, queries = [], [], 0
            for _ in range(options["repeat"]):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    client.get(path)
                    totals.append(time.perf_counter() - started)
                sql.append(sum(float(q["time"]) for q in captured.captured_queries))
                queries = len(captured.captured_queries)
            result[spec] = {
                "ms": statistics.median(totals) * 1000,
                "sql_ms": statistics.median(sql) * 1000,
                "queries": queries,
            }
        self.stdout.write(json.dumps(result))
