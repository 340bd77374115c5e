"""Directory cards and the mentor page help choose: places left or "Complet",
the usual time to answer, a plain link to the profile; a card also shows the
photo or initials, the top skills in words, where, how and in which languages;
a full mentor's page offers no request button."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils.translation import override

from mentors.levels import card_level_label
from mentors.models import MentorProfile
from tests.factories import UserFactory
from tests.mentors.test_directory import make_mentor

pytestmark = pytest.mark.django_db


def set_summary(profile: MentorProfile, **fields) -> None:
    MentorProfile.objects.filter(pk=profile.pk).update(**fields)


@pytest.fixture
def open_and_full():
    open_ = make_mentor("Élodie Garnier", "Python pour débutants")
    full = make_mentor("Bernard Lefèvre", "Python et tableurs")
    set_summary(open_, capacity=3, active_mentorships=1, median_answer_hours_90d=30)
    set_summary(full, capacity=2, active_mentorships=2, median_answer_hours_90d=None)
    return open_, full


def card_html(client, name: str, q: str = "python") -> str:
    html = client.get(reverse("mentors:directory"), {"q": q}).content.decode()
    cards = html.split('<li class="card mentor-card">')[1:]
    (card,) = [c for c in cards if name in c]
    return card


def test_cards_show_places_left_or_full_and_the_time_to_answer(client, open_and_full):
    open_, full = open_and_full

    open_card = card_html(client, "Élodie Garnier")
    full_card = card_html(client, "Bernard Lefèvre")

    assert "2 places disponibles" in open_card
    assert "Complet" not in open_card
    assert "Répond en général sous 2 jours" in open_card
    assert "Complet" in full_card
    assert "disponible" not in full_card
    assert "Répond en général" not in full_card  # nothing measured yet
    for profile, card in ((open_, open_card), (full, full_card)):
        link = f'href="{reverse("mentors:detail", args=[profile.pk])}"'
        assert card.count(link) == 2  # the name and "Voir le profil"
        assert "Voir le profil</a>" in card
        assert f'aria-describedby="mentor-{profile.pk}"' in card


def test_a_paused_mentor_says_so_instead_of_places(client, open_and_full):
    open_, _full = open_and_full
    set_summary(open_, is_paused=True)

    card = card_html(client, "Élodie Garnier")

    assert "Ne prend pas de nouvelles personnes" in card
    assert "places disponibles" not in card


def test_api_cards_carry_places_left_and_time_to_answer(client, open_and_full):
    body = client.get(
        "/api/v1/mentors/", {"search": "python"}, HTTP_ACCEPT="application/json"
    ).json()

    cards = {card["full_name"]: card for card in body["results"]}
    assert cards["Élodie Garnier"]["places_left"] == 2
    assert cards["Élodie Garnier"]["median_answer_hours_90d"] == "30.0"
    assert cards["Élodie Garnier"]["is_paused"] is False
    assert cards["Bernard Lefèvre"]["places_left"] == 0
    assert cards["Bernard Lefèvre"]["median_answer_hours_90d"] is None


def test_a_full_mentor_page_says_complet_and_offers_no_request(client, open_and_full):
    open_, full = open_and_full
    client.force_login(UserFactory())

    full_page = client.get(reverse("mentors:detail", args=[full.pk])).content.decode()
    open_page = client.get(reverse("mentors:detail", args=[open_.pk])).content.decode()

    request_full = reverse("matching:request-create", args=[full.pk])
    assert 'id="full"' in full_page
    assert "Complet" in full_page
    assert request_full not in full_page
    request_open = reverse("matching:request-create", args=[open_.pk])
    assert f'<p class="request-bar"><a class="button" href="{request_open}"' in (
        open_page
    )
    assert "2 places disponibles" in open_page


def test_visitors_also_see_that_a_mentor_is_full(client, open_and_full):
    _open, full = open_and_full

    page = client.get(reverse("mentors:detail", args=[full.pk])).content.decode()

    assert "Complet" in page


def test_a_card_shows_the_photo_or_the_initials(client, open_and_full):
    _open, full = open_and_full
    set_summary(full, photo="photos/portrait.jpg")

    with_photo = card_html(client, "Bernard Lefèvre")
    without = card_html(client, "Élodie Garnier")

    photo_url = reverse("mentors:photo", args=[full.pk])
    assert f'<img class="avatar" src="{photo_url}" alt=""' in with_photo
    assert 'class="avatar avatar-initials"' not in with_photo
    assert '<span class="avatar avatar-initials" aria-hidden="true">ÉG</span>' in (
        without
    )
    assert "<img" not in without


def test_a_card_shows_top_skills_in_plain_words_and_where_how_which_languages(client):
    make_mentor(
        "Élodie Garnier",
        "Développement web pour débutants",
        skills=(
            ("web-frontend", 7),
            ("javascript", 6),
            ("python", 5),
            ("spreadsheets", 4),
        ),
        languages=("fr", "en"),
        region="53",
        modes=("video", "phone"),
    )

    card = card_html(client, "Élodie Garnier", q="web")

    # The three best, highest level first, in words; the rest counted.
    levels = [
        part.split("</span>")[0]
        for part in card.split('<span class="skill-level">')[1:]
    ]
    assert levels == ["Spécialiste", "Peut l&#x27;enseigner", "Maîtrise"]
    assert "+1 autre" in card
    assert "niveau 7" not in card
    assert "<dt>Région</dt><dd>Bretagne</dd>" in card
    assert "<dt>Rencontres</dt><dd>Visio, Téléphone</dd>" in card
    assert "<dt>Langues</dt><dd>Français, Anglais</dd>" in card


def card_skill_names(card: str) -> list[str]:
    return [
        part.split("</span>")[0] for part in card.split('<span class="skill-name">')[1:]
    ]


def test_a_card_names_the_skills_the_profile_holds_in_their_order(client):
    """The card reads the skills from the profile's row (``search_skills``):
    the same three, in the same order (level, then code, as
    ``MentorSkill.Meta.ordering``), as the profile's skills read through the
    ORM, named in the page's language."""
    profile = make_mentor(
        "Élodie Garnier",
        "Développement web pour débutants",
        skills=(
            ("spreadsheets", 5),
            ("python", 5),
            ("javascript", 5),
            ("web-frontend", 7),
            ("graphic-design", 2),
        ),
    )
    held = list(profile.skills.select_related("skill"))
    assert [s.skill.code for s in held][:3] == ["web-frontend", "javascript", "python"]

    card = card_html(client, "Élodie Garnier", q="web")
    assert card_skill_names(card) == [s.skill.name_fr for s in held[:3]]
    assert "+2 autres" in card

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = card_html(client, "Élodie Garnier", q="web")
    assert card_skill_names(english) == [s.skill.name_en for s in held[:3]]
    assert "+2 others" in english


@pytest.mark.django_db(transaction=True)  # committed: nothing pending
@override_settings(SEARCH_QUERY_CACHES=False)
def test_cards_drawn_anew_read_no_skills(client):
    """A card none of the caches holds is drawn from the page's rows: its
    skills from ``search_skills``, their names kept per process and version
    (read by the first card drawn), never a statement on the skills."""
    make_mentor("Élodie Garnier", "Données et Python", skills=(("python", 6),))
    directory = reverse("mentors:directory")
    client.get(directory, {"q": "python"})  # the skills' names read once
    caches["cards"].clear()

    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        html = client.get(directory, {"q": "donnees"}).content.decode()

    assert "Données et Python" in html
    assert len(statements) >= 3  # what the page reads is recorded
    assert not [sql for sql in statements if "mentors_skill" in sql]
    assert card_skill_names(card_html(client, "Élodie Garnier")) == [
        "Programmation en Python"
    ]


def test_a_card_says_when_the_time_to_answer_is_not_known(client, open_and_full):
    assert "Délai de réponse pas encore connu." in card_html(client, "Bernard Lefèvre")
    assert "Délai de réponse" not in card_html(client, "Élodie Garnier")


@pytest.mark.parametrize(
    ("level", "words"),
    [
        (1, "Beginner"),
        (2, "Beginner"),  # between two steps: the step under it
        (3, "Gets by"),
        (4, "At ease"),
        (5, "Masters it"),
        (6, "Can teach it"),
        (7, "Specialist"),
        (8, "Specialist"),
    ],
)
def test_every_level_has_words_for_a_card(level, words):
    with override("en"):
        assert card_level_label(level) == words


def test_a_card_escapes_what_a_mentor_writes_in_either_language(client):
    make_mentor(
        'Zoé <b>"Dupont"</b>',
        "Python & <script>alert(1)</script> pour tous",
        city="Rennes <i>centre</i>",
        region="53",
    )

    card = card_html(client, "Zoé")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    english = card_html(client, "Zoé")

    assert "<script>" not in card
    assert "Python &amp; &lt;script&gt;alert(1)&lt;/script&gt; pour tous" in card
    assert "Zoé &lt;b&gt;&quot;Dupont&quot;&lt;/b&gt;</a></h3>" in card
    assert "<dd>Bretagne · Rennes &lt;i&gt;centre&lt;/i&gt;</dd>" in card
    assert '<span class="avatar avatar-initials" aria-hidden="true">Z&lt;</span>' in (
        card
    )
    assert "<dt>Region</dt><dd>Bretagne · Rennes &lt;i&gt;" in english
    assert "See the profile</a>" in english
