"""An anonymous visitor searches the directory, filters, opens a mentor, and is
asked to create an account to send a request."""

from __future__ import annotations

import pytest

from tests.e2e.checks import check_page
from tests.mentors.test_directory import make_mentor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_searches_filters_opens_a_mentor_and_is_asked_to_sign_up(
    live_server, page
):
    make_mentor(
        "Élodie Garnier",
        "Développement web et formations pour débutants",
        skills=(("web-frontend", 7),),
        region="53",
        modes=("video",),
    )
    make_mentor(
        "Marc Dupuis",
        "Développement web en présentiel",
        skills=(("web-frontend", 5),),
        region="11",
        modes=("in_person",),
    )
    make_mentor(
        "Bernard Lefèvre", "Tableurs sans stress", skills=(("spreadsheets", 6),)
    )
    url = live_server.url

    page.goto(url + "/")
    page.click("nav a[href='/mentors/']")
    page.wait_for_url(url + "/mentors/")
    check_page(page)

    # Typing searches by itself (htmx), and the address keeps the query.
    page.fill("input[name='q']", "developpement")
    page.wait_for_function(
        "() => document.querySelectorAll('#results .mentor-card').length === 2"
    )
    assert "q=developpement" in page.url
    page.select_option("select[name='mode']", "video")
    page.wait_for_function(
        "() => document.querySelectorAll('#results .mentor-card').length === 1"
    )
    assert "mode=video" in page.url
    check_page(page)

    page.click("#results a:has-text('Élodie Garnier')")
    page.wait_for_url(url + "/mentors/*/")
    assert page.get_by_text(
        "Développement web et formations pour débutants"
    ).is_visible()
    check_page(page)

    page.click("a[href^='/accounts/signup/?next=/mentors/']")
    page.wait_for_url(url + "/accounts/signup/**")
    assert page.locator("input[name='email']").is_visible()

    # The back button brings the filtered search back.
    page.go_back()
    page.go_back()
    page.wait_for_url(url + "/mentors/?*")
    assert "mode=video" in page.url


def test_the_directory_works_without_javascript(live_server, chromium):
    make_mentor(
        "Bernard Lefèvre", "Tableurs sans stress", skills=(("spreadsheets", 6),)
    )
    make_mentor("Yasmine Haddad", "Python pour l'analyse de données")
    context = chromium.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()

    page.goto(live_server.url + "/mentors/")
    page.fill("input[name='q']", "tableur")
    page.click("form[role='search'] .directory-search button[type='submit']")
    # The form sends its empty fields too; the address keeps the search only.
    page.wait_for_url(live_server.url + "/mentors/?q=tableur")

    assert page.locator("#results .mentor-card").count() == 1
    assert page.get_by_text("Bernard Lefèvre").is_visible()
    context.close()
