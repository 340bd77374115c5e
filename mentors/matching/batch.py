"""The full refresh's engine: blocks of learners scored against every mentor.

Nothing here loops over learners in Python while scoring. The learners are
read straight into arrays; the mentor side becomes tables of rows built with
the criterion functions of ``scoring`` (one row per wanted skill and target
level, one per distinct learner profile of languages, modes and region), so a
block's scores are gathers, sums and one matrix product (the time overlap) and
the formulas stay those of ``scoring`` by construction. Each block keeps only
its learners' top candidates; the mentors are then handed out in the learners'
order, exactly as if they were served one by one (``allocate``).
"""

from __future__ import annotations

import functools
import itertools
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import connection

from ..models import Skill
from . import scoring
from .data import MODE_BITS, Learner, Mentors
from .scoring import Weights

BLOCK = 128  # learners scored together: (BLOCK, mentors) float32 at a time
MAX_LEVEL = 8
WIDTH = MAX_LEVEL + 1  # rows per skill in the skill tables: target 0 … 8


@dataclass
class LearnerArrays:
    """Every active learner, as flat arrays (row i = learner i)."""

    user_ids: np.ndarray  # int64 (L,)
    n_skills: np.ndarray  # int64 (L,)
    keys: np.ndarray  # int64 (L, S): skill × WIDTH + target; padding -1 (the
    # skill tables' last row, all zeros)
    profile: np.ndarray  # int64 (L,): row of `profiles`
    profiles: list[tuple[frozenset[str], int, str]]  # (languages, modes, region)
    hours: np.ndarray  # float32 (L, 168): preferred UTC hours / their number
    timed: np.ndarray  # bool (L,): the learner gave preferred hours
    # Pairs never suggested (the learner themself, blocks either way, pending
    # requests, active mentorships), as (learner row, mentor user id):
    excluded_rows: np.ndarray  # int64 (X,), ascending
    excluded_users: np.ndarray  # int64 (X,)

    def __len__(self) -> int:
        return int(self.user_ids.shape[0])

    def learner(self, row: int) -> Learner:
        """One learner as the per-learner code (reasons) expects it."""
        keys = self.keys[row, : self.n_skills[row]]
        languages, modes, region = self.profiles[int(self.profile[row])]
        hours = self.hours[row] > 0
        return Learner(
            user_id=int(self.user_ids[row]),
            skills=[(int(k) // WIDTH, 0, int(k) % WIDTH) for k in keys],
            languages=languages,
            region=region,
            modes=modes,
            hours_utc=hours,
            has_windows=bool(self.timed[row]),
        )


@functools.lru_cache(maxsize=64)
def _utc_hours(time_zone: str, monday: str) -> np.ndarray:
    """Local hour of the week → UTC hour of the week, for the week of
    ``monday`` (so daylight saving time follows the current season)."""
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("Europe/Paris")
    start = datetime.fromisoformat(monday).replace(tzinfo=zone)
    mapping = np.zeros(168, dtype=np.int64)
    for hour in range(168):
        utc = (start + timedelta(hours=hour)).astimezone(UTC)
        mapping[hour] = utc.weekday() * 24 + utc.hour
    return mapping


def load_learner_arrays() -> LearnerArrays:
    """Read every active learner in three queries, straight into arrays."""
    index = {
        pk: i
        for i, pk in enumerate(
            Skill.objects.order_by("id").values_list("pk", flat=True)
        )
    }
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id, p.user_id, p.languages, p.region, p.modes,
                   p.time_windows, u.time_zone
            FROM mentors_learnerprofile p
            JOIN accounts_user u ON u.id = p.user_id
            WHERE u.is_active
            ORDER BY p.user_id
            """
        )
        rows = cursor.fetchall()
        cursor.execute(
            """
            SELECT s.profile_id, s.skill_id, s.target_level
            FROM mentors_learnerskill s
            JOIN mentors_learnerprofile p ON p.id = s.profile_id
            JOIN accounts_user u ON u.id = p.user_id
            WHERE u.is_active
            ORDER BY s.profile_id, s.skill_id
            """
        )
        skill_rows = cursor.fetchall()
    n = len(rows)
    position = {row[0]: i for i, row in enumerate(rows)}
    n_skills = np.zeros(n, dtype=np.int64)
    for profile_id, _skill, _target in skill_rows:
        n_skills[position[profile_id]] += 1
    keys = np.full((n, max(int(n_skills.max(initial=0)), 1)), -1, dtype=np.int64)
    seen = np.zeros(n, dtype=np.int64)
    for profile_id, skill_id, target in skill_rows:
        i = position[profile_id]
        level = min(max(int(target), 1), MAX_LEVEL)
        keys[i, seen[i]] = index[skill_id] * WIDTH + level
        seen[i] += 1
    profiles: dict[tuple[frozenset[str], int, str], int] = {}
    profile = np.zeros(n, dtype=np.int64)
    hours = np.zeros((n, 168), dtype=np.float32)
    monday = datetime.now(UTC).date()
    monday = monday - timedelta(days=monday.weekday())
    for i, (_pk, _uid, languages, region, modes, windows, time_zone) in enumerate(rows):
        key = (
            frozenset(languages),
            sum(MODE_BITS.get(m, 0) for m in modes),
            region,
        )
        profile[i] = profiles.setdefault(key, len(profiles))
        if windows:
            hours[i, _utc_hours(time_zone, monday.isoformat())[windows]] = 1.0
    chosen = hours.sum(axis=1)
    timed = chosen > 0
    hours[timed] /= chosen[timed, None]
    user_ids = np.array([row[1] for row in rows], dtype=np.int64)
    excluded_rows, excluded_users = _excluded(user_ids)
    return LearnerArrays(
        user_ids=user_ids,
        n_skills=n_skills,
        keys=keys,
        profile=profile,
        profiles=list(profiles),
        hours=hours,
        timed=timed,
        excluded_rows=excluded_rows,
        excluded_users=excluded_users,
    )


def arrays_from_learners(
    learners: list[Learner], excluded: dict[int, set[int]]
) -> LearnerArrays:
    """The same arrays from ``Learner`` objects (tests, the benchmark's bound):
    ``excluded`` maps a learner's user id to mentor user ids."""
    n = len(learners)
    n_skills = np.array([len(lr.skills) for lr in learners], dtype=np.int64)
    keys = np.full((n, max(int(n_skills.max(initial=0)), 1)), -1, dtype=np.int64)
    profiles: dict[tuple[frozenset[str], int, str], int] = {}
    profile = np.zeros(n, dtype=np.int64)
    hours = np.zeros((n, 168), dtype=np.float32)
    rows: list[int] = []
    users: list[int] = []
    for i, lr in enumerate(learners):
        for j, (skill, _current, target) in enumerate(lr.skills):
            keys[i, j] = skill * WIDTH + target
        profile[i] = profiles.setdefault(
            (lr.languages, lr.modes, lr.region), len(profiles)
        )
        if lr.has_windows and lr.hours_utc.any():
            hours[i] = lr.hours_utc / lr.hours_utc.sum()
        for mentor in sorted({lr.user_id, *excluded.get(lr.user_id, ())}):
            rows.append(i)
            users.append(mentor)
    return LearnerArrays(
        user_ids=np.array([lr.user_id for lr in learners], dtype=np.int64),
        n_skills=n_skills,
        keys=keys,
        profile=profile,
        profiles=list(profiles),
        hours=hours,
        timed=hours.sum(axis=1) > 0,
        excluded_rows=np.array(rows, dtype=np.int64),
        excluded_users=np.array(users, dtype=np.int64),
    )


def _excluded(user_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(learner row, mentor user id) of every pair never to suggest, for all
    learners at once: blocks either way, pending requests, active mentorships."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT blocker_id, blocked_id FROM mentors_block
            UNION SELECT blocked_id, blocker_id FROM mentors_block
            UNION SELECT learner_id, mentor_id FROM mentors_mentorshiprequest
                  WHERE status = 'pending'
            UNION SELECT learner_id, mentor_id FROM mentors_mentorship
                  WHERE status = 'active'
            """
        )
        pairs = cursor.fetchall()
    learners = np.array([p[0] for p in pairs], dtype=np.int64)
    mentors = np.array([p[1] for p in pairs], dtype=np.int64)
    # Every learner is excluded from their own list (a mentor may also learn).
    learners = np.concatenate([learners, user_ids])
    mentors = np.concatenate([mentors, user_ids])
    rows = np.searchsorted(user_ids, learners)
    known = (rows < user_ids.shape[0]) & (
        user_ids[np.minimum(rows, max(user_ids.shape[0] - 1, 0))] == learners
    )
    rows, mentors = rows[known], mentors[known]
    order = np.argsort(rows, kind="stable")
    return rows[order], mentors[order]


@dataclass
class Tables:
    """The mentor side of one refresh (mentors × weights × learner profiles)."""

    fit: np.ndarray  # float32 (S × WIDTH + 1, M): skill fit of one wanted skill
    gap: np.ndarray  # float32 (S × WIDTH + 1, M): level gap of one wanted skill
    language: np.ndarray  # float32 (U, M)
    mode: np.ndarray  # float32 (U, M)
    valid: np.ndarray  # bool (U, M): language and mode must-haves
    capacity: np.ndarray  # float32 (M,)
    responsiveness: np.ndarray  # float32 (M,)
    const: np.ndarray  # float32 (M,): capacity and responsiveness, weighted
    user_ids: np.ndarray  # int64 (M,)
    profile_ids: np.ndarray  # int64 (M,)
    weights: Weights
    total_weight: float
    # The excluded pairs among candidates: learner row i's mentor columns are
    # excluded_cols[excluded_ptr[i] : excluded_ptr[i + 1]].
    excluded_ptr: np.ndarray  # int64 (L + 1,)
    excluded_cols: np.ndarray  # int64 (X,)


def _one(**kwargs: object) -> Learner:
    values: dict[str, object] = {
        "user_id": 0,
        "skills": [],
        "languages": frozenset(),
        "region": "",
        "modes": 0,
        "hours_utc": np.zeros(168, dtype=bool),
        "has_windows": False,
    }
    values.update(kwargs)
    return Learner(**values)  # type: ignore[arg-type]


def skill_tables(mentors: Mentors) -> tuple[np.ndarray, np.ndarray]:
    """One row per (skill, target) of skill fit and of level gap, from the
    criterion functions on one-skill learners; the criteria are means over the
    wanted skills, hence means of these rows. Cached with the mentor matrix."""
    cached = mentors.__dict__.get("_skill_tables")
    if cached is not None:
        return cached
    n_skills = mentors.levels.shape[1]
    fit = np.zeros((n_skills * WIDTH + 1, len(mentors)), dtype=np.float32)
    gap = np.zeros_like(fit)
    for skill, target in itertools.product(range(n_skills), range(1, WIDTH)):
        one = _one(skills=[(skill, 0, target)])
        fit[skill * WIDTH + target] = scoring.skill_fit(one, mentors)
        gap[skill * WIDTH + target] = scoring.level_gap(one, mentors)
    mentors.__dict__["_skill_tables"] = (fit, gap)
    return fit, gap


def tables(mentors: Mentors, learners: LearnerArrays, weights: Weights) -> Tables:
    w = weights.weights
    fit, gap = skill_tables(mentors)
    m = len(mentors)
    u = len(learners.profiles)
    language = np.zeros((u, m), dtype=np.float32)
    mode = np.zeros((u, m), dtype=np.float32)
    for row, (languages, modes, region) in enumerate(learners.profiles):
        one = _one(languages=languages, modes=modes, region=region)
        language[row] = scoring.language(one, mentors)
        mode[row] = scoring.mode_place(one, mentors)
    valid = np.ones((u, m), dtype=bool)
    if weights.must_language:
        valid &= language > 0
    if weights.must_mode_place:
        valid &= mode > 0
    # Excluded pairs as mentor columns (only candidates matter).
    by_user = np.argsort(mentors.user_ids, kind="stable")
    sorted_users = mentors.user_ids[by_user]
    at = np.searchsorted(sorted_users, learners.excluded_users)
    at = np.minimum(at, max(m - 1, 0))
    hit = (
        sorted_users[at] == learners.excluded_users
        if m
        else np.zeros(at.shape, dtype=bool)
    )
    excluded_rows = learners.excluded_rows[hit]
    excluded_cols = by_user[at[hit]] if m else at[hit]
    excluded_ptr = np.zeros(len(learners) + 1, dtype=np.int64)
    np.cumsum(np.bincount(excluded_rows, minlength=len(learners)), out=excluded_ptr[1:])
    anyone = _one()
    capacity = scoring.capacity(anyone, mentors).astype(np.float32)
    responsiveness = scoring.responsiveness(anyone, mentors).astype(np.float32)
    return Tables(
        fit=fit,
        gap=gap,
        language=language,
        mode=mode,
        valid=valid,
        capacity=capacity,
        responsiveness=responsiveness,
        const=(w["capacity"] * capacity + w["responsiveness"] * responsiveness).astype(
            np.float32
        ),
        user_ids=mentors.user_ids,
        profile_ids=mentors.profile_ids,
        weights=weights,
        total_weight=float(sum(w.values())),
        excluded_ptr=excluded_ptr,
        excluded_cols=excluded_cols.astype(np.int64),
    )


def _mean_rows(table: np.ndarray, keys: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Mean over each learner's wanted skills of ``table[key]`` (0 without any)."""
    out = table[keys[:, 0]].copy()
    for j in range(1, keys.shape[1]):
        out += table[keys[:, j]]
    out /= np.maximum(n, 1).astype(np.float32)[:, None]
    return out


def block_scores(
    t: Tables,
    a: LearnerArrays,
    rows: np.ndarray,
    mentors: Mentors,
) -> tuple[np.ndarray, np.ndarray]:
    """Total score (float32) and must-haves of learners ``rows`` against every
    mentor, the learner themself and the excluded pairs masked out."""
    w = t.weights.weights
    keys = a.keys[rows]
    n = a.n_skills[rows]
    fit = _mean_rows(t.fit, keys, n)
    total = fit * np.float32(w["skill_fit"])
    if w["level_gap"]:
        total += np.float32(w["level_gap"]) * _mean_rows(t.gap, keys, n)
    profile = a.profile[rows]
    if w["language"]:
        total += np.float32(w["language"]) * t.language[profile]
    if w["mode_place"]:
        total += np.float32(w["mode_place"]) * t.mode[profile]
    total += t.const
    if w["time_overlap"]:
        timed = a.timed[rows]
        total += np.float32(w["time_overlap"]) * (
            a.hours[rows] @ mentors.availability_t
        )
        total += (np.float32(0.5 * w["time_overlap"]) * ~timed)[:, None]
    if t.total_weight:
        total /= np.float32(t.total_weight)
    else:
        total[:] = 0
    np.clip(total, 0, 1, out=total)
    valid = t.valid[profile]
    if t.weights.must_skill:
        valid &= fit > 0
    lo, counts = t.excluded_ptr[rows], np.diff(t.excluded_ptr)[rows]
    if counts.any():
        starts = np.cumsum(counts) - counts
        entry = np.arange(counts.sum()) - np.repeat(starts - lo, counts)
        valid[np.repeat(np.arange(rows.shape[0]), counts), t.excluded_cols[entry]] = (
            False
        )
    return total, valid


def top_k(
    total: np.ndarray, valid: np.ndarray, k: int, tie: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's best ``k`` valid columns by score then ``tie`` ascending:
    (columns, scores), both (rows, k), column -1 where there are fewer. A
    row's k-th best is at least the k-th best of its chunk maxima, so only the
    few entries above that threshold are sorted."""
    rows, m = total.shape
    cols = np.full((rows, k), -1, dtype=np.int64)
    scores = np.zeros((rows, k), dtype=np.float32)
    if not m or not rows or not k:
        return cols, scores
    masked = np.where(valid, total, np.float32(-1))
    chunk = max(1, m // (16 * k))
    whole = m - m % chunk
    maxima = masked[:, :whole].reshape(rows, whole // chunk, chunk).max(axis=2)
    if whole < m:
        maxima = np.concatenate([maxima, masked[:, whole:].max(axis=1)[:, None]], 1)
    kk = min(k, maxima.shape[1])
    threshold = np.partition(maxima, maxima.shape[1] - kk, axis=1)[:, -kk]
    threshold = np.maximum(threshold, 0)
    row, col = np.nonzero((masked >= threshold[:, None]) & valid)
    score = masked[row, col]
    order = np.lexsort((tie[col], -score, row))
    row, col, score = row[order], col[order], score[order]
    first = np.searchsorted(row, np.arange(rows))
    place = np.arange(row.shape[0]) - first[row]
    keep = place < k
    cols[row[keep], place[keep]] = col[keep]
    scores[row[keep], place[keep]] = score[keep]
    return cols, scores


@dataclass
class Allocation:
    """The outcome of a full refresh, before it is written."""

    cols: np.ndarray  # int64 (L, TOP): granted mentor columns, -1 padding
    scores: np.ndarray  # float32 (L, TOP)
    used: np.ndarray  # int64 (M,): top lists each mentor is in
    scored_blocks: int = 0
    rescored_rows: int = 0


def _grant(
    cand: np.ndarray,
    taken: np.ndarray,
    need: np.ndarray,
    room: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Hand out candidates to a block's learners in row order, as if served one
    by one: each learner takes their best candidates still with room, at most
    ``need``. Returns (take mask over ``cand``, last row that may still get
    each mentor). Fixed point: when a mentor runs out at some row, the later
    rows lose it and take their next candidates, which only adds takers to
    other mentors, so the rows where mentors run out only move earlier."""
    rows = cand.shape[0]
    row_index = np.arange(rows)[:, None]
    last_row = np.where(room > 0, rows, -1)
    while True:
        ok = (cand >= 0) & ~taken
        ok &= last_row[np.maximum(cand, 0)] >= row_index
        take = ok & (np.cumsum(ok, axis=1) <= need[:, None])
        r, c = np.nonzero(take)  # row-major: rows ascending
        mentor = cand[r, c]
        order = np.argsort(mentor, kind="stable")
        mentor_sorted, rows_sorted = mentor[order], r[order]
        starts = np.searchsorted(mentor_sorted, mentor_sorted)
        nth = np.arange(mentor_sorted.shape[0]) - starts + 1
        over = nth > room[mentor_sorted]
        if not over.any():
            return take, last_row
        # The first taker beyond the room of each such mentor, and after.
        first_over = np.full(room.shape[0], rows, dtype=np.int64)
        np.minimum.at(first_over, mentor_sorted[over], rows_sorted[over])
        last_row = np.minimum(last_row, first_over - 1)


def allocate(
    t: Tables,
    a: LearnerArrays,
    mentors: Mentors,
    *,
    quota: np.ndarray,
    order: np.ndarray,
    rounds: tuple[int, ...],
    top: int,
    block: int = BLOCK,
) -> Allocation:
    """Every learner's top list, exposure enforced globally: ``rounds`` are
    cumulative list lengths (e.g. 3 then 10): everyone is served up to the
    first before anyone gets more, in ``order``. Blocks of learners keep their
    best ``top`` candidates; a learner whose candidates all ran out while more
    mentors might suit is scored again against those with room."""
    n, m = len(a), len(mentors)
    result = Allocation(
        cols=np.full((n, top), -1, dtype=np.int64),
        scores=np.zeros((n, top), dtype=np.float32),
        used=np.zeros(m, dtype=np.int64),
    )
    count = np.zeros(n, dtype=np.int64)
    cand_cols = np.full((n, top), -1, dtype=np.int64)
    cand_scores = np.zeros((n, top), dtype=np.float32)
    scored = np.zeros(n, dtype=bool)
    for limit in rounds:
        limit = min(limit, top)
        for lo in range(0, n, block):
            room = quota - result.used
            if not (room > 0).any():
                break
            rows = order[lo : lo + block]
            rows = rows[count[rows] < limit]
            if not rows.size:
                continue
            fresh = rows[~scored[rows]]
            if fresh.size:
                cols, scores = _score_rows(t, a, mentors, fresh, room, None, top)
                cand_cols[fresh], cand_scores[fresh] = cols, scores
                scored[fresh] = True
                result.scored_blocks += 1
            while True:
                cand = cand_cols[rows]
                taken = _is_taken(cand, result.cols[rows])
                need = limit - count[rows]
                take, last_row = _grant(cand, taken, need, room)
                got = take.sum(axis=1)
                short = (got < need) & (cand[:, -1] >= 0)
                if not short.any():
                    break
                # Candidates ran out for these rows; more mentors may suit.
                redo = np.flatnonzero(short)
                cols, scores = _score_rows(
                    t,
                    a,
                    mentors,
                    rows[redo],
                    room,
                    (last_row, redo, result.cols[rows[redo]]),
                    top,
                )
                result.rescored_rows += redo.size
                stale = (cols == cand_cols[rows[redo]]).all(axis=1)
                cand_cols[rows[redo]], cand_scores[rows[redo]] = cols, scores
                if stale.all():
                    break
            r, c = np.nonzero(take)
            learner = rows[r]
            slot = count[learner] + (np.cumsum(take, axis=1)[r, c] - 1)
            result.cols[learner, slot] = cand_cols[learner, c]
            result.scores[learner, slot] = cand_scores[learner, c]
            np.add.at(count, learner, 1)
            result.used += np.bincount(cand_cols[learner, c], minlength=m)
    # Each list best first (a later round's mentors may score higher).
    r, c = np.nonzero(result.cols >= 0)
    cols, scores = result.cols[r, c], result.scores[r, c]
    order_all = np.lexsort((t.profile_ids[cols], -scores, r))
    result.cols[r, c] = cols[order_all]
    result.scores[r, c] = scores[order_all]
    return result


def _is_taken(cand: np.ndarray, granted: np.ndarray) -> np.ndarray:
    """Candidates already in the learner's list (from an earlier round)."""
    return (cand[:, :, None] == granted[:, None, :]).any(axis=2) & (cand >= 0)


def _score_rows(
    t: Tables,
    a: LearnerArrays,
    mentors: Mentors,
    rows: np.ndarray,
    room: np.ndarray,
    again: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    top: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The best ``top`` candidates of ``rows`` among the mentors with room;
    ``again`` = (last row per mentor, the rows' positions in their block,
    their lists so far) when scoring again inside a block."""
    total, valid = block_scores(t, a, rows, mentors)
    valid &= room > 0
    if again is not None:
        last_row, positions, granted = again
        valid &= last_row[None, :] >= positions[:, None]
        for b, cols in enumerate(granted):
            valid[b, cols[cols >= 0]] = False
    return top_k(total, valid, top, t.profile_ids)


def breakdown(
    t: Tables, a: LearnerArrays, mentors: Mentors, rows: np.ndarray, cols: np.ndarray
) -> dict[str, np.ndarray]:
    """Each criterion for the pairs (rows[i], cols[i]), from the same tables."""
    keys = a.keys[rows]
    n = np.maximum(a.n_skills[rows], 1)
    fit = t.fit[keys, cols[:, None]].sum(axis=1) / n
    gap = t.gap[keys, cols[:, None]].sum(axis=1) / n
    profile = a.profile[rows]
    time = np.empty(rows.shape[0], dtype=np.float64)
    for start in range(0, rows.shape[0], 50_000):
        part = slice(start, start + 50_000)
        time[part] = np.einsum(
            "ij,ji->i",
            a.hours[rows[part]],
            mentors.availability_t[:, cols[part]],
        )
    time = np.where(a.timed[rows], time, 0.5)
    return {
        "skill_fit": fit,
        "level_gap": gap,
        "language": t.language[profile, cols],
        "mode_place": t.mode[profile, cols],
        "time_overlap": time,
        "capacity": t.capacity[cols],
        "responsiveness": t.responsiveness[cols],
    }


def blocks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))
