"""Reasons: stored as codes with values, written in the viewer's language."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext as _

from mentors.choices import Region
from mentors.models import Skill

from .batch import WIDTH, LearnerArrays, arrays_from_learners
from .data import MODE_BITS, REMOTE, Learner, Mentors, local_hour_map

PERIODS = (
    (6, 12, "morning"),
    (12, 14, "lunch"),
    (14, 18, "afternoon"),
    (18, 24, "evening"),
)


def reasons_for(learner: Learner, mentors: Mentors, row: int) -> list[dict[str, Any]]:
    """Why mentor ``row`` suits this learner, most telling first."""
    return reasons_for_rows(learner, mentors, np.array([row]))[0]


def reasons_for_rows(
    learner: Learner, mentors: Mentors, rows: np.ndarray
) -> list[list[dict[str, Any]]]:
    """``reasons_for`` of one learner and several mentors: the same code as the
    full refresh's, for one learner."""
    texts = reasons_json_for_pairs(
        arrays_from_learners([learner], {}),
        mentors,
        np.zeros(rows.shape[0], dtype=np.int64),
        rows.astype(np.int64),
    )
    return [json.loads(text) for text in texts]


_PERIOD_OF_HOUR = [
    next((p for start, end, p in PERIODS if start <= hour < end), "night")
    for hour in range(24)
]


def reasons_json_for_pairs(
    a: LearnerArrays, mentors: Mentors, rows: np.ndarray, cols: np.ndarray
) -> list[str]:
    """The reasons of many (learner row, mentor column) pairs at once, as
    JSON text ready to store: the comparisons in numpy, one short loop per pair
    to assemble the text. A test compares them with a plain per-pair
    reference on random data."""
    n = rows.shape[0]
    if not n:
        return []
    # Every text value JSON-quoted once (codes could hold any character).
    codes = {i: json.dumps(code) for i, code in mentors.skill_codes.items()}
    quoted: dict[str, str] = {}

    def quote(value: str) -> str:
        text = quoted.get(value)
        if text is None:
            text = quoted[value] = json.dumps(value)
        return text

    keys = a.keys[rows]
    wanted = keys >= 0
    skill = np.where(wanted, keys // WIDTH, 0)
    target = np.where(wanted, keys % WIDTH, 0)
    level = mentors.levels[cols[:, None], skill].astype(np.int64)
    # Most demanding target first; ties keep the learner's order (stable).
    by_target = np.argsort(-np.where(wanted, target, -1), axis=1, kind="stable")
    skill = np.take_along_axis(skill, by_target, 1).tolist()
    target = np.take_along_axis(target, by_target, 1).tolist()
    level = np.take_along_axis(level, by_target, 1).tolist()
    counts = a.n_skills[rows].tolist()
    overlap = mentors.availability[cols] & (a.hours[rows] > 0)
    has_overlap = overlap.any(axis=1).tolist()
    # The first hour both are free, said in the learner's own time zone (the
    # availability is in UTC hours of the week).
    local_maps = np.stack([local_hour_map(z) for z in a.zones] or [np.zeros(168)])
    first_hour = (
        local_maps[a.zone[rows], overlap.argmax(axis=1)].astype(np.int64).tolist()
    )
    known = np.asarray(mentors.availability.any(axis=1))[cols].tolist()
    timed = a.timed[rows].tolist()
    profiles = a.profiles
    profile = a.profile[rows].tolist()
    answers = (
        np.where(
            np.isnan(mentors.answer_hours),
            0,
            np.maximum(1, np.ceil(np.nan_to_num(mentors.answer_hours) / 24)),
        )
        .astype(np.int64)[cols]
        .tolist()
    )
    mentor_modes = mentors.modes[cols].tolist()
    regions = mentors.regions[cols].tolist()
    languages = [mentors.languages[c] for c in cols.tolist()]
    out = []
    for i in range(n):
        parts = []
        for j in range(counts[i]):
            have, goal = level[i][j], target[i][j]
            if have:
                code = "skill" if have >= goal else "skill_partial"
                parts.append(
                    f'{{"code": "{code}", "skill": {codes[skill[i][j]]}, '
                    f'"level": {have}, "target": {goal}}}'
                )
        learner_languages, learner_modes, region = profiles[profile[i]]
        shared = learner_languages & languages[i]
        if shared:
            first = "fr" if "fr" in shared else min(shared)
            parts.append(f'{{"code": "language", "language": {quote(first)}}}')
        if timed[i] and has_overlap[i]:
            day, hour = divmod(first_hour[i], 24)
            parts.append(
                f'{{"code": "time", "day": {day}, "period": "{_PERIOD_OF_HOUR[hour]}"}}'
            )
        elif timed[i] and not known[i]:
            parts.append('{"code": "time_unknown"}')
        both = mentor_modes[i] & learner_modes
        if both & MODE_BITS["in_person"] and regions[i] == region:
            parts.append(f'{{"code": "in_person", "region": {quote(region)}}}')
        elif both & REMOTE:
            modes = [m for m in ("video", "phone") if both & MODE_BITS[m]]
            parts.append(f'{{"code": "remote", "modes": {json.dumps(modes)}}}')
        if answers[i]:
            parts.append(f'{{"code": "answers", "days": {answers[i]}}}')
        out.append("[" + ", ".join(parts) + "]")
    return out


def render_all(reason_lists: list[list[dict[str, Any]]]) -> list[list[str]]:
    """Several suggestions' reasons in the active language, the skills they
    name read in one query; empty texts (unknown codes) left out."""
    codes = {
        r["skill"]
        for reasons in reason_lists
        for r in reasons
        if r.get("code") in ("skill", "skill_partial")
    }
    skills = {s.code: s for s in Skill.objects.filter(code__in=codes)} if codes else {}
    return [
        [text for text in (render(r, skills) for r in reasons) if text]
        for reasons in reason_lists
    ]


def render(reason: dict[str, Any], skills: dict[str, Skill]) -> str:
    """One reason in the active language, e.g. "Python niveau 6, votre objectif :
    4" (``skills``: the skills it may name, by code)."""
    code = reason.get("code")
    if code in ("skill", "skill_partial"):
        skill = skills.get(reason["skill"])
        name = skill.name if skill else reason["skill"]
        values = {"skill": name, "level": reason["level"], "target": reason["target"]}
        if code == "skill":
            return _("%(skill)s level %(level)s, your goal: %(target)s") % values
        return _("%(skill)s level %(level)s (your goal: %(target)s)") % values
    if code == "language":
        info = LANG_INFO.get(reason["language"], {})
        return _("Speaks %(language)s") % {
            "language": _(info.get("name", reason["language"])).lower()
        }
    if code == "time":
        day = [
            _("on Monday"),
            _("on Tuesday"),
            _("on Wednesday"),
            _("on Thursday"),
            _("on Friday"),
            _("on Saturday"),
            _("on Sunday"),
        ][reason["day"]]
        period = {
            "morning": _("morning"),
            "lunch": _("at lunch time"),
            "afternoon": _("afternoon"),
            "evening": _("evening"),
            "night": _("night"),
        }[reason["period"]]
        return _("Available %(day)s %(period)s like you") % {
            "day": day,
            "period": period,
        }
    if code == "time_unknown":
        return _("Availability not known yet")
    if code == "in_person":
        return _("Can meet you in person in %(region)s") % {
            "region": dict(Region.choices).get(reason["region"], reason["region"])
        }
    if code == "remote":
        # Reasons stored before the modes were recorded: say only what is sure.
        modes = reason.get("modes")
        if modes is None:
            return _("Can meet you remotely")
        if modes == ["video"]:
            return _("Can meet you by video")
        if modes == ["phone"]:
            return _("Can meet you by phone")
        return _("Can meet you by video or phone")
    if code == "answers":
        days = reason["days"]
        if days <= 1:
            return _("Usually answers within a day")
        return _("Usually answers within %(days)s days") % {"days": days}
    return ""
