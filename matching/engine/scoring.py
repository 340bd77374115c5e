"""The criteria, each a score in [0, 1] for every mentor at once (numpy)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.models import MatchingWeights

from .data import MODE_BITS, REMOTE, Learner, Mentors

CRITERIA = MatchingWeights.CRITERIA


@dataclass(frozen=True)
class Weights:
    version: int
    weights: dict[str, float]
    must_language: bool = True
    must_mode_place: bool = True
    must_skill: bool = True


def skill_fit(learner: Learner, mentors: Mentors) -> np.ndarray:
    """Share of the wanted skills the mentor covers at the target level or above
    (a partial level counts in proportion)."""
    if not learner.skills or not len(mentors):
        return np.zeros(len(mentors))
    total = np.zeros(len(mentors))
    for index, _current, target in learner.skills:
        total += np.minimum(mentors.levels[:, index] / target, 1.0)
    return total / len(learner.skills)


def level_gap(learner: Learner, mentors: Mentors) -> np.ndarray:
    """At or above the target: good, better when comfortably above (+2), but a
    specialist (7–8) is less suited to someone at the foundation target (1–2)."""
    if not learner.skills or not len(mentors):
        return np.zeros(len(mentors))
    total = np.zeros(len(mentors))
    for index, _current, target in learner.skills:
        level = mentors.levels[:, index].astype(np.int64)
        above = level >= target
        value = np.where(above, 0.7 + 0.15 * np.minimum(level - target, 2), 0.0)
        if target <= 2:
            value = np.where(level >= 7, 0.5, value)
        total += value
    return total / len(learner.skills)


def language(learner: Learner, mentors: Mentors) -> np.ndarray:
    columns = [
        mentors.language_index[c]
        for c in learner.languages
        if c in mentors.language_index
    ]
    if not learner.languages:
        return np.ones(len(mentors))
    if not columns:
        return np.zeros(len(mentors))
    return mentors.language_matrix[:, columns].any(axis=1).astype(float)


def mode_place(learner: Learner, mentors: Mentors) -> np.ndarray:
    """Video or phone work from anywhere; in person needs the same region."""
    if not learner.modes:
        return np.ones(len(mentors))
    remote = (mentors.modes & learner.modes & REMOTE) != 0
    in_person = ((mentors.modes & learner.modes & MODE_BITS["in_person"]) != 0) & (
        mentors.region_codes == mentors.region_code(learner.region)
    )
    return (remote | in_person).astype(float)


def time_overlap(learner: Learner, mentors: Mentors) -> np.ndarray:
    """Share of the learner's hours the mentor is available (both in UTC). A
    learner with no preferred hours is neutral (0.5); a mentor whose
    availability is not known yet scores 0 (the reason says so)."""
    if not learner.has_windows or not learner.hours_utc.any():
        return np.full(len(mentors), 0.5)
    if not len(mentors):
        return np.zeros(0)
    hours = learner.hours_utc.astype(np.float32)
    return (hours @ mentors.availability_t).astype(float) / hours.sum()


def capacity(learner: Learner, mentors: Mentors) -> np.ndarray:
    return np.divide(
        mentors.remaining, np.maximum(mentors.capacity, 1), dtype=float
    ).clip(0, 1)


def responsiveness(learner: Learner, mentors: Mentors) -> np.ndarray:
    acceptance = np.nan_to_num(mentors.acceptance, nan=0.5)
    speed = np.nan_to_num(1 - mentors.answer_hours / 168, nan=0.5).clip(0, 1)
    return 0.5 * acceptance + 0.5 * speed


FUNCTIONS = {
    "skill_fit": skill_fit,
    "level_gap": level_gap,
    "language": language,
    "mode_place": mode_place,
    "time_overlap": time_overlap,
    "capacity": capacity,
    "responsiveness": responsiveness,
}


def score(
    learner: Learner, mentors: Mentors, weights: Weights
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Total score in [0, 1], the per-criterion breakdown, and which mentors
    pass the must-haves."""
    parts = {name: FUNCTIONS[name](learner, mentors) for name in CRITERIA}
    total_weight = sum(weights.weights.values())
    total = np.zeros(len(mentors))
    if total_weight:
        for name in CRITERIA:
            total += weights.weights[name] * parts[name]
        total /= total_weight
    valid = np.ones(len(mentors), dtype=bool)
    if weights.must_language:
        valid &= parts["language"] > 0
    if weights.must_mode_place:
        valid &= parts["mode_place"] > 0
    if weights.must_skill:
        valid &= parts["skill_fit"] > 0
    return total.clip(0, 1), parts, valid
