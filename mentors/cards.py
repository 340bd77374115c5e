"""The directory's mentor cards, drawn in Python.

A card drawn by Django's template engine took ~1 ms (its nodes, variable
lookups and translations; no one part of it), and a page of 20 cards none of
which is in the card cache took ~21 ms with their skills read through the ORM
(~4.6 ms): that is every page after the mentor-data version moves, as it does
on any mentor's change. Here a card takes a tenth of that, and the skills are
one prepared statement that returns the three a card shows and the count of
the others. What every card of a page says alike (labels, names of regions,
modes, languages and levels) is translated and escaped once for the page, and
each value of a card is escaped as it is written in. The HTML is the one the
template drew (``tests/mentors/test_cards.py`` reads it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.html import escape
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from core.db import prepared_cursor

from .choices import Mode, Region, language_choices
from .levels import card_level_label
from .models import MentorProfile
from .taxonomy import LEVELS
from .templatetags.mentors import activity_summary, initials

# Skills a card names; the others are counted ("+2 others").
TOP_SKILLS = 3

# The first TOP_SKILLS skills of each profile, strongest first (the order of
# ``MentorSkill.Meta.ordering``), with how many the profile has.
_SKILLS_SQL = """
SELECT t.profile_id, t.name_fr, t.name_en, t.level, t.total
FROM (
    SELECT ms.profile_id, s.name_fr, s.name_en, ms.level,
           row_number() OVER w AS n,
           count(*) OVER (PARTITION BY ms.profile_id) AS total
    FROM mentors_mentorskill ms
    JOIN mentors_skill s ON s.id = ms.skill_id
    WHERE ms.profile_id = ANY(%s)
    WINDOW w AS (PARTITION BY ms.profile_id ORDER BY ms.level DESC, s.code)
) t
WHERE t.n <= %s
ORDER BY t.profile_id, t.n
"""


@dataclass(frozen=True)
class CardSkills:
    top: list[tuple[str, int]]  # (name in the active language, level)
    more: int  # skills not named


def card_skills(profile_ids: Sequence[int]) -> dict[int, CardSkills]:
    """The skills each of these profiles' cards shows (one statement); a
    profile without skills is left out."""
    english = (get_language() or "fr").startswith("en")
    skills: dict[int, CardSkills] = {}
    with prepared_cursor() as cursor:
        cursor.execute(_SKILLS_SQL, [list(profile_ids), TOP_SKILLS])
        for profile_id, name_fr, name_en, level, total in cursor.fetchall():
            card = skills.get(profile_id)
            if card is None:
                card = skills[profile_id] = CardSkills([], max(total - TOP_SKILLS, 0))
            card.top.append((name_en if english else name_fr, level))
    return skills


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
