"""Refreshing the stored suggestions: one learner, or everyone."""

from __future__ import annotations

import itertools
import time
from datetime import date, datetime
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from matching.models import MatchingWeights, MatchSuggestion

from . import batch
from .data import Learner, Mentors, cached_mentors, excluded_pairs, load_learners
from .reasons import reasons_for_rows, reasons_json_for_pairs
from .scoring import CRITERIA, Weights, score

TOP = 10
_LOCK_KEY = 7_202_611  # one advisory lock for every refresh (exposure counts)


def current_weights() -> Weights:
    row = MatchingWeights.objects.order_by("-pk").first()
    if row is None:
        row = MatchingWeights.objects.create()
    return Weights(
        version=row.pk,
        weights=row.as_dict(),
        must_language=row.must_language,
        must_mode_place=row.must_mode_place,
        must_skill=row.must_skill,
    )


def _quota(mentors: Mentors) -> np.ndarray:
    """How many learners' top lists each mentor may appear in."""
    return settings.MATCHING_EXPOSURE_K * np.maximum(mentors.remaining, 0)


def _pick(
    learner: Learner,
    mentors: Mentors,
    weights: Weights,
    excluded: set[int],
    used: np.ndarray,
    quota: np.ndarray,
) -> list[MatchSuggestion]:
    total, parts, valid = score(learner, mentors, weights)
    valid &= used < quota
    if excluded:
        valid &= ~np.isin(mentors.user_ids, list(excluded))
    valid &= mentors.user_ids != learner.user_id
    candidates = np.flatnonzero(valid)
    if not candidates.size:
        return []
    k = min(TOP, candidates.size)
    best = candidates[np.argpartition(-total[candidates], k - 1)[:k]]
    best = best[np.lexsort((mentors.profile_ids[best], -total[best]))]
    now = timezone.now()
    reasons = reasons_for_rows(learner, mentors, best)
    picked = []
    for rank, row in enumerate(best, start=1):
        used[row] += 1
        picked.append(
            MatchSuggestion(
                learner_id=learner.user_id,
                mentor_profile_id=int(mentors.profile_ids[row]),
                rank=rank,
                score=round(float(total[row]), 4),
                breakdown={
                    name: round(float(parts[name][row]), 3) for name in CRITERIA
                },
                reasons=reasons[rank - 1],
                weights_version=weights.version,
                computed_at=now,
            )
        )
    return picked


def _exposure(mentors: Mentors) -> np.ndarray:
    """Top lists each candidate mentor is in now (the trigger-kept table, read
    as two arrays: one query, no model instances)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(array_agg(mentor_profile_id), '{}'),"
            " coalesce(array_agg(shown), '{}')"
            " FROM mentors_matchexposure WHERE shown > 0"
        )
        ids, shown = cursor.fetchone()
    used = np.zeros(len(mentors), dtype=np.int64)
    if ids and len(mentors):
        ids_array = np.array(ids, dtype=np.int64)
        at = np.searchsorted(mentors.profile_ids, ids_array)
        at_clipped = np.minimum(at, len(mentors) - 1)
        hit = mentors.profile_ids[at_clipped] == ids_array
        used[at_clipped[hit]] = np.array(shown, dtype=np.int64)[hit]
    return used


@transaction.atomic
def suggestions_refresh_for_learner(*, learner_id: int) -> int:
    """Recompute one learner's top list, respecting the exposure counts of the
    others (taken under an advisory lock). Idempotent."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    MatchSuggestion.objects.filter(learner_id=learner_id).delete()
    learners = load_learners([learner_id])
    if not learners:
        return 0
    mentors = cached_mentors()
    picked = _pick(
        learners[0],
        mentors,
        current_weights(),
        excluded_pairs([learner_id])[learner_id],
        _exposure(mentors),
        _quota(mentors),
    )
    MatchSuggestion.objects.bulk_create(picked)
    return len(picked)


_STAGE_COLUMNS = (
    "learner_id",
    "mentor_profile_id",
    "rank",
    "score",
    "breakdown",
    "reasons",
    "weights_version",
    "computed_at",
)
_STAGE_SQL = """
CREATE TEMPORARY TABLE IF NOT EXISTS matching_stage (
    learner_id bigint NOT NULL,
    mentor_profile_id bigint NOT NULL,
    rank smallint NOT NULL,
    score double precision NOT NULL,
    breakdown jsonb NOT NULL,
    reasons jsonb NOT NULL,
    weights_version integer NOT NULL,
    computed_at timestamptz NOT NULL
)
"""
_UPSERT_SQL = """
INSERT INTO mentors_matchsuggestion ({columns})
SELECT {columns} FROM matching_stage ORDER BY learner_id, rank
ON CONFLICT (learner_id, rank) DO UPDATE SET
    mentor_profile_id = EXCLUDED.mentor_profile_id,
    score = EXCLUDED.score,
    breakdown = EXCLUDED.breakdown,
    reasons = EXCLUDED.reasons,
    weights_version = EXCLUDED.weights_version,
    computed_at = EXCLUDED.computed_at
WHERE (mentors_matchsuggestion.mentor_profile_id, mentors_matchsuggestion.score,
       mentors_matchsuggestion.breakdown, mentors_matchsuggestion.reasons,
       mentors_matchsuggestion.weights_version)
   IS DISTINCT FROM (EXCLUDED.mentor_profile_id, EXCLUDED.score,
       EXCLUDED.breakdown, EXCLUDED.reasons, EXCLUDED.weights_version)
""".format(columns=", ".join(_STAGE_COLUMNS))
_PRUNE_SQL = """
DELETE FROM mentors_matchsuggestion s
WHERE s.learner_id = ANY(%s)
  AND NOT EXISTS (SELECT 1 FROM matching_stage t
                  WHERE t.learner_id = s.learner_id AND t.rank = s.rank)
"""
# Lists of people who are no longer active learners.
_DEPARTED_SQL = """
DELETE FROM mentors_matchsuggestion s
WHERE NOT EXISTS (SELECT 1 FROM mentors_learnerprofile p
                  JOIN accounts_user u ON u.id = p.user_id
                  WHERE p.user_id = s.learner_id AND u.is_active)
"""
WRITE_BLOCK = 5000  # learners per write transaction


def _write_block(
    cursor: Any,
    a: batch.LearnerArrays,
    rows: np.ndarray,
    staged: list[tuple[Any, ...]],
) -> None:
    """Replace the lists of learners ``rows`` by ``staged``, in one transaction:
    COPY into a temporary table, prune the ranks that are gone, upsert on
    (learner, rank), rows that did not change left untouched."""
    with transaction.atomic():
        cursor.execute("TRUNCATE matching_stage")
        copy_sql = f"COPY matching_stage ({', '.join(_STAGE_COLUMNS)}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for row in staged:
                copy.write_row(row)
        cursor.execute(_PRUNE_SQL, [a.user_ids[rows].tolist()])
        cursor.execute(_UPSERT_SQL)


def suggestions_refresh_all() -> dict[str, Any]:
    """The nightly full refresh: every learner, exposure enforced globally.

    Learners are served in rounds (``MATCHING_ROUNDS``: everyone up to 3
    suggestions before anyone gets more), in an order that changes every day,
    so that when places are scarce the same learners are not always last.
    Scored in blocks (``batch``), written in blocks of learners, each in its own
    transaction, by upsert; under a session advisory lock (single refreshes
    wait). Idempotent (same day, same data: same rows, none rewritten) and
    safe to restart: a block is written whole or not at all, and the exposure
    counts follow the rows through the table's triggers."""
    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = timings.get(name, 0.0) + now - clock
        clock = now

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_LOCK_KEY])
        try:
            mentors = cached_mentors()
            weights = current_weights()
            learners = batch.load_learner_arrays()
            lap("read_s")
            t = batch.tables(mentors, learners, weights)
            rng = np.random.default_rng(date.today().toordinal())
            result = batch.allocate(
                t,
                learners,
                quota=_quota(mentors),
                order=rng.permutation(len(learners)),
                rounds=tuple(settings.MATCHING_ROUNDS),
                top=TOP,
            )
            lap("score_s")
            cursor.execute(_STAGE_SQL)
            now = timezone.now()
            for part in batch.blocks(len(learners), WRITE_BLOCK):
                rows = np.arange(part.start, part.stop)
                staged = _staged_rows(t, learners, mentors, result, rows, now)
                lap("score_s")
                _write_block(cursor, learners, rows, staged)
                lap("write_s")
            with transaction.atomic():
                cursor.execute(_DEPARTED_SQL)
            lap("write_s")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])
    counts = (result.cols >= 0).sum(axis=1)
    return {
        "learners": len(learners),
        "suggestions": int(counts.sum()),
        "learners_served": int((counts > 0).sum()),
        "mentors_shown": int((result.used > 0).sum()),
        "rescored": result.rescored_rows,
        **{name: round(seconds, 3) for name, seconds in timings.items()},
    }


def _staged_rows(
    t: batch.Tables,
    a: batch.LearnerArrays,
    mentors: Mentors,
    result: batch.Allocation,
    rows: np.ndarray,
    now: datetime,
) -> list[tuple[Any, ...]]:
    """The rows to write for learners ``rows``: score, breakdown, reasons."""
    r, rank = np.nonzero(result.cols[rows] >= 0)
    learner_rows = rows[r]
    cols = result.cols[learner_rows, rank]
    parts = batch.breakdown(t, a, mentors, learner_rows, cols)
    # The breakdown as JSON text: 7 numbers rounded to 3 places.
    columns = [np.round(parts[name].astype(float), 3).tolist() for name in CRITERIA]
    template = "{" + ", ".join(f'"{name}": %r' for name in CRITERIA) + "}"
    breakdowns = [template % values for values in zip(*columns, strict=True)]
    reasons = reasons_json_for_pairs(a, mentors, learner_rows, cols)
    return list(
        zip(
            a.user_ids[learner_rows].tolist(),
            mentors.profile_ids[cols].tolist(),
            (rank + 1).tolist(),
            np.round(result.scores[learner_rows, rank].astype(float), 4).tolist(),
            breakdowns,
            reasons,
            itertools.repeat(t.weights.version),
            itertools.repeat(now),
            strict=False,
        )
    )
