"""Reasons: stored as codes with values, written in the viewer's language."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext as _

from ..choices import Region
from ..models import Skill
from .data import MODE_BITS, REMOTE, Learner, Mentors

PERIODS = (
    (6, 12, "morning"),
    (12, 14, "lunch"),
    (14, 18, "afternoon"),
    (18, 24, "evening"),
)


def reasons_for(learner: Learner, mentors: Mentors, row: int) -> list[dict[str, Any]]:
    """Why mentor ``row`` suits this learner, most telling first."""
    codes = mentors.skill_codes
    reasons: list[dict[str, Any]] = []
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
        day, hour_of_day = divmod(hour, 24)
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
        reasons.append({"code": "remote"})
    if not np.isnan(mentors.answer_hours[row]):
        reasons.append(
            {
                "code": "answers",
                "days": max(1, int(np.ceil(mentors.answer_hours[row] / 24))),
            }
        )
    return reasons


def render(reason: dict[str, Any]) -> str:
    """One reason in the active language, e.g. "Python niveau 6, votre objectif : 4"."""
    code = reason.get("code")
    if code in ("skill", "skill_partial"):
        skill = Skill.objects.filter(code=reason["skill"]).first()
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
        return _("Can meet you by video or phone")
    if code == "answers":
        days = reason["days"]
        if days <= 1:
            return _("Usually answers within a day")
        return _("Usually answers within %(days)s days") % {"days": days}
    return ""
