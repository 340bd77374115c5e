"""Sign up as both learner and mentor, fill both profiles, submit the mentor
profile; staff approve it in the admin; a visitor sees the public page."""

from __future__ import annotations

import re

import pytest

from mentors.models import MentorProfile
from tests.e2e.checks import check_page, watch_csp
from tests.factories import PASSWORD as STAFF_PASSWORD
from tests.factories import UserFactory, add_totp, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mon-mot-de-passe-a-moi"


def _text_part(message) -> str:
    return next(
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    )


def test_both_profiles_then_staff_approval_then_public_page(
    live_server, page, live_worker, smtp_sink
):
    url = live_server.url
    # Sign up and confirm the address from the e-mail.
    page.goto(url + "/accounts/signup/")
    page.fill("input[name='full_name']", "Inès Moreau")
    page.fill("input[name='email']", "ines@example.org")
    page.fill("input[name='password1']", PASSWORD)
    page.fill("input[name='password2']", PASSWORD)
    page.check("input[name='is_adult']")
    page.check("input[name='accept_terms']")
    page.click("form:has(input[name='email']) [type='submit']")
    [mail] = smtp_sink.wait_for(1)
    link = re.search(
        r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", _text_part(mail)
    )
    assert link
    page.goto(url + link.group(1))
    page.click("main form [type='submit']")

    # Onboarding: both roles.
    page.wait_for_url(url + "/bienvenue/")
    check_page(page)
    page.check("input[name='learn']")
    page.check("input[name='mentor']")
    page.click("main form [type='submit']")

    # Learner profile.
    page.wait_for_url(url + "/mon-espace/profil-apprenant/")
    check_page(page)
    page.fill("textarea[name='goals']", "Devenir développeuse web.")
    page.select_option("select[name='situation']", "reconversion")
    page.select_option("select[name='region']", "53")
    page.check("input[name='modes'][value='video']")
    page.check("input[name='time_windows'][value='1-evening']")
    page.select_option("select[name='skills-0-skill']", "python")
    page.check("input[name='skills-0-current_level'][value='1']")
    page.check("input[name='skills-0-target_level'][value='4']")
    page.click("main form [type='submit']")
    page.wait_for_url(url + "/mon-espace/")
    check_page(page)

    # Mentor profile: fill, then send for review with the charter.
    page.goto(url + "/mon-espace/profil-mentor/")
    page.fill("input[name='headline']", "J'aide à démarrer avec les tableurs")
    page.fill(
        "textarea[name='bio']",
        "Comptable pendant vingt ans, j'explique les tableurs pas à pas, "
        "avec des exemples de la vie de tous les jours.",
    )
    page.select_option("select[name='region']", "53")
    page.fill("input[name='city']", "Brest")
    page.check("input[name='modes'][value='video']")
    page.check("input[name='modes'][value='phone']")
    page.select_option("select[name='skills-0-skill']", "spreadsheets")
    page.check("input[name='skills-0-level'][value='6']")
    page.fill("input[name='skills-0-years']", "20")
    page.click("main form[enctype] [type='submit']")
    page.wait_for_url(url + "/mon-espace/profil-mentor/")
    check_page(page)
    page.check("input[name='accept_charter']")
    page.click("form[action='/mon-espace/profil-mentor/envoyer/'] [type='submit']")
    page.wait_for_url(url + "/mon-espace/profil-mentor/")
    profile = MentorProfile.objects.get(user__email="ines@example.org")
    assert profile.status == "submitted"

    # Not public yet.
    visitor = page.context.browser.new_context(locale="fr-FR")
    anonymous = visitor.new_page()
    watch_csp(anonymous)
    assert anonymous.goto(f"{url}/mentors/{profile.pk}/").status == 404

    # Staff approve it in the admin, after their second factor.
    staff = UserFactory(is_staff=True, is_superuser=True)
    secret = add_totp(staff)
    staff_context = page.context.browser.new_context(locale="fr-FR")
    admin = staff_context.new_page()
    watch_csp(admin)
    admin.goto(url + "/admin/")
    admin.fill("input[name='login']", staff.email)
    admin.fill("input[name='password']", STAFF_PASSWORD)
    admin.click("form:has(input[name='login']) [type='submit']")
    admin.fill("input[name='code']", totp_code(secret))
    admin.click("form:has(input[name='code']) [type='submit']")
    admin.wait_for_url(url + "/admin/")
    admin.goto(url + "/admin/mentors/mentorprofile/?status__exact=submitted")
    admin.check(f"input[name='_selected_action'][value='{profile.pk}']")
    admin.select_option("select[name='action']", "approve")
    admin.click("button[name='index']")
    admin.wait_for_load_state()
    profile.refresh_from_db()
    assert profile.status == "approved"
    staff_context.close()

    # A visitor now sees the public page.
    response = anonymous.goto(f"{url}/mentors/{profile.pk}/")
    assert response.status == 200
    assert anonymous.get_by_text("J'aide à démarrer avec les tableurs").is_visible()
    assert anonymous.get_by_text("Inès Moreau").first.is_visible()
    check_page(anonymous)
    visitor.close()
