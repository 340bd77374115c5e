"""Send a load scenario with wrk (``bench/scenario.lua``) and read what came
back, per step. No Django here: `make load` (``bench/load.py``) and the smoke
test in `make test` both call ``scenario_run``.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.stats import percentile

SCENARIO_LUA = Path(__file__).with_name("scenario.lua")

HOME = "home"
BROWSE = "browse"
SEARCH = "search"
MENTOR = "mentor page"
SUGGESTIONS = "suggestions"
REQUEST_FORM = "request form"
REQUEST_CREATE = "request creation"

# Requests of each step in a block of 20: browsing, searching and reading
# mentor pages most, then the person's own page with its suggestions, then
# asking a mentor.
BLOCK: dict[str, int] = {
    HOME: 1,
    BROWSE: 3,
    SEARCH: 6,
    MENTOR: 5,
    SUGGESTIONS: 2,
    REQUEST_FORM: 1,
    REQUEST_CREATE: 2,
}
STEPS = tuple(BLOCK)
# What each step may answer. A request sent twice, or past the cap of pending
# requests, is refused on the form itself (200, the message on the page); the
# API would answer 409. Anything else is unexpected (a 403 would be a CSRF
# failure, a 404 a missing page): not a server error, but the scenario is wrong.
EXPECTED: dict[str, frozenset[int]] = {
    **{step: frozenset({200}) for step in STEPS},
    REQUEST_CREATE: frozenset({200, 302, 409}),
}
# The booking storm of `make bench` (bench/booking.py) sends its requests with
# the same script: a booking is made (201) or the slot was just taken, or the
# learner holds something else at that time (409).
BOOKING = "booking"
EXPECTED[BOOKING] = frozenset({201, 409})
# Errors are 5xx and timeouts; the share the load may have while "sustained".
MAX_ERROR_RATE = 0.001


@dataclass(frozen=True)
class StepResult:
    requests: int
    statuses: dict[int, int]
    p50_ms: float
    p95_ms: float
    p99_ms: float
    server_errors: int  # 5xx
    timeouts: int  # answered after the timeout
    unexpected: int  # neither expected nor 5xx


@dataclass(frozen=True)
class ScenarioRun:
    rate: float  # asked, requests per second (0: as fast as possible)
    seconds: float
    responses: int
    socket_errors: int  # connect, read, write
    # Over every step.
    p50_ms: float
    p95_ms: float
    p99_ms: float
    steps: dict[str, StepResult] = field(default_factory=dict)

    @property
    def achieved(self) -> float:
        return self.responses / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.socket_errors + sum(
            s.server_errors + s.timeouts for s in self.steps.values()
        )

    @property
    def error_rate(self) -> float:
        sent = self.responses + self.socket_errors
        return self.errors / sent if sent else 0.0

    @property
    def unexpected(self) -> int:
        return sum(s.unexpected for s in self.steps.values())

    def sustained(self) -> bool:
        """The rate was kept: at least 95 % of it answered during the run (the
        last requests are still in flight when it stops: a run of 30 s at a
        latency of 0.5 s answers 98 % of the requests sent) with under 0.1 %
        errors (5xx, timeouts, socket errors)."""
        return self.achieved >= 0.95 * self.rate and self.error_rate < MAX_ERROR_RATE


def connections_for(rate: float) -> int:
    """Enough connections that a slow server does not slow the sender down
    (three seconds of requests in flight), within what wrk's threads take."""
    return max(4, min(128, int(rate * 3) + 1))


def slices_write(
    scenario_file: Path, slices: Path, *, connections: int, share: int, start: int
) -> None:
    """Cut the scenario into the lines each connection sends, in order:
    connection n (from 1) starts (n - 1) / connections of the way from line
    ``start`` and takes ``share`` lines (every line when 0), going round the
    file's end; ``<n>.tsv`` in ``slices`` (bench/scenario.lua reads its own
    only: see there why)."""
    lines = [line for line in scenario_file.read_text().splitlines() if line]
    if not lines:
        raise ValueError(f"{scenario_file} holds no request")
    total = len(lines)
    share = share or total
    shutil.rmtree(slices, ignore_errors=True)
    slices.mkdir(parents=True)
    for n in range(1, connections + 1):
        first = start + (n - 1) * total // connections
        taken = [lines[(first + i) % total] for i in range(share)]
        (slices / f"{n}.tsv").write_text("\n".join(taken) + "\n")


def scenario_run(
    *,
    url: str,
    scenario_file: Path,
    rate: float,
    seconds: int,
    out_file: Path,
    connections: int | None = None,
    timeout_s: float = 5.0,
    per_connection: int = 0,
    start: int = 0,
    filler: str = "",
) -> ScenarioRun:
    """Send the scenario to ``url`` at ``rate`` requests per second for
    ``seconds`` (one wrk thread per connection), or until each connection has
    sent ``per_connection`` requests, from line ``start`` on, and sum up each
    step. With ``per_connection``, a connection that has sent its share asks
    for ``filler`` (a cheap path; answers not counted) until all have, then wrk
    stops: the run lasts as long as the requests took."""
    connections = connections or connections_for(rate)
    Path(f"{out_file}.finished").unlink(missing_ok=True)
    if per_connection:
        share = per_connection
    elif rate > 0:
        # What a connection's pace allows in the run (one request an
        # interval, and the first), and 2 s more: wrk starts a thread once its
        # own init is done, before the run's clock, and stops it at its next
        # timer tick. A connection that went round its share would send its
        # first lines again (a mentorship request already sent, a warm page).
        share = math.ceil((seconds + 2) * rate / connections) + 1
    else:
        share = 0
    slices = Path(f"{out_file}.slices")
    slices_write(
        scenario_file, slices, connections=connections, share=share, start=start
    )
    command = [
        "wrk",
        f"-t{connections}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        f"{max(1, round(timeout_s))}s",
        "-s",
        str(SCENARIO_LUA),
        url,
        "--",
        str(slices),
        str(connections),
        f"{rate:g}",
        str(out_file),
        str(per_connection),
        filler,
    ]
    try:
        out = subprocess.run(  # noqa: S603 - wrk, arguments built here
            command, check=True, capture_output=True, text=True, timeout=seconds + 120
        ).stdout
    finally:
        shutil.rmtree(slices, ignore_errors=True)
    report = json.loads(out.strip().splitlines()[-1])
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter[int]] = defaultdict(Counter)
    for row in out_file.read_text().splitlines():
        step, status, latency_us, _due_us = row.split("\t")
        latencies[step].append(int(latency_us) / 1000)
        statuses[step][int(status)] += 1
    timeout_ms = timeout_s * 1000
    steps = {}
    for step in sorted(latencies, key=step_order):
        times, codes = latencies[step], statuses[step]
        expected = EXPECTED.get(step, frozenset({200}))
        steps[step] = StepResult(
            requests=len(times),
            statuses=dict(sorted(codes.items())),
            p50_ms=percentile(times, 50),
            p95_ms=percentile(times, 95),
            p99_ms=percentile(times, 99),
            server_errors=sum(n for code, n in codes.items() if code >= 500),
            timeouts=sum(1 for t in times if t > timeout_ms),
            unexpected=sum(
                n for code, n in codes.items() if code < 500 and code not in expected
            ),
        )
    every = [t for times in latencies.values() for t in times]
    return ScenarioRun(
        rate=rate,
        seconds=report["duration_us"] / 1e6,
        responses=len(every),
        # wrk's own timeout count is left out: it also counts a connection
        # waiting for its next turn at a low rate. Timeouts are the responses
        # that came after ``timeout_s`` (above).
        socket_errors=report["socket_errors"] - report["timeouts"],
        p50_ms=percentile(every, 50),
        p95_ms=percentile(every, 95),
        p99_ms=percentile(every, 99),
        steps=steps,
    )


def step_order(step: str) -> int:
    return STEPS.index(step) if step in STEPS else len(STEPS)
