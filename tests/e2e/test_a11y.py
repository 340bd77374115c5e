"""Accessibility checks in a real Chromium: reflow at 320 px, the skip link first.

The browser comes from the ``chromium`` fixture (tests/e2e/conftest.py), which
starts Playwright's sync API once per session and skips when /usr/bin/chromium
is absent: a second ``sync_playwright()`` in the same thread would fail.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 640}


@pytest.fixture
def narrow_page(chromium):
    context = chromium.new_context(viewport=NARROW, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.mark.parametrize("path", ["/", "/accounts/signup/", "/accounts/login/"])
def test_no_horizontal_scroll_at_320_px(live_server, narrow_page, path):
    narrow_page.goto(live_server.url + path)
    # The stylesheet is loaded: without it a page may reflow by accident.
    position = narrow_page.evaluate(
        "getComputedStyle(document.querySelector('.skip-link')).position"
    )
    assert position == "absolute"

    scroll_width = narrow_page.evaluate("document.documentElement.scrollWidth")

    assert scroll_width <= NARROW["width"]


def test_skip_link_is_the_first_focusable_element(live_server, narrow_page):
    narrow_page.goto(live_server.url + "/")

    narrow_page.keyboard.press("Tab")

    focused = narrow_page.evaluate(
        "(e => [e.className, e.getAttribute('href')])(document.activeElement)"
    )
    assert focused == ["skip-link", "#main"]
    box = narrow_page.locator(".skip-link").bounding_box()
    assert box is not None
    assert box["y"] >= 0  # shown on the screen once focused
    narrow_page.keyboard.press("Enter")
    assert narrow_page.evaluate("document.activeElement.id") == "main"


def test_buttons_and_menu_links_are_at_least_44_px(live_server, narrow_page):
    narrow_page.goto(live_server.url + "/accounts/signup/")

    sizes = narrow_page.evaluate(
        """[...document.querySelectorAll(
              'header a, header button, footer a, main button, main .button')]
            .map(e => [e.textContent.trim(), e.getBoundingClientRect().height])"""
    )

    assert sizes
    assert [name for name, height in sizes if height < 44] == []
