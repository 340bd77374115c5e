from __future__ import annotations

from django import template

from mentors.choices import Mode, language_choices
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
