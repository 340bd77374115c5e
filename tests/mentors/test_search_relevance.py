"""The relevance set: what people type, and whom they should find first.

First a directory of thirty mentors with realistic headlines, skills and
cities, and the expected top results of queries typed as people type them:
accents left out, misspellings, plurals and verb forms, several words, a rare
skill, a city, nothing to find. Then what people far from digital tools type
(everyday words: "cv", "e-mail", "tableur", from ``taxonomy.EVERYDAY_WORDS``),
the skills they mean among the first results and the ones they don't mean,
nowhere. Short words are never matched on letter similarity ("cv" is not
"conteneurs").
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.mentors.test_directory import make_mentor

pytestmark = pytest.mark.django_db

# name, headline, skills (code, level), city, region
DIRECTORY = [
    (
        "Élodie Garnier",
        "Développeuse web front-end",
        (("web-frontend", 7), ("javascript", 6)),
        "Rennes",
        "53",
    ),
    (
        "Bernard Lefèvre",
        "Formateur bureautique : Word et tableurs",
        (("office-suite", 6), ("spreadsheets", 6)),
        "Toulouse",
        "76",
    ),
    (
        "Yasmine Haddad",
        "Data analyst : Python et analyse de données",
        (("python", 8), ("data-analysis", 7)),
        "Paris",
        "11",
    ),
    (
        "Karim Benali",
        "Administrateur réseaux et systèmes Linux",
        (("network-admin", 7), ("linux-admin", 6)),
        "Lyon",
        "84",
    ),
    (
        "Sophie Martin",
        "Graphiste et illustratrice indépendante",
        (("graphic-design", 7),),
        "Nantes",
        "52",
    ),
    (
        "Lucas Moreau",
        "Chef de projet digital, méthodes agiles",
        (("project-management", 6), ("agile-methods", 6)),
        "Lille",
        "32",
    ),
    (
        "Amélie Rousseau",
        "Community manager : réseaux sociaux et marketing digital",
        (("social-media", 7), ("digital-marketing", 6)),
        "Bordeaux",
        "75",
    ),
    (
        "Thomas Petit",
        "Développeur Java, applications d'entreprise",
        (("java", 7), ("web-backend", 6)),
        "Grenoble",
        "84",
    ),
    (
        "Nadia Cherif",
        "Experte en cybersécurité, tests d'intrusion",
        (("penetration-testing", 7), ("cybersecurity-basics", 6)),
        "Marseille",
        "93",
    ),
    (
        "Julien Girard",
        "Conseiller numérique : démarches en ligne et smartphone",
        (("2.3", 5), ("5.1", 4)),
        "Strasbourg",
        "44",
    ),
    (
        "Claire Dubois",
        "Comptabilité et gestion des petites entreprises",
        (("spreadsheets", 5),),
        "Dijon",
        "27",
    ),
    (
        "Hugo Lambert",
        "Développeur d'applications mobiles Android et iOS",
        (("mobile-dev", 7),),
        "Montpellier",
        "76",
    ),
    (
        "Inès Fontaine",
        "Rédactrice web et référencement naturel",
        (("content-writing-web", 6), ("seo", 6)),
        "Paris",
        "11",
    ),
    (
        "Marc Leroy",
        "Ingénieur DevOps : Docker, Kubernetes, intégration continue",
        (("devops", 7), ("containers", 7)),
        "Toulouse",
        "76",
    ),
    (
        "Fatou Diallo",
        "Accessibilité numérique des sites web (RGAA)",
        (("accessibility-web", 7),),
        "Lille",
        "32",
    ),
    (
        "Pierre Blanc",
        "Montage vidéo pour YouTube",
        (("video-editing", 6),),
        "Rouen",
        "28",
    ),
    (
        "Chloé Mercier",
        "Designer UX/UI, conception d'interfaces",
        (("ux-design", 7), ("ui-design", 6)),
        "Bordeaux",
        "75",
    ),
    (
        "Antoine Faure",
        "Développeur PHP, sites WordPress",
        (("php", 6), ("wordpress-cms", 7)),
        "Clermont-Ferrand",
        "84",
    ),
    (
        "Léa Bonnet",
        "Data scientist : apprentissage automatique",
        (("machine-learning", 7), ("python", 6)),
        "Paris",
        "11",
    ),
    (
        "Samir Haddou",
        "Technicien support informatique, dépannage d'ordinateurs",
        (("it-support", 6), ("5.1", 5)),
        "Nice",
        "93",
    ),
    ("Manon Roux", "Créer sa boutique en ligne", (("e-commerce", 6),), "Angers", "52"),
    (
        "Olivier Chevalier",
        "Administrateur de bases de données",
        (("sql-databases", 7),),
        "Nantes",
        "52",
    ),
    (
        "Camille Perrin",
        "Testeuse logiciel, assurance qualité",
        (("testing-qa", 6),),
        "Rennes",
        "53",
    ),
    ("Rachid Amrani", "Architecte cloud AWS et Azure", (("cloud", 7),), "Lyon", "84"),
    (
        "Isabelle Morel",
        "Juriste RGPD, protection de la vie privée",
        (("gdpr-compliance", 7), ("4.2", 6)),
        "Paris",
        "11",
    ),
    (
        "Vincent Garcia",
        "Automatisation sans code (Zapier, Make)",
        (("no-code", 6),),
        "Toulouse",
        "76",
    ),
    (
        "Aurélie Lemoine",
        "Tableaux de bord Power BI",
        (("data-visualisation", 7),),
        "Lille",
        "32",
    ),
    (
        "Nicolas Bertrand",
        "Développeur Python Django",
        (("python", 7), ("web-backend", 6)),
        "Lyon",
        "84",
    ),
    (
        "Émilie Renaud",
        "Photographe, retouche photo avec Photoshop",
        (("graphic-design", 5),),
        "Brest",
        "53",
    ),
    (
        "Gabriel Lopez",
        "Développeur de jeux vidéo avec Unity",
        (("3.4", 6),),
        "Bordeaux",
        "75",
    ),
]
BIO = "J'accompagne pas à pas, avec patience et des exemples concrets."


@pytest.fixture
def directory_people():
    """Thirty mentors; the first listed is the newest (so recency alone never
    explains an expected order)."""
    for index, (name, headline, skills, city, region) in enumerate(DIRECTORY):
        make_mentor(
            name,
            headline,
            skills=skills,
            bio=BIO,
            region=region,
            city=city,
            approved_days_ago=index + 1,
        )


# query, the names expected first (in this order; a set: in any order), and the
# query as corrected ("" when no word was).
EXPECTED = [
    # one word, and a plural finding the singular
    ("python", {"Yasmine Haddad", "Nicolas Bertrand", "Léa Bonnet"}, ""),
    (
        "developpeurs",
        {
            "Thomas Petit",
            "Hugo Lambert",
            "Antoine Faure",
            "Nicolas Bertrand",
            "Gabriel Lopez",
        },
        "",
    ),
    ("développeuse", ["Élodie Garnier"], ""),
    ("graphisme", {"Sophie Martin", "Émilie Renaud"}, ""),
    ("vidéos", ["Pierre Blanc", "Gabriel Lopez"], "video"),
    # accents left out
    ("comptabilite", ["Claire Dubois"], ""),
    ("cybersecurite", ["Nadia Cherif"], ""),
    ("bases de donnees", ["Olivier Chevalier"], ""),
    ("demarches en ligne", ["Julien Girard"], ""),
    # misspellings: letters swapped, missing, doubled or wrong
    ("pyhton", {"Yasmine Haddad", "Nicolas Bertrand", "Léa Bonnet"}, "python"),
    ("grafiste", ["Sophie Martin"], "graphiste"),
    ("comptabilte", ["Claire Dubois"], "comptabilite"),
    ("accesibilite", ["Fatou Diallo"], "accessibilite"),
    ("wordpres", ["Antoine Faure"], "wordpress"),
    ("kubernets", ["Marc Leroy"], ""),  # same stem: nothing to correct
    ("reseau socieaux", ["Amélie Rousseau"], "reseau sociaux"),
    ("testeur logiciel", ["Camille Perrin"], "testeuse logiciel"),
    # a verb for the noun in the profile
    ("monter des vidéos", ["Pierre Blanc"], "montage des video"),
    # several words: the profiles with all of them first
    ("python lyon", ["Nicolas Bertrand"], ""),
    ("python paris", {"Léa Bonnet", "Yasmine Haddad"}, ""),
    ("python django lyon", ["Nicolas Bertrand"], ""),
    ("data analyst paris python", ["Yasmine Haddad", "Léa Bonnet"], ""),
    ("développeur python django lyon", ["Nicolas Bertrand"], ""),
    ("designer ux bordeaux", ["Chloé Mercier"], ""),
    ("chef de projet agile", ["Lucas Moreau"], ""),
    ("apprentissage automatique", ["Léa Bonnet"], ""),
    ("machine learning", ["Léa Bonnet"], ""),
    (
        "securite informatique",
        ["Nadia Cherif", "Samir Haddou"],
        "cybersecurite informatique",
    ),
    ("retouche photo", ["Émilie Renaud"], ""),
    ("boutique en ligne", ["Manon Roux"], ""),
    # no mentor holds both words: the one with the rarer word first
    ("docker lyon", ["Marc Leroy"], ""),
    # an everyday word: the skill it means, the stronger mentor first
    ("excel", ["Bernard Lefèvre", "Claire Dubois"], ""),
    # a rare skill or word
    ("unity", ["Gabriel Lopez"], ""),
    ("photoshop", ["Émilie Renaud"], ""),
    ("rgaa", ["Fatou Diallo"], ""),
    # a city
    ("lyon", {"Karim Benali", "Rachid Amrani", "Nicolas Bertrand"}, ""),
    ("toulouse", {"Bernard Lefèvre", "Marc Leroy", "Vincent Garcia"}, ""),
    # nothing to find, and nothing near enough to correct to
    ("astrophysique", [], ""),
    ("plomberie", [], ""),
    ("intelligence artificielle", [], ""),
]
# Queries whose whole result list is known (not only its first names).
EXACT = {
    "python",
    "unity",
    "photoshop",
    "rgaa",
    "lyon",
    "toulouse",
    "excel",
    "astrophysique",
    "plomberie",
    "intelligence artificielle",
    "grafiste",
    "comptabilite",
    "comptabilte",
    "pyhton",
}


@pytest.mark.parametrize(("q", "first", "corrected"), EXPECTED)
def test_people_find_whom_they_look_for(client, directory_people, q, first, corrected):
    response = client.get(reverse("mentors:directory"), {"q": q})
    found = [card["profile"].user.full_name for card in response.context["cards"]]

    top = found[: len(first)]
    if isinstance(first, set):
        assert set(top) == first, f"{q!r}: {found}"
    else:
        assert top == first, f"{q!r}: {found}"
    if q in EXACT:
        assert len(found) == len(first), f"{q!r}: {found}"
    assert response.context["page"].corrected == corrected


def test_the_relevance_set_is_large_enough():
    assert len(EXPECTED) >= 30
    assert len(DIRECTORY) >= 20


BIO_WITH_CV = "Je peux aussi vous aider à préparer un entretien ou à relire votre CV."


@pytest.fixture
def mentors():
    make_mentor(
        "Karim Appareils",
        "Administrateur systèmes · Protéger les appareils",
        skills=(("4.1", 6),),
        bio=BIO_WITH_CV,
    )
    make_mentor(
        "Paula Intrusion", "Tests d'intrusion", skills=(("penetration-testing", 7),)
    )
    make_mentor("Gaël Versions", "Gestion de versions avec Git", skills=(("git", 6),))
    make_mentor("Diane Ops", "Ingénieure DevOps", skills=(("devops", 7),))
    make_mentor(
        "Conrad Conteneurs",
        "Conteneurs (Docker, Kubernetes)",
        skills=(("containers", 6),),
    )
    make_mentor(
        "Bérénice Bureau",
        "Formatrice en bureautique",
        skills=(("office-suite", 6),),
    )
    make_mentor(
        "Mehdi Messagerie",
        "Technicien support, messagerie et agenda",
        skills=(("email-calendar", 5),),
    )
    make_mentor("Tania Tableurs", "Tableurs sans stress", skills=(("spreadsheets", 6),))
    make_mentor(
        "Corinne Conseil",
        "Conseillère numérique",
        skills=(("2.3", 5),),
    )
    make_mentor(
        "Samuel Support",
        "Dépannage informatique",
        skills=(("5.1", 5),),
    )


def result_skills(client, q: str) -> list[set[str]]:
    """The skill codes of each result, best first."""
    response = client.get(reverse("mentors:directory"), {"q": q})
    assert response.status_code == 200
    return [
        {mentor_skill.skill.code for mentor_skill in card["profile"].skills.all()}
        for card in response.context["cards"]
    ]


# query, skills expected among the first results, skills that must not appear
RELEVANCE = [
    ("cv", {"office-suite"}, {"4.1", "penetration-testing", "containers"}),
    ("CV", {"office-suite"}, {"4.1", "penetration-testing"}),
    ("lettre de motivation", {"office-suite"}, {"4.1", "penetration-testing"}),
    ("cover letter", {"office-suite"}, {"4.1", "penetration-testing"}),
    ("e-mail", {"email-calendar"}, {"git", "devops", "containers"}),
    ("E-mail", {"email-calendar"}, {"git", "devops"}),
    ("email", {"email-calendar"}, {"git", "devops"}),
    ("mail", {"email-calendar"}, {"git", "devops"}),
    ("courriel", {"email-calendar"}, {"git", "devops"}),
    ("boîte mail", {"email-calendar"}, {"git", "devops"}),
    ("Word", {"office-suite"}, {"git", "spreadsheets"}),
    ("traitement de texte", {"office-suite"}, {"git"}),
    ("Excel", {"spreadsheets"}, {"office-suite", "git"}),
    ("tableur", {"spreadsheets"}, {"git"}),
    ("spreadsheet", {"spreadsheets"}, {"git"}),
    ("démarches en ligne", {"2.3"}, {"devops", "git"}),
    ("demarches en ligne", {"2.3"}, {"devops", "git"}),  # typed without accents
    ("smartphone", {"5.1"}, {"git", "devops", "penetration-testing"}),
    ("mot de passe", {"4.1"}, {"git", "office-suite"}),
    # Plain words still find what they name.
    ("git", {"git"}, {"email-calendar"}),
    ("intrusion", {"penetration-testing"}, {"office-suite"}),
    ("kub", {"containers"}, {"office-suite"}),  # a short word: its prefix
]


@pytest.mark.parametrize(("q", "expected", "unexpected"), RELEVANCE)
def test_everyday_words_find_the_skills_they_mean(
    client, mentors, q, expected, unexpected
):
    results = result_skills(client, q)

    top = set().union(*results[: len(expected)]) if results else set()
    assert expected <= top, f"{q!r}: {expected - top} not first in {results}"
    found = set().union(*results) if results else set()
    assert not unexpected & found, f"{q!r} found {unexpected & found}"


@pytest.mark.parametrize("q", ["cv", "co", "cx", "xyz"])
def test_short_words_are_not_matched_on_letter_similarity(client, mentors, q):
    results = result_skills(client, q)

    assert {"containers"}.isdisjoint(set().union(*results) if results else set())


def test_everyday_words_narrow_a_query_with_other_words(client, mentors):
    make_mentor(
        "Lina Lyon",
        "Tableurs à Lyon",
        skills=(("spreadsheets", 5),),
        bio="Je vous retrouve à Lyon.",
    )
    make_mentor("Lucas Lyon", "Git à Lyon", skills=(("git", 5),), bio="À Lyon.")

    response = client.get(reverse("mentors:directory"), {"q": "excel lyon"})

    assert [c["profile"].user.full_name for c in response.context["cards"]] == [
        "Lina Lyon"
    ]
