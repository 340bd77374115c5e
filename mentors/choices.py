"""Fixed lists used by profiles: regions, languages, modes, situations, levels."""

from __future__ import annotations

import functools

from django.conf.locale import LANG_INFO
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    """France's 18 regions (INSEE codes), and abroad."""

    AUVERGNE_RHONE_ALPES = "84", "Auvergne-Rhône-Alpes"
    BOURGOGNE_FRANCHE_COMTE = "27", "Bourgogne-Franche-Comté"
    BRETAGNE = "53", "Bretagne"
    CENTRE_VAL_DE_LOIRE = "24", "Centre-Val de Loire"
    CORSE = "94", "Corse"
    GRAND_EST = "44", "Grand Est"
    HAUTS_DE_FRANCE = "32", "Hauts-de-France"
    ILE_DE_FRANCE = "11", "Île-de-France"
    NORMANDIE = "28", "Normandie"
    NOUVELLE_AQUITAINE = "75", "Nouvelle-Aquitaine"
    OCCITANIE = "76", "Occitanie"
    PAYS_DE_LA_LOIRE = "52", "Pays de la Loire"
    PROVENCE_ALPES_COTE_D_AZUR = "93", "Provence-Alpes-Côte d'Azur"
    GUADELOUPE = "01", "Guadeloupe"
    MARTINIQUE = "02", "Martinique"
    GUYANE = "03", "Guyane"
    LA_REUNION = "04", "La Réunion"
    MAYOTTE = "06", "Mayotte"
    ABROAD = "abroad", _("Abroad")


class Mode(models.TextChoices):
    VIDEO = "video", _("Video call")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")


class Situation(models.TextChoices):
    JOB_SEEKER = "job_seeker", _("Looking for a job")
    RECONVERSION = "reconversion", _("Changing career")
    EMPLOYEE = "employee", _("Employed")
    STUDENT = "student", _("Student")
    OTHER = "other", _("Other")


def language_choices() -> list[tuple[str, str]]:
    """ISO 639-1 languages known to Django, named in the viewer's language."""
    return list(_language_choices((get_language() or "fr")[:2]))


@functools.cache
def _language_choices(current: str) -> tuple[tuple[str, str], ...]:
    # Computed once per language and process: it sorts ~100 translated names.
    from django.utils.translation import gettext, override

    codes = sorted(
        code for code in LANG_INFO if len(code) == 2 and "name" in LANG_INFO[code]
    )
    named = []
    with override(current):
        for code in codes:
            info = LANG_INFO[code]
            name = (
                info.get("name_local", info["name"])
                if current == code
                else gettext(info["name"])
            )
            named.append((code, name[:1].upper() + name[1:]))
    return tuple(sorted(named, key=lambda pair: pair[1].casefold()))


# Offered as checkboxes, French first: the languages most spoken in France
# after French. Any other language is chosen from a list.
COMMON_LANGUAGES: tuple[str, ...] = ("fr", "en", "ar", "es", "pt", "it", "de", "tr")


def common_language_choices() -> list[tuple[str, str]]:
    names = dict(language_choices())
    return [(code, names[code]) for code in COMMON_LANGUAGES]


def other_language_choices() -> list[tuple[str, str]]:
    return [pair for pair in language_choices() if pair[0] not in COMMON_LANGUAGES]


LANGUAGE_CODES = frozenset(
    code for code in LANG_INFO if len(code) == 2 and "name" in LANG_INFO[code]
)

LEVEL_MIN, LEVEL_MAX = 1, 8
