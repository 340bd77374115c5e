"""A demo population for ``seed_demo``: French mentors and learners made from a seed.

Each person comes from one random generator seeded with (seed, kind, index), so
the same seed gives the same people whatever the counts asked for: a later run
with a bigger count tops the population up, and people already there are kept.
Their e-mail addresses say who they are (``m{seed}-{index}@demo.compagnonnage.test``
for mentors, ``l…`` for learners); that is how a run finds the people it made.

Rows go in with PostgreSQL ``COPY`` in chunks, ids drawn from the tables'
sequences, inside the caller's transaction: 20,000 mentors and 100,000 learners
take well under two minutes. Faker is imported only here, when people are made:
production installs neither it nor anything that imports this module.
"""

from __future__ import annotations

import json
import time
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
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


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "Développeur web",
        "Développeuse web",
        ("web-frontend", "javascript", "web-backend", "php", "git", "testing-qa")
        + ("accessibility-web", "wordpress-cms", "sql-databases", "3.4"),
        12,
        14,
        "M1805",
    ),
    Persona(
        "Développeur back-end",
        "Développeuse back-end",
        ("python", "web-backend", "sql-databases", "java", "git", "devops")
        + ("containers", "testing-qa", "3.4"),
        8,
        6,
        "M1805",
    ),
    Persona(
        "Développeur mobile",
        "Développeuse mobile",
        ("mobile-dev", "javascript", "java", "git", "ui-design", "testing-qa"),
        4,
        3,
        "M1805",
    ),
    Persona(
        "Testeur logiciel",
        "Testeuse logiciel",
        ("testing-qa", "agile-methods", "git", "javascript", "3.4", "5.1"),
        2,
        2,
        "M1805",
    ),
    Persona(
        "Data analyst",
        "Data analyst",
        ("data-analysis", "sql-databases", "spreadsheets", "data-visualisation")
        + ("python", "web-analytics", "1.2", "1.3"),
        7,
        9,
    ),
    Persona(
        "Data scientist",
        "Data scientist",
        ("machine-learning", "python", "data-analysis", "data-engineering")
        + ("ai-tools", "sql-databases", "data-visualisation"),
        4,
        3,
    ),
    Persona(
        "Ingénieur data",
        "Ingénieure data",
        ("data-engineering", "sql-databases", "python", "cloud", "devops")
        + ("containers",),
        3,
        2,
    ),
    Persona(
        "Ingénieur DevOps",
        "Ingénieure DevOps",
        ("devops", "cloud", "containers", "linux-admin", "git", "network-admin"),
        5,
        3,
    ),
    Persona(
        "Administrateur systèmes et réseaux",
        "Administratrice systèmes et réseaux",
        ("linux-admin", "network-admin", "it-support", "cloud")
        + ("cybersecurity-basics", "4.1", "5.1"),
        5,
        4,
        "M1801",
    ),
    Persona(
        "Technicien support informatique",
        "Technicienne support informatique",
        ("it-support", "5.1", "4.1", "network-admin", "office-suite")
        + ("email-calendar", "5.4"),
        6,
        8,
        "I1401",
    ),
    Persona(
        "Analyste en cybersécurité",
        "Analyste en cybersécurité",
        ("security-operations", "cybersecurity-basics", "penetration-testing")
        + ("network-admin", "linux-admin", "4.1", "4.2"),
        4,
        4,
    ),
    Persona(
        "Délégué à la protection des données",
        "Déléguée à la protection des données",
        ("gdpr-compliance", "4.2", "cybersecurity-basics", "3.3", "1.2"),
        2,
        1,
    ),
    Persona(
        "Designer UX/UI",
        "Designer UX/UI",
        ("ux-design", "ui-design", "accessibility-web", "product-management", "5.2"),
        5,
        6,
        "E1205",
    ),
    Persona(
        "Expert en accessibilité numérique",
        "Experte en accessibilité numérique",
        ("accessibility-web", "ux-design", "web-frontend", "2.3", "4.3"),
        2,
        1,
    ),
    Persona(
        "Graphiste et monteur vidéo",
        "Graphiste et monteuse vidéo",
        ("graphic-design", "video-editing", "ui-design", "3.1", "3.2", "3.3")
        + ("social-media",),
        4,
        4,
        "E1205",
    ),
    Persona(
        "Chef de produit numérique",
        "Cheffe de produit numérique",
        ("product-management", "agile-methods", "ux-design", "project-management")
        + ("web-analytics",),
        3,
        2,
    ),
    Persona(
        "Chef de projet digital",
        "Cheffe de projet digital",
        ("project-management", "agile-methods", "project-management-tools", "2.4")
        + ("office-suite", "no-code"),
        5,
        5,
    ),
    Persona(
        "Chargé de marketing digital",
        "Chargée de marketing digital",
        ("digital-marketing", "seo", "social-media", "web-analytics")
        + ("content-writing-web", "crm-tools", "e-commerce"),
        5,
        6,
        "M1705",
    ),
    Persona(
        "Community manager",
        "Community manager",
        ("social-media", "content-writing-web", "2.2", "2.6", "graphic-design")
        + ("video-editing",),
        3,
        4,
        "E1101",
    ),
    Persona(
        "Rédacteur web",
        "Rédactrice web",
        ("content-writing-web", "seo", "wordpress-cms", "3.1", "3.3", "2.5"),
        3,
        2,
    ),
    Persona(
        "Responsable e-commerce",
        "Responsable e-commerce",
        ("e-commerce", "digital-marketing", "web-analytics", "crm-tools", "seo")
        + ("wordpress-cms",),
        2,
        2,
    ),
    Persona(
        "Conseiller numérique",
        "Conseillère numérique",
        ("1.1", "2.1", "4.2", "2.6", "5.1", "4.1", "email-calendar", "office-suite")
        + ("5.4", "2.3"),
        6,
        0,
    ),
    Persona(
        "Formateur en bureautique",
        "Formatrice en bureautique",
        ("office-suite", "spreadsheets", "email-calendar", "1.3", "no-code", "2.4"),
        5,
        1,
        "K2111",
    ),
    Persona(
        "Consultant no-code",
        "Consultante no-code",
        ("no-code", "spreadsheets", "ai-tools", "crm-tools", "project-management-tools"),
        2,
        1,
    ),
    Persona(
        "Professeur de technologie",
        "Professeure de technologie",
        ("3.4", "1.1", "2.4", "4.3", "4.4", "5.3", "3.1"),
        2,
        0,
    ),
    Persona(
        "Consultant en IA",
        "Consultante en IA",
        ("ai-tools", "machine-learning", "python", "5.3", "4.2"),
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
BASIC_SKILLS = ("1.1", "2.1", "2.2", "2.6", "4.1", "4.2", "4.3", "5.1", "email-calendar")

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
    # Local hours of the week (0 = Monday 00:00) the mentor usually offers, and
    # which of the next four weeks' occurrences of them are still free.
    availability: tuple[int, ...]
    free_occurrences: tuple[int, ...]
    hours_mentored: Decimal
    rating_avg: Decimal | None
    rating_count: int

    def profile_fields(self) -> dict[str, Any]:
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


