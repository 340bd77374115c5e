"""Public verification: valid / revoked / unknown in French and English, the
forgiving form, the rate limit, the JSON twin; revoked everywhere at once (the
page, the API, the OB 2.0 assertion 410, the OB 3.0 status list)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from certification.attestations import attestation_revoke
from tests.certification.attestation_helpers import a_revoker, issued
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def english() -> Client:
    """A visitor who chose English with the site's language switch."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_a_valid_attestation_reads_in_french(settings):
    settings.ATTESTATION_ISSUER_NAME = "Association Pas à Pas"
    settings.ATTESTATION_ISSUER_SIRET = "12345678900011"
    a = issued(full_name="Aïcha Benoît")
    page = Client().get(f"/verify/{a.display_code}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Attestation valide" in text
    assert "Association Pas à Pas" in text
    assert "12345678900011" in text
    assert "Aïcha Benoît" in text
    assert "DigComp 2.2 · 2.1, niveau 3" in text
    assert "séances confirmées par les deux parties" in text
    assert "France compétences" in text


def test_a_valid_attestation_reads_in_english():
    a = issued()
    page = english().get(f"/verify/{a.display_code}/")
    text = page.content.decode()
    assert "Valid attestation" in text
    assert "DigComp 2.2 · 2.1, level 3" in text
    assert "confirmed by both sides" in text


def test_the_form_forgives_typing_and_unknown_codes_say_so():
    a = issued()
    typed = a.display_code.lower().replace("-", " ").replace("0", "o")
    answer = Client().get("/verify/", {"code": typed})
    assert answer.status_code == 302
    assert answer["Location"] == f"/verify/{a.display_code}/"
    unknown = english().get("/verify/CN-00000-00000/")
    assert unknown.status_code == 404
    assert "Unknown code" in unknown.content.decode()
    garbage = english().get("/verify/", {"code": "hello"})
    assert garbage.status_code == 404


def test_the_rate_limit_is_per_client(settings):
    settings.ATTESTATION_VERIFY_RATE = 3
    a = issued()
    url = f"/verify/{a.display_code}/"
    first = Client(REMOTE_ADDR="203.0.113.7")
    codes = [first.get(url).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert Client(REMOTE_ADDR="203.0.113.8").get(url).status_code == 200
    # The JSON twin shares the allowance.
    api = f"/api/v1/attestations/verify/{a.display_code}/"
    assert first.get(api).status_code == 429
    assert Client(REMOTE_ADDR="203.0.113.9").get(api).status_code == 200


def test_the_json_twin_is_open():
    a = issued(full_name="Léa Roux")
    answer = Client().get(f"/api/v1/attestations/verify/{a.display_code}/")
    assert answer.status_code == 200
    data = answer.json()
    assert data["status"] == "valid"
    assert data["holder"] == "Léa Roux"
    assert (data["skill"], data["level"]) == ("2.1", 3)
    assert data["url"] == f"http://testserver/verify/{a.display_code}/"
    unknown = Client().get("/api/v1/attestations/verify/CN-00000-00000/")
    assert unknown.status_code == 404
    assert unknown.json() == {"status": "unknown"}


def test_own_list_only():
    a = issued()
    other = UserFactory()
    me = Client()
    me.force_login(a.holder)
    assert [row["code"] for row in me.get("/api/v1/attestations/").json()] == [
        a.display_code
    ]
    them = Client()
    them.force_login(other)
    assert them.get("/api/v1/attestations/").json() == []
    assert them.get(f"/api/v1/attestations/{a.pk}/").status_code == 404
    assert them.get(f"/api/v1/attestations/{a.pk}/ob3/").status_code == 404
    assert Client().get("/api/v1/attestations/").status_code in (401, 403)


def test_revoked_everywhere_at_once(django_capture_on_commit_callbacks):
    from tests.certification.test_credentials import status_bit

    a = issued()
    assert status_bit(a.status_index) == 0  # cached list before revocation
    with django_capture_on_commit_callbacks(execute=True):
        attestation_revoke(
            staff=a_revoker(), attestation_id=a.pk, reason="error", note="Doublon"
        )
    page = Client().get(f"/verify/{a.display_code}/")
    text = page.content.decode()
    assert "Attestation révoquée" in text
    assert "Émise par erreur" in text
    api = Client().get(f"/api/v1/attestations/verify/{a.display_code}/").json()
    assert api["status"] == "revoked"
    assert api["revoked"] is True
    ob2 = Client().get(f"/badges/assertions/{a.display_code}.json")
    assert ob2.status_code == 410
    assert ob2.json()["revoked"] is True
    assert ob2.json()["revocationReason"]
    assert status_bit(a.status_index) == 1
    assert "Doublon" not in text  # the internal note stays internal
