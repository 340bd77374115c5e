"""Open Badges 2.0, hosted verification (issue 19), and the public Open
Badges 3.0 files (keys, status list).

- ``/badges/issuer.json``: the issuing organisation's Profile;
- ``/badges/classes/<skill>-<level>.json`` (``mentor-<hours>`` for mentor
  badges): a BadgeClass with its criteria (the eligibility rule and the
  observed task) and its DigComp alignment;
- ``/badges/assertions/<code>.json``: an Assertion (recipient: salted SHA-256
  of the e-mail address; evidence: the verification page). Revoked: HTTP 410
  with ``{"revoked": true, "revocationReason": …}``.
"""

from __future__ import annotations

import re
from datetime import UTC
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from mentors.models import Skill

from . import codes
from .attestation_selectors import hours_text, how_text
from .attestations import verify_url
from .models import (
    ATTESTABLE_MAX,
    ATTESTABLE_MIN,
    MENTOR_BADGE_HOURS,
    Attestation,
    band_of,
)

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
_CLASS_ID = re.compile(
    r"^(?:(?P<skill>[a-z0-9.\-]+)-(?P<level>[1-6])|mentor-(?P<hours>\d+))$"
)
_BADGE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewB'
    'ox="0 0 256 256"><title>Compagnonnage</title><circle cx="128" cy="128"'
    ' r="120" fill="#1d4ed8"/><circle cx="128" cy="128" r="92" fill="#fffff'
    'f"/><path d="M84 132l30 30 58-64" stroke="#1d4ed8" stroke-width="18" f'
    'ill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>'
)


def issuer_url() -> str:
    return f"{settings.SITE_URL}/badges/issuer.json"


def badge_class_id(attestation: Attestation) -> str:
    if attestation.kind == Attestation.Kind.MENTOR:
        return f"mentor-{attestation.mentor_hours}"
    assert attestation.skill is not None
    return f"{attestation.skill.code}-{attestation.level}"


def badge_class_url(attestation: Attestation) -> str:
    return f"{settings.SITE_URL}/badges/classes/{badge_class_id(attestation)}.json"


def image_url() -> str:
    return f"{settings.SITE_URL}/badges/image.svg"


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(
        data, status=status, json_dumps_params={"ensure_ascii": False}
    )
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _class_text(
    skill: Skill | None, level: int | None, hours: int | None
) -> tuple[str, str, str]:
    """(name, description, criteria) of a badge class, in the active language."""
    from mentors.levels import level_description

    from .models import EligibilityRules
    from .selectors import observed_tasks_list

    if skill is None:
        assert hours is not None
        name = _("Volunteer mentor: %(h)d hours given") % {"h": hours}
        description = _(
            "A volunteer mentor who gave %(h)d hours of mentoring on the platform, "
            "confirmed by the learners."
        ) % {"h": hours}
        criteria = _(
            "%(h)d hours of sessions confirmed by both the mentor and the learner."
        ) % {"h": hours}
        return name, description, criteria
    assert level is not None
    band = band_of(level)
    # The rules in force (the defaults when none was saved: a GET never writes).
    rules = EligibilityRules.objects.order_by("-pk").first() or EligibilityRules()
    rule = rules.for_band(band)
    name = _("Skill attestation – %(skill)s, level %(level)d") % {
        "skill": skill.name,
        "level": level,
    }
    description = _('DigComp 2.2 %(code)s "%(skill)s", level %(level)d: %(text)s') % {
        "code": skill.code,
        "skill": skill.name,
        "level": level,
        "text": level_description(level),
    }
    parts = [
        _("%(n)d sessions and %(hours)s of mentoring confirmed by both sides")
        % {"n": rule.sessions, "hours": hours_text(rule.minutes)}
    ]
    if rule.endorsements:
        parts.append(_("%(n)d endorsement(s) by mentors") % {"n": rule.endorsements})
    if rule.tasks:
        tasks = [
            t.display_title
            for t in observed_tasks_list(skill_code=skill.code, level=level)
        ]
        observed = _("a practical task observed by a second mentor")
        parts.append(f"{observed} ({'; '.join(tasks)})" if tasks else observed)
    parts.append(_("a review of the evidence by the team"))
    return name, description, "; ".join(parts) + "."


def achievement_description(attestation: Attestation) -> str:
    return _class_text(attestation.skill, attestation.level, attestation.mentor_hours)[
        1
    ]


def criteria_narrative(attestation: Attestation) -> str:
    return _class_text(attestation.skill, attestation.level, attestation.mentor_hours)[
        2
    ]


def issuer_profile() -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": issuer_url(),
        "name": settings.ATTESTATION_ISSUER_NAME,
        "url": settings.SITE_URL + "/",
    }
    if settings.ATTESTATION_ISSUER_EMAIL:
        data["email"] = settings.ATTESTATION_ISSUER_EMAIL
    if settings.ATTESTATION_ISSUER_SIRET:
        data["description"] = f"SIRET {settings.ATTESTATION_ISSUER_SIRET}"
    return data


def badge_class(class_id: str) -> dict[str, Any] | None:
    match = _CLASS_ID.match(class_id)
    if match is None:
        return None
    skill: Skill | None = None
    level: int | None = None
    hours: int | None = None
    if match["hours"]:
        hours = int(match["hours"])
        if hours not in MENTOR_BADGE_HOURS:
            return None
    else:
        level = int(match["level"])
        if not ATTESTABLE_MIN <= level <= ATTESTABLE_MAX:
            return None
        skill = Skill.objects.filter(code=match["skill"]).first()
        if skill is None:
            return None
    name, description, criteria = _class_text(skill, level, hours)
    data: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": f"{settings.SITE_URL}/badges/classes/{class_id}.json",
        "name": name,
        "description": description,
        "image": image_url(),
        "criteria": {"narrative": criteria},
        "issuer": issuer_url(),
    }
    if skill is not None:
        data["alignment"] = [
            {
                "targetName": skill.name,
                "targetUrl": skill.esco_uri
                or "https://joint-research-centre.ec.europa.eu/digcomp_en",
                "targetDescription": description,
                "targetFramework": "DigComp 2.2",
                "targetCode": skill.code,
            }
        ]
    return data


def assertion_url(attestation: Attestation) -> str:
    return f"{settings.SITE_URL}/badges/assertions/{attestation.display_code}.json"


def assertion(attestation: Attestation) -> dict[str, Any]:
    issued = attestation.issued_at.astimezone(UTC)
    return {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": assertion_url(attestation),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": attestation.recipient_salt,
            "identity": attestation.recipient_hash,
        },
        "badge": badge_class_url(attestation),
        "issuedOn": issued.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verification": {"type": "hosted"},
        "evidence": [
            {"id": verify_url(attestation.code), "narrative": how_text(attestation)}
        ],
    }


# --- views ----------------------------------------------------------------------------


@require_safe
def issuer_view(request: HttpRequest) -> HttpResponse:
    return _json(issuer_profile())


@require_safe
def image_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_BADGE_SVG, content_type="image/svg+xml")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def badge_class_view(request: HttpRequest, class_id: str) -> HttpResponse:
    with translation.override(settings.LANGUAGE_CODE):
        data = badge_class(class_id)
    if data is None:
        raise Http404
    return _json(data)


@require_safe
def assertion_view(request: HttpRequest, code: str) -> HttpResponse:
    body = codes.normalise(code)
    attestation = (
        Attestation.objects.select_related("skill").filter(code=body).first()
        if body
        else None
    )
    if attestation is None:
        raise Http404
    if attestation.is_revoked:
        with translation.override(settings.LANGUAGE_CODE):
            reason = str(attestation.get_revocation_reason_display())
        return _json(
            {
                "@context": OB2_CONTEXT,
                "id": assertion_url(attestation),
                "revoked": True,
                "revocationReason": reason,
            },
            status=410,
        )
    with translation.override(settings.LANGUAGE_CODE):
        return _json(assertion(attestation))


@require_safe
def key_view(request: HttpRequest, thumbprint: str) -> HttpResponse:
    from .credentials import keys
    from .signing_keys import public_jwk

    for key in keys():
        if key.thumbprint() == thumbprint:
            response = JsonResponse(public_jwk(key))
            response["Content-Type"] = "application/jwk+json"
            response["Access-Control-Allow-Origin"] = "*"
            return response
    raise Http404


@require_safe
def status_list_view(request: HttpRequest) -> HttpResponse:
    from .credentials import status_list_jwt

    response = HttpResponse(status_list_jwt(), content_type="application/vc+jwt")
    response["Access-Control-Allow-Origin"] = "*"
    return response
