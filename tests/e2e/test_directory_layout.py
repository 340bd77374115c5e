"""The directory at a phone's and a desktop's width: the filters beside the
results at 1280 px, folded behind "Filtres" at 390 px (a <details>, so also
without JavaScript), cards side by side where there is room, nothing wider
than the screen, axe clean; typing a search keeps an address without empty
parameters."""

from __future__ import annotations

import pytest

from tests.e2e.checks import check_page
from tests.mentors.test_directory import make_mentor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def directory_mentors():
    make_mentor(
        "Élodie Garnier",
        "Développement web et formations pour débutants",
        skills=(("web-frontend", 7), ("javascript", 6)),
        region="53",
        modes=("video", "in_person"),
    )
    make_mentor(
        "Bernard Lefèvre", "Tableurs sans stress", skills=(("spreadsheets", 6),)
    )
    make_mentor("Yasmine Haddad", "Python pour l'analyse de données")


def box(page, selector: str) -> dict[str, float]:
    found = page.locator(selector).bounding_box()
    assert found is not None, selector
    return found


def overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_at_1280_px_the_filters_sit_beside_the_results(
    live_server, page, directory_mentors
):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/mentors/")

    filters = box(page, "form[role='search']")
    results = box(page, "#results")
    # A column on the left, starting level with the results.
    assert filters["x"] + filters["width"] <= results["x"]
    assert abs(filters["y"] - results["y"]) < 40
    # Shown without opening anything, and its first field above the fold.
    assert page.locator("details.directory-filters").evaluate("d => d.open") is False
    assert page.locator("select[name='region']").is_visible()
    assert page.locator("details.directory-filters > summary").is_hidden()
    assert box(page, "select[name='skill']")["y"] < DESKTOP["height"]
    # Cards side by side, the first one above the fold.
    first, second = (box(page, f"#results .mentor-card >> nth={n}") for n in (0, 1))
    assert first["y"] == second["y"]
    assert first["x"] + first["width"] < second["x"]
    assert first["y"] < DESKTOP["height"]
    assert overflow(page) == 0
    check_page(page)


def test_at_390_px_the_filters_are_folded_and_nothing_overflows(
    live_server, page, directory_mentors
):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/mentors/?mode=video")

    details = page.locator("details.directory-filters")
    assert details.evaluate("d => d.open") is False
    assert page.locator("select[name='region']").is_hidden()
    summary = page.locator("details.directory-filters > summary")
    assert "Visio" in summary.inner_text()  # the chosen filter is named
    assert box(page, "details.directory-filters > summary")["height"] >= 44
    # One card a row.
    first, second = (box(page, f"#results .mentor-card >> nth={n}") for n in (0, 1))
    assert second["y"] >= first["y"] + first["height"]
    assert overflow(page) == 0
    check_page(page)

    summary.click()

    assert details.evaluate("d => d.open") is True
    assert page.locator("select[name='region']").is_visible()
    assert overflow(page) == 0
    check_page(page)


def test_the_folded_filters_work_without_javascript(
    live_server, chromium, directory_mentors
):
    context = chromium.new_context(
        java_script_enabled=False, locale="fr-FR", viewport=PHONE
    )
    page = context.new_page()
    page.goto(live_server.url + "/mentors/")

    page.click("details.directory-filters > summary")
    page.select_option("select[name='region']", "53")
    page.click("details.directory-filters button[type='submit']")

    # The form sent every field; the address keeps only the chosen one.
    page.wait_for_url(live_server.url + "/mentors/?region=53")
    assert page.locator("#results .mentor-card").count() == 1
    assert page.locator(".results-summary").inner_text() == "1 mentor"
    context.close()


def test_typing_a_search_keeps_an_address_without_empty_parameters(
    live_server, page, directory_mentors
):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/mentors/")

    page.fill("input[name='q']", "tableur")
    page.wait_for_function(
        "() => document.querySelectorAll('#results .mentor-card').length === 1"
    )

    page.wait_for_url(live_server.url + "/mentors/?q=tableur")
    assert page.locator(".results-summary").inner_text() == "1 mentor"
