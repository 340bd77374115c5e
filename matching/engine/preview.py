"""The admin's preview: a learner's top list with other weights, nothing saved."""

from __future__ import annotations

from typing import Any

import numpy as np

from mentors.models import MentorProfile

from .data import cached_mentors, excluded_pairs, load_learners
from .refresh import TOP, current_weights
from .scoring import Weights, score


def _top(learner_id: int, weights: Weights) -> list[dict[str, Any]]:
    learners = load_learners([learner_id])
    if not learners:
        return []
    mentors = cached_mentors()
    total, _parts, valid = score(learners[0], mentors, weights)
    excluded = excluded_pairs([learner_id])[learner_id]
    if excluded:
        valid &= ~np.isin(mentors.user_ids, list(excluded))
    rows = np.flatnonzero(valid)
    best = rows[np.lexsort((mentors.profile_ids[rows], -total[rows]))][:TOP]
    names = dict(
        MentorProfile.objects.filter(
            pk__in=[int(mentors.profile_ids[r]) for r in best]
        ).values_list("pk", "user__full_name")
    )
    return [
        {
            "profile_id": int(mentors.profile_ids[r]),
            "name": names.get(int(mentors.profile_ids[r]), ""),
            "score": round(float(total[r]), 3),
        }
        for r in best
    ]


def preview_top_lists(
    *, learner_id: int, proposed: dict[str, float]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(top list with the weights in force, top list with the proposed ones).
    Exposure limits are left out: the preview shows the ranking itself."""
    current = current_weights()
    trial = Weights(
        version=0,
        weights=proposed,
        must_language=current.must_language,
        must_mode_place=current.must_mode_place,
        must_skill=current.must_skill,
    )
    return _top(learner_id, current), _top(learner_id, trial)
