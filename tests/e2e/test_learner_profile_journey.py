"""A learner fills their profile on a phone, tapping words rather than small
boxes: languages, the availability grid, a skill in plain words, levels as
sentences, and the ROME code tucked under "More details"."""

from __future__ import annotations

import pytest

from mentors.models import LearnerProfile
from tests.e2e.checks import check_page, watch_csp
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(
        locale="fr-FR", viewport={"width": 390, "height": 844}, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    watch_csp(page)
    yield page
    context.close()


def test_a_learner_fills_the_profile_on_a_phone_by_tapping_labels(live_server, phone):
    url = live_server.url
    person = UserFactory(full_name="Awa Diallo")
    page = phone
    page.goto(url + "/accounts/login/")
    page.fill("input[name='login']", person.email)
    page.fill("input[name='password']", PASSWORD)
    page.click("form:has(input[name='login']) [type='submit']")
    page.wait_for_load_state()
    page.goto(url + "/mon-espace/profil-apprenant/")
    check_page(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("select[multiple]").count() == 0

    page.fill("textarea[name='goals']", "Faire mes papiers en ligne toute seule.")
    page.select_option("select[name='situation']", "job_seeker")
    # French is ticked for a French-speaking visitor; Arabic by its word.
    assert page.get_by_label("Français", exact=True).is_checked()
    page.locator("label", has_text="Arabe").tap()
    page.select_option("select[name='other_language']", label="Roumain")
    page.select_option("select[name='region']", "11")
    page.locator("label", has_text="Téléphone").tap()

    # The grid: a tap near the corner of the cell ticks "Mardi soir".
    cell = page.locator("label.time-grid-cell:has(input[value='1-evening'])")
    box = cell.bounding_box()
    assert box
    assert box["width"] >= 44
    assert box["height"] >= 44
    cell.tap(position={"x": 4, "y": 4})
    assert page.get_by_label("Mardi soir").is_checked()

    row = page.locator("fieldset.skill-row").first
    row.locator("select[name='skills-0-skill']").select_option(
        label="Faire mes démarches en ligne (CAF, impôts, santé…)"
    )
    row.locator("label", has_text="Je n'ai jamais essayé").tap()
    row.locator("fieldset:has(input[name='skills-0-target_level'])").locator(
        "label", has_text="Je me débrouille"
    ).tap()

    code = page.locator("input[name='occupation_code']")
    assert not code.is_visible()
    page.get_by_text("Plus de précisions (facultatif)").tap()
    code.fill("K1204")

    page.get_by_role("button", name="Enregistrer").tap()
    page.wait_for_url(url + "/mon-espace/")
    check_page(page)

    profile = LearnerProfile.objects.get(user=person)
    assert profile.languages == ["fr", "ar", "ro"]
    assert profile.modes == ["phone"]
    assert profile.time_windows == [24 + 18, 24 + 19, 24 + 20]
    assert profile.occupation_code == "K1204"
    assert [
        (s.skill.code, s.current_level, s.target_level) for s in profile.skills.all()
    ] == [("2.3", 0, 3)]
