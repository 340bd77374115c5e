"""A demo population for ``seed_demo``: French mentors and learners made from a seed.

Each person comes from one random generator seeded with (seed, kind, index), so
the same seed gives the same people whatever the counts asked for: a later run
with a bigger count tops the population up, and people already there are kept.
Their e-mail addresses say who they are (``m{seed}-{index}@demo.compagnonnage.test``
for mentors, ``l…`` for learners); that is how a run finds the people it made.

Rows go in with PostgreSQL ``COPY`` in chunks, ids drawn from the tables'
sequences, inside the caller's transaction: 20,000 mentors and 100,000 learners
take well under two minutes. Faker, a development dependency, is imported only
when people are made (``demo_population_ensure``): nothing production runs
imports this module.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from random import Random
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import User

from .choices import LEVEL_MAX, Mode, Region, Situation
from .data_version import bump_mentor_data_version
from .models import LearnerProfile, LearnerSkill, MentorProfile, MentorSkill, Skill
from .search import mentor_search_refresh
from .taxonomy import BANDS, LEVELS, SKILLS

if TYPE_CHECKING:
    from faker import Faker

DEMO_DOMAIN = "demo.compagnonnage.test"
MENTOR, LEARNER = "m", "l"
CHUNK = 2500

# --- reference tables -------------------------------------------------------

# Population in millions (INSEE, rounded): the directory looks like France.
REGION_WEIGHTS: dict[str, float] = {
    Region.ILE_DE_FRANCE: 12.3,
    Region.AUVERGNE_RHONE_ALPES: 8.2,
    Region.NOUVELLE_AQUITAINE: 6.1,
    Region.OCCITANIE: 6.1,
    Region.HAUTS_DE_FRANCE: 6.0,
    Region.GRAND_EST: 5.6,
    Region.PROVENCE_ALPES_COTE_D_AZUR: 5.2,
    Region.PAYS_DE_LA_LOIRE: 3.9,
    Region.BRETAGNE: 3.4,
    Region.NORMANDIE: 3.3,
    Region.BOURGOGNE_FRANCHE_COMTE: 2.8,
    Region.CENTRE_VAL_DE_LOIRE: 2.6,
    Region.LA_REUNION: 0.9,
    Region.GUADELOUPE: 0.38,
    Region.CORSE: 0.35,
    Region.MARTINIQUE: 0.35,
    Region.MAYOTTE: 0.32,
    Region.GUYANE: 0.29,
    Region.ABROAD: 0.8,
}

# Real cities, the largest first (picked with Zipf-like weights). Faker's fr_FR
# cities are made up ("Sainte Georgesdan") and know no region, hence this table.
CITIES: dict[str, tuple[str, ...]] = {
    Region.ILE_DE_FRANCE: (
        "Paris",
        "Boulogne-Billancourt",
        "Saint-Denis",
        "Montreuil",
        "Argenteuil",
        "Nanterre",
        "Versailles",
        "Créteil",
        "Vitry-sur-Seine",
        "Cergy",
        "Évry-Courcouronnes",
        "Massy",
    ),
    Region.AUVERGNE_RHONE_ALPES: (
        "Lyon",
        "Grenoble",
        "Saint-Étienne",
        "Villeurbanne",
        "Clermont-Ferrand",
        "Annecy",
        "Chambéry",
        "Valence",
    ),
    Region.NOUVELLE_AQUITAINE: (
        "Bordeaux",
        "Limoges",
        "Poitiers",
        "Pau",
        "La Rochelle",
        "Mérignac",
        "Bayonne",
        "Angoulême",
    ),
    Region.OCCITANIE: (
        "Toulouse",
        "Montpellier",
        "Nîmes",
        "Perpignan",
        "Béziers",
        "Albi",
        "Carcassonne",
        "Tarbes",
    ),
    Region.HAUTS_DE_FRANCE: (
        "Lille",
        "Amiens",
        "Roubaix",
        "Tourcoing",
        "Dunkerque",
        "Villeneuve-d'Ascq",
        "Calais",
        "Arras",
        "Beauvais",
    ),
    Region.GRAND_EST: (
        "Strasbourg",
        "Reims",
        "Metz",
        "Mulhouse",
        "Nancy",
        "Colmar",
        "Troyes",
        "Charleville-Mézières",
    ),
    Region.PROVENCE_ALPES_COTE_D_AZUR: (
        "Marseille",
        "Nice",
        "Toulon",
        "Aix-en-Provence",
        "Avignon",
        "Antibes",
        "Cannes",
        "Gap",
    ),
    Region.PAYS_DE_LA_LOIRE: (
        "Nantes",
        "Angers",
        "Le Mans",
        "Saint-Nazaire",
        "Cholet",
        "La Roche-sur-Yon",
        "Laval",
    ),
    Region.BRETAGNE: (
        "Rennes",
        "Brest",
        "Quimper",
        "Lorient",
        "Vannes",
        "Saint-Malo",
        "Saint-Brieuc",
    ),
    Region.NORMANDIE: (
        "Rouen",
        "Le Havre",
        "Caen",
        "Cherbourg-en-Cotentin",
        "Évreux",
        "Dieppe",
        "Alençon",
    ),
    Region.BOURGOGNE_FRANCHE_COMTE: (
        "Dijon",
        "Besançon",
        "Belfort",
        "Chalon-sur-Saône",
        "Auxerre",
        "Mâcon",
        "Nevers",
    ),
    Region.CENTRE_VAL_DE_LOIRE: (
        "Tours",
        "Orléans",
        "Bourges",
        "Blois",
        "Chartres",
        "Châteauroux",
    ),
    Region.CORSE: ("Ajaccio", "Bastia", "Porto-Vecchio", "Corte"),
    Region.GUADELOUPE: ("Les Abymes", "Baie-Mahault", "Pointe-à-Pitre", "Le Gosier"),
    Region.MARTINIQUE: ("Fort-de-France", "Le Lamentin", "Le Robert", "Schœlcher"),
    Region.GUYANE: ("Cayenne", "Saint-Laurent-du-Maroni", "Kourou", "Matoury"),
    Region.LA_REUNION: ("Saint-Denis", "Saint-Paul", "Saint-Pierre", "Le Tampon"),
    Region.MAYOTTE: ("Mamoudzou", "Koungou", "Dzaoudzi"),
}
# French people abroad: a city and its time zone (whole-hour offsets only).
ABROAD_CITIES: tuple[tuple[str, str], ...] = (
    ("Bruxelles", "Europe/Brussels"),
    ("Montréal", "America/Toronto"),
    ("Genève", "Europe/Zurich"),
    ("Londres", "Europe/London"),
    ("Casablanca", "Africa/Casablanca"),
    ("Dakar", "Africa/Dakar"),
    ("Berlin", "Europe/Berlin"),
    ("Barcelone", "Europe/Madrid"),
    ("Luxembourg", "Europe/Luxembourg"),
    ("New York", "America/New_York"),
)
REGION_ZONES: dict[str, str] = {
    Region.GUADELOUPE: "America/Guadeloupe",
    Region.MARTINIQUE: "America/Martinique",
    Region.GUYANE: "America/Cayenne",
    Region.LA_REUNION: "Indian/Reunion",
    Region.MAYOTTE: "Indian/Mayotte",
}
PARIS = "Europe/Paris"

# Languages besides French and English, weighted, with their French names.
OTHER_LANGUAGES: dict[str, tuple[str, int]] = {
    "ar": ("arabe", 30),
    "es": ("espagnol", 20),
    "pt": ("portugais", 15),
    "de": ("allemand", 10),
    "it": ("italien", 10),
    "tr": ("turc", 4),
    "ro": ("roumain", 4),
    "ru": ("russe", 3),
    "uk": ("ukrainien", 3),
    "pl": ("polonais", 3),
    "zh": ("chinois", 3),
    "vi": ("vietnamien", 2),
}
LANGUAGE_NAMES: dict[str, str] = {
    "en": "anglais",
    **{code: name for code, (name, _weight) in OTHER_LANGUAGES.items()},
}

# Faker's fr_FR names, and a share of the names France also counts.
OTHER_FIRST_NAMES = (
    ("Karim", "Mehdi", "Youssef", "Samir", "Bilal", "Moussa", "Mamadou", "Omar"),
    ("Amina", "Leïla", "Yasmine", "Nadia", "Aïcha", "Inès", "Awa", "Fatou"),
)
OTHER_FIRST_NAMES_MORE = (
    ("João", "Tiago", "Minh", "Wei", "Emre", "Andrei"),
    ("Ana", "Mei", "Linh", "Elif", "Ioana", "Olena"),
)
OTHER_LAST_NAMES = (
    "Benali",
    "Haddad",
    "Mansouri",
    "Cherif",
    "Diallo",
    "Traoré",
    "Diop",
    "Ndiaye",
    "Koné",
    "Da Silva",
    "Pereira",
    "Ferreira",
    "Nguyen",
    "Tran",
    "Chen",
    "Yilmaz",
    "Popescu",
    "Kowalski",
)


@dataclass(frozen=True, slots=True)
class Persona:
    """A kind of digital professional: what they are called and what they teach.

    ``skills`` are taxonomy codes, the core ones first. ``rome`` is the job's
    ROME code at France Travail, left empty where the mapping is not clear-cut.
    """

    title_m: str
    title_f: str
    skills: tuple[str, ...]
    mentor_weight: int
    learner_weight: int
    rome: str = ""


def _codes(words: str) -> tuple[str, ...]:
    return tuple(words.split())


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "Développeur web",
        "Développeuse web",
        _codes(
            "web-frontend javascript web-backend php git testing-qa"
            " accessibility-web wordpress-cms sql-databases 3.4"
        ),
        12,
        14,
        "M1805",
    ),
    Persona(
        "Développeur back-end",
        "Développeuse back-end",
        _codes(
            "python web-backend sql-databases java git devops containers testing-qa 3.4"
        ),
        8,
        6,
        "M1805",
    ),
    Persona(
        "Développeur mobile",
        "Développeuse mobile",
        _codes("mobile-dev javascript java git ui-design testing-qa"),
        4,
        3,
        "M1805",
    ),
    Persona(
        "Testeur logiciel",
        "Testeuse logiciel",
        _codes("testing-qa agile-methods git javascript 3.4 5.1"),
        2,
        2,
        "M1805",
    ),
    Persona(
        "Data analyst",
        "Data analyst",
        _codes(
            "data-analysis sql-databases spreadsheets data-visualisation python"
            " web-analytics 1.2 1.3"
        ),
        7,
        9,
    ),
    Persona(
        "Data scientist",
        "Data scientist",
        _codes(
            "machine-learning python data-analysis data-engineering ai-tools"
            " sql-databases data-visualisation"
        ),
        4,
        3,
    ),
    Persona(
        "Ingénieur data",
        "Ingénieure data",
        _codes("data-engineering sql-databases python cloud devops containers"),
        3,
        2,
    ),
    Persona(
        "Ingénieur DevOps",
        "Ingénieure DevOps",
        _codes("devops cloud containers linux-admin git network-admin"),
        5,
        3,
    ),
    Persona(
        "Administrateur systèmes et réseaux",
        "Administratrice systèmes et réseaux",
        _codes(
            "linux-admin network-admin it-support cloud cybersecurity-basics 4.1 5.1"
        ),
        5,
        4,
        "M1801",
    ),
    Persona(
        "Technicien support informatique",
        "Technicienne support informatique",
        _codes("it-support 5.1 4.1 network-admin office-suite email-calendar 5.4"),
        6,
        8,
        "I1401",
    ),
    Persona(
        "Analyste en cybersécurité",
        "Analyste en cybersécurité",
        _codes(
            "security-operations cybersecurity-basics penetration-testing"
            " network-admin linux-admin 4.1 4.2"
        ),
        4,
        4,
    ),
    Persona(
        "Délégué à la protection des données",
        "Déléguée à la protection des données",
        _codes("gdpr-compliance 4.2 cybersecurity-basics 3.3 1.2"),
        2,
        1,
    ),
    Persona(
        "Designer UX/UI",
        "Designer UX/UI",
        _codes("ux-design ui-design accessibility-web product-management 5.2"),
        5,
        6,
        "E1205",
    ),
    Persona(
        "Expert en accessibilité numérique",
        "Experte en accessibilité numérique",
        _codes("accessibility-web ux-design web-frontend 2.3 4.3"),
        2,
        1,
    ),
    Persona(
        "Graphiste et monteur vidéo",
        "Graphiste et monteuse vidéo",
        _codes("graphic-design video-editing ui-design 3.1 3.2 3.3 social-media"),
        4,
        4,
        "E1205",
    ),
    Persona(
        "Chef de produit numérique",
        "Cheffe de produit numérique",
        _codes(
            "product-management agile-methods ux-design project-management"
            " web-analytics"
        ),
        3,
        2,
    ),
    Persona(
        "Chef de projet digital",
        "Cheffe de projet digital",
        _codes(
            "project-management agile-methods project-management-tools 2.4"
            " office-suite no-code"
        ),
        5,
        5,
    ),
    Persona(
        "Chargé de marketing digital",
        "Chargée de marketing digital",
        _codes(
            "digital-marketing seo social-media web-analytics"
            " content-writing-web crm-tools e-commerce"
        ),
        5,
        6,
        "M1705",
    ),
    Persona(
        "Community manager",
        "Community manager",
        _codes("social-media content-writing-web 2.2 2.6 graphic-design video-editing"),
        3,
        4,
        "E1101",
    ),
    Persona(
        "Rédacteur web",
        "Rédactrice web",
        _codes("content-writing-web seo wordpress-cms 3.1 3.3 2.5"),
        3,
        2,
    ),
    Persona(
        "Responsable e-commerce",
        "Responsable e-commerce",
        _codes(
            "e-commerce digital-marketing web-analytics crm-tools seo wordpress-cms"
        ),
        2,
        2,
    ),
    Persona(
        "Conseiller numérique",
        "Conseillère numérique",
        _codes("1.1 2.1 4.2 2.6 5.1 4.1 email-calendar office-suite 5.4 2.3"),
        6,
        0,
    ),
    Persona(
        "Formateur en bureautique",
        "Formatrice en bureautique",
        _codes("office-suite spreadsheets email-calendar 1.3 no-code 2.4"),
        5,
        1,
        "K2111",
    ),
    Persona(
        "Consultant no-code",
        "Consultante no-code",
        _codes("no-code spreadsheets ai-tools crm-tools project-management-tools"),
        2,
        1,
    ),
    Persona(
        "Professeur de technologie",
        "Professeure de technologie",
        _codes("3.4 1.1 2.4 4.3 4.4 5.3 3.1"),
        2,
        0,
    ),
    Persona(
        "Consultant en IA",
        "Consultante en IA",
        _codes("ai-tools machine-learning python 5.3 4.2"),
        3,
        2,
    ),
)
# What employees and people far from digital tools want to learn.
WORKPLACE_SKILLS = (
    "office-suite",
    "spreadsheets",
    "email-calendar",
    "no-code",
    "ai-tools",
    "cybersecurity-basics",
    "project-management-tools",
    "crm-tools",
    "data-visualisation",
    "2.4",
    "4.2",
    "1.3",
)
BASIC_SKILLS = (
    "1.1",
    "2.1",
    "2.2",
    "2.6",
    "4.1",
    "4.2",
    "4.3",
    "5.1",
    "email-calendar",
)

WORKPLACES = (
    "dans une ESN",
    "dans une PME",
    "en freelance",
    "dans une collectivité territoriale",
    "dans une association",
    "dans une start-up",
    "dans un grand groupe",
    "dans une agence web",
    "dans un hôpital",
    "dans une banque",
    "dans un cabinet de conseil",
    "à l'université",
)
# (masculine, feminine) jobs people come from.
FORMER_JOBS = (
    ("commercial", "commerciale"),
    ("comptable", "comptable"),
    ("cuisinier", "cuisinière"),
    ("aide-soignant", "aide-soignante"),
    ("professeur des écoles", "professeure des écoles"),
    ("vendeur", "vendeuse"),
    ("assistant administratif", "assistante administrative"),
    ("magasinier", "magasinière"),
    ("infirmier", "infirmière"),
    ("agent d'accueil", "agente d'accueil"),
    ("serveur", "serveuse"),
    ("ouvrier dans l'automobile", "ouvrière dans l'automobile"),
    ("militaire", "militaire"),
    ("libraire", "libraire"),
)
STUDIES = (
    "BTS SIO",
    "BUT informatique",
    "licence professionnelle",
    "master MIAGE",
    "alternance dans une école du numérique",
    "formation labellisée Grande École du Numérique",
)
APPROACHES = (
    "J'aime partir de vos projets concrets plutôt que de la théorie.",
    "Pas de jargon : on avance à votre rythme, avec des exercices pratiques "
    "entre deux séances.",
    "Je propose des séances courtes et régulières, avec un petit objectif "
    "à chaque fois.",
    "J'ai en grande partie appris seul{e}, et je sais combien un coup de pouce "
    "au bon moment peut compter.",
    "On m'a beaucoup aidé{e} à mes débuts : à mon tour de transmettre.",
    "J'accompagne volontiers les personnes en reconversion et celles qui "
    "cherchent un emploi.",
    "Aucun prérequis : on part de là où vous en êtes.",
    "Je peux aussi vous aider à préparer un entretien ou à relire votre CV.",
    "Les questions « bêtes » sont les bienvenues : ce sont souvent les meilleures.",
)

# Weekly availability patterns, local time: (days 0 = Monday, hours, words).
PATTERNS: dict[str, tuple[tuple[int, ...], tuple[int, ...], str]] = {
    "evenings": ((0, 1, 2, 3, 4), (18, 19, 20), "en soirée"),
    "lunch": ((0, 1, 2, 3, 4), (12, 13), "à l'heure du déjeuner"),
    "saturday": ((5,), (9, 10, 11), "le samedi matin"),
    "daytime": ((0, 1, 2, 3, 4), (9, 10, 11, 14, 15, 16), "en journée"),
    "wednesday": ((2,), (14, 15, 16, 17), "le mercredi après-midi"),
    "sunday": ((6,), (10, 11), "le dimanche matin"),
}

_SKILL_NAMES = {spec.code: spec.name_fr for spec in SKILLS}
_BAND_FR = {code: name_fr.lower() for code, _name_en, name_fr in BANDS}
_LEVEL_BAND = {spec.level: _BAND_FR[spec.band] for spec in LEVELS}
_MODES = tuple(Mode.values)


def demo_email(kind: str, seed: int, index: int) -> str:
    return f"{kind}{seed}-{index}@{DEMO_DOMAIN}"


# --- what a person is made of (no database) ----------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    email: str
    full_name: str
    feminine: bool
    language: str
    time_zone: str
    region: str
    city: str
    languages: list[str]
    modes: list[str]
    joined_minutes_ago: int


@dataclass(frozen=True, slots=True)
class MentorSeed:
    person: Person
    headline: str
    bio: str
    capacity: int
    # (code, level, years), the strongest first.
    skills: list[tuple[str, int, int]]
    status: str
    charter_minutes_ago: int | None
    submitted_minutes_ago: int | None
    approved_minutes_ago: int | None

    def profile_fields(self) -> dict[str, Any]:
        """The content a mentor writes (``MentorProfile.EDITABLE_FIELDS``)."""
        person = self.person
        return {
            "headline": self.headline,
            "bio": self.bio,
            "languages": person.languages,
            "region": person.region,
            "city": person.city,
            "modes": person.modes,
            "capacity": self.capacity,
        }


@dataclass(frozen=True, slots=True)
class LearnerSeed:
    person: Person
    goals: str
    situation: str
    target_occupation: str
    occupation_code: str
    time_windows: list[int]
    # (code, current level, target level)
    skills: list[tuple[str, int, int]]


def _lower_first(text: str) -> str:
    """Lower-case a name's first letter for use mid-sentence, unless its first
    word is an acronym or in mixed case ("SQL", "DevOps")."""
    first = text.split(" ", 1)[0]
    if first.isupper() or first[1:] != first[1:].lower():
        return text
    return text[0].lower() + text[1:]


def _topic(code: str) -> str:
    """ "en programmation en Python", or "pour protéger les appareils" when the
    skill is named by a verb, as DigComp's competences are."""
    name = _lower_first(_SKILL_NAMES[code])
    first = name.split(" ", 1)[0]
    verb = first.startswith("s'") or (
        first.endswith(("er", "ir", "re")) and first != "droits"
    )
    return f"pour {name}" if verb else f"en {name}"


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " et " + words[-1]


def _pick(rng: Random, weights: dict[str, float]) -> str:
    # Plain strings, not the choices' enum members, go to the database.
    return str(rng.choices(list(weights), weights=list(weights.values()))[0])


def _zipf(rng: Random, items: Sequence[str]) -> str:
    return rng.choices(items, weights=[1 / (k + 1) for k in range(len(items))])[0]


_OTHER_LANGUAGE_WEIGHTS = {code: float(w) for code, (_n, w) in OTHER_LANGUAGES.items()}


def _person(
    fake: Faker,
    rng: Random,
    *,
    email: str,
    english_share: float,
    mode_shares: tuple[float, float, float],
) -> Person:
    feminine = rng.random() < 0.5
    if rng.random() < 0.12:
        pool = OTHER_FIRST_NAMES if rng.random() < 0.7 else OTHER_FIRST_NAMES_MORE
        first = rng.choice(pool[feminine])
        last = rng.choice(OTHER_LAST_NAMES) if rng.random() < 0.8 else fake.last_name()
    else:
        first = fake.first_name_female() if feminine else fake.first_name_male()
        last = fake.last_name()
    region = _pick(rng, REGION_WEIGHTS)
    abroad = region == Region.ABROAD
    if abroad:
        city, zone = rng.choice(ABROAD_CITIES)
    else:
        city, zone = _zipf(rng, CITIES[region]), REGION_ZONES.get(region, PARIS)
    languages = ["fr"]
    if rng.random() < (0.7 if abroad else english_share):
        languages.append("en")
    if rng.random() < 0.1:
        languages.append(_pick(rng, _OTHER_LANGUAGE_WEIGHTS))
    english = "en" in languages and rng.random() < (0.4 if abroad else 0.08)
    modes = [
        mode
        for mode, share in zip(_MODES, mode_shares, strict=True)
        if rng.random() < share
    ]
    return Person(
        email=email,
        full_name=f"{first} {last}",
        feminine=feminine,
        language="en" if english else "fr",
        time_zone=zone,
        region=region,
        city=city,
        languages=languages,
        modes=modes or [Mode.VIDEO.value],
        joined_minutes_ago=rng.randint(60, 900 * 24 * 60),
    )


def _availability(rng: Random, patterns: Sequence[str]) -> tuple[tuple[int, ...], str]:
    """Local hours of the week from one or two patterns, and how to say it."""
    chosen = sorted(rng.sample(list(patterns), rng.choice((1, 1, 2))))
    hours: set[int] = set()
    for name in chosen:
        days, day_hours, _words = PATTERNS[name]
        if len(days) > 1:
            days = tuple(sorted(rng.sample(days, rng.randint(2, len(days)))))
        hours.update(day * 24 + hour for day in days for hour in day_hours)
    return tuple(sorted(hours)), _join([PATTERNS[name][2] for name in chosen])


def _headline(
    rng: Random, *, title: str, city: str, codes: list[str], years: int
) -> str:
    top = _SKILL_NAMES[codes[0]]
    options = [
        f"{title} · {top}",
        f"{title}, je vous accompagne {_topic(codes[0])}",
        f"{title} depuis {years} ans · {top}",
        f"{title} à {city} · {top}",
    ]
    if len(codes) > 1:
        second = _lower_first(_SKILL_NAMES[codes[1]])
        options.append(f"{title} : {_lower_first(top)} et {second}")
    headline = rng.choice(options)
    return headline if len(headline) <= 120 else title


def _bio(
    rng: Random,
    *,
    person: Person,
    title: str,
    skills: list[tuple[str, int, int]],
    experience: int,
    when: str,
) -> str:
    """A few paragraphs of Markdown, as mentors write them."""
    e = "e" if person.feminine else ""
    workplace = rng.choice(WORKPLACES)
    former = rng.choice(FORMER_JOBS)[person.feminine]
    job = _lower_first(title)
    intro = rng.choice(
        (
            f"{title} depuis {experience} ans, je travaille aujourd'hui {workplace}.",
            f"Je suis {job} {workplace}, avec {experience} ans d'expérience "
            "dans le métier.",
            f"Après quelques années comme {former}, je me suis reconverti{e} dans "
            f"le numérique il y a {experience} ans : je suis aujourd'hui {job} "
            f"{workplace}.",
            f"{title} installé{e} à {person.city}, j'exerce {workplace} depuis "
            f"{experience} ans.",
        )
    )
    codes = [code for code, _level, _years in skills]
    # DigComp names are verb phrases: they read well in a list, not in a sentence.
    verbs = any(_topic(code).startswith("pour") for code in codes)
    if len(skills) >= 3 and (verbs or rng.random() < 0.5):
        lines = "\n".join(
            f"- {_SKILL_NAMES[code]} (niveau {_LEVEL_BAND[level]})"
            for code, level, _years in skills
        )
        offer = f"Je peux vous accompagner sur :\n\n{lines}"
    elif len(skills) >= 2 and not verbs:
        names = [_lower_first(_SKILL_NAMES[code]) for code in codes]
        offer = f"Mes sujets de prédilection : {_join(names)}."
    else:
        topics = _join([_topic(code) for code in codes])
        offer = f"Je vous accompagne {topics}, de la découverte jusqu'à l'autonomie."
    approach = " ".join(
        text.format(e=e) for text in rng.sample(APPROACHES, rng.randint(1, 2))
    )
    ways = {
        Mode.VIDEO: "en visio",
        Mode.PHONE: "par téléphone",
        Mode.IN_PERSON: f"en personne à {person.city}",
    }
    practical = [f"Je vous retrouve {_join([ways[Mode(m)] for m in person.modes])}."]
    if when:
        practical.append(f"Plutôt disponible {when}.")
    extra = [LANGUAGE_NAMES[code] for code in person.languages if code != "fr"]
    if extra:
        practical.append(f"Je parle aussi {_join(extra)}.")
    return "\n\n".join((intro, offer, approach, " ".join(practical)))


def mentor_seed(fake: Faker, *, seed: int, index: int) -> MentorSeed:
    """Mentor number ``index`` of population ``seed``: always the same person."""
    fake.seed_instance(f"{seed}:mentor:{index}")
    rng = fake.random
    person = _person(
        fake,
        rng,
        email=demo_email(MENTOR, seed, index),
        english_share=0.3,
        mode_shares=(0.9, 0.35, 0.4),
    )
    persona = rng.choices(PERSONAS, [p.mentor_weight for p in PERSONAS])[0]
    title = persona.title_f if person.feminine else persona.title_m
    count = rng.choices((1, 2, 3, 4, 5), (10, 25, 30, 20, 15))[0]
    codes = [rng.choice(persona.skills[:3])]
    others = [code for code in persona.skills if code != codes[0]]
    codes += rng.sample(others, min(count, len(persona.skills)) - 1)
    experience = rng.randint(2, 25)
    skills = []
    for position, code in enumerate(codes):
        level = rng.choices(range(3, LEVEL_MAX + 1), (8, 18, 26, 24, 15, 9))[0]
        # Their main skill is as old as their career; a high level takes years.
        least = max(1, min(experience, level - 2))
        years = experience if position == 0 else rng.randint(least, experience)
        skills.append((code, level, years))
    skills.sort(key=lambda entry: (-entry[1], -entry[2], entry[0]))
    # When they are usually free, said in their bio. No slot or weekly
    # availability is written: those come from scheduling, never from demo data.
    _hours, when = (
        _availability(rng, tuple(PATTERNS)) if rng.random() < 0.92 else ((), "")
    )
    headline = _headline(
        rng,
        title=title,
        city=person.city,
        codes=[code for code, _level, _years in skills],
        years=experience,
    )
    bio = _bio(
        rng,
        person=person,
        title=title,
        skills=skills,
        experience=experience,
        when=when,
    )
    status = _pick(
        rng,
        {
            MentorProfile.Status.APPROVED: 85,
            MentorProfile.Status.SUBMITTED: 8,
            MentorProfile.Status.DRAFT: 7,
        },
    )
    charter = submitted = approved = None
    if status == MentorProfile.Status.APPROVED:
        approved = rng.randint(60, 700 * 24 * 60)
        submitted = approved + rng.randint(2 * 60, 5 * 24 * 60)
        charter = submitted + rng.randint(1, 120)
    elif status == MentorProfile.Status.SUBMITTED:
        submitted = rng.randint(60, 10 * 24 * 60)
        charter = submitted + rng.randint(1, 120)
    # People join before they accept the charter.
    joined = max(person.joined_minutes_ago, (charter or 0) + rng.randint(60, 43200))
    return MentorSeed(
        person=replace(person, joined_minutes_ago=joined),
        headline=headline,
        bio=bio,
        capacity=rng.choices((1, 2, 3, 4, 5), (15, 35, 30, 12, 8))[0],
        skills=skills,
        status=status,
        charter_minutes_ago=charter,
        submitted_minutes_ago=submitted,
        approved_minutes_ago=approved,
    )


_SITUATIONS: dict[str, float] = {
    Situation.JOB_SEEKER: 30,
    Situation.RECONVERSION: 30,
    Situation.EMPLOYEE: 25,
    Situation.STUDENT: 10,
    Situation.OTHER: 5,
}
# When people with each situation are free, by pattern name.
_LEARNER_PATTERNS: dict[str, tuple[str, ...]] = {
    Situation.JOB_SEEKER: ("daytime", "lunch", "evenings", "wednesday"),
    Situation.RECONVERSION: ("evenings", "saturday", "sunday", "daytime"),
    Situation.EMPLOYEE: ("evenings", "lunch", "saturday"),
    Situation.STUDENT: ("evenings", "wednesday", "saturday", "sunday"),
    Situation.OTHER: ("daytime", "wednesday", "saturday"),
}


def _goals(
    rng: Random, *, situation: str, feminine: bool, job: str, codes: list[str]
) -> str:
    e = "e" if feminine else ""
    topic = _topic(codes[0])
    former = rng.choice(FORMER_JOBS)[feminine]
    if situation == Situation.JOB_SEEKER:
        return (
            f"Je cherche un poste de {job} et je veux consolider mes bases {topic}. "
            + rng.choice(
                (
                    f"Inscrit{e} à France Travail depuis {rng.randint(2, 18)} mois, "
                    "j'aimerais un regard de professionnel sur mes projets.",
                    f"Objectif : être prêt{e} pour les entretiens techniques.",
                    "J'ai besoin de quelqu'un du métier pour m'aider à prioriser.",
                )
            )
        )
    if situation == Situation.RECONVERSION:
        return (
            f"Après {rng.randint(3, 20)} ans comme {former}, je me reconvertis pour "
            f"devenir {job}. "
            + rng.choice(
                (
                    f"Je suis une formation en ligne et j'ai besoin d'aide {topic}.",
                    f"Je me forme seul{e} le soir et j'aimerais progresser {topic} "
                    "avec quelqu'un du métier.",
                )
            )
        )
    if situation == Situation.EMPLOYEE:
        return rng.choice(
            (
                "Mon service passe au numérique et je veux être plus à l'aise "
                f"{topic}.",
                "Je veux gagner du temps au quotidien : j'aimerais progresser "
                f"{topic}.",
                "On m'a confié de nouvelles missions et je dois monter en "
                f"compétences {topic}.",
            )
        )
    if situation == Situation.STUDENT:
        return (
            f"En {rng.choice(STUDIES)}, je veux progresser {topic} avec quelqu'un "
            f"du métier. Je vise un poste de {job} à la fin de mes études."
        )
    return rng.choice(
        (
            "Je veux gagner en autonomie avec l'ordinateur et le smartphone, pour "
            "mes démarches en ligne et pour garder le lien avec mes proches.",
            f"Retraité{e}, je veux enfin me sentir à l'aise avec le numérique, sans "
            "avoir peur de faire une bêtise.",
            f"J'aimerais pouvoir aider mes enfants avec leurs outils numériques, et "
            f"progresser {topic}.",
        )
    )


def learner_seed(fake: Faker, *, seed: int, index: int) -> LearnerSeed:
    """Learner number ``index`` of population ``seed``: always the same person."""
    fake.seed_instance(f"{seed}:learner:{index}")
    rng = fake.random
    person = _person(
        fake,
        rng,
        email=demo_email(LEARNER, seed, index),
        english_share=0.15,
        mode_shares=(0.8, 0.3, 0.4),
    )
    situation = _pick(rng, _SITUATIONS)
    persona = rng.choices(PERSONAS, [p.learner_weight for p in PERSONAS])[0]
    title = persona.title_f if person.feminine else persona.title_m
    pool: Sequence[str] = persona.skills
    target_occupation, occupation_code = title, persona.rome
    if situation == Situation.EMPLOYEE:
        pool, target_occupation, occupation_code = WORKPLACE_SKILLS, "", ""
    elif situation == Situation.OTHER:
        pool, target_occupation, occupation_code = BASIC_SKILLS, "", ""
    codes = rng.sample(list(pool), rng.choices((1, 2, 3), (40, 40, 20))[0])
    beginner = situation == Situation.OTHER or rng.random() < 0.3
    skills = []
    for code in codes:
        current = rng.randint(0, 2) if beginner else rng.randint(0, 5)
        skills.append((code, current, min(LEVEL_MAX, current + rng.randint(1, 3))))
    goals = _goals(
        rng,
        situation=situation,
        feminine=person.feminine,
        job=_lower_first(title),
        codes=codes,
    )
    if rng.random() < 0.4:
        code, current, target = skills[0]
        start = (
            f"Je pars de zéro {_topic(code)}"
            if current == 0
            else f"Aujourd'hui je me situe au niveau {current} {_topic(code)}"
        )
        goals += f" {start}, je vise le niveau {target}."
    windows, _words = _availability(rng, _LEARNER_PATTERNS[situation])
    return LearnerSeed(
        person=person,
        goals=goals,
        situation=situation,
        target_occupation=target_occupation,
        occupation_code=occupation_code,
        time_windows=list(windows),
        skills=skills,
    )


# --- writing them -------------------------------------------------------------

Progress = Callable[[str, int, int], None]


@dataclass
class SeedResult:
    mentors_created: int = 0
    mentors_kept: int = 0
    learners_created: int = 0
    learners_kept: int = 0
    # Seconds spent per phase, for the command's report.
    timings: dict[str, float] = field(default_factory=dict)

    def time(self, phase: str) -> _Timer:
        return _Timer(self.timings, phase)


class _Timer:
    def __init__(self, timings: dict[str, float], phase: str) -> None:
        self.timings, self.phase = timings, phase

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        elapsed = time.perf_counter() - self.started
        self.timings[self.phase] = self.timings.get(self.phase, 0.0) + elapsed


def _copy(
    cursor: Any, model: type[Any], given: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """COPY rows into the model's table; ``cursor`` is the raw psycopg cursor.

    ``rows`` hold the fields named in ``given`` (attnames); every other column
    gets the field's default, so that a column added later with a default does
    not break the seeding. A callable default is called once per call here.
    """
    fields = [
        f
        for f in model._meta.concrete_fields
        # PostgreSQL computes generated columns itself.
        if (f.attname in given or not f.primary_key) and not f.generated
    ]
    unknown = set(given) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no field {sorted(unknown)}")
    position = {name: index for index, name in enumerate(given)}
    defaults = {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in fields
        if f.attname not in position
    }
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
    # Per column: the row's value at an index, or the default (index -1).
    plan = [(position.get(f.attname, -1), defaults.get(f.attname)) for f in fields]
    with cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(
                [row[index] if index >= 0 else default for index, default in plan]
            )


def _next_ids(cursor: Any, model: type[Any], count: int) -> list[int]:
    """Draw ``count`` ids from the table's sequence (safe beside other writers)."""
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [model._meta.db_table, count],
    )
    return sorted(row[0] for row in cursor.fetchall())


def _missing(kind: str, seed: int, count: int) -> list[int]:
    """Indices 1..count of this population that have no account yet."""
    prefix = f"{kind}{seed}-"
    emails = User.objects.filter(
        email__startswith=prefix, email__endswith=f"@{DEMO_DOMAIN}"
    ).values_list("email", flat=True)
    present = {
        int(local)
        for email in emails
        if (local := email.split("@")[0].removeprefix(prefix)).isdigit()
    }
    return [index for index in range(1, count + 1) if index not in present]


def _chunks(items: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


_USER_COLUMNS = (
    "id",
    "password",
    "is_superuser",
    "email",
    "full_name",
    "language",
    "time_zone",
    "is_staff",
    "is_active",
    "date_joined",
    "terms_version",
    "terms_accepted_at",
    "adult_confirmed_at",
)
_EMAIL_COLUMNS = ("email", "verified", "primary", "user_id")
_MENTOR_COLUMNS = (
    "id",
    "user_id",
    *MentorProfile.EDITABLE_FIELDS,
    "photo",
    "status",
    "draft",
    "charter_version",
    "charter_accepted_at",
    "submitted_at",
    "approved_at",
    "reviewed_by_id",
    "review_message",
    "is_published",
    "created_at",
    "updated_at",
    "next_free_slot_at",
    "free_slots_7d",
    "free_slots_14d",
    "free_slots_28d",
    "availability_bitmap",
    "hours_mentored",
    "people_helped",
    "rating_avg",
    "rating_count",
    "summary_updated_at",
)
# The summaries scheduling pushes down (free slots, weekly availability, hours,
# people helped, rating): demo data never writes one without the rows behind it.
# The slot summaries come later, from real slots (``sessions.demo``).
_NO_SUMMARY = (None, 0, 0, 0, bytes(21), Decimal(0), 0, None, 0, None)
_MENTOR_SKILL_COLUMNS = ("profile_id", "skill_id", "level", "years")
_LEARNER_COLUMNS = (
    "id",
    "user_id",
    "goals",
    "situation",
    "target_occupation",
    "occupation_code",
    "languages",
    "region",
    "modes",
    "time_windows",
    "created_at",
    "updated_at",
)
_LEARNER_SKILL_COLUMNS = ("profile_id", "skill_id", "current_level", "target_level")


class _Writer:
    """Turns seeds into rows, with the times relative to one ``now``."""

    def __init__(
        self, cursor: Any, *, password_hash: str, reviewer_id: int | None
    ) -> None:
        self.cursor = cursor
        self.password_hash = password_hash
        self.reviewer_id = reviewer_id
        self.now = timezone.now()
        self.terms_version = settings.TERMS_VERSION
        self.charter_version = settings.MENTOR_CHARTER_VERSION
        self.skill_ids = dict(Skill.objects.values_list("code", "id"))

    def ago(self, minutes: int | None) -> datetime | None:
        return None if minutes is None else self.now - timedelta(minutes=minutes)

    def accounts(self, people: list[Person]) -> list[int]:
        user_ids = _next_ids(self.cursor, User, len(people))
        users = []
        for person, user_id in zip(people, user_ids, strict=True):
            joined = self.ago(person.joined_minutes_ago)
            users.append(
                (
                    user_id,
                    self.password_hash,
                    False,
                    person.email,
                    person.full_name,
                    person.language,
                    person.time_zone,
                    False,
                    True,
                    joined,
                    self.terms_version,
                    joined,
                    joined,
                )
            )
        _copy(self.cursor, User, _USER_COLUMNS, users)
        _copy(
            self.cursor,
            EmailAddress,
            _EMAIL_COLUMNS,
            (
                (person.email, True, True, user_id)
                for person, user_id in zip(people, user_ids, strict=True)
            ),
        )
        return user_ids

    def mentors(self, seeds: list[MentorSeed]) -> list[int]:
        """Write the mentors; return the ids of the approved profiles."""
        user_ids = self.accounts([seed.person for seed in seeds])
        profile_ids = _next_ids(self.cursor, MentorProfile, len(seeds))
        rows = []
        skill_rows = []
        approved_ids = []
        for seed, user_id, profile_id in zip(seeds, user_ids, profile_ids, strict=True):
            joined = self.ago(seed.person.joined_minutes_ago)
            submitted = self.ago(seed.submitted_minutes_ago)
            approved = self.ago(seed.approved_minutes_ago)
            charter = self.ago(seed.charter_minutes_ago)
            if seed.status == MentorProfile.Status.APPROVED:
                approved_ids.append(profile_id)
                published = seed.profile_fields()
                draft = None
                skill_rows += [
                    (profile_id, self.skill_ids[code], level, years)
                    for code, level, years in seed.skills
                ]
            else:
                # Never approved: nothing published yet, the content waits in
                # the working copy (and in the review queue when submitted).
                published = {
                    "headline": "",
                    "bio": "",
                    "languages": [],
                    "region": "",
                    "city": "",
                    "modes": [],
                    "capacity": MentorProfile._meta.get_field("capacity").default,
                }
                draft = json.dumps(
                    {
                        **seed.profile_fields(),
                        "photo": "",
                        "skills": [
                            {"code": code, "level": level, "years": years}
                            for code, level, years in seed.skills
                        ],
                    }
                )
            rows.append(
                (
                    profile_id,
                    user_id,
                    *(published[name] for name in MentorProfile.EDITABLE_FIELDS),
                    "",
                    seed.status,
                    draft,
                    self.charter_version if charter else "",
                    charter,
                    submitted,
                    approved,
                    self.reviewer_id if approved else None,
                    "",
                    True,
                    joined,
                    approved or submitted or joined,
                    *_NO_SUMMARY,
                )
            )
        _copy(self.cursor, MentorProfile, _MENTOR_COLUMNS, rows)
        _copy(self.cursor, MentorSkill, _MENTOR_SKILL_COLUMNS, skill_rows)
        return approved_ids

    def learners(self, seeds: list[LearnerSeed]) -> None:
        user_ids = self.accounts([seed.person for seed in seeds])
        profile_ids = _next_ids(self.cursor, LearnerProfile, len(seeds))
        rows = []
        skill_rows = []
        for seed, user_id, profile_id in zip(seeds, user_ids, profile_ids, strict=True):
            person = seed.person
            joined = self.ago(person.joined_minutes_ago)
            rows.append(
                (
                    profile_id,
                    user_id,
                    seed.goals,
                    seed.situation,
                    seed.target_occupation,
                    seed.occupation_code,
                    person.languages,
                    person.region,
                    person.modes,
                    seed.time_windows,
                    joined,
                    joined,
                )
            )
            skill_rows += [
                (profile_id, self.skill_ids[code], current, target)
                for code, current, target in seed.skills
            ]
        _copy(self.cursor, LearnerProfile, _LEARNER_COLUMNS, rows)
        _copy(self.cursor, LearnerSkill, _LEARNER_SKILL_COLUMNS, skill_rows)


# Any constant: serialises concurrent seed runs (a second one waits, then tops up).
_LOCK_KEY = 0x5EED_DE30


def demo_population_ensure(
    *,
    mentors: int,
    learners: int,
    seed: int,
    password_hash: str,
    reviewer_id: int | None = None,
    progress: Progress | None = None,
) -> SeedResult:
    """Create the mentors 1..``mentors`` and learners 1..``learners`` of
    population ``seed`` that do not exist yet; keep the others as they are.

    Precondition: inside a transaction (the rows appear all at once or not at
    all). Writes with COPY (no ``save()``, no signal), then refreshes the search
    columns of the new approved profiles and analyses the tables.
    """
    from faker import Faker

    result = SeedResult()
    fake = Faker("fr_FR")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        writer = _Writer(
            cursor.cursor, password_hash=password_hash, reviewer_id=reviewer_id
        )
        approved_ids: list[int] = []
        todo = _missing(MENTOR, seed, mentors)
        result.mentors_created, result.mentors_kept = len(todo), mentors - len(todo)
        done = 0
        for chunk in _chunks(todo):
            with result.time("generate"):
                mentor_seeds = [mentor_seed(fake, seed=seed, index=i) for i in chunk]
            with result.time("copy"):
                approved_ids += writer.mentors(mentor_seeds)
            done += len(chunk)
            if progress:
                progress("mentors", done, len(todo))
        todo = _missing(LEARNER, seed, learners)
        result.learners_created = len(todo)
        result.learners_kept = learners - len(todo)
        done = 0
        for chunk in _chunks(todo):
            with result.time("generate"):
                learner_seeds = [learner_seed(fake, seed=seed, index=i) for i in chunk]
            with result.time("copy"):
                writer.learners(learner_seeds)
            done += len(chunk)
            if progress:
                progress("learners", done, len(todo))
        if approved_ids:
            with result.time("search"):
                mentor_search_refresh(profile_ids=approved_ids)
            # New mentors are new matching and directory inputs.
            bump_mentor_data_version()
        if result.mentors_created or result.learners_created:
            tables = [
                model._meta.db_table
                for model in (
                    User,
                    EmailAddress,
                    MentorProfile,
                    MentorSkill,
                    LearnerProfile,
                    LearnerSkill,
                )
            ]
            with result.time("analyze"):
                cursor.execute("ANALYZE " + ", ".join(tables))
    return result
