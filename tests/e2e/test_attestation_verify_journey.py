"""Issue 19's journey: staff approve a request in the admin, the learner
downloads the PDF and shows the attestation on their profile, an anonymous
visitor types the code on /verify/ and sees it valid, staff revoke it, the
visitor sees it revoked. Every page is axe clean."""

from __future__ import annotations

import pytest

from certification.models import Attestation
from tests.certification.helpers import a_reviewer, submitted
from tests.e2e.checks import check_page, watch_csp
from tests.e2e.test_booking_journey import _login_by_keyboard
from tests.factories import PASSWORD, UserFactory, add_totp, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _staff_page(page, url, reviewer):
    secret = add_totp(reviewer)
    context = page.context.browser.new_context(locale="fr-FR")
    admin = context.new_page()
    watch_csp(admin)
    admin.goto(url + "/admin/")
    admin.fill("input[name='login']", reviewer.email)
    admin.fill("input[name='password']", PASSWORD)
    admin.click("form:has(input[name='login']) [type='submit']")
    admin.fill("input[name='code']", totp_code(secret))
    admin.click("form:has(input[name='code']) [type='submit']")
    admin.wait_for_url(url + "/admin/")
    return context, admin


def test_approve_download_show_verify_revoke(live_server, page, chromium, settings):
    url = live_server.url
    settings.SITE_URL = url
    settings.ATTESTATION_ISSUER_NAME = "Association Pas à Pas"
    learner = UserFactory(full_name="Léa Martin", language="fr")
    request, _main, _second = submitted(learner)

    # Staff approve in the admin.
    staff_context, admin = _staff_page(page, url, a_reviewer())
    admin.goto(url + f"/admin/certification/attestationrequest/{request.pk}/change/")
    admin.check("input[name='decision'][value='approve']")
    admin.click("#decision-form [type='submit']")
    admin.wait_for_url(
        lambda address: address.endswith("/admin/certification/attestationrequest/")
    )
    attestation = Attestation.objects.get(request=request)
    code = attestation.display_code

    # The learner downloads the PDF and shows the attestation on their profile.
    _login_by_keyboard(page, url, learner)
    page.goto(url + "/mon-espace/attestations/")
    check_page(page)
    assert code in page.inner_text("main")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le PDF").click()
    assert download.value.suggested_filename == f"attestation-{code}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page.get_by_role("button", name="La montrer sur mon profil").click()
    page.wait_for_url(url + "/mon-espace/attestations/")
    assert "Montrée sur mon profil." in page.inner_text("main")
    check_page(page)
    attestation.refresh_from_db()
    assert attestation.shown_on_profile

    # An anonymous visitor types the code (sloppily) and sees it valid.
    visitor_context = chromium.new_context(locale="fr-FR")
    visitor = visitor_context.new_page()
    watch_csp(visitor)
    visitor.goto(url + "/verify/")
    check_page(visitor)
    visitor.get_by_label("Code de l'attestation").fill(code.lower().replace("-", " "))
    visitor.get_by_role("button", name="Vérifier").click()
    visitor.wait_for_url(url + f"/verify/{code}/")
    text = visitor.inner_text("main")
    assert "Attestation valide" in text
    assert "Léa Martin" in text
    assert "Association Pas à Pas" in text
    check_page(visitor)

    # Staff revoke it; the visitor sees it revoked.
    admin.goto(url + f"/admin/certification/attestation/{attestation.pk}/revoke/")
    admin.select_option("select[name='reason']", "review")
    admin.fill("textarea[name='note']", "Séances comptées deux fois.")
    admin.click("form [type='submit'][value='Révoquer']")
    admin.wait_for_url(
        lambda address: address.endswith(
            f"/admin/certification/attestation/{attestation.pk}/change/"
        )
    )
    staff_context.close()
    visitor.reload()
    text = visitor.inner_text("main")
    assert "Attestation révoquée" in text
    assert "Retirée après contrôle" in text
    assert "comptées deux fois" not in text
    check_page(visitor)
    visitor_context.close()
