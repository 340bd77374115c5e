"""Matching benchmark: `make bench-matching` (``python -m bench.matching``).

A benchmark, not a test: never part of `make test` or CI. For each size
(10,000 learners × 2,000 mentors and 100,000 × 20,000) it uses a database of its
own on the embedded PostgreSQL (``bench_match_small``, ``bench_match_large``:
seeded once by ``seed_demo --seed 11``, again only when the size changes or with
``--reseed``) and runs three jobs, each in a fresh process with ``DATABASE_URL``
pointing at that database:

1. ``full``: the nightly refresh (``suggestions_refresh_all``), cold. Its
   phases (read, score, write) are timed by the refresh itself and returned in
   its summary; memory is the process's high-water RSS (``ru_maxrss``);
2. ``bound``: an in-memory numpy lower bound of the same scoring (every
   criterion and must-have, in blocks of learners, the top 10 by a threshold
   from chunk maxima then a sort of the few entries above it: no Python loop
   per learner), checked against ``score()`` on a sample of learners;
3. ``single``: ``suggestions_refresh_for_learner`` for ~50 learners on a warm
   mentor cache, after the full refresh (so the table holds its rows).

It prints one phase table per size and the targets with the distance to each.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import itertools
import json
import os
import pstats
import queue
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from unittest import mock
from urllib.parse import quote

import numpy as np

from bench.run import (
    BenchError,
    _manage,
    _psql,
    _socket_dir,
    _vacuum_analyze,
    run_with_services,
    save_figures,
)
from compagnonnage import local_services

if TYPE_CHECKING:
    from matching.engine.data import Learner, Mentors
    from matching.engine.scoring import Weights

BASE_DIR = local_services.BASE_DIR
OUT_DIR = local_services.DATA_DIR / "bench"
SETTINGS = "compagnonnage.settings.local"
SEED = 11
# name: (learners, mentors)
SIZES: dict[str, tuple[int, int]] = {
    "small": (10_000, 2_000),
    "large": (100_000, 20_000),
}

# Targets (issue "Matching", item 7).
SCORE_MAX_RATIO = 3.0  # score phase ≤ 3× the lower bound, at both sizes
END_TO_END_MAX_S = 120.0  # 100,000 × 20,000, end to end
PEAK_MAX_BYTES = 4_000_000_000  # 4 GB (10^9), the process's peak RSS
SINGLE_P50_MAX_MS = 200.0  # one learner, 20,000 mentors, warm cache
TARGET_SIZE = "large"

MB = 1_000_000
P = ParamSpec("P")
R = TypeVar("R")


def _emit(event: str, **payload: Any) -> None:
    """One JSON line on stdout: the worker's only channel to the parent."""
    print(json.dumps({"event": event, **payload}), flush=True)


def rss_peak_bytes() -> int:
    """The process's high-water RSS (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def rss_now_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# --- measuring phases from the outside ------------------------------------


@dataclass
class PhaseStats:
    seconds: float = 0.0
    calls: int = 0
    traced_peak: int = 0  # bytes: tracemalloc's peak while inside a call
    rss_peak: int = 0  # bytes: the process's high-water RSS at the end of a call


class Meter:
    """Wall time, calls and peaks of named phases; phases may nest (a sub-phase
    is also counted in the phase around it)."""

    def __init__(self, *, traced: bool) -> None:
        self.traced = traced
        self.phases: dict[str, PhaseStats] = {}
        self.traced_peak = 0
        self._open: list[PhaseStats] = []

    def _fold(self) -> None:
        """Credit the traced peak since the last fold to every open phase."""
        if not self.traced:
            return
        peak = tracemalloc.get_traced_memory()[1]
        for stats in self._open:
            stats.traced_peak = max(stats.traced_peak, peak)
        self.traced_peak = max(self.traced_peak, peak)
        tracemalloc.reset_peak()

    def enter(self, name: str) -> PhaseStats:
        stats = self.phases.setdefault(name, PhaseStats())
        self._fold()
        self._open.append(stats)
        return stats

    def exit(self, stats: PhaseStats, seconds: float) -> None:
        stats.seconds += seconds
        stats.calls += 1
        self._fold()
        self._open.pop()
        stats.rss_peak = max(stats.rss_peak, rss_peak_bytes())

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        stats = self.enter(name)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.exit(stats, time.perf_counter() - started)

    def wrap(self, name: str, function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def timed(*args: P.args, **kwargs: P.kwargs) -> R:
            stats = self.enter(name)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.exit(stats, time.perf_counter() - started)

        return timed

    def finish(self) -> int:
        self._fold()
        return self.traced_peak


@dataclass
class SqlTimer:
    """Every query of the connection: count and time (execute_wrapper), the
    time in psycopg's client-side parameter binding included."""

    seconds: float = 0.0
    queries: int = 0
    by_statement: dict[str, float] = field(default_factory=dict)

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.seconds += elapsed
            self.queries += 1
            key = " ".join(sql.split())[:90]
            self.by_statement[key] = self.by_statement.get(key, 0.0) + elapsed


def _django_setup() -> None:
    import django

    django.setup()


# --- job: the full refresh --------------------------------------------------


def job_full(args: argparse.Namespace) -> None:
    """The nightly refresh on a cold worker. Its phases (read, score, write) are
    timed by the refresh itself (``perf_counter`` laps, returned in its summary);
    SQL by ``connection.execute_wrapper``; memory as the process's peak RSS."""
    _django_setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count

    from matching.engine import data, refresh
    from matching.models import MatchSuggestion
    from mentors.data_version import mentor_data_version
    from mentors.models import LearnerProfile

    version = mentor_data_version()
    rows_before = MatchSuggestion.objects.count()
    learner_total = LearnerProfile.objects.filter(user__is_active=True).count()
    sql = SqlTimer()
    data._cache.clear()  # a cold worker, as the nightly job's first run
    profiler = cProfile.Profile() if args.profile_to else None
    rss_start = rss_now_bytes()
    with connection.execute_wrapper(sql):
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        summary = refresh.suggestions_refresh_all()
        if profiler:
            profiler.disable()
        wall = time.perf_counter() - started
    rss_peak = rss_peak_bytes()
    _emit("refresh", wall=wall, summary=summary)

    per_learner = list(
        MatchSuggestion.objects.values("learner_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    full = sum(1 for n in per_learner if n >= refresh.TOP)
    result: dict[str, Any] = {
        "wall": wall,
        "summary": summary,
        "rss_start": rss_start,
        "rss_peak": rss_peak,
        "sql_seconds": sql.seconds,
        "sql_queries": sql.queries,
        "slowest_sql_s": _slowest(sql.by_statement, 1.0),
        "rows_before": rows_before,
        "learners_full": full,
        "learners_partial": len(per_learner) - full,
        "learners_none": learner_total - len(per_learner),
        "mentor_data_version": version,
        "exposure_k": _exposure_k(),
        "rounds": list(settings.MATCHING_ROUNDS),
    }
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(40)
        Path(args.profile_to).write_text(out.getvalue())
        result["profile"] = str(args.profile_to)
    _emit("result", job="full", **result)


def _slowest(statements: dict[str, float], scale: float) -> dict[str, float]:
    top = sorted(statements.items(), key=lambda item: -item[1])[:3]
    return {key: seconds * scale for key, seconds in top}


def _exposure_k() -> int:
    from django.conf import settings

    return int(settings.MATCHING_EXPOSURE_K)


# --- job: the in-memory numpy lower bound -----------------------------------


@dataclass
class LearnerArrays:
    """The learners, in the refresh's order, as flat arrays."""

    user_ids: np.ndarray  # int64 (L,)
    n_skills: np.ndarray  # int64 (L,)
    offsets: np.ndarray  # int64 (L + 1,): skill entries of learner i
    combos: np.ndarray  # int64 (E,): skill × (max target + 1) + target
    skills: np.ndarray  # int64 (E,): skill index
    profile: np.ndarray  # int64 (L,): row of (languages, modes, region)
    profiles: list[tuple[frozenset[str], int, str]]
    hours: np.ndarray  # float32 (L, 168): preferred UTC hours / their count
    timed: np.ndarray  # bool (L,): the time criterion applies
    # Pairs never suggested (the learner themself, blocks, requests, mentorships):
    excluded_rows: np.ndarray  # int64 (X,): learner rows, ascending
    excluded_cols: np.ndarray  # int64 (X,): mentor rows
    max_target: int


@dataclass
class MentorTables:
    """Everything that depends only on the mentors and the weights."""

    skill: np.ndarray  # float32 (S × (T + 1), M): w_fit·fit + w_gap·gap, one skill
    cover: np.ndarray  # bool (S, M): the mentor offers the skill
    profile_score: np.ndarray  # float32 (U, M): w_lang·language + w_mode·mode
    profile_valid: np.ndarray  # bool (U, M): the must-haves of those two
    const: np.ndarray  # float32 (M,): capacity and responsiveness, weighted
    availability: np.ndarray  # float32 (168, M)
    user_ids: np.ndarray  # int64 (M,)
    profile_ids: np.ndarray  # int64 (M,)
    w_time: float
    total_weight: float
    skill_sum_is_cover: bool  # w_fit > 0: a positive skill term means covered


def _fake_learner(
    *,
    skills: list[tuple[int, int, int]] | None = None,
    languages: frozenset[str] = frozenset(),
    modes: int = 0,
    region: str = "",
) -> Learner:
    from matching.engine.data import Learner

    return Learner(
        user_id=0,
        skills=skills or [],
        languages=languages,
        region=region,
        modes=modes,
        hours_utc=np.zeros(168, dtype=bool),
        has_windows=False,
    )


def learner_arrays(
    learners: list[Learner], mentors: Mentors, excluded: dict[int, set[int]]
) -> LearnerArrays:
    """Flatten the learner objects (the step a COPY-based reader would skip)."""
    order = sorted(learners, key=lambda learner: (len(learner.skills), learner.user_id))
    max_target = max((t for lr in order for _i, _c, t in lr.skills), default=1)
    n_skills = np.array([len(lr.skills) for lr in order], dtype=np.int64)
    offsets = np.zeros(len(order) + 1, dtype=np.int64)
    np.cumsum(n_skills, out=offsets[1:])
    skills = np.array([i for lr in order for i, _c, _t in lr.skills], dtype=np.int64)
    targets = np.array([t for lr in order for _i, _c, t in lr.skills], dtype=np.int64)
    profile_index: dict[tuple[frozenset[str], int, str], int] = {}
    profile = np.array(
        [
            profile_index.setdefault(
                (lr.languages, lr.modes, lr.region), len(profile_index)
            )
            for lr in order
        ],
        dtype=np.int64,
    )
    timed = np.array(
        [lr.has_windows and bool(lr.hours_utc.any()) for lr in order], dtype=bool
    )
    hours = np.zeros((len(order), 168), dtype=np.float32)
    if order:
        chosen = np.stack([lr.hours_utc for lr in order])
        hours[:] = chosen
        hours /= np.maximum(chosen.sum(axis=1), 1)[:, None]
        hours[~timed] = 0
    column = {int(uid): i for i, uid in enumerate(mentors.user_ids)}
    pairs = sorted(
        (row, column[mentor])
        for row, lr in enumerate(order)
        for mentor in {lr.user_id, *excluded.get(lr.user_id, ())}
        if mentor in column
    )
    return LearnerArrays(
        user_ids=np.array([lr.user_id for lr in order], dtype=np.int64),
        n_skills=n_skills,
        offsets=offsets,
        combos=skills * (max_target + 1) + targets,
        skills=skills,
        profile=profile,
        profiles=list(profile_index),
        hours=hours,
        timed=timed,
        excluded_rows=np.array([p[0] for p in pairs], dtype=np.int64),
        excluded_cols=np.array([p[1] for p in pairs], dtype=np.int64),
        max_target=max_target,
    )


def mentor_tables(
    mentors: Mentors, weights: Weights, learners: LearnerArrays
) -> MentorTables:
    """Per (skill, target) and per (languages, modes, region) rows, computed with
    the project's own criterion functions on one-skill / one-profile learners,
    so the formulas are the same by construction (the criteria are means over
    the wanted skills, hence sums of these rows)."""
    from matching.engine import scoring

    w = weights.weights
    m = len(mentors)
    n_skills = mentors.levels.shape[1]
    width = learners.max_target + 1
    skill = np.zeros((n_skills * width, m), dtype=np.float32)
    for index in range(n_skills):
        for target in range(1, width):
            one = _fake_learner(skills=[(index, 0, target)])
            skill[index * width + target] = w["skill_fit"] * scoring.skill_fit(
                one, mentors
            ) + w["level_gap"] * scoring.level_gap(one, mentors)
    profile_score = np.zeros((len(learners.profiles), m), dtype=np.float32)
    profile_valid = np.ones((len(learners.profiles), m), dtype=bool)
    for row, (languages, modes, region) in enumerate(learners.profiles):
        one = _fake_learner(languages=languages, modes=modes, region=region)
        language = scoring.language(one, mentors)
        mode = scoring.mode_place(one, mentors)
        profile_score[row] = w["language"] * language + w["mode_place"] * mode
        if weights.must_language:
            profile_valid[row] &= language > 0
        if weights.must_mode_place:
            profile_valid[row] &= mode > 0
    anyone = _fake_learner()
    const = w["capacity"] * scoring.capacity(anyone, mentors) + w[
        "responsiveness"
    ] * scoring.responsiveness(anyone, mentors)
    return MentorTables(
        skill=skill,
        cover=(mentors.levels > 0).T.copy(),
        profile_score=profile_score,
        profile_valid=profile_valid,
        const=const.astype(np.float32),
        availability=mentors.availability.T.astype(np.float32),
        user_ids=mentors.user_ids,
        profile_ids=mentors.profile_ids,
        w_time=float(w["time_overlap"]),
        total_weight=float(sum(w.values())),
        skill_sum_is_cover=w["skill_fit"] > 0,
    )


def _skill_terms(
    table: np.ndarray, a: LearnerArrays, keys: np.ndarray, lo: int, hi: int
) -> np.ndarray:
    """Mean (any, for a bool table) over each learner's wanted skills of
    `table[key]`, rows lo:hi: one gather per skill position, as learners come
    in runs of equal skill counts (the refresh serves them by skill count)."""
    m = table.shape[1]
    rows = hi - lo
    out = np.zeros((rows, m), dtype=table.dtype)
    n = a.n_skills[lo:hi]
    cuts = [0, *(np.flatnonzero(np.diff(n)) + 1).tolist(), rows]
    for start, end in itertools.pairwise(cuts):
        count = int(n[start])
        if not count:
            continue
        e0, e1 = int(a.offsets[lo + start]), int(a.offsets[lo + end])
        run_keys = keys[e0:e1].reshape(end - start, count)
        acc = out[start:end]
        for j in range(count):
            if table.dtype == bool:
                acc |= table[run_keys[:, j]]
            else:
                acc += table[run_keys[:, j]]
        if table.dtype != bool and count > 1:
            acc /= np.float32(count)
    return out


def _mask_pairs(valid: np.ndarray, a: LearnerArrays, lo: int, hi: int) -> None:
    """Never the learner themself, nor an excluded mentor."""
    x0, x1 = np.searchsorted(a.excluded_rows, [lo, hi])
    valid[a.excluded_rows[x0:x1] - lo, a.excluded_cols[x0:x1]] = False


def block_scores(
    t: MentorTables, a: LearnerArrays, lo: int, hi: int, must_skill: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Total score and must-haves of learners lo:hi against every mentor."""
    skill_sum = _skill_terms(t.skill, a, a.combos, lo, hi)
    total = t.profile_score[a.profile[lo:hi]]
    total += skill_sum
    total += t.const
    total += t.w_time * (a.hours[lo:hi] @ t.availability)
    total += (0.5 * t.w_time * ~a.timed[lo:hi]).astype(np.float32)[:, None]
    if t.total_weight:
        total /= np.float32(t.total_weight)
    else:
        total[:] = 0
    np.clip(total, 0, 1, out=total)
    valid = t.profile_valid[a.profile[lo:hi]]
    if must_skill:
        if t.skill_sum_is_cover:
            valid &= skill_sum > 0
        else:
            valid &= _skill_terms(t.cover, a, a.skills, lo, hi)
    _mask_pairs(valid, a, lo, hi)
    return total, valid


def top_k(total: np.ndarray, k: int, tie: np.ndarray) -> tuple[np.ndarray, ...]:
    """(row, column, score) of each row's best `k` entries ≥ 0, by score then
    `tie` ascending. A row's k-th best is at least the k-th best of its chunk
    maxima, so only entries above that threshold are sorted."""
    rows, m = total.shape
    chunk = max(1, m // (16 * k))
    whole = m - m % chunk
    maxima = total[:, :whole].reshape(rows, whole // chunk, chunk).max(axis=2)
    if whole < m:
        maxima = np.concatenate([maxima, total[:, whole:].max(axis=1)[:, None]], 1)
    kk = min(k, maxima.shape[1])
    threshold = np.partition(maxima, maxima.shape[1] - kk, axis=1)[:, -kk]
    threshold = np.maximum(threshold, 0)
    row, col = np.nonzero(total >= threshold[:, None])
    score = total[row, col]
    order = np.lexsort((tie[col], -score, row))
    row, col, score = row[order], col[order], score[order]
    first = np.searchsorted(row, np.arange(rows))
    keep = np.arange(row.shape[0]) - first[row] < k
    return row[keep], col[keep], score[keep]


@dataclass
class BoundResult:
    suggestions: int = 0
    learners_full: int = 0
    learners_partial: int = 0
    learners_none: int = 0
    max_over_quota: int = 0


def lower_bound_pick(
    t: MentorTables,
    a: LearnerArrays,
    quota: np.ndarray,
    *,
    top: int,
    block: int,
    must_skill: bool,
    blocks: int | None = None,
) -> BoundResult:
    """Top `top` per learner, blocks of learners in the refresh's order. Exposure
    is enforced per block: mentors whose quota ran out before the block are
    masked; inside a block a mentor may exceed it (reported)."""
    m = t.user_ids.shape[0]
    n = a.user_ids.shape[0]
    if blocks is not None:
        n = min(n, blocks * block)
    k = min(top, m)
    used = np.zeros(m, dtype=np.int64)
    result = BoundResult()
    if not k:
        result.learners_none = n
        return result
    for lo in range(0, n, block):
        hi = min(lo + block, n)
        total, valid = block_scores(t, a, lo, hi, must_skill)
        valid &= used < quota
        np.copyto(total, np.float32(-1), where=~valid)
        row, col, _score = top_k(total, k, t.profile_ids)
        used += np.bincount(col, minlength=m)
        per_learner = np.bincount(row, minlength=hi - lo)
        result.suggestions += int(row.shape[0])
        result.learners_full += int((per_learner == k).sum())
        result.learners_none += int((per_learner == 0).sum())
    result.learners_partial = n - result.learners_full - result.learners_none
    result.max_over_quota = int(np.max(used - quota, initial=0))
    return result


def check_bound(
    t: MentorTables,
    a: LearnerArrays,
    learners: list[Learner],
    mentors: Mentors,
    weights: Weights,
    excluded: dict[int, set[int]],
    samples: int,
) -> dict[str, Any]:
    """The bound against the project's score() on an even sample of learners:
    the scores, the must-haves, and the top 10 (exposure and exclusions aside,
    ties at the 10th place aside)."""
    from matching.engine.refresh import TOP
    from matching.engine.scoring import score

    by_id = {lr.user_id: lr for lr in learners}
    n = a.user_ids.shape[0]
    rows = sorted({int(i) for i in np.linspace(0, n - 1, min(samples, n))}) if n else []
    worst = 0.0
    mismatched = 0
    top_mismatched = 0
    for row in rows:
        learner = by_id[int(a.user_ids[row])]
        expected, _parts, expected_valid = score(learner, mentors, weights)
        expected_valid &= mentors.user_ids != learner.user_id
        if excluded.get(learner.user_id):
            expected_valid &= ~np.isin(
                mentors.user_ids, list(excluded[learner.user_id])
            )
        total, valid = block_scores(t, a, row, row + 1, weights.must_skill)
        worst = max(worst, float(np.max(np.abs(total[0] - expected), initial=0.0)))
        mismatched += int((valid[0] != expected_valid).sum())
        total[~valid] = -1.0
        _r, col, got = top_k(total, TOP, t.profile_ids)
        want = np.sort(expected[expected_valid])[::-1][: col.shape[0]]
        if col.shape[0] != min(TOP, int(expected_valid.sum())) or not np.allclose(
            got, want, atol=1e-5
        ):
            top_mismatched += 1
    return {
        "learners": len(rows),
        "max_abs_diff": worst,
        "valid_mismatches": mismatched,
        "top_mismatches": top_mismatched,
        "ok": worst <= 1e-5 and mismatched == 0 and top_mismatched == 0,
    }


def job_bound(args: argparse.Namespace) -> None:
    """The bound timed without tracemalloc, then once more over its first
    blocks with tracemalloc for its memory (the peak is per block)."""
    _django_setup()
    from matching.engine import data, refresh

    started = time.perf_counter()
    mentors = data.load_mentors()
    learners = data.load_learners()
    excluded = data.excluded_pairs([lr.user_id for lr in learners])
    weights = refresh.current_weights()
    quota = refresh._quota(mentors)
    load_s = time.perf_counter() - started
    phases: dict[str, dict[str, Any]] = {}
    picked = BoundResult()
    traced_blocks = -(-args.traced_batches * 1000 // args.block)
    traced_peak = 0
    for traced in (False, True) if args.traced_batches else (False,):
        if traced:
            tracemalloc.start()  # from here: the bound's own allocations only
        meter = Meter(traced=traced)
        with meter.phase("prep"):
            arrays = learner_arrays(learners, mentors, excluded)
        with meter.phase("bound"):
            with meter.phase("bound · mentor tables"):
                tables = mentor_tables(mentors, weights, arrays)
            with meter.phase("bound · blocks"):
                result = lower_bound_pick(
                    tables,
                    arrays,
                    quota,
                    top=refresh.TOP,
                    block=args.block,
                    must_skill=weights.must_skill,
                    blocks=traced_blocks if traced else None,
                )
        if traced:
            traced_peak = meter.finish()
            tracemalloc.stop()
            for name, stats in meter.phases.items():
                phases[name]["traced_peak"] = stats.traced_peak
        else:
            phases = {name: asdict(s) for name, s in meter.phases.items()}
            picked = result
            rss_peak = rss_peak_bytes()
    check = check_bound(
        tables, arrays, learners, mentors, weights, excluded, args.check
    )
    _emit(
        "result",
        job="bound",
        load_s=load_s,
        phases=phases,
        traced=bool(args.traced_batches),
        traced_peak=traced_peak,
        rss_peak=rss_peak,
        block=args.block,
        mentors=len(mentors),
        learners=len(learners),
        check=check,
        **asdict(picked),
    )


# --- job: one learner at a time ----------------------------------------------


def job_single(args: argparse.Namespace) -> None:
    _django_setup()
    from django.db import connection

    from matching.engine import data, refresh
    from matching.models import MatchSuggestion
    from mentors.data_version import mentor_data_version
    from mentors.models import LearnerProfile

    version = mentor_data_version()
    ids = list(
        LearnerProfile.objects.filter(user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    if not ids:
        raise BenchError("no learners in the database")
    step = max(1, len(ids) // (args.learners + 1))
    sample = ids[step::step][: args.learners]
    rows_in_table = MatchSuggestion.objects.count()
    # Warm the worker: the mentor matrix into the cache, one refresh not counted.
    warm_started = time.perf_counter()
    data.cached_mentors()
    refresh.suggestions_refresh_for_learner(learner_id=ids[0])
    warm_s = time.perf_counter() - warm_started
    meter = Meter(traced=False)
    patches = {
        (refresh, "cached_mentors"): "mentors (cache)",
        (data, "load_mentors"): "load_mentors (cache miss)",
        (refresh, "load_learners"): "load_learners",
        (refresh, "excluded_pairs"): "excluded_pairs",
        (refresh, "current_weights"): "current_weights",
        (refresh, "_pick"): "_pick (score, top 10, reasons)",
        (refresh, "score"): "score()",
    }
    timings: list[float] = []
    statements: dict[str, float] = {}
    sql_ms: list[float] = []
    queries: list[int] = []
    with ExitStack() as stack:
        for (module, name), label in patches.items():
            stack.enter_context(
                mock.patch.object(
                    module, name, meter.wrap(label, getattr(module, name))
                )
            )
        manager = MatchSuggestion.objects
        stack.enter_context(
            mock.patch.object(
                manager, "bulk_create", meter.wrap("bulk_create", manager.bulk_create)
            )
        )
        for learner_id in sample:
            sql = SqlTimer()
            with connection.execute_wrapper(sql):
                started = time.perf_counter()
                refresh.suggestions_refresh_for_learner(learner_id=learner_id)
                timings.append((time.perf_counter() - started) * 1000)
            sql_ms.append(sql.seconds * 1000)
            queries.append(sql.queries)
            for key, seconds in sql.by_statement.items():
                statements[key] = statements.get(key, 0.0) + seconds
    cache_misses = meter.phases.get("load_mentors (cache miss)", PhaseStats()).calls
    _emit(
        "result",
        job="single",
        learners=len(sample),
        mentors=len(data.cached_mentors()),
        rows_in_table=rows_in_table,
        warm_s=warm_s,
        p50_ms=statistics.median(timings),
        p90_ms=float(np.percentile(timings, 90)),
        max_ms=max(timings),
        sql_p50_ms=statistics.median(sql_ms),
        queries_p50=statistics.median(queries),
        cache_misses=cache_misses,
        slowest_sql_mean_ms=_slowest(statements, 1000 / len(sample)),
        mentor_data_version=version,
        phases_mean_ms={
            name: s.seconds * 1000 / len(sample) for name, s in meter.phases.items()
        },
    )


JOBS: dict[str, Callable[[argparse.Namespace], None]] = {
    "full": job_full,
    "bound": job_bound,
    "single": job_single,
}


# --- the parent: databases, workers, report ---------------------------------


def dataset_ensure(
    *,
    socket_dir: str,
    db: str,
    learners: int,
    mentors: int,
    env: dict[str, str],
    reseed: bool = False,
) -> None:
    """Create, migrate and seed unless the database already holds this seed (the
    command line is stored as the database's comment once seeding succeeded)."""
    if db in ("compagnonnage", "compagnonnage_me") or not db.startswith("bench_"):
        raise BenchError(f"refusing to use database {db}")
    marker = f"seed_demo --mentors {mentors} --learners {learners} --seed {SEED}"
    comment_sql = "'seeded:' || coalesce(shobj_description(oid, 'pg_database'), '')"
    sql = f"SELECT {comment_sql} FROM pg_database WHERE datname = '{db}'"  # noqa: S608
    found = _psql(socket_dir, sql)
    exists = found.startswith("seeded:")
    if exists and found.removeprefix("seeded:") == marker and not reseed:
        print(f"  {db}: already seeded ({marker}); migrating only", flush=True)
        _manage(env, "migrate", "--noinput", "-v", "0")
        return
    if exists:
        _psql(socket_dir, f"DROP DATABASE {db} WITH (FORCE)")
    _psql(socket_dir, f"CREATE DATABASE {db}")
    print(f"  {db}: migrating", flush=True)
    _manage(env, "migrate", "--noinput", "-v", "0")
    print(f"  {db}: {marker}", flush=True)
    started = time.monotonic()
    _manage(env, *marker.split(), "-v", "0")
    print(f"  {db}: seeded in {time.monotonic() - started:.0f} s", flush=True)
    _psql(socket_dir, f"COMMENT ON DATABASE {db} IS '{marker}'")


@dataclass
class WorkerRun:
    events: list[dict[str, Any]]
    timed_out: bool
    seconds: float

    def last(self, event: str) -> dict[str, Any] | None:
        return next((e for e in reversed(self.events) if e["event"] == event), None)


def run_worker(
    job: str,
    env: dict[str, str],
    extra: Sequence[str],
    *,
    timeout: float,
    label: str,
) -> WorkerRun:
    """Run one job in its own process; stop it (by its pid) after `timeout` s
    and keep what it reported until then."""
    command = [sys.executable, "-m", "bench.matching", "--job", job, *extra]
    started = time.monotonic()
    proc = subprocess.Popen(  # noqa: S603 - this interpreter and this module
        command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, text=True
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    events: list[dict[str, Any]] = []
    timed_out = False
    last_print = 0.0
    try:
        while True:
            remaining = started + timeout - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            try:
                line = lines.get(timeout=min(remaining, 5))
            except queue.Empty:
                continue
            if line is None:
                break
            if not line.startswith("{"):
                print(f"    {line.rstrip()}", flush=True)
                continue
            event = json.loads(line)
            events.append(event)
            now = time.monotonic()
            if event["event"] == "progress" and now - last_print > 15:
                last_print = now
                print(
                    f"    {label}: {event['learners_scored']:,}/{event['learners']:,} "
                    f"learners in {event['elapsed']:.0f} s (RSS peak "
                    f"{event['rss_peak'] / MB:,.0f} MB)",
                    flush=True,
                )
    finally:
        if proc.poll() is None and timed_out:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        proc.wait()
        reader.join(timeout=5)
    if not timed_out and proc.returncode:
        raise BenchError(f"the {job} job ({label}) exited with {proc.returncode}")
    return WorkerRun(events, timed_out, time.monotonic() - started)


@dataclass
class SizeResult:
    name: str
    learners: int
    mentors: int
    full: dict[str, Any] | None = None
    bound: dict[str, Any] | None = None
    single: dict[str, Any] | None = None


def run_size(name: str, *, socket_dir: str, args: argparse.Namespace) -> SizeResult:
    learners, mentors = SIZES[name]
    db = f"bench_match_{name}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": f"postgres://postgres@/{quote(socket_dir, safe='')}/{db}",
        # As production: no query log kept in memory.
        "DJANGO_DEBUG": "false",
    }
    print(f"\n== {learners:,} learners × {mentors:,} mentors: database {db} ==")
    dataset_ensure(
        socket_dir=socket_dir,
        db=db,
        learners=learners,
        mentors=mentors,
        env=env,
        reseed=args.reseed,
    )
    _vacuum_analyze(socket_dir, db)
    result = SizeResult(name, learners, mentors)
    traced = ["--traced-batches", str(args.traced_batches)]

    print("  full refresh (suggestions_refresh_all), cold worker", flush=True)
    extra: list[str] = []
    if args.profile:
        extra += ["--profile-to", str(OUT_DIR / f"matching-profile-{name}.txt")]
    full = run_worker("full", env, extra, timeout=args.timeout, label="full")
    result.full = full.last("result")
    if full.timed_out:
        print(f"  full refresh stopped after {args.timeout:.0f} s (--timeout)")
    elif result.full:
        print(f"  full refresh: {result.full['wall']:.1f} s")

    print("  lower bound (numpy, in memory)", flush=True)
    bound = run_worker(
        "bound",
        env,
        [*traced, "--block", str(args.block), "--check", str(args.check)],
        timeout=args.timeout,
        label="bound",
    )
    result.bound = bound.last("result")
    if result.bound and not result.bound["check"]["ok"]:
        raise BenchError(f"the lower bound disagrees with score(): {result.bound}")

    print(f"  single learner × {args.single}, warm cache", flush=True)
    single = run_worker(
        "single",
        env,
        ["--learners", str(args.single)],
        timeout=args.timeout,
        label="single",
    )
    result.single = single.last("result")
    print()
    print(phase_table(result))
    return result


# --- report -------------------------------------------------------------------


def _seconds(value: float) -> str:
    return f"{value:,.2f}" if value < 10 else f"{value:,.1f}"


def _mb(value: float) -> str:
    return f"{value / MB:,.0f}"


def _verdict_at_most(value: float, limit: float) -> str:
    if value <= limit:
        return f"pass ({(1 - value / limit) * 100:.0f} % below)"
    return f"**FAIL** ({value / limit:.1f}× the limit)"


def phase_table(r: SizeResult) -> str:
    lines = [
        f"{r.learners:,} learners × {r.mentors:,} mentors",
        "",
        "| phase | seconds | traced peak MB | RSS high-water MB |",
        "|---|---:|---:|---:|",
    ]
    full = r.full
    if full is None:
        lines.append("| full refresh: no figures (stopped or failed) | | | |")
    else:
        summary = full["summary"]
        read, score, write = (summary[k] for k in ("read_s", "score_s", "write_s"))
        lines.append(
            f"| **read** (mentors, learners, exclusions) | {_seconds(read)} | | |"
        )
        lines.append(
            f"| **score** (tables, blocks, exposure, breakdown, reasons) | "
            f"{_seconds(score)} | | |"
        )
        lines.append(f"| **write** (COPY, upsert per block) | {_seconds(write)} | | |")
        other = full["wall"] - read - score - write
        lines.append(f"| other (lock, weights) | {_seconds(other)} | | |")
        lines.append(
            f"| **end to end** | **{_seconds(full['wall'])}** | – | "
            f"{_mb(full['rss_peak'])} |"
        )
    if r.bound:
        b = r.bound
        bp = b["phases"]
        lines.append(
            f"| lower bound (numpy, blocks of {b['block']}) | "
            f"{_seconds(bp['bound']['seconds'])} | "
            f"{_mb(bp['bound']['traced_peak']) if b['traced'] else '–'} | "
            f"{_mb(b['rss_peak'])} |"
        )
        tables = _seconds(bp["bound · mentor tables"]["seconds"])
        lines.append(f"|   of which mentor tables | {tables} | | |")
        lines.append(
            f"|   learner arrays (not in the bound) | {_seconds(bp['prep']['seconds'])}"
            " | | |"
        )
    lines.append("")
    if full:
        summary = full["summary"]
        lines.append(
            f"Refresh: {summary['learners']:,} learners, {summary['suggestions']:,} "
            f"suggestions, {summary['mentors_shown']:,} mentors shown; learners with "
            f"10: {full['learners_full']:,}, 1–9: {full['learners_partial']:,}, none: "
            f"{full['learners_none']:,} (exposure K = {full['exposure_k']}, rounds "
            f"{full['rounds']}; {summary['rescored']:,} learners scored again). SQL "
            f"{full['sql_seconds']:.1f} s in {full['sql_queries']:,} queries; "
            f"{full['rows_before']:,} rows in the table before."
        )
        lines.append(
            "Slowest SQL (s, total): "
            + "; ".join(f"{v:.2f} `{k}`" for k, v in full["slowest_sql_s"].items())
        )
    if r.bound:
        b = r.bound
        c = b["check"]
        lines.append(
            f"Bound: {b['suggestions']:,} suggestions (10: {b['learners_full']:,}, "
            f"1–9: {b['learners_partial']:,}, none: {b['learners_none']:,}; exposure "
            f"per block, worst overshoot {b['max_over_quota']} over a quota); "
            f"checked against score() on {c['learners']} learners: max |Δ| "
            f"{c['max_abs_diff']:.1e}, must-have mismatches {c['valid_mismatches']}, "
            f"top-10 mismatches {c['top_mismatches']}."
        )
    if r.single:
        s = r.single
        lines.append(
            f"Single learner ({s['learners']} learners, {s['mentors']:,} mentors, "
            f"{s['rows_in_table']:,} suggestion rows): p50 {s['p50_ms']:.1f} ms, "
            f"p90 {s['p90_ms']:.1f} ms, max {s['max_ms']:.1f} ms; SQL p50 "
            f"{s['sql_p50_ms']:.1f} ms in {s['queries_p50']:.0f} queries; "
            f"cache misses {s['cache_misses']}; mean per call: "
            + ", ".join(f"{k} {v:.1f} ms" for k, v in s["phases_mean_ms"].items())
        )
        lines.append(
            "Slowest SQL per call (ms): "
            + "; ".join(f"{v:.1f} `{k}`" for k, v in s["slowest_sql_mean_ms"].items())
        )
    return "\n".join(lines)


def targets_table(results: dict[str, SizeResult]) -> str:
    lines = [
        "| figure | size | measured | target | distance |",
        "|---|---|---:|---|---|",
    ]
    for name, r in results.items():
        size = f"{r.learners // 1000:,}k × {r.mentors // 1000:,}k"
        if r.full and r.bound:
            score = r.full["summary"]["score_s"]
            bound = r.bound["phases"]["bound"]["seconds"]
            ratio = score / bound if bound else float("inf")
            lines.append(
                f"| score phase / lower bound | {size} | {ratio:.1f}× "
                f"({_seconds(score)} s / {_seconds(bound)} s) | ≤ "
                f"{SCORE_MAX_RATIO:.0f}× | "
                f"{_verdict_at_most(ratio, SCORE_MAX_RATIO)} |"
            )
        if name != TARGET_SIZE:
            continue
        if r.full:
            lines.append(
                f"| end to end | {size} | {_seconds(r.full['wall'])} s | ≤ "
                f"{END_TO_END_MAX_S:.0f} s | "
                f"{_verdict_at_most(r.full['wall'], END_TO_END_MAX_S)} |"
            )
            lines.append(
                f"| peak memory (process RSS) | {size} | "
                f"{r.full['rss_peak'] / 1e9:.2f} GB | ≤ {PEAK_MAX_BYTES / 1e9:.0f} GB |"
                f" {_verdict_at_most(r.full['rss_peak'], PEAK_MAX_BYTES)} |"
            )
        if r.single:
            p50 = r.single["p50_ms"]
            lines.append(
                f"| single learner p50, warm cache | {r.mentors:,} mentors "
                f"({r.single['mentors']:,} candidates) | "
                f"{p50:.0f} ms | ≤ {SINGLE_P50_MAX_MS:.0f} ms | "
                f"{_verdict_at_most(p50, SINGLE_P50_MAX_MS)} |"
            )
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.matching", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--sizes", nargs="+", choices=sorted(SIZES), default=list(SIZES)
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=900,
        help="seconds before a job is stopped (figures up to then are kept)",
    )
    parser.add_argument("--single", type=int, default=50, help="learners timed alone")
    parser.add_argument("--block", type=int, default=64, help="bound's block size")
    parser.add_argument("--check", type=int, default=25, help="learners checked")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the full refresh (slower: for reading, not for figures)",
    )
    parser.add_argument(
        "--reseed", action="store_true", help="drop and seed the databases again"
    )
    parser.add_argument(
        "--traced-batches",
        type=int,
        default=5,
        help="batches of 1,000 learners in the tracemalloc pass (0: no such pass)",
    )
    # Internal: the worker side.
    parser.add_argument("--job", choices=sorted(JOBS), help=argparse.SUPPRESS)
    parser.add_argument("--learners", type=int, default=50, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", default="", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.job:
        JOBS[args.job](args)
        return 0
    results: dict[str, SizeResult] = {}
    started = datetime.now()

    def bench(state: dict[str, str]) -> None:
        socket_dir = _socket_dir(state["DATABASE_URL"])
        print(
            f"matching benchmark, seed {SEED}; {os.cpu_count()} CPUs shared by the "
            "worker and PostgreSQL"
        )
        for name in sorted(args.sizes, key=lambda n: SIZES[n]):
            results[name] = run_size(name, socket_dir=socket_dir, args=args)
        print()
        print(targets_table(results))

    code = run_with_services(bench)
    if results:
        save_figures(
            "matching",
            {
                "started": started.isoformat(timespec="seconds"),
                "args": vars(args),
                "results": {k: asdict(v) for k, v in results.items()},
            },
        )
    return code


if __name__ == "__main__":
    sys.exit(main())
