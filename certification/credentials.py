"""Open Badges 3.0 (issue 19): each attestation as an ``AchievementCredential``
signed as a VC-JWT (RS256, joserfc), and the signed revocation status list
(``BitstringStatusList``) at ``/badges/status/1.jwt``.

The JWT's ``kid`` is the URL where its key is published; ``sub`` equals
``credentialSubject.id`` (``urn:uuid:…``, random per attestation, not the
person's e-mail).
"""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import RSAKey

from .attestation_selectors import how_text, skill_title
from .attestations import attestation_usable, verify_url
from .badges import (
    achievement_description,
    badge_class_id,
    criteria_narrative,
    issuer_url,
)
from .models import STATUS_LIST_SIZE, Attestation
from .signing_keys import signing_keys

STATUS_LIST_CACHE_KEY = "certification:status-list:1"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def keys() -> list[RSAKey]:
    return signing_keys(
        settings.ATTESTATION_SIGNING_KEYS_FILE,
        create=settings.ATTESTATION_SIGNING_KEYS_CREATE,
    )


def key_url(key: RSAKey) -> str:
    return f"{settings.SITE_URL}/badges/keys/{key.thumbprint()}.json"


def status_list_url() -> str:
    return f"{settings.SITE_URL}/badges/status/1.jwt"


def _sign(payload: dict[str, Any]) -> str:
    key = keys()[0]
    header = {"alg": "RS256", "typ": "JWT", "kid": key_url(key)}
    return jwt.encode(header, payload, key, algorithms=["RS256"])


def _issuer_profile() -> dict[str, Any]:
    profile: dict[str, Any] = {
        "id": issuer_url(),
        "type": ["Profile"],
        "name": settings.ATTESTATION_ISSUER_NAME,
        "url": settings.SITE_URL + "/",
    }
    if settings.ATTESTATION_ISSUER_SIRET:
        profile["otherIdentifier"] = [
            {
                "type": "IdentifierEntry",
                "identifier": settings.ATTESTATION_ISSUER_SIRET,
                "identifierType": "identifier",
            }
        ]
    return profile


def credential(attestation: Attestation) -> dict[str, Any]:
    subject_id = f"urn:uuid:{attestation.subject_uuid}"
    issued = attestation.issued_at.astimezone(UTC)
    achievement: dict[str, Any] = {
        "id": f"{settings.SITE_URL}/badges/classes/{badge_class_id(attestation)}.json",
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": skill_title(attestation),
        "description": achievement_description(attestation),
        "criteria": {"narrative": criteria_narrative(attestation)},
    }
    if attestation.skill is not None:
        achievement["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": attestation.skill.name,
                "targetCode": attestation.skill.code,
                "targetFramework": "DigComp 2.2",
                "targetUrl": attestation.skill.esco_uri
                or "https://joint-research-centre.ec.europa.eu/digcomp_en",
            }
        ]
    return {
        "@context": [VC_CONTEXT, OB3_CONTEXT],
        "id": verify_url(attestation.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": _issuer_profile(),
        "validFrom": issued.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "name": skill_title(attestation),
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "achievement": achievement,
        },
        "credentialStatus": {
            "id": f"{status_list_url()}#{attestation.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(attestation.status_index),
            "statusListCredential": status_list_url(),
        },
        "evidence": [
            {
                "id": verify_url(attestation.code),
                "type": ["Evidence"],
                "narrative": how_text(attestation),
            }
        ],
    }


def credential_jwt(attestation: Attestation) -> str:
    """The VC-JWT: the credential plus iss, jti, nbf and sub."""
    payload = credential(attestation)
    payload.update(
        iss=payload["issuer"]["id"],
        jti=payload["id"],
        nbf=int(attestation.issued_at.timestamp()),
        sub=payload["credentialSubject"]["id"],
    )
    return _sign(payload)


def credential_response(attestation: Attestation) -> HttpResponse:
    attestation_usable(attestation)
    response = HttpResponse(
        credential_jwt(attestation), content_type="application/vc+jwt"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{attestation.display_code}.jwt"'
    )
    return response


def encoded_list(revoked_indexes: list[int]) -> str:
    """Multibase base64url (no padding, prefix ``u``) of the GZIP-compressed
    bitstring; index 0 is the left-most bit."""
    bits = bytearray(STATUS_LIST_SIZE // 8)
    for index in revoked_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def status_list_jwt() -> str:
    """The signed status list, cached until the next revocation."""
    cached = cache.get(STATUS_LIST_CACHE_KEY)
    if cached:
        return str(cached)
    revoked = list(
        Attestation.objects.filter(revoked_at__isnull=False).values_list(
            "status_index", flat=True
        )
    )
    now = timezone.now().astimezone(UTC)
    url = status_list_url()
    payload = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_url(),
        "validFrom": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(revoked),
        },
        "iss": issuer_url(),
        "jti": url,
        "nbf": int(now.timestamp()),
        "exp": int((now + timedelta(days=1)).timestamp()),
    }
    token = _sign(payload)
    cache.set(STATUS_LIST_CACHE_KEY, token, 3600)
    return token
