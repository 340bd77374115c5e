"""Replay a paths file of the mix (``bench_mix``'s directory or mentor pages)
in this process, one request at a time, signed in as the bench learner, with
Fortunes timed before and after: the in-process analogue of the load ratio,
for comparing two commits on a shared machine (run them alternately). Run
with ``SEARCH_QUERY_CACHES=0`` to measure the search itself."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import Client
from django.urls import reverse

from bench.dataset import bench_learner
from bench.stats import percentile


class Command(BaseCommand):
    help = "Mean, p50 and p99 of a replayed paths file, and its ratio to Fortunes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", type=Path, help="a paths file bench_mix wrote")
        parser.add_argument("--warm", type=int, default=300)
        parser.add_argument("--count", type=int, default=1200)
        parser.add_argument("--fortunes", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        paths = options["paths"].read_text().split()
        warm, count = options["warm"], options["count"]
        if len(paths) < warm + count:
            raise CommandError(f"{len(paths)} paths, fewer than --warm + --count")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(bench_learner())
        before = self._fortunes(options["fortunes"])
        for path in paths[:warm]:
            client.get(path)
        timings = []
        for path in paths[warm : warm + count]:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{path} answered {response.status_code}")
        fortunes = (before + self._fortunes(options["fortunes"])) / 2
        mean = sum(timings) / len(timings)
        self.stdout.write(
            json.dumps(
                {
                    "requests": count,
                    "mean_ms": mean,
                    "p50_ms": percentile(timings, 50),
                    "p99_ms": percentile(timings, 99),
                    "fortunes_ms": fortunes,
                    "ratio": fortunes / mean,
                }
            )
        )

    def _fortunes(self, count: int) -> float:
        client = Client(HTTP_HOST="127.0.0.1")
        path = reverse("bench-fortunes")
        for _ in range(20):
            client.get(path)
        started = time.perf_counter()
        for _ in range(count):
            client.get(path)
        return (time.perf_counter() - started) * 1000 / count
