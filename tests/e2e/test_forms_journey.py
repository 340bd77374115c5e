"""Refused forms help in a real browser: the error summary has the focus (no
script needed: sign-up is tried with JavaScript off), what was typed is still
there, the charter's error sits by its checkbox, and Tab on the login page goes
from the e-mail to the password before the "forgot" link."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.e2e.checks import check_page, watch_csp
from tests.factories import PASSWORD, UserFactory
from tests.mentors.helpers import mentor_form_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = "mon-mot-de-passe-a-moi"
FOCUSED = "document.activeElement.className + ' ' + document.activeElement.id"


def _sign_up(page, *, password2: str = TYPED) -> None:
    page.fill("input[name='full_name']", "Fatou N'Diaye")
    page.fill("input[name='email']", "fatou@example.org")
    page.fill("input[name='password1']", TYPED)
    page.fill("input[name='password2']", password2)
    page.check("input[name='is_adult']")  # the terms are left unticked
    page.click("form:has(input[name='email']) [type='submit']")
    page.wait_for_load_state()


def test_a_refused_sign_up_keeps_what_was_typed_and_focuses_the_summary(
    live_server, chromium
):
    # No script on the page: the focus moves by autofocus alone. (axe needs
    # scripts: the refused login page is checked with them, below.)
    context = chromium.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    watch_csp(page)
    page.goto(live_server.url + "/accounts/signup/")

    _sign_up(page)

    summary = page.locator(".error-summary")
    assert "error-summary" in page.evaluate(FOCUSED)
    assert summary.locator("h2").inner_text() == "Il y a 1 erreur à corriger\u00a0:"
    link = summary.locator("a")
    assert link.get_attribute("href") == "#id_accept_terms"
    terms = page.locator("#id_accept_terms")
    assert terms.get_attribute("aria-invalid") == "true"
    described = terms.get_attribute("aria-describedby") or ""
    assert "id_accept_terms_error" in described.split()
    assert page.input_value("input[name='full_name']") == "Fatou N'Diaye"
    assert page.input_value("input[name='email']") == "fatou@example.org"
    # Refused for the terms: the passwords need not be typed again.
    assert page.input_value("input[name='password1']") == TYPED
    assert page.input_value("input[name='password2']") == TYPED
    assert page.is_checked("input[name='is_adult']")

    # Refused for the passwords: they are typed anew, the rest stays.
    _sign_up(page, password2="un-autre-mot-de-passe")
    assert page.input_value("input[name='password1']") == ""
    assert page.input_value("input[name='password2']") == ""
    assert page.input_value("input[name='email']") == "fatou@example.org"
    assert "error-summary" in page.evaluate(FOCUSED)
    context.close()


def test_the_charter_error_sits_by_its_checkbox_and_the_summary_has_the_focus(
    live_server, page
):
    mentor = UserFactory(email="karim@example.org")
    client = Client()
    client.force_login(mentor)
    saved = client.post(reverse("mentors:mentor-profile"), mentor_form_data())
    assert saved.status_code == 302
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name='login']", mentor.email)
    page.fill("input[name='password']", PASSWORD)
    page.click("form:has(input[name='login']) [type='submit']")
    page.wait_for_load_state()
    page.goto(live_server.url + reverse("mentors:mentor-profile"))

    page.click("form[action$='/envoyer/'] [type='submit']")  # charter unticked
    page.wait_for_load_state()

    assert page.url == live_server.url + reverse("mentors:mentor-profile-submit")
    assert "error-summary" in page.evaluate(FOCUSED)
    box = page.locator("#id_accept_charter")
    assert box.get_attribute("aria-invalid") == "true"
    error = page.locator("#id_accept_charter_error")
    assert "charte" in error.inner_text()
    gap = page.evaluate(
        "Math.abs(document.getElementById('id_accept_charter_error')"
        ".getBoundingClientRect().top - document.getElementById('id_accept_charter')"
        ".getBoundingClientRect().top)"
    )
    assert gap < 100  # beside it, not a page away
    summary_link = page.locator(".error-summary a[href='#id_accept_charter']")
    assert summary_link.count() == 1
    check_page(page)


def test_on_the_login_page_tab_goes_from_the_email_to_the_password(live_server, page):
    page.goto(live_server.url + "/accounts/login/")
    page.focus("input[name='login']")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == (
        reverse("account_reset_password")
    )

    # Sent empty: the summary has the focus; each link lands on its field.
    page.click("form:has(input[name='login']) [type='submit']")
    page.wait_for_load_state()
    assert "error-summary" in page.evaluate(FOCUSED)
    check_page(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "login"
