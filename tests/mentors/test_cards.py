"""Directory cards and the mentor page help choose: places left or "Complet",
the usual time to answer, a plain link to the profile; a full mentor's page
offers no request button."""

from __future__ import annotations

import pytest
from django.urls import reverse

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


def card_html(client, name: str) -> str:
    html = client.get(reverse("mentors:directory"), {"q": "python"}).content.decode()
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
