"""A learner with enough evidence sends a request from the skill's page; a
reviewer (TOTP) reads it in the admin and approves it at a lower level with a
reason; the learner sees the decision on "My attestation requests". Every
page is axe clean."""

from __future__ import annotations

import pytest

from certification.models import AttestationRequest
from tests.certification.helpers import a_reviewer, eligible_intermediate
from tests.e2e.checks import check_page, watch_csp
from tests.e2e.test_booking_journey import _login_by_keyboard
from tests.factories import PASSWORD, UserFactory, add_totp, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_request_sent_approved_lower_in_the_admin_and_seen(
    live_server, page, chromium
):
    url = live_server.url
    learner = UserFactory(full_name="Léa Martin", language="fr")
    eligible_intermediate(learner)

    # The learner sees where they stand and sends a request for level 4's
    # band floor, level 3.
    _login_by_keyboard(page, url, learner)
    page.goto(url + "/attestations/competence/2.1/")
    check_page(page)
    assert "Tout y est : vous pouvez demander ce niveau." in page.inner_text("main")
    page.get_by_role("link", name="Demander une attestation").click()
    page.wait_for_url(url + "/attestations/competence/2.1/demande/")
    check_page(page)
    page.select_option("select[name='level']", "3")
    page.fill(
        "textarea[name='statement']",
        "Je rejoins une visio seule et j'envoie des pièces jointes.",
    )
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url(url + "/attestations/mes-demandes/")
    assert "En attente de l'équipe" in page.inner_text("main")
    check_page(page)
    request = AttestationRequest.objects.get(learner=learner)
    assert request.state == "submitted"

    # A reviewer signs in with their second factor and decides in the admin.
    reviewer = a_reviewer(full_name="Rita Relecture")
    secret = add_totp(reviewer)
    staff_context = page.context.browser.new_context(locale="fr-FR")
    admin = staff_context.new_page()
    watch_csp(admin)
    admin.goto(url + "/admin/")
    admin.fill("input[name='login']", reviewer.email)
    admin.fill("input[name='password']", PASSWORD)
    admin.click("form:has(input[name='login']) [type='submit']")
    admin.fill("input[name='code']", totp_code(secret))
    admin.click("form:has(input[name='code']) [type='submit']")
    admin.wait_for_url(url + "/admin/")
    admin.goto(url + "/admin/certification/attestationrequest/?state__exact=submitted")
    admin.get_by_role("link", name="Léa Martin").click()
    change = f"/admin/certification/attestationrequest/{request.pk}/change/"
    admin.wait_for_url(lambda address: change in address)
    assert "Séances confirmées" in admin.inner_text("body")
    admin.check("input[name='decision'][value='approve']")
    admin.select_option("#decision-form select[name='level']", "2")
    admin.fill(
        "#decision-form textarea[name='reason']",
        "Les visios ne sont pas encore faites seule : niveau 2 pour commencer.",
    )
    admin.click("#decision-form [type='submit']")
    admin.wait_for_url(
        lambda address: address.endswith("/admin/certification/attestationrequest/")
    )
    assert "Décision enregistrée" in admin.inner_text("body")
    staff_context.close()
    request.refresh_from_db()
    assert (request.state, request.approved_level) == ("approved", 2)

    # The learner sees the decision and its reason.
    page.goto(url + "/attestations/mes-demandes/")
    text = page.inner_text("main")
    assert "Accordée" in text
    assert "Niveau accordé : 2" in text
    assert "niveau 2 pour commencer" in text
    check_page(page)
