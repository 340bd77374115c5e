"""Plans change: the learner moves a session to another free time from "My
sessions" (keyboard alone), the mentor sees it in their week, and the learner
cancels a session of tonight (late) with a reason; the pages are axe clean."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.models import Availability, Booking
from sessions.services import booking_create
from tests.e2e.checks import check_page
from tests.e2e.test_booking_journey import _focused, _login_by_keyboard, _tab_to
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.sessions.test_bookings import START, _mentorship, _slot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_learner_moves_a_session_then_cancels_one_late_with_a_reason(
    live_server, page, chromium
):
    url = live_server.url
    profile = mentor(full_name="Karim Benali")
    learner = UserFactory(full_name="Léa Martin")
    _mentorship(learner, profile)
    first = _slot(profile, START)
    later = _slot(profile, START + timedelta(days=1))
    booking = booking_create(learner=learner, slot_id=first.pk, mode="video")
    # A session this evening: inside the cut-off.
    Availability.objects.filter(mentor_profile=profile).update(min_notice_hours=0)
    tonight = _slot(
        profile, (timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    )
    soon = booking_create(learner=learner, slot_id=tonight.pk, mode="video")

    # From "My sessions", "Changer d'horaire" of the session at START.
    _login_by_keyboard(page, url, learner)
    page.goto(url + "/mon-espace/seances/")
    check_page(page)
    move = f"/mon-espace/seances/{booking.pk}/changer/"
    _tab_to(page, f"el.getAttribute('href') === '{move}'")
    page.keyboard.press("Enter")
    page.wait_for_url(url + move)
    check_page(page)
    _tab_to(page, "el.name === 'slot'")
    assert _focused(page, "el.value") == str(later.pk)
    page.keyboard.press("Space")
    _tab_to(page, "el.type === 'submit' && el.closest('main')")
    page.keyboard.press("Enter")
    page.wait_for_url(url + "/mon-espace/seances/")
    assert "Votre séance est déplacée" in page.locator("main").inner_text()

    booking.refresh_from_db()
    assert (booking.slot_id, booking.start, booking.sequence) == (
        later.pk,
        later.start,
        1,
    )

    # The mentor sees the session at its new time in the week.
    page.context.clear_cookies()
    _login_by_keyboard(page, url, profile.user)
    page.goto(f"{url}/mon-espace/creneaux/?week={later.start.date().isoformat()}")
    week = page.locator("main").inner_text()
    assert "Réservé par" in week
    assert "Léa Martin" in week
    check_page(page)

    # The learner cancels tonight's session: the page says it is late.
    page.context.clear_cookies()
    _login_by_keyboard(page, url, learner)
    page.goto(f"{url}/mon-espace/seances/{soon.pk}/annuler/")
    text = page.locator("main").inner_text()
    assert "c'est une annulation tardive" in text
    check_page(page)
    page.get_by_label("Transport").check()
    page.get_by_label("Un mot pour l'autre personne").fill("Mon bus ne passe pas.")
    page.get_by_role("button", name="Annuler la séance").click()
    page.wait_for_url(url + "/mon-espace/seances/")
    assert "La séance est annulée" in page.locator("main").inner_text()
    check_page(page)

    soon.refresh_from_db()
    assert (soon.status, soon.cancel_reason, soon.cancelled_late) == (
        "cancelled",
        "transport",
        True,
    )
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"
