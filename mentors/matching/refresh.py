"""Refreshing the stored suggestions: one learner, or everyone."""

from __future__ import annotations

from collections import Counter

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from ..models import MatchingWeights, MatchSuggestion
from .data import Learner, Mentors, cached_mentors, excluded_pairs, load_learners
from .reasons import reasons_for
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
                reasons=reasons_for(learner, mentors, int(row)),
                weights_version=weights.version,
                computed_at=now,
            )
        )
    return picked


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
    counts = dict(
        MatchSuggestion.objects.values("mentor_profile_id")
        .annotate(n=Count("id"))
        .values_list("mentor_profile_id", "n")
    )
    used = np.array(
        [counts.get(int(pid), 0) for pid in mentors.profile_ids], dtype=np.int64
    )
    picked = _pick(
        learners[0],
        mentors,
        current_weights(),
        excluded_pairs([learner_id])[learner_id],
        used,
        _quota(mentors),
    )
    MatchSuggestion.objects.bulk_create(picked)
    return len(picked)


@transaction.atomic
def suggestions_refresh_all(*, batch: int = 1000) -> dict[str, int]:
    """The nightly full refresh: every learner, exposure enforced globally
    (learners with the fewest options are served first). Idempotent: it
    replaces every stored suggestion in one transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    mentors = cached_mentors()
    weights = current_weights()
    learners = load_learners()
    quota = _quota(mentors)
    used = np.zeros(len(mentors), dtype=np.int64)
    MatchSuggestion.objects.all().delete()
    order = sorted(learners, key=lambda learner: (len(learner.skills), learner.user_id))
    written = 0
    shown: Counter[int] = Counter()
    for start in range(0, len(order), batch):
        block = order[start : start + batch]
        excluded = excluded_pairs([learner.user_id for learner in block])
        rows: list[MatchSuggestion] = []
        for learner in block:
            picked = _pick(
                learner, mentors, weights, excluded[learner.user_id], used, quota
            )
            rows.extend(picked)
            shown.update(s.mentor_profile_id for s in picked)
        MatchSuggestion.objects.bulk_create(rows, batch_size=5000)
        written += len(rows)
    return {
        "learners": len(learners),
        "suggestions": written,
        "mentors_shown": len(shown),
    }
