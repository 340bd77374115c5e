"""The directory's mentor cards, drawn in Python.

A card drawn by Django's template engine took ~1 ms (its nodes, variable
lookups and translations; no one part of it), and a page of 20 cards none of
which is in the card cache took ~21 ms with their skills read through the ORM
(~4.6 ms): that is every page after the mentor-data version moves, as it does
on any mentor's change. Here a card takes a tenth of that, and its skills
are read from its row (``search_skills``) with the skills' names this process
keeps: no statement (a prepared one took ~0.2 ms a page). What every card of
a page says alike (labels, names of regions, modes, languages and levels) is
translated and escaped once for the page, and each value of a card is escaped
as it is written in. The HTML is the one the template drew
(``tests/mentors/test_cards.py`` reads it).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.html import escape
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from .choices import Mode, Region, language_choices
from .data_version import mentor_data_pending
from .levels import card_level_label
from .models import MentorProfile, Skill
from .taxonomy import LEVELS
from .templatetags.mentors import activity_summary, initials

# Skills a card names; the others are counted ("+2 others").
TOP_SKILLS = 3


@dataclass(frozen=True)
class CardSkills:
    top: list[tuple[str, int]]  # (name in the active language, level)
    more: int  # skills not named


def card_skills(
    profiles: Sequence[MentorProfile], *, version: int
) -> dict[int, CardSkills]:
    """The skills each of these profiles' cards shows: the first TOP_SKILLS,
    strongest first (the order of ``MentorSkill.Meta.ordering``: level, then
    code), and how many others. Read from the profile's ``search_skills``
    (``"code:level"``, kept with its skills in the same transaction) and the
    skills' names of this mentor-data version: no statement. A profile without
    skills is left out."""
    names = skill_names(version=version)
    english = (get_language() or "fr").startswith("en")
    skills: dict[int, CardSkills] = {}
    for profile in profiles:
        held = []
        for entry in profile.search_skills:
            code, _colon, level = entry.rpartition(":")
            held.append((-int(level), code))
        if not held:
            continue
        held.sort()
        top = []
        for minus_level, code in held[:TOP_SKILLS]:
            name = names.get(code)
            top.append((name[1 if english else 0] if name else code, -minus_level))
        skills[profile.pk] = CardSkills(top, max(len(held) - TOP_SKILLS, 0))
    return skills


def skill_names(*, version: int) -> dict[str, tuple[str, str]]:
    """Each skill's French and English names by code, kept per process under
    the mentor-data version (an edit of a skill moves it); a transaction that
    changed mentor data reads its own."""
    if mentor_data_pending():
        return _skill_names_read()
    return _skill_names(version)


@functools.lru_cache(maxsize=2)
def _skill_names(version: int) -> dict[str, tuple[str, str]]:
    return _skill_names_read()


def _skill_names_read() -> dict[str, tuple[str, str]]:
    return {
        code: (name_fr, name_en)
        for code, name_fr, name_en in Skill.objects.values_list(
            "code", "name_fr", "name_en"
        )
    }


class _Words:
    """What the cards of one page say alike, translated and escaped once."""

    def __init__(self) -> None:
        self.paused = escape(_("Not taking new mentees for now."))
        self.full = escape(_("Full"))
        self.main_skills = escape(_("Main skills"))
        self.region = escape(_("Region"))
        self.meets = escape(_("Meets"))
        self.languages = escape(_("Languages"))
        self.no_answer_time = escape(_("Answer time not known yet."))
        self.next_slot = escape(_("Next free slot:"))
        self.see = escape(_("See the profile"))
        self.regions = {code: escape(label) for code, label in Region.choices}
        self.modes = {code: str(label) for code, label in Mode.choices}
        self.language_names = dict(language_choices())
        self.levels = {
            spec.level: escape(card_level_label(spec.level)) for spec in LEVELS
        }
        self.detail = reverse("mentors:detail", args=[0])
        self.photo = reverse("mentors:photo", args=[0])

    @staticmethod
    def url(pattern: str, pk: int) -> str:
        # The address reversed for profile 0, with this profile's id instead.
        return pattern.replace("/0/", f"/{pk}/", 1)


def cards_html(
    profiles: Sequence[MentorProfile], skills: dict[int, CardSkills]
) -> dict[int, str]:
    """The cards of these profiles, by profile id (``skills`` from
    ``card_skills``; each profile carries the card's columns and its owner's
    name)."""
    words = _Words()
    return {
        profile.pk: _card_html(profile, skills.get(profile.pk), words)
        for profile in profiles
    }


def _card_html(profile: MentorProfile, skills: CardSkills | None, w: _Words) -> str:
    pk = profile.pk
    detail = w.url(w.detail, pk)
    name = profile.user.full_name
    if profile.photo:
        avatar = (
            f'<img class="avatar" src="{w.url(w.photo, pk)}" alt="" width="64"'
            ' height="64" loading="lazy">'
        )
    else:
        avatar = (
            '<span class="avatar avatar-initials" aria-hidden="true">'
            f"{escape(initials(name))}</span>"
        )
    parts = [
        f'<li class="card mentor-card">\n<div class="mentor-card-head">\n{avatar}\n'
        f'<div>\n<h3 id="mentor-{pk}"><a href="{detail}">{escape(name)}</a></h3>\n'
        f'<p class="headline">{escape(profile.headline)}</p>\n</div>\n</div>\n'
    ]
    places = profile.places_left
    if profile.is_paused:
        parts.append(f'<p class="badge">{w.paused}</p>\n')
    elif places:
        left = ngettext("%(n)s place left", "%(n)s places left", places)
        parts.append(
            f'<p class="badge badge-success">{escape(left % {"n": places})}</p>\n'
        )
    else:
        parts.append(f'<p class="badge badge-warning">{w.full}</p>\n')
    if skills is not None and skills.top:
        items = "".join(
            f'<li><span class="skill-name">{escape(skill)}</span>'
            f' <span class="skill-level">{w.levels[level]}</span></li>'
            for skill, level in skills.top
        )
        if skills.more:
            others = ngettext("+%(n)s other", "+%(n)s others", skills.more)
            items += f'<li class="muted">{escape(others % {"n": skills.more})}</li>'
        parts.append(
            f'<ul class="skill-levels" aria-label="{w.main_skills}">\n{items}\n</ul>\n'
        )
    done = activity_summary(profile)
    if done:
        parts.append(f'<p class="mentor-activity">{escape(done)}</p>\n')
    parts.append('<dl class="card-facts">\n')
    region, city = profile.region, profile.city
    if region or city:
        between = " · " if region and city else ""
        where = f"{w.regions.get(region, escape(region))}{between}{escape(city)}"
        parts.append(f"<div><dt>{w.region}</dt><dd>{where}</dd></div>\n")
    if profile.modes:
        modes = ", ".join(w.modes.get(code, code) for code in profile.modes)
        parts.append(f"<div><dt>{w.meets}</dt><dd>{escape(modes)}</dd></div>\n")
    if profile.languages:
        names = ", ".join(
            w.language_names.get(code, code) for code in profile.languages
        )
        parts.append(f"<div><dt>{w.languages}</dt><dd>{escape(names)}</dd></div>\n")
    parts.append("</dl>\n")
    days = profile.answer_days
    if days:
        answer = escape(
            ngettext(
                "Usually answers within a day.",
                "Usually answers within %(days)s days.",
                days,
            )
            % {"days": days}
        )
    else:
        answer = w.no_answer_time
    parts.append(f'<p class="help">{answer}</p>\n')
    if profile.next_free_slot_at:
        slot = timezone.localtime(profile.next_free_slot_at)
        parts.append(
            f'<p class="help">{w.next_slot} <time datetime="'
            f'{escape(dateformat.format(slot, "c"))}">'
            f"{escape(formats.date_format(slot, 'DATETIME_FORMAT'))}</time></p>\n"
        )
    parts.append(
        f'<p class="card-action"><a href="{detail}" aria-describedby="mentor-{pk}">'
        f"{w.see}</a></p>\n</li>\n"
    )
    return "".join(parts)
