"""The browser gate itself catches what it is meant to catch."""

from __future__ import annotations

import pytest

from tests.e2e.checks import check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_page_catches_an_inaccessible_page(page):
    page.set_content("<html><body><img src='x.png'><input type='text'></body></html>")

    with pytest.raises(AssertionError, match="image-alt"):
        check_page(page)


def test_check_page_catches_a_csp_violation(live_server, page):
    page.goto(live_server.url + "/")
    # An inline script, as a template mistake would add one: the CSP blocks it.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.x = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)

    with pytest.raises(AssertionError, match="Content Security Policy"):
        check_page(page)


PAGES = [
    "/",
    "/mentions-legales/",
    "/conditions-utilisation/",
    "/confidentialite/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/page-that-does-not-exist/",
]


@pytest.mark.parametrize("path", PAGES)
def test_public_pages_pass_the_browser_gate(live_server, page, path):
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")

    check_page(page)


def test_the_api_docs_pass_the_browser_gate(live_server, page):
    page.goto(live_server.url + "/api/docs/")
    page.wait_for_selector(".opblock")

    # Swagger UI (third party) nests its expand button inside the operation's
    # summary button; everything else on the page passes.
    check_page(page, known=frozenset({"nested-interactive"}))
