"""After a session both people say it took place from "My sessions" (the
mentor first, then the learner), and the learner sees the hours per skill on
the mentorship's page; the pages are axe clean. (Session notes and the hours
on mentor pages belong to the rest of Scheduling 4.)"""

from __future__ import annotations

import pytest

from sessions.models import Attendance
from tests.e2e.checks import check_page
from tests.e2e.test_booking_journey import _login_by_keyboard
from tests.sessions.test_attendance import past
from tests.sessions.test_reminders import _booked

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_both_confirm_and_the_learner_sees_the_hours_per_skill(
    live_server, page, chromium
):
    url = live_server.url
    session = past(_booked(hours_ahead=20))
    [skill] = session.skills.all()

    # The mentor reads English, the learner French.
    said = {
        session.mentor: (
            "Did the session take place?",
            "Yes, the session took place",
            "Thank you, your answer is recorded.",
        ),
        session.learner: (
            "La séance a-t-elle eu lieu ?",
            "Oui, la séance a eu lieu",
            "Merci, votre réponse est enregistrée.",
        ),
    }
    for person in (session.mentor, session.learner):
        question, yes, thanks = said[person]
        page.context.clear_cookies()
        _login_by_keyboard(page, url, person)
        page.goto(url + "/mon-espace/seances/")
        check_page(page)
        assert question in page.locator("main").inner_text()
        page.get_by_role("button", name=yes).click()
        page.wait_for_url(url + "/mon-espace/seances/")
        assert thanks in page.locator("main").inner_text()
        check_page(page)

    assert Attendance.objects.get(booking=session).status == "attended"
    page.goto(f"{url}/mon-espace/accompagnements/{session.mentorship_id}/")
    hours = page.locator(".hours-per-skill").inner_text()
    assert f"{skill.skill.name} : 1 h" in hours
    check_page(page)
