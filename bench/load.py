"""Load scenario over loopback: `make load` (``python -m bench.load``).

A measurement, not a test (its smoke runs in `make test`:
``tests/bench/test_load_smoke.py``). On a copy of the seeded bench database
(``CREATE DATABASE load_20k TEMPLATE bench_20k``, so its writes never reach the
bench database; dropped at the end), gunicorn with two gthread workers a core
(two threads each) serves the scenario of ``bench/scenario.py`` (browsing,
searching, mentor pages, suggestions, mentorship requests with their CSRF
token), sent by wrk at a rate that rises step by step until the server no
longer keeps it with under 0.1 % errors (5xx and timeouts). Then, at half the
highest rate kept, each step's p99 is compared with twice its p99 in process
(one request at a time, no HTTP).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any
from urllib.parse import quote

from bench.loadrun import STEPS, ScenarioRun, scenario_run
from bench.run import (
    BENCH_KEYS,
    OUT_DIR,
    REDIS_DB,
    SEED,
    SETTINGS,
    BenchError,
    _database_name,
    _drain,
    _flush_redis,
    _free_port,
    _manage_json,
    _psql,
    _socket_dir,
    _vacuum_analyze,
    dataset_ensure,
    gunicorn,
    run_with_services,
    save_figures,
)
from certification.signing_keys import keys_file_ensure

# At half the highest rate kept, a step's p99 may be this many times its p99
# in process (issue "Search that stays fast for every query", item 7).
P99_MAX_IN_PROCESS = 2.0


def _ramp_line(run: ScenarioRun) -> str:
    verdict = "kept" if run.sustained() else "NOT kept"
    return (
        f"| {run.rate:,.1f} | {run.achieved:,.1f} | {run.responses:,} | "
        f"{run.errors} | {run.error_rate:.2%} | {run.p50_ms:,.0f} | "
        f"{run.p95_ms:,.0f} | {run.p99_ms:,.0f} | {verdict} |"
    )


RAMP_HEAD = (
    "| rate asked, req/s | answered, req/s | responses | errors | error rate "
    "| p50 ms | p95 ms | p99 ms | |\n|---:|---:|---:|---:|---:|---:|---:|---:|---|"
)


def step_table(run: ScenarioRun, in_process: dict[str, dict[str, Any]]) -> str:
    """Each step at this rate against its cost in process."""
    lines = [
        "| step | requests | statuses | p50 ms | p95 ms | p99 ms "
        "| in process p99 ms | limit (2×) | result |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for step in STEPS:
        if step not in run.steps:
            lines.append(f"| {step} | 0 | | | | | | | not sent |")
            continue
        s = run.steps[step]
        statuses = ", ".join(f"{code}: {n}" for code, n in s.statuses.items())
        own = in_process.get(step, {}).get("p99_ms")
        limit = own * P99_MAX_IN_PROCESS if own else None
        if limit is None:
            result = ""
        elif s.p99_ms <= limit:
            result = f"pass ({(1 - s.p99_ms / limit) * 100:.0f} % below)"
        else:
            result = f"FAIL ({s.p99_ms / limit:.1f}× the limit)"
        lines.append(
            f"| {step} | {s.requests:,} | {statuses} | {s.p50_ms:,.0f} | "
            f"{s.p95_ms:,.0f} | {s.p99_ms:,.0f} | "
            f"{own or 0:,.0f} | {limit or 0:,.0f} | {result} |"
        )
    return "\n".join(lines)


def _check(run: ScenarioRun) -> None:
    if run.unexpected:
        odd = {step: s.statuses for step, s in run.steps.items() if s.unexpected}
        raise BenchError(f"unexpected statuses, the scenario is wrong: {odd}")


def load(state: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    socket_dir = _socket_dir(state["DATABASE_URL"])
    template = _database_name(args.mentors)
    db = f"load_{template.removeprefix('bench_')}"
    port = _free_port()
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "REDIS_URL": state["REDIS_URL"].rsplit("/", 1)[0] + f"/{REDIS_DB}",
        "DJANGO_SECRET_KEY": "bench-only-key-" + "x" * 40,
        "SITE_URL": f"http://127.0.0.1:{port}",
        # Production settings refuse to start without attestation signing keys.
        "ATTESTATION_SIGNING_KEYS_FILE": keys_file_ensure(BENCH_KEYS),
    }
    socket = quote(socket_dir, safe="")
    template_env = {
        **base_env,
        "DATABASE_URL": f"postgres://postgres@/{socket}/{template}",
    }
    print(f"== {args.mentors:,} mentors: {db}, a copy of {template} ==")
    dataset_ensure(
        socket_dir=socket_dir,
        db=template,
        mentors=args.mentors,
        env=template_env,
        reseed=False,
    )
    _vacuum_analyze(socket_dir, template)
    _psql(socket_dir, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    _psql(socket_dir, f"CREATE DATABASE {db} TEMPLATE {template}")
    env = {**base_env, "DATABASE_URL": f"postgres://postgres@/{socket}/{db}"}
    try:
        _flush_redis(env["REDIS_URL"])
        scenario_file = OUT_DIR / f"scenario-{db}.tsv"
        print(
            f"  signing {args.visitors} learners in, writing the scenario, "
            f"timing {args.in_process} requests per step in process ..."
        )
        prep = _manage_json(
            env,
            "bench_load_prepare",
            "--out",
            str(scenario_file),
            "--visitors",
            str(args.visitors),
            "--blocks",
            str(args.blocks),
            "--seed",
            str(SEED),
            "--in-process",
            str(args.in_process),
        )
        in_process: dict[str, dict[str, Any]] = prep["in_process"]
        for step, cost in in_process.items():
            print(
                f"  in process: {step:<17} p50 {cost['p50_ms']:7.1f} ms  "
                f"p99 {cost['p99_ms']:7.1f} ms  statuses {cost['statuses']}"
            )
        url = f"http://127.0.0.1:{port}"
        position = 0
        log = OUT_DIR / f"gunicorn-{db}.log"
        with gunicorn(env, port, args.workers, log, threads=args.threads):

            def send(rate: float, seconds: int) -> ScenarioRun:
                nonlocal position
                run = scenario_run(
                    url=url,
                    scenario_file=scenario_file,
                    rate=rate,
                    seconds=seconds,
                    out_file=OUT_DIR / f"records-{db}.tsv",
                    timeout_s=args.timeout,
                    start=position,
                )
                position += run.responses
                _drain(port)
                _check(run)
                return run

            send(args.start_rate, args.warmup)  # warm-up, not counted
            print(f"\n  ramp, {args.step_seconds} s a step:\n\n{RAMP_HEAD}")
            ramp: list[ScenarioRun] = []
            kept: ScenarioRun | None = None
            rate = args.start_rate
            while rate <= args.max_rate:
                run = send(rate, args.step_seconds)
                ramp.append(run)
                print(_ramp_line(run))
                if not run.sustained():
                    break
                kept = run
                rate *= args.factor
            if kept is None:
                raise BenchError(f"{args.start_rate} req/s is not kept: lower it")
            if not ramp[-1].sustained():
                # One step between the last rate kept and the first one lost.
                run = send(math.sqrt(kept.rate * ramp[-1].rate), args.step_seconds)
                ramp.append(run)
                print(_ramp_line(run))
                if run.sustained():
                    kept = run
            half = kept.rate / 2
            print(
                f"\n  highest rate kept: {kept.rate:,.1f} req/s; now "
                f"{args.hold_seconds} s at half of it, {half:,.1f} req/s ..."
            )
            # The server is just out of a saturated step (``_drain`` returns
            # once one worker answers fast): a few seconds at the hold's rate,
            # not counted, before the hold.
            send(half, args.warmup)
            hold = send(half, args.hold_seconds)
        print(
            f"\nHighest rate kept: {kept.rate:,.1f} req/s (p50 {kept.p50_ms:,.0f} "
            f"ms, p95 {kept.p95_ms:,.0f} ms, p99 {kept.p99_ms:,.0f} ms)\n"
        )
        print(step_table(kept, in_process))
        print(
            f"\nAt half that rate, {half:,.1f} req/s ({hold.achieved:,.1f} answered, "
            f"{hold.errors} errors of {hold.responses:,}; p50 {hold.p50_ms:,.0f} ms, "
            f"p95 {hold.p95_ms:,.0f} ms, p99 {hold.p99_ms:,.0f} ms); each step's "
            f"p99 against {P99_MAX_IN_PROCESS:g}× its p99 in process:\n"
        )
        print(step_table(hold, in_process))
        return {
            "database": db,
            "template": template,
            "workers": args.workers,
            "threads": args.threads,
            "visitors": prep["visitors"],
            "scenario_requests": prep["requests"],
            "in_process": in_process,
            "ramp": [asdict(r) | {"achieved": r.achieved} for r in ramp],
            "highest_rate_kept": kept.rate,
            "kept": asdict(kept),
            "half_rate": asdict(hold),
        }
    finally:
        _psql(socket_dir, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--mentors", type=int, default=20_000)
    # Two processes a core, two threads each: among the shapes that came out
    # about even at a set rate (2 x 4, 3 x 3, 4 x 2 on two cores), the one
    # whose ramps kept the most (the seventeenth pass, docs/benchmarks.md).
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument(
        "--threads",
        type=int,
        default=2,
        help="gthread threads per worker (0: sync workers; see bench.run.gunicorn)",
    )
    parser.add_argument("--visitors", type=int, default=200, help="signed-in learners")
    parser.add_argument("--blocks", type=int, default=1500, help="of 20 requests")
    parser.add_argument("--in-process", type=int, default=100, help="per step")
    parser.add_argument("--start-rate", type=float, default=2.0, help="req/s")
    parser.add_argument("--factor", type=float, default=1.3, help="rate step")
    parser.add_argument("--max-rate", type=float, default=1000.0)
    parser.add_argument("--step-seconds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5, help="seconds")
    parser.add_argument("--hold-seconds", type=int, default=60)
    parser.add_argument(
        "--timeout", type=float, default=5.0, help="seconds before a timeout"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is missing: `apt-get install wrk` (Debian) or your OS's package.")
        return 2
    print(
        f"gunicorn --workers {args.workers} "
        f"({f'gthread, {args.threads} threads' if args.threads else 'sync'}) "
        "on 127.0.0.1, wrk one thread "
        f"per connection; {os.cpu_count()} CPUs shared by gunicorn, PostgreSQL "
        "and wrk"
    )
    figures: dict[str, Any] = {}

    def body(state: dict[str, str]) -> None:
        figures.update(load(state, args))

    code = run_with_services(body)
    if figures:
        save_figures("load", {"args": vars(args), **figures})
    return code


if __name__ == "__main__":
    sys.exit(main())
