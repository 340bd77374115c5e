"""The journeys' screenshot flag: each checked page saved at 390 and 1280 px
in French and English, the journey's own tab left as it was."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.e2e.checks import screenshot_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_flag_saves_each_page_in_both_languages_and_widths(
    live_server, page, tmp_path, monkeypatch
):
    monkeypatch.setenv("E2E_SCREENSHOTS", str(tmp_path))
    page.goto(live_server.url + "/")

    saved = screenshot_page(page)

    assert [p.name.rsplit("-", 2)[-2:] for p in saved] == [
        ["fr", "390.png"],
        ["fr", "1280.png"],
        ["en", "390.png"],
        ["en", "1280.png"],
    ]
    assert [Image.open(p).width for p in saved] == [390, 1280, 390, 1280]
    # The journey's tab still speaks French and no language cookie is left.
    page.reload()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert all(c["name"] != "lang" for c in page.context.cookies())


def test_without_the_flag_nothing_is_saved(live_server, page, monkeypatch):
    monkeypatch.delenv("E2E_SCREENSHOTS", raising=False)
    page.goto(live_server.url + "/")

    assert screenshot_page(page) == []
