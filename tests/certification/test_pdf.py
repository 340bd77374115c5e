"""The PDF: A4, in the holder's language with French accents (text extracted
back with pypdfium2), a QR code that decodes (zxing-cpp) to the verification
URL; cached; 503 without WeasyPrint."""

from __future__ import annotations

import sys

import pypdfium2
import pytest
import zxingcpp
from django.core.cache import cache
from django.test import Client

from tests.certification.attestation_helpers import issued
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def _download(attestation) -> bytes:
    client = Client()
    client.force_login(attestation.holder)
    answer = client.get(f"/mon-espace/attestations/{attestation.pk}/attestation.pdf")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    return answer.content


def test_french_pdf_with_accents_and_a_qr_code_to_the_verification_page(settings):
    settings.ATTESTATION_ISSUER_NAME = "Association Pas à Pas"
    a = issued(full_name="Éloïse Lefèvre-Çelik", language="fr")
    pdf = pypdfium2.PdfDocument(_download(a))
    assert len(pdf) == 1
    page = pdf[0]
    width, height = page.get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = page.get_textpage().get_text_range()
    assert "Attestation de compétences" in text
    assert "Éloïse Lefèvre-Çelik" in text
    assert "Association Pas à Pas" in text
    assert "« " in text or "«\u00a0" in text  # French quotation marks
    assert "France compétences" in text
    assert a.display_code in text
    image = page.render(scale=2).to_pil()
    found = zxingcpp.read_barcodes(image)
    assert [r.text for r in found] == [f"http://testserver/verify/{a.display_code}/"]


def test_english_holder_gets_an_english_pdf():
    a = issued(language="en")
    text = pypdfium2.PdfDocument(_download(a))[0].get_textpage().get_text_range()
    assert "Skill attestation" in text
    assert "This is not a certification registered with France compétences." in text


def test_the_pdf_is_cached(monkeypatch):
    a = issued()
    first = _download(a)
    from certification import pdf as pdf_module

    def boom(_attestation):
        raise AssertionError("rendered again")

    monkeypatch.setattr(pdf_module, "render_pdf", boom)
    assert _download(a) == first


def test_without_weasyprint_the_pdf_answers_503_and_the_rest_works(monkeypatch):
    a = issued()
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails
    client = Client()
    client.force_login(a.holder)
    answer = client.get(f"/mon-espace/attestations/{a.pk}/attestation.pdf")
    assert answer.status_code == 503
    assert client.get(f"/verify/{a.display_code}/").status_code == 200
    api = client.get(f"/api/v1/attestations/{a.pk}/pdf/")
    assert api.status_code == 503


def test_someone_elses_pdf_is_404():
    a = issued()
    other = Client()
    other.force_login(UserFactory())
    assert (
        other.get(f"/mon-espace/attestations/{a.pk}/attestation.pdf").status_code == 404
    )
    assert other.get(f"/api/v1/attestations/{a.pk}/pdf/").status_code == 404


def test_a_revoked_attestation_is_no_longer_handed_out():
    from certification.attestations import attestation_revoke
    from tests.certification.attestation_helpers import a_revoker

    a = issued()
    attestation_revoke(staff=a_revoker(), attestation_id=a.pk, reason="error")
    client = Client()
    client.force_login(a.holder)
    assert client.get(f"/api/v1/attestations/{a.pk}/pdf/").status_code == 409
    assert client.get(f"/api/v1/attestations/{a.pk}/ob3/").status_code == 409
    page = client.get(f"/mon-espace/attestations/{a.pk}/attestation.pdf")
    assert page.status_code == 302
    assert page["Location"] == "/mon-espace/attestations/"
