from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.e2e.checks import watch_csp

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(
            f"browser test skipped: {CHROMIUM} is not installed "
            "(apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser tab; CSP violations it sees are collected for check_page."""
    context = chromium.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    watch_csp(page)
    yield page
    context.close()
