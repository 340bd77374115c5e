"""Open Badges 3.0: the VC-JWT and the status list verified by an independent
library (jwcrypto) with the key published at the JWT's kid; any altered byte
rejected; rotation keeps old keys published; production refuses to start
without its keys file."""

from __future__ import annotations

import base64
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from jwcrypto import jwk, jws, jwt

from certification import signing_keys
from tests.certification.attestation_helpers import issued

pytestmark = pytest.mark.django_db


def _verified(token: str) -> dict:
    """Verify with jwcrypto, fetching the key from the kid URL (through the
    test client: the URL is absolute from SITE_URL)."""
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "RS256"
    assert header["kid"].startswith("http://testserver/badges/keys/")
    published = Client().get(header["kid"].removeprefix("http://testserver"))
    assert published.status_code == 200
    key = jwk.JWK(**published.json())
    assert "d" not in published.json()  # public only
    checked = jwt.JWT(jwt=token, key=key, algs=["RS256"], check_claims={})
    return json.loads(checked.claims)


def status_bit(index: int) -> int:
    token = Client().get("/badges/status/1.jwt").content.decode()
    claims = _verified(token)
    encoded = claims["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * 4))
    assert len(raw) * 8 >= 131072
    return (raw[index // 8] >> (7 - index % 8)) & 1


def test_the_credential_verifies_with_jwcrypto():
    a = issued()
    holder = Client()
    holder.force_login(a.holder)
    answer = holder.get(f"/api/v1/attestations/{a.pk}/ob3/")
    assert answer.status_code == 200
    token = answer.content.decode()
    claims = _verified(token)
    assert "OpenBadgeCredential" in claims["type"]
    subject = claims["credentialSubject"]
    assert subject["id"] == f"urn:uuid:{a.subject_uuid}"
    assert claims["sub"] == subject["id"]
    assert claims["iss"] == "http://testserver/badges/issuer.json"
    assert subject["achievement"]["alignment"][0]["targetCode"] == "2.1"
    status = claims["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusListIndex"] == str(a.status_index)
    assert status["statusListCredential"] == "http://testserver/badges/status/1.jwt"
    assert a.holder.email not in token


def test_any_altered_byte_is_rejected():
    a = issued()
    holder = Client()
    holder.force_login(a.holder)
    token = holder.get(f"/api/v1/attestations/{a.pk}/ob3/").content.decode()
    header_b64, payload_b64, signature = token.split(".")
    key = jwk.JWK(
        **Client()
        .get(
            json.loads(base64.urlsafe_b64decode(header_b64 + "=="))["kid"].removeprefix(
                "http://testserver"
            )
        )
        .json()
    )
    payload = bytearray(base64.urlsafe_b64decode(payload_b64 + "=="))
    for position in (0, len(payload) // 2, len(payload) - 2):
        altered = bytearray(payload)
        altered[position] ^= 0x01
        forged = ".".join(
            [
                header_b64,
                base64.urlsafe_b64encode(bytes(altered)).decode().rstrip("="),
                signature,
            ]
        )
        with pytest.raises(jws.InvalidJWSSignature):
            jwt.JWT(jwt=forged, key=key, algs=["RS256"], check_claims={})


def test_rotation_keeps_old_keys_published(tmp_path, settings):
    path = str(tmp_path / "keys.json")
    settings.ATTESTATION_SIGNING_KEYS_FILE = path
    first = signing_keys.signing_keys(path, create=True)[0]
    second = signing_keys.key_rotate(path)
    keys = signing_keys.signing_keys(path, create=False)
    assert keys[0].thumbprint() == second.thumbprint()
    assert Path(path).stat().st_mode & 0o077 == 0
    for key in (first, second):
        assert Client().get(f"/badges/keys/{key.thumbprint()}.json").status_code == 200


def test_production_refuses_to_start_without_the_keys_file(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "compagnonnage.settings.production",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://x@127.0.0.1/x"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "DJANGO_SECRET_KEY": "k" * 20 + "Zq8#pL2@vN5!xR7$wT1%yU4^mB6&cD9*",
        "SITE_URL": "https://example.org",
        "ATTESTATION_SIGNING_KEYS_FILE": str(tmp_path / "missing.json"),
    }
    code = "import django; django.setup()"
    run = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert run.returncode != 0
    assert "ATTESTATION_SIGNING_KEYS_FILE" in run.stderr
    # With a key file it starts.
    signing_keys.signing_keys(str(tmp_path / "keys.json"), create=True)
    env["ATTESTATION_SIGNING_KEYS_FILE"] = str(tmp_path / "keys.json")
    ok = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr[-2000:]


def test_the_rotation_command(tmp_path, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.ATTESTATION_SIGNING_KEYS_FILE = str(tmp_path / "keys.json")
    signing_keys.signing_keys(settings.ATTESTATION_SIGNING_KEYS_FILE, create=True)
    out = StringIO()
    call_command("attestation_keys", "--rotate", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("New signing key")
    assert sum("(signs)" in line for line in lines) == 1
    assert sum("(published)" in line for line in lines) == 1
