"""A mentor says when they can meet people: weekly hours and a day off, a
preview of the free times before saving, then the saved times and the week
view of their slots, all in their own time zone."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.models import DateException, Slot, WeeklyRule
from tests.e2e.checks import check_page
from tests.factories import PASSWORD
from tests.matching.helpers import mentor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mentor_sets_hours_and_a_day_off_and_sees_the_preview_and_week(
    live_server, page
):
    url = live_server.url
    profile = mentor(full_name="Josiane Payet")
    page.goto(url + "/accounts/login/")
    page.fill("input[name='login']", profile.user.email)
    page.fill("input[name='password']", PASSWORD)
    page.click("form:has(input[name='login']) [type='submit']")
    page.wait_for_load_state()

    page.goto(url + "/mon-espace/")
    page.click("text=Mes disponibilités")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Mes disponibilités"
    check_page(page)

    page.select_option("select[name='time_zone']", "Indian/Reunion")
    page.select_option("select[name='session_minutes']", "60")
    page.fill("input[name='buffer_minutes']", "0")
    # Tuesdays and Thursdays from 17:00 to 19:00, La Réunion time.
    page.select_option("select[name='rules-0-weekday']", "1")
    page.fill("input[name='rules-0-start']", "17:00")
    page.fill("input[name='rules-0-end']", "19:00")
    page.select_option("select[name='rules-1-weekday']", "3")
    page.fill("input[name='rules-1-start']", "17:00")
    page.fill("input[name='rules-1-end']", "19:00")
    reunion_today = timezone.now().astimezone(zoneinfo.ZoneInfo("Indian/Reunion"))
    # The Tuesday of next week, in La Réunion.
    day_off = reunion_today.date() + timedelta(days=8 - reunion_today.weekday())
    page.fill("input[name='exceptions-0-date']", day_off.isoformat())
    page.select_option("select[name='exceptions-0-kind']", "off")

    page.get_by_role("button", name="Voir l'aperçu sans enregistrer").click()
    page.wait_for_load_state()
    assert page.get_by_text("Aperçu : ces horaires ne sont pas encore").is_visible()
    preview = page.locator("section[aria-labelledby='preview-title']")
    assert "17 h 00" in preview.inner_text()
    assert "La Réunion" in preview.inner_text()
    assert not WeeklyRule.objects.exists()
    check_page(page)

    page.get_by_role("button", name="Enregistrer mes disponibilités").click()
    page.wait_for_load_state()
    assert page.get_by_text("Vos disponibilités sont enregistrées.").is_visible()
    assert page.get_by_text("Mardi de 17 h 00 à 19 h 00").is_visible()
    assert page.get_by_text("Jeudi de 17 h 00 à 19 h 00").is_visible()
    slots = Slot.objects.filter(mentor=profile.user)
    assert slots.exists()
    assert list(DateException.objects.values_list("date", "kind")) == [(day_off, "off")]
    check_page(page)

    page.click("text=Voir mes créneaux semaine par semaine")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Mes créneaux semaine par semaine"
    check_page(page)
    page.click("text=Semaine suivante")
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert "La Réunion" in text
    assert "17 h 00 à 18 h 00" in text
    # The day off: nothing on that Tuesday.
    tuesday = page.locator("section", has=page.locator("h2", has_text="Mardi"))
    assert "Aucun créneau." in tuesday.inner_text()
    check_page(page)
