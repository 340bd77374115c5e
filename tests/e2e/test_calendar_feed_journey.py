"""A person makes their calendar link, copies it with the button (the
clipboard holds the link a calendar app reads), changes it and deletes it;
without JavaScript the link is there to select and the button is hidden."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.e2e.checks import check_page, watch_csp
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, url: str, user) -> None:
    page.goto(url + "/accounts/login/")
    page.fill("input[name='login']", user.email)
    page.fill("input[name='password']", PASSWORD)
    page.click("form:has(input[name='login']) [type='submit']")
    page.wait_for_url(lambda address: "/accounts/login/" not in address)


def test_make_copy_change_and_delete_the_calendar_link(live_server, chromium):
    url = live_server.url
    person = UserFactory(full_name="Léa Martin")
    context = chromium.new_context(locale="fr-FR")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = context.new_page()
    watch_csp(page)
    _login(page, url, person)

    page.goto(url + "/mon-espace/agenda/")
    check_page(page)
    page.click("text=Créer mon lien")
    page.wait_for_url(url + "/mon-espace/agenda/")
    check_page(page)
    link = page.input_value("#feed-url")
    assert link.startswith("http://testserver/agenda/")
    feed_path = link.removeprefix("http://testserver")
    assert Client().get(feed_path).status_code == 200

    page.click("text=Copier le lien")
    status = page.locator("#feed-url-status")
    status.filter(has_text="Le lien est copié").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link

    page.click("summary:has-text('Changer de lien')")
    page.click("text=Oui, changer mon lien")
    page.wait_for_url(url + "/mon-espace/agenda/")
    assert page.input_value("#feed-url") != link
    assert Client().get(feed_path).status_code == 404

    page.click("summary:has-text('Supprimer le lien')")
    page.click("text=Oui, supprimer mon lien")
    page.wait_for_url(url + "/mon-espace/agenda/")
    assert page.locator("#feed-url").count() == 0
    assert page.locator("text=Vous n'avez pas encore de lien.").count() == 1
    context.close()


def test_without_javascript_the_link_is_there_to_select(live_server, chromium):
    url = live_server.url
    person = UserFactory()
    context = chromium.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    _login(page, url, person)
    page.goto(url + "/mon-espace/agenda/")
    page.click("text=Créer mon lien")
    page.wait_for_url(url + "/mon-espace/agenda/")

    assert page.input_value("#feed-url").startswith("http://testserver/agenda/")
    assert page.locator("#feed-url").get_attribute("readonly") is not None
    assert not page.locator("button[data-copy]").is_visible()
    context.close()
