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

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection

from mentors.models import Skill

from . import scoring
from .data import MODE_BITS, Learner, Mentors, utc_hour_map
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
    zone: np.ndarray  # int64 (L,): row of `zones`, the learner's time zone
    zones: list[str]
    # Pairs never suggested (the learner themself, blocks either way, pending
    # requests, active mentorships), as (learner row, mentor user id):
    excluded_rows: np.ndarray  # int64 (X,), ascending
    excluded_users: np.ndarray  # int64 (X,)

    def __len__(self) -> int:
        return int(self.user_ids.shape[0])


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
    # The two reads are two snapshots: a profile or skill that appeared in
    # between is left for the next refresh.
    skill_rows = [r for r in skill_rows if r[0] in position and r[1] in index]
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
    zones: dict[str, int] = {}
    zone = np.zeros(n, dtype=np.int64)
    hours = np.zeros((n, 168), dtype=np.float32)
    for i, (_pk, _uid, languages, region, modes, windows, time_zone) in enumerate(rows):
        zone[i] = zones.setdefault(time_zone, len(zones))
        key = (
            frozenset(languages),
            sum(MODE_BITS.get(m, 0) for m in modes),
            region,
        )
        profile[i] = profiles.setdefault(key, len(profiles))
        if windows:
            hours[i, utc_hour_map(time_zone)[windows]] = 1.0
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
        zone=zone,
        zones=list(zones),
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
    zones: dict[str, int] = {}
    zone = np.array(
        [zones.setdefault(lr.time_zone, len(zones)) for lr in learners],
        dtype=np.int64,
    )
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
        zone=zone,
        zones=list(zones),
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
    if not user_ids.size:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
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
class View:
    """What block scoring reads, for a subset of the mentors (all of them at
    first, then only those with room left: scoring cost follows the mentors
    who can still be suggested). Every score row is pre-divided by the total
    weight, so a block's total is a plain sum."""

    columns: np.ndarray  # int64 (m,): the mentors' columns in ``Mentors``
    inverse: np.ndarray  # int64 (M,): column → position here, -1 if absent
    skill: np.ndarray  # float32 (S × WIDTH + 1, m): weighted fit + gap of a skill
    fit: np.ndarray | None  # float32, only when fit weighs 0 but must be > 0
    profile: np.ndarray  # float32 (U, m): weighted language + mode
    valid: np.ndarray  # bool (U, m): the language and mode must-haves
    const: np.ndarray  # float32 (m,): weighted capacity + responsiveness
    availability: np.ndarray  # float32 (168, m), weighted time overlap
    untimed: np.float32  # the weighted time term of a learner without hours
    tie: np.ndarray  # int64 (m,): profile ids (ties go to the older profile)
    must_skill: bool
    # Excluded pairs here: learner row i's positions are
    # excluded_cols[excluded_ptr[i] : excluded_ptr[i + 1]].
    excluded_rows: np.ndarray  # int64 (X,), ascending
    excluded_cols: np.ndarray  # int64 (X,)
    excluded_ptr: np.ndarray  # int64 (L + 1,)

    def __len__(self) -> int:
        return int(self.columns.shape[0])

    def subset(self, keep: np.ndarray) -> View:
        """The same view restricted to positions ``keep`` (ascending)."""
        columns = self.columns[keep]
        inverse = np.full(self.inverse.shape[0], -1, dtype=np.int64)
        inverse[columns] = np.arange(columns.shape[0])
        local = np.full(len(self), -1, dtype=np.int64)
        local[keep] = np.arange(keep.shape[0])
        moved = local[self.excluded_cols]
        kept = moved >= 0
        return View(
            columns=columns,
            inverse=inverse,
            skill=np.ascontiguousarray(self.skill[:, keep]),
            fit=None if self.fit is None else np.ascontiguousarray(self.fit[:, keep]),
            profile=np.ascontiguousarray(self.profile[:, keep]),
            valid=np.ascontiguousarray(self.valid[:, keep]),
            const=self.const[keep],
            availability=np.ascontiguousarray(self.availability[:, keep]),
            untimed=self.untimed,
            tie=self.tie[keep],
            must_skill=self.must_skill,
            **_excluded_index(
                self.excluded_rows[kept], moved[kept], self.excluded_ptr.shape[0] - 1
            ),
        )


def _excluded_index(rows: np.ndarray, cols: np.ndarray, n: int) -> dict[str, Any]:
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=ptr[1:])
    return {"excluded_rows": rows, "excluded_cols": cols, "excluded_ptr": ptr}


@dataclass
class Tables:
    """The mentor side of one refresh (mentors × weights × learner profiles):
    the unweighted criteria for the breakdown, and the scoring view."""

    fit: np.ndarray  # float32 (S × WIDTH + 1, M): skill fit of one wanted skill
    gap: np.ndarray  # float32 (S × WIDTH + 1, M): level gap of one wanted skill
    language: np.ndarray  # uint8 (U, M)
    mode: np.ndarray  # uint8 (U, M)
    capacity: np.ndarray  # float32 (M,)
    responsiveness: np.ndarray  # float32 (M,)
    profile_ids: np.ndarray  # int64 (M,)
    weights: Weights
    view: View


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
    total_weight = float(sum(w.values()))
    scale = np.float32(1 / total_weight if total_weight else 0)
    fit, gap = skill_tables(mentors)
    m = len(mentors)
    u = len(learners.profiles)
    language = np.zeros((u, m), dtype=np.uint8)
    mode = np.zeros((u, m), dtype=np.uint8)
    for row, (languages, modes, region) in enumerate(learners.profiles):
        one = _one(languages=languages, modes=modes, region=region)
        language[row] = scoring.language(one, mentors)
        mode[row] = scoring.mode_place(one, mentors)
    valid = np.ones((u, m), dtype=bool)
    if weights.must_language:
        valid &= language > 0
    if weights.must_mode_place:
        valid &= mode > 0
    profile = language * (scale * np.float32(w["language"]))
    profile += mode * (scale * np.float32(w["mode_place"]))
    # Excluded pairs as mentor columns (only candidates matter).
    by_user = np.argsort(mentors.user_ids, kind="stable")
    sorted_users = mentors.user_ids[by_user]
    at = np.minimum(
        np.searchsorted(sorted_users, learners.excluded_users), max(m - 1, 0)
    )
    hit = (
        sorted_users[at] == learners.excluded_users
        if m
        else np.zeros(at.shape, dtype=bool)
    )
    anyone = _one()
    capacity = scoring.capacity(anyone, mentors).astype(np.float32)
    responsiveness = scoring.responsiveness(anyone, mentors).astype(np.float32)
    skill = fit * (scale * np.float32(w["skill_fit"]))
    skill += gap * (scale * np.float32(w["level_gap"]))
    w_time = scale * np.float32(w["time_overlap"])
    # A positive weighted skill sum means a covered skill when fit weighs
    # anything (level gap > 0 implies fit > 0); otherwise fit itself is kept.
    keep_fit = weights.must_skill and not w["skill_fit"]
    view = View(
        columns=np.arange(m, dtype=np.int64),
        inverse=np.arange(m, dtype=np.int64),
        skill=skill,
        fit=fit if keep_fit else None,
        profile=profile,
        valid=valid,
        const=(
            capacity * np.float32(w["capacity"])
            + responsiveness * np.float32(w["responsiveness"])
        )
        * scale,
        availability=mentors.availability_t * w_time,
        untimed=np.float32(0.5) * w_time,
        tie=mentors.profile_ids,
        must_skill=weights.must_skill,
        **_excluded_index(
            learners.excluded_rows[hit],
            by_user[at[hit]] if m else at[hit],
            len(learners),
        ),
    )
    return Tables(
        fit=fit,
        gap=gap,
        language=language,
        mode=mode,
        capacity=capacity,
        responsiveness=responsiveness,
        profile_ids=mentors.profile_ids,
        weights=weights,
        view=view,
    )


def _mean_rows(table: np.ndarray, keys: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Mean over each learner's wanted skills of ``table[key]`` (0 without
    any), for learners sorted by their number of skills: one gather per skill
    position and run of equal counts, no padding rows added."""
    out = np.zeros((keys.shape[0], table.shape[1]), dtype=table.dtype)
    cuts = [0, *(np.flatnonzero(np.diff(n)) + 1).tolist(), keys.shape[0]]
    for start, end in itertools.pairwise(cuts):
        count = int(n[start])
        if not count:
            continue
        run = out[start:end]
        np.take(table, keys[start:end, 0], axis=0, out=run)
        for j in range(1, count):
            run += table[keys[start:end, j]]
        if count > 1:
            run *= np.float32(1 / count)
    return out


def block_scores(
    v: View, a: LearnerArrays, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Total score (float32) and must-haves of learners ``rows`` (sorted by
    their number of skills) against the view's mentors; the learner themself
    and the excluded pairs are masked out."""
    n = a.n_skills[rows]
    keys = a.keys[rows]
    total = _mean_rows(v.skill, keys, n)
    if v.must_skill:
        covered = total > 0 if v.fit is None else _mean_rows(v.fit, keys, n) > 0
    profile = a.profile[rows]
    total += v.profile[profile]
    total += v.const
    total += a.hours[rows] @ v.availability
    untimed = ~a.timed[rows]
    if untimed.any() and v.untimed:
        total[untimed] += v.untimed
    np.clip(total, 0, 1, out=total)
    valid = v.valid[profile]
    if v.must_skill:
        valid &= covered
    lo, counts = v.excluded_ptr[rows], np.diff(v.excluded_ptr)[rows]
    if counts.any():
        starts = np.cumsum(counts) - counts
        entry = np.arange(counts.sum()) - np.repeat(starts - lo, counts)
        owner = np.repeat(np.arange(rows.shape[0]), counts)
        valid[owner, v.excluded_cols[entry]] = False
    return total, valid


def scores(t: Tables, a: LearnerArrays, rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """``block_scores`` of any learners against every mentor, in ``rows``' order
    (what the tests compare with the per-learner code)."""
    by_skills = np.argsort(a.n_skills[rows], kind="stable")
    total, valid = block_scores(t.view, a, rows[by_skills])
    out_total, out_valid = np.empty_like(total), np.empty_like(valid)
    out_total[by_skills], out_valid[by_skills] = total, valid
    return out_total, out_valid


def top_k(
    total: np.ndarray, valid: np.ndarray, k: int, tie: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's best ``k`` valid columns by score then ``tie`` ascending:
    (columns, scores), both (rows, k), column -1 where there are fewer
    (``total`` is overwritten). A
    row's k-th best is at least the k-th best of its chunk maxima, so only the
    few entries above that threshold are sorted."""
    rows, m = total.shape
    cols = np.full((rows, k), -1, dtype=np.int64)
    scores = np.zeros((rows, k), dtype=np.float32)
    if not m or not rows or not k:
        return cols, scores
    masked = total  # scores are ≥ 0: -1 marks what may not be suggested
    np.copyto(masked, np.float32(-1), where=~valid)
    chunk = max(1, m // (16 * k))
    whole = m - m % chunk
    maxima = masked[:, :whole].reshape(rows, whole // chunk, chunk).max(axis=2)
    if whole < m:
        maxima = np.concatenate([maxima, masked[:, whole:].max(axis=1)[:, None]], 1)
    kk = min(k, maxima.shape[1])
    threshold = np.partition(maxima, maxima.shape[1] - kk, axis=1)[:, -kk]
    threshold = np.maximum(threshold, 0)
    row, col = np.nonzero(masked >= threshold[:, None])
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
    mentors might suit is scored again against those with room. Once half the
    mentors scored have no room left, scoring drops them."""
    n, m = len(a), t.profile_ids.shape[0]
    result = Allocation(
        cols=np.full((n, top), -1, dtype=np.int64),
        scores=np.zeros((n, top), dtype=np.float32),
        used=np.zeros(m, dtype=np.int64),
    )
    view = t.view
    count = np.zeros(n, dtype=np.int64)
    cand_cols = np.full((n, top), -1, dtype=np.int64)
    cand_scores = np.zeros((n, top), dtype=np.float32)
    scored = np.zeros(n, dtype=bool)
    for limit in rounds:
        limit = min(limit, top)
        for lo in range(0, n, block):
            room = quota - result.used
            open_here = room[view.columns] > 0
            if not open_here.any():
                break
            if open_here.sum() < len(view) // 2:
                view = view.subset(np.flatnonzero(open_here))
            rows = order[lo : lo + block]
            rows = rows[count[rows] < limit]
            if not rows.size:
                continue
            fresh = rows[~scored[rows]]
            if fresh.size:
                cols, scores = _score_rows(view, a, fresh, room, None, top)
                cand_cols[fresh], cand_scores[fresh] = cols, scores
                scored[fresh] = True
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
                    view,
                    a,
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
    v: View,
    a: LearnerArrays,
    rows: np.ndarray,
    room: np.ndarray,
    again: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    top: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The best ``top`` candidates (mentor columns, scores) of learners
    ``rows`` among the mentors with room; ``again`` = (last row per mentor,
    the rows' positions in their block, their lists so far) when scoring again
    inside a block."""
    by_skills = np.argsort(a.n_skills[rows], kind="stable")
    total, valid = block_scores(v, a, rows[by_skills])
    valid &= room[v.columns] > 0
    if again is not None:
        last_row, positions, granted = again
        valid &= last_row[v.columns][None, :] >= positions[by_skills][:, None]
        for b, cols in enumerate(granted[by_skills]):
            here = v.inverse[cols[cols >= 0]]
            valid[b, here[here >= 0]] = False
    cols, scores = top_k(total, valid, top, v.tie)
    cols = np.where(cols >= 0, v.columns[np.maximum(cols, 0)], -1)
    out_cols = np.empty_like(cols)
    out_scores = np.empty_like(scores)
    out_cols[by_skills], out_scores[by_skills] = cols, scores
    return out_cols, out_scores


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
