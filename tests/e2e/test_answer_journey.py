"""A mentor answers requests with JavaScript (htmx): the page changes in place,
the conversation is one link away, and the focus lands on the confirmation."""

from __future__ import annotations

import pytest

from matching.models import Mentorship
from matching.services import mentorship_request_create
from tests.e2e.checks import check_page
from tests.factories import PASSWORD
from tests.matching.helpers import learner_with_skills, mentor


def _focused_id(page, want: str = "answer-status", tries: int = 50) -> str:
    """The focused element's id, polled from Python for up to ~2.5 s (the
    page's CSP forbids the string evaluation wait_for_function polls with)."""
    for _ in range(tries):
        focused = page.evaluate("document.activeElement.id")
        if focused == want:
            return focused
        page.wait_for_timeout(50)
    return focused


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ask(learner, profile):
    return mentorship_request_create(
        learner=learner,
        mentor_profile_id=profile.pk,
        skill_codes=["python"],
        message=f"Bonjour, c'est {learner.full_name}.",
        preferred_mode="video",
    )


def test_accept_then_decline_update_the_page_and_focus_the_confirmation(
    live_server, page
):
    url = live_server.url
    profile = mentor(capacity=3, full_name="Karim Benali")
    camille = _ask(learner_with_skills(full_name="Camille Petit"), profile)
    ines = _ask(learner_with_skills(full_name="Inès Morel"), profile)
    page.goto(url + "/accounts/login/")
    page.fill("input[name='login']", profile.user.email)
    page.fill("input[name='password']", PASSWORD)
    page.click("form:has(input[name='login']) [type='submit']")
    page.wait_for_url(url + "/mon-espace/")
    page.goto(url + "/mon-espace/demandes-recues/")
    # A mark that a full page load would wipe: the answers come through htmx.
    page.evaluate("window.stillTheSamePage = true")

    page.click(f"#request-{camille.pk} form[action$='/accepter/'] button")
    page.wait_for_selector("#answer-status")

    mentorship = Mentorship.objects.get(learner=camille.learner)
    thread = f"/mon-espace/accompagnements/{mentorship.pk}/"
    assert page.evaluate("window.stillTheSamePage") is True
    # htmx moves the focus once the swap has settled (a few ms after it shows).
    assert _focused_id(page) == "answer-status"
    status = page.locator("#answer-status")
    assert "Acceptée" in status.inner_text()
    assert status.locator(f"a[href='{thread}']").inner_text() == (
        "Ouvrir la conversation avec Camille Petit"
    )
    assert page.locator(f"#request-{camille.pk}").count() == 0
    assert page.locator(f"#request-{ines.pk}").is_visible()
    followed = page.locator(".mentorship-list")
    assert "Camille Petit" in followed.inner_text()
    assert followed.locator(f"a[href='{thread}']").count() == 1
    check_page(page)

    page.click(f"#request-{ines.pk} form[action$='/refuser/'] button")
    page.wait_for_selector("#answer-status:has-text('Refusée')")

    assert page.evaluate("window.stillTheSamePage") is True
    # htmx moves the focus once the swap has settled (a few ms after it shows).
    assert _focused_id(page) == "answer-status"
    assert page.locator(".request-list").count() == 0
    assert page.get_by_text("Aucune demande n'attend votre réponse.").is_visible()
    check_page(page)
