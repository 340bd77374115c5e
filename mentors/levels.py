"""DigComp's 8 proficiency levels, with the plain one-line description shown
wherever a level is chosen or displayed."""

from __future__ import annotations

from django.utils.translation import get_language

from .taxonomy import BANDS, LEVELS, LevelSpec

_BY_LEVEL = {spec.level: spec for spec in LEVELS}
_BAND_NAMES = {code: (name_en, name_fr) for code, name_en, name_fr in BANDS}


def _english() -> bool:
    return (get_language() or "fr").startswith("en")


def level_spec(level: int) -> LevelSpec:
    return _BY_LEVEL[level]


def level_band_name(level: int) -> str:
    name_en, name_fr = _BAND_NAMES[_BY_LEVEL[level].band]
    return name_en if _english() else name_fr


def level_description(level: int) -> str:
    spec = _BY_LEVEL[level]
    return spec.description_en if _english() else spec.description_fr


def level_label(level: int) -> str:
    """ "5 — Advanced: I can …" in the viewer's language."""
    return (
        f"{level} — {level_band_name(level)} : {level_description(level)}"
        if not _english()
        else (f"{level} — {level_band_name(level)}: {level_description(level)}")
    )


def level_choices() -> list[tuple[int, str]]:
    return [(spec.level, level_label(spec.level)) for spec in LEVELS]
