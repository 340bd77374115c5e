"""After a session both people say it took place from "My sessions" (the
mentor first, then the learner); the mentor writes a note; the learner reads
it, and the hours per skill on the mentorship's page; the mentor's public page
shows the hours given and the people helped. Every page is axe clean."""

from __future__ import annotations

import pytest

from mentors.models import MentorProfile
from sessions.models import Attendance, SessionNote
from tests.e2e.checks import check_page
from tests.e2e.test_booking_journey import _login_by_keyboard
from tests.sessions.test_attendance import past
from tests.sessions.test_reminders import _booked

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_both_confirm_the_mentor_writes_a_note_the_learner_reads_it_and_the_hours(
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

    # The mentor (in English) writes the note from My sessions.
    page.context.clear_cookies()
    _login_by_keyboard(page, url, session.mentor)
    page.goto(url + "/mon-espace/seances/")
    page.get_by_role("link", name="Write a note for the learner").click()
    check_page(page)
    page.get_by_label("Worked on").fill("Un CV sur une page, avec la photo")
    page.get_by_label("Managed alone").fill("Enregistrer le CV en PDF")
    page.get_by_label("Next step").fill("Répondre à deux annonces")
    page.get_by_role("button", name="Save the note").click()
    page.wait_for_url(url + "/mon-espace/seances/")
    check_page(page)
    assert SessionNote.objects.get(booking=session).achieved == (
        "Enregistrer le CV en PDF"
    )

    # The learner reads it, then the hours per skill.
    page.context.clear_cookies()
    _login_by_keyboard(page, url, session.learner)
    page.goto(url + "/mon-espace/seances/")
    note = page.locator(".session-note").inner_text()
    assert "Ada Lovelace" in note
    assert "Enregistrer le CV en PDF" in note
    assert "Répondre à deux annonces" in note
    check_page(page)
    page.goto(f"{url}/mon-espace/accompagnements/{session.mentorship_id}/")
    hours = page.locator(".hours-per-skill").inner_text()
    assert f"{skill.skill.name} : 1 h" in hours
    check_page(page)

    # The mentor's page shows what they gave.
    profile = MentorProfile.objects.get(user=session.mentor)
    page.goto(f"{url}/mentors/{profile.pk}/")
    shown = page.locator(".mentor-activity").inner_text()
    assert shown == "1 h donnée · 1 personne accompagnée"
    check_page(page)
