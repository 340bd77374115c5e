"""A person signs up in a real browser, follows the link in the e-mail, logs in."""

from __future__ import annotations

import re

import pytest

from accounts.models import User
from tests.e2e.checks import check_page, watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mon-mot-de-passe-a-moi"


def test_signup_verify_by_email_link_then_login(
    live_server, page, live_worker, smtp_sink
):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    check_page(page)
    page.click("a[href='/accounts/signup/']")
    check_page(page)

    page.fill("input[name='full_name']", "Fatou Diallo")
    page.fill("input[name='email']", "fatou@example.org")
    page.fill("input[name='password1']", PASSWORD)
    page.fill("input[name='password2']", PASSWORD)
    page.check("input[name='is_adult']")
    page.check("input[name='accept_terms']")
    page.click("form:has(input[name='email']) [type='submit']")

    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    check_page(page)
    # The mail goes out through the outbox and a real worker, over SMTP.
    [sent] = smtp_sink.wait_for(1)
    assert sent["To"] == "fatou@example.org"
    body = next(
        part.get_payload(decode=True).decode()
        for part in sent.walk()
        if part.get_content_type() == "text/plain"
    )
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body)
    assert link, body
    path = re.sub(r"^https?://[^/]+", "", link.group(0))

    # A fresh browser context: the person opens the mail on another device.
    context = page.context.browser.new_context(locale="fr-FR")
    other = context.new_page()
    watch_csp(other)
    other.goto(live_server.url + path)
    check_page(other)
    other.click("main form [type='submit']")
    # Confirmed on another device: allauth asks that device to log in.
    other.wait_for_url(re.compile(r"/accounts/login/"))
    context.close()
    user = User.objects.get(email="fatou@example.org")
    assert user.emailaddress_set.get().verified
    assert user.terms_accepted_at is not None

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name='login']", "fatou@example.org")
    page.fill("input[name='password']", PASSWORD)
    page.click("form:has(input[name='login']) [type='submit']")

    # A new person without a profile is asked what brings them here.
    page.wait_for_url(live_server.url + "/bienvenue/")
    assert page.locator("form[action='/accounts/logout/']").count() == 1
    check_page(page)


def test_language_switch_in_the_browser(live_server, page):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "fr"

    page.click("button[name='language'][value='en']")

    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url == live_server.url + "/"
