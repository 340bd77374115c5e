"""Mentors and learners as numpy arrays, read with ``values_list``."""

from __future__ import annotations

import functools
import threading
import time
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db.models import Count

from matching.models import Mentorship
from mentors.data_version import mentor_data_pending, mentor_data_version
from mentors.models import LearnerProfile, LearnerSkill, MentorSkill, Skill
from mentors.selectors import mentor_profile_public_list

MODE_BITS = {"video": 1, "phone": 2, "in_person": 4}
REMOTE = MODE_BITS["video"] | MODE_BITS["phone"]


@dataclass
class Mentors:
    """Candidate mentors: public, not paused, with room left."""

    profile_ids: np.ndarray  # int64 (n,)
    user_ids: np.ndarray  # int64 (n,)
    levels: np.ndarray  # uint8 (n, n_skills): 0 = skill not offered
    languages: list[frozenset[str]]
    language_matrix: np.ndarray  # bool (n, n_languages)
    language_index: dict[str, int]
    regions: np.ndarray  # object (n,)
    modes: np.ndarray  # uint8 (n,) bit mask
    availability: np.ndarray  # bool (n, 168), UTC hour of week
    capacity: np.ndarray  # int (n,)
    remaining: np.ndarray  # int (n,)
    acceptance: np.ndarray  # float (n,), nan when unknown
    answer_hours: np.ndarray  # float (n,), nan when unknown
    skill_index: dict[str, int] = field(default_factory=dict)

    @functools.cached_property
    def skill_codes(self) -> dict[int, str]:
        """Column → skill code (built once, not for every reason)."""
        return {i: code for code, i in self.skill_index.items()}

    @functools.cached_property
    def region_lookup(self) -> dict[str, int]:
        return {region: i for i, region in enumerate(sorted(set(self.regions)))}

    @functools.cached_property
    def region_codes(self) -> np.ndarray:
        """Regions as integer codes, compared much faster than strings."""
        lookup = self.region_lookup
        return np.array([lookup[r] for r in self.regions], dtype=np.int32)

    def region_code(self, region: str) -> int:
        """The code of a region, -1 when no candidate mentor is in it."""
        return self.region_lookup.get(region, -1)

    @functools.cached_property
    def availability_t(self) -> np.ndarray:
        """The availability as float32 (168, n): one matrix product scores the
        time overlap of many learners at once."""
        return np.ascontiguousarray(self.availability.T, dtype=np.float32)

    def __len__(self) -> int:
        return int(self.profile_ids.shape[0])


@dataclass
class Learner:
    user_id: int
    skills: list[tuple[int, int, int]]  # (skill index, current, target)
    languages: frozenset[str]
    region: str
    modes: int
    hours_utc: np.ndarray  # bool (168,)
    has_windows: bool
    time_zone: str = "Europe/Paris"  # reasons speak of the learner's own hours


def skill_index() -> dict[str, int]:
    return {
        code: i
        for i, code in enumerate(
            Skill.objects.order_by("id").values_list("code", flat=True)
        )
    }


def _bitmap_to_hours(bitmap: bytes | memoryview) -> np.ndarray:
    raw = np.frombuffer(bytes(bitmap).ljust(21, b"\0")[:21], dtype=np.uint8)
    return np.unpackbits(raw, bitorder="little")[:168].astype(bool)


def load_mentors() -> Mentors:
    """Read every candidate mentor in a few queries (no model instances)."""
    index = skill_index()
    active = dict(
        Mentorship.objects.active()
        .values("mentor_id")
        .annotate(n=Count("id"))
        .values_list("mentor_id", "n")
    )
    rows = list(
        mentor_profile_public_list()
        .filter(is_paused=False)
        .order_by("pk")
        .values_list(
            "pk",
            "user_id",
            "languages",
            "region",
            "modes",
            "availability_bitmap",
            "capacity",
            "acceptance_rate_90d",
            "median_answer_hours_90d",
        )
    )
    rows = [r for r in rows if r[6] - active.get(r[1], 0) > 0]
    n = len(rows)
    position = {row[0]: i for i, row in enumerate(rows)}
    levels = np.zeros((n, max(len(index), 1)), dtype=np.uint8)
    for profile_id, code, level in MentorSkill.objects.filter(
        profile_id__in=list(position)
    ).values_list("profile_id", "skill__code", "level"):
        levels[position[profile_id], index[code]] = level
    all_languages = sorted({lang for row in rows for lang in row[2]})
    language_index = {code: i for i, code in enumerate(all_languages)}
    language_matrix = np.zeros((n, max(len(all_languages), 1)), dtype=bool)
    for i, row in enumerate(rows):
        for lang in row[2]:
            language_matrix[i, language_index[lang]] = True
    return Mentors(
        profile_ids=np.array([r[0] for r in rows], dtype=np.int64),
        user_ids=np.array([r[1] for r in rows], dtype=np.int64),
        levels=levels,
        languages=[frozenset(r[2]) for r in rows],
        language_matrix=language_matrix,
        language_index=language_index,
        regions=np.array([r[3] for r in rows], dtype=object),
        modes=np.array(
            [sum(MODE_BITS.get(m, 0) for m in r[4]) for r in rows], dtype=np.uint8
        ),
        availability=(
            np.stack([_bitmap_to_hours(r[5]) for r in rows])
            if rows
            else np.zeros((0, 168), dtype=bool)
        ),
        capacity=np.array([r[6] for r in rows], dtype=np.int64),
        remaining=np.array([r[6] - active.get(r[1], 0) for r in rows], dtype=np.int64),
        acceptance=np.array(
            [float(r[7]) if r[7] is not None else np.nan for r in rows],
            dtype=np.float64,
        ),
        answer_hours=np.array(
            [float(r[8]) if r[8] is not None else np.nan for r in rows],
            dtype=np.float64,
        ),
        skill_index=index,
    )


# Slot summaries (the availability bitmap) never move the version: they may be
# this stale in the matrix, as in the directory's cached pages.
MATRIX_MAX_AGE = 30.0  # seconds

_cache_lock = threading.Lock()
_cache: dict[str, tuple[int, float, Mentors]] = {}


def cached_mentors() -> Mentors:
    """The mentor matrix of this process, reloaded when the mentor-data version
    moved or when it is older than ``MATRIX_MAX_AGE``. The version moves after
    its change commits and is read before the load, so a matrix is never older
    than the version it is kept under; a transaction that has just changed
    mentors reads its own, uncached."""
    if mentor_data_pending():
        return load_mentors()
    version = mentor_data_version()
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get("mentors")
        if hit and hit[0] == version and version and now - hit[1] < MATRIX_MAX_AGE:
            return hit[2]
    mentors = load_mentors()
    with _cache_lock:
        _cache["mentors"] = (version, now, mentors)
    return mentors


def utc_hour_map(time_zone: str) -> np.ndarray:
    """Local hour of the week → UTC hour of the week, for this week (so daylight
    saving time follows the season); computed once per zone and week."""
    return _week_hour_map(time_zone, "UTC", _this_monday())


def local_hour_map(time_zone: str) -> np.ndarray:
    """UTC hour of the week → the hour of the week it is in ``time_zone``, this
    week (the inverse of ``utc_hour_map``, defined for every UTC hour)."""
    return _week_hour_map("UTC", time_zone, _this_monday())


def _this_monday() -> str:
    today = datetime.now(UTC).date()
    return (today - timedelta(days=today.weekday())).isoformat()


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Europe/Paris")


@functools.lru_cache(maxsize=128)
def _week_hour_map(source: str, target: str, monday: str) -> np.ndarray:
    """Hour h of the week from Monday 00:00 in ``source`` → the hour of the
    week that instant is in ``target``."""
    start = datetime.fromisoformat(monday).replace(tzinfo=_zone(source))
    to = _zone(target)
    mapping = np.zeros(168, dtype=np.int64)
    for hour in range(168):
        there = (start + timedelta(hours=hour)).astimezone(to)
        mapping[hour] = there.weekday() * 24 + there.hour
    return mapping


def _local_hours_to_utc(hours: list[int], time_zone: str) -> np.ndarray:
    result = np.zeros(168, dtype=bool)
    result[utc_hour_map(time_zone)[np.asarray(hours, dtype=np.int64)]] = True
    return result


def load_learners(user_ids: list[int] | None = None) -> list[Learner]:
    index = skill_index()
    profiles = LearnerProfile.objects.filter(user__is_active=True)
    if user_ids is not None:
        profiles = profiles.filter(user_id__in=user_ids)
    rows = list(
        profiles.order_by("user_id").values_list(
            "pk",
            "user_id",
            "languages",
            "region",
            "modes",
            "time_windows",
            "user__time_zone",
        )
    )
    skills: dict[int, list[tuple[int, int, int]]] = {}
    for profile_id, code, current, target in LearnerSkill.objects.filter(
        profile_id__in=[r[0] for r in rows]
    ).values_list("profile_id", "skill__code", "current_level", "target_level"):
        skills.setdefault(profile_id, []).append((index[code], current, target))
    return [
        Learner(
            user_id=r[1],
            skills=skills.get(r[0], []),
            languages=frozenset(r[2]),
            region=r[3],
            modes=sum(MODE_BITS.get(m, 0) for m in r[4]),
            hours_utc=_local_hours_to_utc(r[5], r[6]),
            has_windows=bool(r[5]),
            time_zone=r[6],
        )
        for r in rows
    ]


def excluded_pairs(learner_ids: list[int]) -> dict[int, set[int]]:
    """Mentor user ids a learner must never be shown: blocks either way, pending
    requests and active mentorships (already asked)."""
    from matching.models import MentorshipRequest
    from mentors.models import Block

    excluded: dict[int, set[int]] = {uid: set() for uid in learner_ids}
    for a, b in Block.objects.involving(learner_ids).values_list(
        "blocker_id", "blocked_id"
    ):
        if a in excluded:
            excluded[a].add(b)
        if b in excluded:
            excluded[b].add(a)
    for learner_id, mentor_id in MentorshipRequest.objects.filter(
        learner_id__in=learner_ids, status=MentorshipRequest.Status.PENDING
    ).values_list("learner_id", "mentor_id"):
        excluded[learner_id].add(mentor_id)
    for learner_id, mentor_id in Mentorship.objects.filter(
        learner_id__in=learner_ids, status=Mentorship.Status.ACTIVE
    ).values_list("learner_id", "mentor_id"):
        excluded[learner_id].add(mentor_id)
    return excluded
