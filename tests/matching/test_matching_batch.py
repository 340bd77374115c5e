"""The full refresh's block engine against the per-learner code it replaces."""

from __future__ import annotations

import json
import zoneinfo
from datetime import UTC, datetime, time, timedelta

import numpy as np
import pytest

from matching.engine import batch
from matching.engine.data import (
    MODE_BITS,
    REMOTE,
    Learner,
    Mentors,
    excluded_pairs,
    load_learners,
    load_mentors,
)
from matching.engine.reasons import PERIODS, reasons_for, reasons_json_for_pairs
from matching.engine.refresh import (
    suggestions_refresh_all,
    suggestions_refresh_for_learner,
)
from matching.engine.scoring import Weights, score
from matching.models import MatchExposure, MatchSuggestion
from mentors.data_version import bump_mentor_data_version
from mentors.models import LearnerProfile, LearnerSkill
from mentors.models import Skill as SkillModel
from mentors.services import block_create
from tests.factories import UserFactory
from tests.matching.helpers import learner_with_skills, mentor
from tests.matching.test_matching import WEIGHTS

LANGS = ("fr", "en", "ar")
REGIONS = ("11", "53", "84")


def random_mentors(rng: np.random.Generator, n: int, n_skills: int) -> Mentors:
    languages = [
        frozenset(rng.choice(LANGS, size=rng.integers(1, 3), replace=False))
        for _ in range(n)
    ]
    index = {code: i for i, code in enumerate(LANGS)}
    matrix = np.zeros((n, len(LANGS)), dtype=bool)
    for row, group in enumerate(languages):
        matrix[row, [index[c] for c in group]] = True
    levels = rng.integers(0, 9, size=(n, n_skills)) * (rng.random((n, n_skills)) < 0.6)
    capacity = rng.integers(1, 5, size=n)
    return Mentors(
        profile_ids=np.arange(1, n + 1, dtype=np.int64),
        user_ids=np.arange(1001, 1001 + n, dtype=np.int64)[::-1].copy(),
        levels=levels.astype(np.uint8),
        languages=languages,
        language_matrix=matrix,
        language_index=index,
        regions=np.array(rng.choice(REGIONS, size=n), dtype=object),
        modes=rng.integers(1, 8, size=n).astype(np.uint8),
        availability=rng.random((n, 168)) < 0.2,
        capacity=capacity,
        remaining=np.minimum(capacity, rng.integers(1, 4, size=n)),
        acceptance=np.where(rng.random(n) < 0.3, np.nan, rng.random(n)),
        answer_hours=np.where(rng.random(n) < 0.3, np.nan, rng.random(n) * 200),
        # One code with characters JSON must escape.
        skill_index={(f"s{i}" if i else 's"0\\'): i for i in range(n_skills)},
    )


def random_learners(rng: np.random.Generator, n: int, n_skills: int) -> list[Learner]:
    learners = []
    for i in range(n):
        wanted = rng.choice(n_skills, size=rng.integers(0, 4), replace=False)
        hours = rng.random(168) < (0.1 if rng.random() < 0.7 else 0.0)
        learners.append(
            Learner(
                user_id=i + 1,
                skills=[(int(s), 0, int(rng.integers(1, 9))) for s in wanted],
                languages=frozenset(
                    rng.choice(LANGS, size=rng.integers(0, 3), replace=False)
                ),
                region=str(rng.choice(REGIONS)),
                modes=int(rng.integers(0, 8)),
                hours_utc=hours,
                has_windows=bool(hours.any()),
                time_zone=str(rng.choice(ZONES)),
            )
        )
    return learners


# Zones far apart, some with daylight saving time: reasons speak local time.
ZONES = ["Europe/Paris", "America/Cayenne", "Pacific/Noumea", "UTC"]


def local_day_and_hour(utc_hour_of_week: int, time_zone: str) -> tuple[int, int]:
    """The weekday and hour in ``time_zone`` of a UTC hour of this week."""
    today = datetime.now(UTC).date()
    monday = datetime.combine(today - timedelta(days=today.weekday()), time(0), UTC)
    local = (monday + timedelta(hours=utc_hour_of_week)).astimezone(
        zoneinfo.ZoneInfo(time_zone)
    )
    return local.weekday(), local.hour


NO_FIT = Weights(
    version=2,
    weights={**WEIGHTS.weights, "skill_fit": 0, "time_overlap": 0, "capacity": 7},
    must_language=False,
)


@pytest.mark.parametrize("weights", [WEIGHTS, NO_FIT], ids=["default", "no-fit"])
@pytest.mark.parametrize("seed", range(3))
def test_block_scores_equal_the_per_learner_score(seed, weights):
    rng = np.random.default_rng(seed)
    pool = random_mentors(rng, 60, 5)
    people = random_learners(rng, 40, 5)
    # Learner 3 is also mentor 7 (never their own mentor), learner 5 blocked 2.
    people[3].user_id = int(pool.user_ids[7])
    excluded = {people[5].user_id: {int(pool.user_ids[2])}}
    arrays = batch.arrays_from_learners(people, excluded)
    tables = batch.tables(pool, arrays, weights)

    total, valid = batch.scores(tables, arrays, np.arange(len(people)))

    for row, person in enumerate(people):
        expected, parts, expected_valid = score(person, pool, weights)
        expected_valid &= pool.user_ids != person.user_id
        expected_valid &= ~np.isin(
            pool.user_ids, list(excluded.get(person.user_id, ()))
        )
        assert total[row] == pytest.approx(expected, abs=1e-5)
        assert (valid[row] == expected_valid).all()
        cols = np.arange(len(pool))
        pairs = batch.breakdown(tables, arrays, pool, np.full(len(pool), row), cols)
        for name, values in parts.items():
            assert pairs[name] == pytest.approx(values, abs=1e-5), name


def served_one_by_one(tables, arrays, pool, *, quota, order, rounds, top):
    """The reference: learners served one at a time, in order, round by round."""
    used = np.zeros(len(pool), dtype=np.int64)
    lists: dict[int, list[int]] = {int(row): [] for row in order}
    for limit in rounds:
        for row in order:
            row = int(row)
            if len(lists[row]) >= limit:
                continue
            total, valid = batch.scores(tables, arrays, np.array([row]))
            ok = valid[0] & (used < quota)
            ok[lists[row]] = False
            cols = np.flatnonzero(ok)
            cols = cols[np.lexsort((pool.profile_ids[cols], -total[0, cols]))]
            for col in cols[: limit - len(lists[row])]:
                lists[row].append(int(col))
                used[col] += 1
    return lists, used


@pytest.mark.parametrize("seed", range(6))
def test_allocation_is_exactly_serving_learners_one_by_one(seed):
    rng = np.random.default_rng(100 + seed)
    pool = random_mentors(rng, 25, 3)
    people = random_learners(rng, 90, 3)
    for person in people:  # everyone wants something, so lists compete
        person.skills = person.skills or [(0, 0, 3)]
    arrays = batch.arrays_from_learners(people, {people[0].user_id: {1003, 1010}})
    tables = batch.tables(pool, arrays, WEIGHTS)
    # Scarce places (seeds 0–2: most learners get none) or ample (3–5).
    quota = rng.integers(0, 4 if seed < 3 else 30, size=len(pool))
    order = rng.permutation(len(people))

    result = batch.allocate(
        tables, arrays, quota=quota, order=order, rounds=(2, 5), top=5, block=7
    )

    lists, used = served_one_by_one(
        tables, arrays, pool, quota=quota, order=order, rounds=(2, 5), top=5
    )
    assert (result.used == used).all()
    assert (result.used <= quota).all()
    for row, expected in lists.items():
        got = [int(c) for c in result.cols[row] if c >= 0]
        assert sorted(got) == sorted(expected), row
        scores = result.scores[row, : len(got)]
        assert (np.diff(scores) <= 0).all()  # best first
    assert sum(map(len, lists.values())) > 0


def _learner(time_zone: str, hours: list[int], skills: dict[str, int]) -> object:
    user = UserFactory(time_zone=time_zone)
    profile = LearnerProfile.objects.create(
        user=user,
        languages=["fr", "en"],
        modes=["video", "in_person"],
        region="84",
        time_windows=hours,
    )
    for code, target in skills.items():
        LearnerSkill.objects.create(
            profile=profile,
            skill=SkillModel.objects.get(code=code),
            current_level=0,
            target_level=target,
        )
    return user


@pytest.mark.django_db
def test_learners_read_straight_into_arrays_match_the_learner_objects():
    paris = _learner("Europe/Paris", [0, 42, 167], {"python": 4, "seo": 2})
    _learner("America/Martinique", [10, 11], {"python": 6})
    _learner("Indian/Reunion", [], {})
    blocked = mentor()
    block_create(blocker=paris, blocked=blocked.user)
    inactive = learner_with_skills()
    inactive.is_active = False
    inactive.save()

    fast = batch.load_learner_arrays()
    learners = load_learners()
    slow = batch.arrays_from_learners(
        learners, excluded_pairs([lr.user_id for lr in learners])
    )

    assert fast.user_ids.tolist() == slow.user_ids.tolist()
    assert inactive.pk not in fast.user_ids
    assert np.allclose(fast.hours, slow.hours)
    assert (fast.timed == slow.timed).all()
    for row in range(len(fast)):
        assert sorted(fast.keys[row].tolist()) == sorted(slow.keys[row].tolist())
        assert fast.profiles[fast.profile[row]] == slow.profiles[slow.profile[row]]
    pairs = set(
        zip(fast.excluded_rows.tolist(), fast.excluded_users.tolist(), strict=True)
    )
    assert (fast.user_ids.tolist().index(paris.pk), blocked.user_id) in pairs


def _exposure_matches_the_rows() -> None:
    counted: dict[int, int] = {}
    for profile_id in MatchSuggestion.objects.values_list(
        "mentor_profile_id", flat=True
    ):
        counted[profile_id] = counted.get(profile_id, 0) + 1
    kept = {
        e.mentor_profile_id: e.shown for e in MatchExposure.objects.filter(shown__gt=0)
    }
    assert kept == counted


@pytest.mark.django_db
def test_exposure_counts_follow_every_write_cascades_included(settings):
    settings.MATCHING_ROUNDS = (10,)
    people = [learner_with_skills() for _ in range(4)]
    profiles = [mentor(capacity=3) for _ in range(3)]
    bump_mentor_data_version()

    suggestions_refresh_all()
    _exposure_matches_the_rows()
    assert MatchExposure.objects.get(mentor_profile=profiles[0]).shown == 4

    suggestions_refresh_for_learner(learner_id=people[0].pk)
    people[1].delete()  # the account's suggestions go by cascade
    _exposure_matches_the_rows()
    assert MatchExposure.objects.get(mentor_profile=profiles[0]).shown == 3


@pytest.mark.django_db
def test_rounds_serve_everyone_a_little_before_anyone_a_lot(settings):
    settings.MATCHING_EXPOSURE_K = 1
    settings.MATCHING_ROUNDS = (1, 10)
    people = [learner_with_skills() for _ in range(3)]
    for _ in range(3):
        mentor(capacity=1)  # each in one top list at most: 3 places in all
    bump_mentor_data_version()

    summary = suggestions_refresh_all()

    per_learner = [
        MatchSuggestion.objects.filter(learner=person).count() for person in people
    ]
    assert per_learner == [1, 1, 1]
    assert summary["learners_served"] == 3

    settings.MATCHING_ROUNDS = (10,)
    suggestions_refresh_all()
    per_learner = [
        MatchSuggestion.objects.filter(learner=person).count() for person in people
    ]
    assert sorted(per_learner) == [0, 0, 3]  # without rounds: first come takes all


@pytest.mark.django_db
def test_a_second_full_refresh_rewrites_nothing_and_drops_the_departed():
    people = [learner_with_skills() for _ in range(3)]
    for _ in range(4):
        mentor()
    bump_mentor_data_version()
    suggestions_refresh_all()
    before = sorted(
        MatchSuggestion.objects.values_list("pk", "learner_id", "rank", "computed_at")
    )
    assert before

    suggestions_refresh_all()

    after = sorted(
        MatchSuggestion.objects.values_list("pk", "learner_id", "rank", "computed_at")
    )
    assert after == before
    LearnerProfile.objects.filter(user=people[0]).delete()
    suggestions_refresh_all()
    assert not MatchSuggestion.objects.filter(learner=people[0]).exists()
    _exposure_matches_the_rows()


@pytest.mark.django_db
def test_mentor_loader_and_batch_agree_on_a_real_database():
    people = [learner_with_skills() for _ in range(5)]
    for _ in range(6):
        mentor()
    pool = load_mentors()
    learners = load_learners()
    arrays = batch.load_learner_arrays()
    tables = batch.tables(pool, arrays, WEIGHTS)

    total, valid = batch.scores(tables, arrays, np.arange(len(arrays)))

    for row, person in enumerate(learners):
        expected, _parts, expected_valid = score(person, pool, WEIGHTS)
        expected_valid &= pool.user_ids != person.user_id
        assert total[row] == pytest.approx(expected, abs=1e-5)
        assert (valid[row] == expected_valid).all()
    assert len(people) == len(arrays)


def reference_reasons(learner, mentors, row):
    """The reasons, written the plain way, one pair at a time (the oracle)."""
    codes = mentors.skill_codes
    reasons: list[dict] = []
    for index, _current, target in sorted(learner.skills, key=lambda s: -s[2]):
        level = int(mentors.levels[row, index])
        if level >= target:
            reasons.append(
                {
                    "code": "skill",
                    "skill": codes[index],
                    "level": level,
                    "target": target,
                }
            )
        elif level:
            reasons.append(
                {
                    "code": "skill_partial",
                    "skill": codes[index],
                    "level": level,
                    "target": target,
                }
            )
    shared = sorted(learner.languages & mentors.languages[row])
    if shared:
        first = "fr" if "fr" in shared else shared[0]
        reasons.append({"code": "language", "language": first})
    overlap = mentors.availability[row] & learner.hours_utc
    if learner.has_windows and overlap.any():
        hour = int(np.flatnonzero(overlap)[0])
        day, hour_of_day = local_day_and_hour(hour, learner.time_zone)
        period = next(
            (p for start, end, p in PERIODS if start <= hour_of_day < end), "night"
        )
        reasons.append({"code": "time", "day": day, "period": period})
    elif learner.has_windows and not mentors.availability[row].any():
        reasons.append({"code": "time_unknown"})
    both = int(mentors.modes[row]) & learner.modes
    if both & MODE_BITS["in_person"] and mentors.regions[row] == learner.region:
        reasons.append({"code": "in_person", "region": learner.region})
    elif both & REMOTE:
        reasons.append(
            {
                "code": "remote",
                "modes": [m for m in ("video", "phone") if both & MODE_BITS[m]],
            }
        )
    if not np.isnan(mentors.answer_hours[row]):
        reasons.append(
            {
                "code": "answers",
                "days": max(1, int(np.ceil(mentors.answer_hours[row] / 24))),
            }
        )
    return reasons


@pytest.mark.parametrize("seed", range(3))
def test_reasons_of_many_pairs_are_those_of_the_plain_reference(seed):
    rng = np.random.default_rng(200 + seed)
    pool = random_mentors(rng, 30, 4)
    pool.availability[:5] = False  # availability not known yet
    people = random_learners(rng, 25, 4)
    for person in people[:5]:  # ties on the target keep the learner's order
        person.skills = [(0, 0, 3), (2, 0, 3), (1, 0, 5)]
    arrays = batch.arrays_from_learners(people, {})
    rows = np.repeat(np.arange(len(people)), len(pool))
    cols = np.tile(np.arange(len(pool)), len(people))

    texts = reasons_json_for_pairs(arrays, pool, rows, cols)

    codes = set()
    for row, col, text in zip(rows, cols, texts, strict=True):
        expected = reference_reasons(people[row], pool, int(col))
        assert json.loads(text) == expected
        assert reasons_for(people[row], pool, int(col)) == expected
        codes.update(r["code"] for r in expected)
    assert codes == {
        "skill",
        "skill_partial",
        "language",
        "time",
        "time_unknown",
        "in_person",
        "remote",
        "answers",
    }


@pytest.mark.django_db
def test_the_full_refresh_with_no_learner_left_but_a_block(settings):
    person = learner_with_skills()
    profile = mentor()
    block_create(blocker=person, blocked=profile.user)
    LearnerProfile.objects.all().delete()
    bump_mentor_data_version()

    summary = suggestions_refresh_all()

    assert summary["learners"] == 0
    assert not MatchSuggestion.objects.exists()
