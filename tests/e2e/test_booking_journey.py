"""A learner books a session with the keyboard alone (Tab, arrow keys, Space,
Enter: no mouse), the mentor sees it in their week, and both see it in "My
sessions"; the pages on the way are axe clean."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sessions.models import Booking
from tests.e2e.checks import check_page
from tests.factories import PASSWORD, UserFactory
from tests.matching.helpers import mentor
from tests.sessions.test_bookings import START, _mentorship, _slot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = "document.activeElement"


def _tab_to(page, test: str, most: int = 80) -> None:
    """Press Tab until the focused element passes ``test`` (JavaScript over
    ``el``, the focused element): how a keyboard user moves through a page."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => Boolean({test}))({FOCUSED})"):
            return
    raise AssertionError(f"Tab never reached an element where {test}")


def _focused(page, expression: str) -> object:
    return page.evaluate(f"(el => {expression})({FOCUSED})")


def _login_by_keyboard(page, url: str, user) -> None:
    page.goto(url + "/accounts/login/")
    _tab_to(page, "el.name === 'login'")
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    assert _focused(page, "el.name") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda address: "/accounts/login/" not in address)


def test_a_learner_books_with_the_keyboard_alone_and_both_see_it(
    live_server, page, chromium
):
    url = live_server.url
    profile = mentor(full_name="Karim Benali")
    learner = UserFactory(full_name="Léa Martin")
    mentorship = _mentorship(learner, profile, skills=2)
    slots = [_slot(profile, START + timedelta(days=day)) for day in range(3)]

    # From the mentor's page to the booking page, by keyboard.
    _login_by_keyboard(page, url, learner)
    page.goto(f"{url}/mentors/{profile.pk}/")
    _tab_to(page, "el.getAttribute('href') === location.pathname + 'reserver/'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/mentors/{profile.pk}/reserver/")
    check_page(page)

    # The times are one group of radio buttons: Tab enters it on the first,
    # the down arrow moves to (and chooses) the second.
    _tab_to(page, "el.name === 'slot'")
    assert _focused(page, "el.value") == str(slots[0].pk)
    page.keyboard.press("ArrowDown")
    assert _focused(page, "el.value") == str(slots[1].pk)
    assert _focused(page, "el.checked") is True
    # The way to meet, then the first skill, chosen with Space.
    _tab_to(page, "el.name === 'mode'")
    page.keyboard.press("Space")
    assert _focused(page, "el.value + el.checked") == "videotrue"
    _tab_to(page, "el.name === 'skills'")
    first_skill = mentorship.mentorshipskill_set.get(pk=_focused(page, "el.value"))
    page.keyboard.press("Space")
    assert _focused(page, "el.checked") is True
    _tab_to(page, "el.name === 'agenda'")
    page.keyboard.type("Relire mon CV ensemble")
    _tab_to(page, "el.type === 'submit' && el.closest('main')")
    page.keyboard.press("Enter")
    page.wait_for_url(url + "/mon-espace/seances/")

    booking = Booking.objects.get()
    assert booking.slot_id == slots[1].pk
    assert booking.learner_id == learner.pk
    assert list(booking.skills.all()) == [first_skill]
    assert booking.agenda == "Relire mon CV ensemble"
    mine = page.locator("main").inner_text()
    assert "Karim Benali" in mine
    assert "comme apprenant·e" in mine
    check_page(page)

    # The mentor sees it in the week of the session, then in "My sessions".
    page.context.clear_cookies()
    _login_by_keyboard(page, url, profile.user)
    page.goto(f"{url}/mon-espace/creneaux/?week={slots[1].start.date().isoformat()}")
    week = page.locator("main").inner_text()
    assert "Réservé par" in week
    assert "Léa Martin" in week
    assert "Séance de l’accompagnement" in week
    assert first_skill.skill.name in week
    assert "Relire mon CV ensemble" in week
    check_page(page)
    page.goto(url + "/mon-espace/seances/")
    theirs = page.locator("main").inner_text()
    assert "Léa Martin" in theirs
    assert "comme mentor" in theirs
    check_page(page)
