"""A learner sees the mentors suggested for them, with the reasons, on their
dashboard (and the page passes the accessibility gate)."""

from __future__ import annotations

import pytest

from matching.engine.refresh import suggestions_refresh_for_learner
from mentors.data_version import bump_mentor_data_version
from tests.e2e.checks import check_page
from tests.factories import PASSWORD
from tests.matching.helpers import learner_with_skills, mentor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_shows_suggestions_with_reasons(live_server, page):
    person = learner_with_skills(full_name="Lucie Martin")
    mentor(full_name="Karim Benali")
    bump_mentor_data_version()
    suggestions_refresh_for_learner(learner_id=person.pk)

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name='login']", person.email)
    page.fill("input[name='password']", PASSWORD)
    page.click("form:has(input[name='login']) [type='submit']")
    page.wait_for_url(live_server.url + "/mon-espace/")

    suggestion = page.locator(".suggestion").first
    assert "Karim Benali" in suggestion.inner_text()
    reasons = suggestion.locator(".reasons li").all_inner_texts()
    assert any("Programmation en Python niveau 6" in r for r in reasons)
    assert "Parle français" in reasons
    check_page(page)
