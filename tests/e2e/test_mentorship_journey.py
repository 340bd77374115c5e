"""A learner sends a request, the mentor accepts it, they exchange a message,
and the learner sees the notification."""

from __future__ import annotations

import pytest

from tests.e2e.checks import check_page, watch_csp
from tests.factories import PASSWORD
from tests.matching.helpers import learner_with_skills, mentor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, url, user):
    page.goto(url + "/accounts/login/")
    page.fill("input[name='login']", user.email)
    page.fill("input[name='password']", PASSWORD)
    page.click("form:has(input[name='login']) [type='submit']")
    page.wait_for_url(url + "/mon-espace/")


def test_request_accept_message_notification(live_server, page, chromium):
    url = live_server.url
    learner = learner_with_skills(full_name="Camille Petit")
    profile = mentor(full_name="Karim Benali")

    # The learner asks from the mentor's page.
    _login(page, url, learner)
    page.goto(f"{url}/mentors/{profile.pk}/")
    page.click(f"a[href='/mentors/{profile.pk}/demander/']")
    check_page(page)
    page.check("input[name='skills'][value='python']")
    page.check("input[name='preferred_mode'][value='video']")
    page.fill(
        "textarea[name='message']",
        "Bonjour, je débute en Python et j'aimerais progresser.",
    )
    page.click("main form [type='submit']")
    page.wait_for_url(url + "/mon-espace/demandes/")
    check_page(page)

    # The mentor accepts in one click (htmx) from "requests to answer".
    context = chromium.new_context(locale="fr-FR")
    mentor_page = context.new_page()
    watch_csp(mentor_page)
    _login(mentor_page, url, profile.user)
    mentor_page.goto(url + "/mon-espace/demandes-recues/")
    assert mentor_page.get_by_text("je débute en Python").is_visible()
    check_page(mentor_page)
    mentor_page.click("form[action$='/accepter/'] button")
    mentor_page.wait_for_selector("#answer-status.message-success")

    # The mentor writes in the thread.
    mentor_page.goto(url + "/mon-espace/demandes-recues/")
    mentor_page.click(
        "a:has-text('Camille Petit'), a[href^='/mon-espace/accompagnements/']"
    )
    mentor_page.wait_for_url(url + "/mon-espace/accompagnements/*/")
    mentor_page.fill("textarea[name='body']", "Bienvenue Camille ! On commence mardi ?")
    mentor_page.click("main form:has(textarea[name='body']) [type='submit']")
    mentor_page.wait_for_selector("text=On commence mardi ?")
    check_page(mentor_page)
    context.close()

    # The learner sees the notifications and answers.
    page.goto(url + "/mon-espace/")
    badge = page.locator("header nav a[href='/notifications/'] .count")
    assert int(badge.inner_text().split()[0]) >= 2
    page.click("header nav a[href='/notifications/']")
    assert page.get_by_text("Karim Benali").first.is_visible()
    check_page(page)
    page.goto(url + "/mon-espace/demandes/")
    page.click("a[href^='/mon-espace/accompagnements/']")
    assert page.get_by_text("Bienvenue Camille ! On commence mardi ?").is_visible()
    page.fill("textarea[name='body']", "Oui, mardi c'est parfait, merci !")
    page.click("main form:has(textarea[name='body']) [type='submit']")
    page.wait_for_selector("text=mardi c'est parfait")
    check_page(page)
