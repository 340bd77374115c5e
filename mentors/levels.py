"""DigComp's 8 proficiency levels, with the plain one-line description shown
wherever a level is chosen or displayed."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

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


# The profile editors ask for a level in everyday words. Each step stands for
# one DigComp level (described in taxonomy.LEVELS); 0 is a learner's "never
# tried". The API and the admin keep the numbers.
PLAIN_STEPS: dict[int, Promise] = {
    0: _("I have never tried"),
    1: _("I am a beginner: I do simple things, with help"),
    3: _("I get by: I do everyday things without help"),
    4: _("I am at ease: I cope with new situations on my own"),
    5: _("I master it: I handle all kinds of tasks and guide others"),
    6: _("I can teach it: I find the best way in complex cases and help others"),
    7: _("It is my speciality: I solve rare problems and improve my field"),
}
LEARNER_CURRENT_STEPS: tuple[int, ...] = (0, 1, 3, 4)
LEARNER_TARGET_STEPS: tuple[int, ...] = (1, 3, 4, 5)
MENTOR_STEPS: tuple[int, ...] = (4, 5, 6, 7)


def plain_level_label(level: int) -> str:
    """The step's words, or the level's plain description for a level between
    steps (saved through the API or before the steps existed)."""
    return str(PLAIN_STEPS[level]) if level in PLAIN_STEPS else level_description(level)


def plain_level_choices(steps: tuple[int, ...]) -> list[tuple[int, str]]:
    return [(level, plain_level_label(level)) for level in steps]


# The same steps said of someone else, short enough for a directory card
# ("Spreadsheets · Can teach it"). A level between steps takes the step under it.
CARD_STEPS: dict[int, Promise] = {
    1: _("Beginner"),
    3: _("Gets by"),
    4: _("At ease"),
    5: _("Masters it"),
    6: _("Can teach it"),
    7: _("Specialist"),
}


def card_level_label(level: int) -> str:
    """A mentor's level in two or three everyday words, for cards."""
    step = max((s for s in CARD_STEPS if s <= level), default=min(CARD_STEPS))
    return str(CARD_STEPS[step])
