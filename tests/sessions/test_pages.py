"""The mentor's availability editor, their week of slots, and the next free
times on their public page."""

from __future__ import annotations

import re
import zoneinfo
from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.display import in_zone
from sessions.models import Availability, DateException, Slot, Venue, WeeklyRule
from sessions.services import (
    availability_get_or_create,
    availability_update,
    slot_create,
)
from tests.factories import UserFactory
from tests.matching.helpers import mentor

pytestmark = pytest.mark.django_db

EDITOR = reverse("coaching_sessions:availability")
WEEK = reverse("coaching_sessions:slot-week")
ADD = reverse("coaching_sessions:slot-add")


def _form(rules=(), exceptions=(), **settings) -> dict:
    data = {
        "time_zone": "Europe/Paris",
        "session_minutes": "60",
        "buffer_minutes": "0",
        "min_notice_hours": "12",
        "window_weeks": "4",
        "max_per_day": "3",
        "max_per_week": "8",
        "modes": ["video"],
        "rules-TOTAL_FORMS": str(len(rules) + 1),
        "rules-INITIAL_FORMS": "0",
        "exceptions-TOTAL_FORMS": str(len(exceptions) + 1),
        "exceptions-INITIAL_FORMS": "0",
    } | settings
    for i, (weekday, start, end) in enumerate(rules):
        data |= {
            f"rules-{i}-weekday": str(weekday),
            f"rules-{i}-start": start,
            f"rules-{i}-end": end,
        }
    for i, (day, kind, start, end) in enumerate(exceptions):
        data |= {
            f"exceptions-{i}-date": day,
            f"exceptions-{i}-kind": kind,
            f"exceptions-{i}-start": start,
            f"exceptions-{i}-end": end,
        }
    data[f"exceptions-{len(exceptions)}-kind"] = "off"  # the empty line's default
    return data


def _next(weekday: int) -> date:
    today = timezone.localdate()
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def test_opening_the_editor_shows_the_defaults_and_writes_nothing(client):
    profile = mentor()
    client.force_login(profile.user)

    response = client.get(EDITOR)

    assert response.status_code == 200
    assert 'value="Europe/Paris" selected' in response.text
    assert "Rien pour le moment" in response.text
    assert not Availability.objects.exists()


def test_saving_rules_and_an_exception_lays_the_slots_out(client):
    profile = mentor()
    client.force_login(profile.user)
    day_off = _next(1)

    response = client.post(
        EDITOR,
        _form(
            rules=[(1, "18:00", "21:00"), (3, "09:00", "11:00")],
            exceptions=[(day_off.isoformat(), "off", "", "")],
        ),
    )

    assert response.status_code == 302
    assert response.url == EDITOR
    rules = list(WeeklyRule.objects.values_list("weekday", "start", "end"))
    assert rules == [(1, time(18), time(21)), (3, time(9), time(11))]
    assert DateException.objects.get().date == day_off
    slots = Slot.objects.filter(mentor=profile.user)
    assert slots.exists()
    assert not any(s.start.date() == day_off for s in slots)
    page = client.get(EDITOR).text
    assert "Mardi de 18 h 00 à 21 h 00" in page
    assert "Jeudi de 9 h 00 à 11 h 00" in page
    first = slots.order_by("start").first()
    assert in_zone(first.start, "Europe/Paris").split(",")[0] in page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"session_minutes": "50"}, "session_minutes"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"buffer_minutes": "500"}, "buffer_minutes"),
        ({"rules-0-end": "17:00"}, "rules-0-end"),
        ({"rules-0-weekday": ""}, "rules-0-weekday"),
        ({"modes": ["phone"]}, "modes"),  # the profile offers video only
    ],
)
def test_bad_input_shows_errors_beside_the_fields_and_writes_nothing(
    client, overrides, field
):
    profile = mentor()
    client.force_login(profile.user)

    response = client.post(EDITOR, _form(rules=[(1, "18:00", "21:00")]) | overrides)

    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.text
    assert "error-summary" in response.text
    assert not Availability.objects.exists()
    assert not Slot.objects.exists()


def test_overlapping_rules_are_refused_by_the_service_and_nothing_is_written(client):
    profile = mentor()
    client.force_login(profile.user)

    response = client.post(
        EDITOR, _form(rules=[(1, "09:00", "12:00"), (1, "11:00", "13:00")])
    )

    assert response.status_code == 200
    assert "Deux plages horaires se chevauchent" in response.text or (
        "overlap" in response.text
    )
    assert not WeeklyRule.objects.exists()
    assert not Availability.objects.exists()


def test_preview_shows_the_times_the_posted_hours_make_without_saving(client):
    profile = mentor()
    client.force_login(profile.user)

    response = client.post(
        EDITOR,
        _form(rules=[(d, "10:00", "11:00") for d in range(7)], time_zone="UTC")
        | {"preview": "1"},
    )

    assert response.status_code == 200
    assert "10 h 00" in response.text
    assert "Aperçu" in response.text or "Preview" in response.text
    assert not Availability.objects.exists()


@pytest.mark.parametrize("url", [EDITOR, WEEK, ADD])
def test_a_learner_gets_a_clear_page(client, url):
    client.force_login(UserFactory())

    response = client.get(url)

    assert response.status_code == 403
    assert "profil de mentor" in response.text or "mentor profile" in response.text


@pytest.mark.parametrize("url", [EDITOR, WEEK, ADD])
def test_anonymous_people_are_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_editor_refuses_other_methods(client):
    client.force_login(mentor().user)

    assert client.put(EDITOR).status_code == 405
    assert client.post(WEEK).status_code == 405


def _reunion_mentor() -> tuple:
    profile = mentor()
    availability_update(
        mentor_profile=profile,
        settings={"time_zone": "Indian/Reunion", "buffer_minutes": 0},
        rules=[(d, time(17), time(18)) for d in range(7)],
        exceptions=[],
    )
    return profile, Slot.objects.filter(mentor=profile.user).order_by("start")


def test_the_week_view_shows_the_slots_in_the_mentors_zone(client):
    profile, slots = _reunion_mentor()
    _reunion_mentor()  # another mentor's slots at the same times
    zone = zoneinfo.ZoneInfo("Indian/Reunion")
    first_day = slots.first().start.astimezone(zone).date()
    monday = first_day - timedelta(days=first_day.weekday())
    client.force_login(profile.user)

    response = client.get(WEEK, {"week": first_day.isoformat()})

    assert response.status_code == 200
    text = response.text
    assert "La Réunion" in text
    in_week = [
        s for s in slots if 0 <= (s.start.astimezone(zone).date() - monday).days < 7
    ]
    # 17:00 in La Réunion (13:00 UTC), their own slots only.
    assert text.count("17 h 00 à 18 h 00") == len(in_week) > 0
    assert "13 h 00" not in text


def test_the_week_view_moves_week_by_week_and_ignores_bad_weeks(client):
    profile, _slots = _reunion_mentor()
    client.force_login(profile.user)
    # The week as the mentor lives it: in La Réunion (UTC+4), Monday starts
    # while it is still Sunday evening in Paris and in UTC.
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo("Indian/Reunion"))
    monday = today - timedelta(days=today.weekday())

    this_week = client.get(WEEK, {"week": "n'importe quoi"}).text
    next_week = client.get(WEEK, {"week": (monday + timedelta(days=9)).isoformat()})

    assert f"?week={(monday + timedelta(days=7)).isoformat()}" in this_week
    assert f"?week={(monday + timedelta(days=14)).isoformat()}" in next_week.text
    assert client.get(WEEK, {"week": "9999-12-31"}).status_code == 200


def test_the_public_page_lists_the_next_free_times_in_both_zones(client):
    profile, slots = _reunion_mentor()
    viewer = UserFactory(time_zone="Europe/Paris")
    client.force_login(viewer)
    first = slots.first()

    text = client.get(reverse("mentors:detail", args=[profile.pk])).text

    # 17:00 in La Réunion is 14:00 in Paris in winter, 15:00 in summer.
    paris = in_zone(first.start, "Europe/Paris", with_day=True)
    assert paris.endswith(
        (
            "14 h 00, heure de France métropolitaine (Paris)",
            "15 h 00, heure de France métropolitaine (Paris)",
        )
    )
    assert "Prochains horaires libres" in text
    # The viewer's zone is named once; the mentor's time beside each slot.
    assert text.count("France métropolitaine (Paris)") == 1
    paris_day_time = paris.removesuffix(", heure de France métropolitaine (Paris)")
    assert f"{paris_day_time}</strong> (17 h 00, heure de La Réunion)" in text
    assert text.count("heure de La Réunion") == 5


def test_the_public_page_names_one_zone_when_the_viewer_shares_it(client):
    profile, _slots = _reunion_mentor()
    client.force_login(UserFactory(time_zone="Indian/Reunion"))

    text = client.get(reverse("mentors:detail", args=[profile.pk])).text

    assert "Heures de votre fuseau : La Réunion." in text
    assert "17 h 00</strong>" in text
    assert "heure de La Réunion" not in text
    assert "France métropolitaine" not in text


def test_the_public_page_of_a_mentor_without_free_times_says_nothing_of_them(
    client,
):
    profile = mentor()

    text = client.get(reverse("mentors:detail", args=[profile.pk])).text

    assert "Prochains horaires libres" not in text


# --- in person, commitment, slots added by hand ------------------------------------


def _in_person_mentor():
    profile = mentor()
    profile.modes = ["video", "in_person"]
    profile.save(update_fields=["modes"])
    return profile


def test_in_person_needs_a_public_place_and_a_commitment_shows_on_the_profile(
    client,
):
    profile = _in_person_mentor()
    client.force_login(profile.user)
    rules = [(1, "09:00", "11:00")]

    page = client.get(EDITOR).text
    refused = client.post(
        EDITOR, _form(rules, modes=["video", "in_person"], commitment_hours="2")
    )
    home = client.post(
        EDITOR,
        _form(
            rules,
            modes=["video", "in_person"],
            place="Chez moi, 4 rue des Lilas, Lyon",
            place_is_public="on",
        ),
    )
    saved = client.post(
        EDITOR,
        _form(
            rules,
            modes=["video", "in_person"],
            place="Café des Arts, 3 place du Marché, Lyon",
            place_is_public="on",
            commitment_hours="2",
            commitment_period="month",
        ),
    )

    assert "Où se rencontrer en personne" in page
    assert refused.status_code == 200
    assert "dites où" in refused.text  # in person without a place
    # Hours without saying how often.
    assert "toutes les semaines ou tous les mois" in refused.text
    assert "jamais à domicile" in home.text
    assert saved.status_code == 302, saved.context and saved.context["form"].errors
    availability = Availability.objects.get()
    assert availability.place == "Café des Arts, 3 place du Marché, Lyon"
    assert (availability.commitment_hours, availability.commitment_period) == (
        2,
        "month",
    )
    assert set(Slot.objects.values_list("place", flat=True)) == {
        "Café des Arts, 3 place du Marché, Lyon"
    }
    public = client.get(reverse("mentors:detail", args=[profile.pk])).text
    assert "Peut consacrer environ 2 h par mois" in public
    assert "En personne : Café des Arts, 3 place du Marché, Lyon" in public


def test_a_written_place_needs_the_public_box_ticked(client):
    profile = _in_person_mentor()
    client.force_login(profile.user)

    response = client.post(
        EDITOR,
        _form(
            [(1, "09:00", "11:00")],
            modes=["in_person"],
            place="Café des Arts, 3 place du Marché, Lyon",
        ),
    )

    assert response.status_code == 200
    assert "Cochez cette case" in response.text
    assert not Availability.objects.exists()


def _slot_form(day: date, **fields) -> dict:
    return {
        "day": day.isoformat(),
        "start": "14:00",
        "minutes": "120",
        "capacity": "1",
        "title": "",
        "modes": ["video"],
    } | fields


def test_a_mentor_adds_a_workshop_at_a_venue_and_sees_it_in_the_week(client):
    profile = _in_person_mentor()
    venue = Venue.objects.create(
        name="Médiathèque Jean-Macé",
        address="2 rue Jean-Macé",
        postcode="69007",
        city="Lyon",
    )
    client.force_login(profile.user)
    day = _next(2)

    page = client.get(ADD)
    response = client.post(
        ADD,
        _slot_form(
            day,
            capacity="8",
            title="Créer son adresse e-mail",
            modes=["in_person"],
            venue=str(venue.pk),
        ),
    )

    assert page.status_code == 200
    assert "Médiathèque Jean-Macé" in page.text  # offered in the list
    assert response.status_code == 302
    assert response.url == f"{WEEK}?week={day - timedelta(days=day.weekday())}"
    slot = Slot.objects.get()
    local = slot.start.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
    assert (local.date(), local.time()) == (day, time(14))
    assert (slot.capacity, slot.title, slot.venue_id) == (
        8,
        "Créer son adresse e-mail",
        venue.pk,
    )
    week = client.get(response.url).text
    assert "atelier, 8 places" in week
    assert "Créer son adresse e-mail" in week
    assert "En personne : Médiathèque Jean-Macé, 2 rue Jean-Macé, 69007 Lyon" in week


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"capacity": "6"}, "Donnez un titre"),
        ({"modes": ["in_person"]}, "dites où"),
        ({"modes": ["phone"]}, "Sélectionnez un choix valide"),  # not offered
        ({"minutes": "50"}, "Sélectionnez un choix valide"),
        ({"start": "25:00"}, "heure valide"),
    ],
)
def test_a_bad_slot_is_refused_on_the_form_and_nothing_is_written(
    client, fields, message
):
    profile = _in_person_mentor()
    client.force_login(profile.user)

    response = client.post(ADD, _slot_form(_next(2), **fields))

    assert response.status_code == 200
    assert message in response.text
    assert not Slot.objects.exists()


def test_a_slot_over_a_busy_time_or_too_soon_is_explained_on_the_form(client):
    profile = mentor()
    client.force_login(profile.user)
    day = _next(2)
    client.post(ADD, _slot_form(day))

    overlapping = client.post(ADD, _slot_form(day, start="15:00"))
    soon = (timezone.localtime() + timedelta(hours=2)).replace(minute=0)
    too_soon = client.post(
        ADD, _slot_form(soon.date(), start=soon.strftime("%H:%M"), minutes="30")
    )

    assert "Vous êtes déjà pris" in overlapping.text
    assert "trop tôt" in too_soon.text.lower()
    assert Slot.objects.count() == 1


def test_the_clock_change_gap_is_refused_on_the_form(client):
    profile = mentor()
    client.force_login(profile.user)
    # 02:30 does not exist in Paris on the last Sunday of March.
    year = timezone.localdate().year + 1
    march_end = date(year, 3, 31)
    change_day = march_end - timedelta(days=(march_end.weekday() + 1) % 7)

    response = client.post(ADD, _slot_form(change_day, start="02:30"))

    assert "On change d&#x27;heure cette nuit-là" in response.text
    assert not Slot.objects.exists()


def test_a_mentor_removes_a_free_slot_from_the_week_but_never_anothers(client):
    profile = mentor()
    other = mentor()
    client.force_login(profile.user)
    day = _next(2)
    client.post(ADD, _slot_form(day))
    mine = Slot.objects.get()
    availability_get_or_create(mentor_profile=other)
    theirs = slot_create(
        mentor_profile_id=other.pk,
        start=mine.start + timedelta(days=1),
    )
    remove = reverse("coaching_sessions:slot-remove", args=[mine.pk])

    week = client.get(WEEK, {"week": day.isoformat()}).text
    refused = client.post(reverse("coaching_sessions:slot-remove", args=[theirs.pk]))
    removed = client.post(remove, {"week": day.isoformat()})

    assert f'action="{remove}"' in week
    assert refused.status_code == 404
    assert removed.status_code == 302
    assert removed.url == f"{WEEK}?week={day.isoformat()}"
    assert list(Slot.objects.all()) == [theirs]
    assert client.get(remove).status_code == 405


def test_a_booked_slot_cannot_be_removed(client):
    profile = mentor()
    client.force_login(profile.user)
    client.post(ADD, _slot_form(_next(2)))
    slot = Slot.objects.get()
    Slot.objects.filter(pk=slot.pk).update(status=Slot.Status.BOOKED, seats_taken=1)

    response = client.post(
        reverse("coaching_sessions:slot-remove", args=[slot.pk]), follow=True
    )

    assert "réservé" in response.text
    assert Slot.objects.filter(pk=slot.pk).exists()


def test_a_mentor_gives_their_video_link_and_offers_discovery_sessions(client):
    profile = mentor()
    client.force_login(profile.user)

    refused = client.post(EDITOR, _form(meeting_link="http://visio.example.org/a"))
    saved = client.post(
        EDITOR,
        _form(
            meeting_link="https://visio.example.org/salle-karim",
            discovery_enabled="on",
        ),
    )

    assert refused.status_code == 200
    assert "commence par https://" in refused.text
    assert saved.status_code == 302
    availability = Availability.objects.get()
    assert (availability.meeting_link, availability.discovery_enabled) == (
        "https://visio.example.org/salle-karim",
        True,
    )
    page = client.get(EDITOR).text
    assert 'value="https://visio.example.org/salle-karim"' in page
    assert re.search(
        r'<input type="checkbox" name="discovery_enabled"[^>]* checked', page
    )
