from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import ngettext

from mentors.choices import Mode, language_choices
from mentors.directory import PAGE_SIZE
from mentors.levels import card_level_label
from mentors.levels import level_description as describe_level
from mentors.levels import level_label as label_level

register = template.Library()


@register.filter
def level_description(level: int) -> str:
    return describe_level(int(level))


@register.filter
def level_label(level: int) -> str:
    return label_level(int(level))


@register.filter
def language_names(codes: list[str]) -> str:
    names = dict(language_choices())
    return ", ".join(names.get(code, code) for code in codes or [])


@register.filter
def mode_names(codes: list[str]) -> str:
    labels = dict(Mode.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes or [])


@register.filter
def card_level(level: int) -> str:
    return card_level_label(int(level))


@register.filter
def activity_summary(profile: Any) -> str:
    """What the mentor is recognised for: "42 h données · 9 personnes
    accompagnées" (whole hours, never rounded up; minutes under an hour);
    each part only when not zero, "" for a mentor with neither."""
    parts = []
    minutes = round(float(profile.hours_mentored or 0) * 60)
    if minutes >= 60:
        hours = minutes // 60
        parts.append(ngettext("%(n)s h given", "%(n)s h given", hours) % {"n": hours})
    elif minutes:
        parts.append(
            ngettext("%(n)s min given", "%(n)s min given", minutes) % {"n": minutes}
        )
    people = profile.people_helped or 0
    if people:
        parts.append(
            ngettext("%(n)s person helped", "%(n)s people helped", people)
            % {"n": people}
        )
    return " · ".join(parts)


@register.filter
def initials(full_name: str) -> str:
    """ "Élodie Garnier" → "ÉG": the picture of a mentor without a photo."""
    words = (full_name or "").split()
    if not words:
        return ""
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


@register.simple_tag
def results_range(page: Any, shown: int) -> dict[str, int]:
    """The positions of a directory page's first and last mentors. Without a
    next page the last is the exact number of matches; with one there are
    more (the page reads one row ahead instead of counting them all)."""
    before = (page.number - 1) * PAGE_SIZE
    return {"first": before + 1, "last": before + shown}
