"""The relevance set: what people far from digital tools type, and the skills
they mean among the first results (and the ones they don't mean, nowhere).

Everyday words ("cv", "e-mail", "tableur") come from ``taxonomy.EVERYDAY_WORDS``;
short words are never matched on letter similarity ("cv" is not "conteneurs").
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.mentors.test_directory import make_mentor

pytestmark = pytest.mark.django_db

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
