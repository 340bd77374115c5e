"""Reads of the attestations (issue 19): what the public verification says,
in the viewer's language, and one's own list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.db import prepared_cursor
from mentors.levels import level_description

from . import codes
from .attestations import verify_url
from .models import Attestation


def attestation_by_code(text: str) -> Attestation | None:
    body = codes.normalise(text)
    if body is None:
        return None
    return (
        Attestation.objects.select_related("skill", "skill__area")
        .filter(code=body)
        .first()
    )


def attestations_of(*, holder_id: int) -> QuerySet[Attestation]:
    return Attestation.objects.filter(holder_id=holder_id).select_related("skill")


_ANY_SHOWN_SQL = f"""
SELECT EXISTS (SELECT 1 FROM {Attestation._meta.db_table}
               WHERE holder_id = %s AND shown_on_profile AND revoked_at IS NULL)
"""  # noqa: S608 - our table's name


def attestations_any_shown(*, holder_id: int) -> bool:
    """Whether the holder shows any attestation: every mentor page asks, and
    most show none (a prepared statement, core/db.py)."""
    with prepared_cursor() as cursor:
        cursor.execute(_ANY_SHOWN_SQL, [holder_id])
        return bool(cursor.fetchone()[0])


def attestations_shown(*, holder_id: int) -> QuerySet[Attestation]:
    """What the holder chose to show on their profile (and not revoked)."""
    return attestations_of(holder_id=holder_id).filter(
        shown_on_profile=True, revoked_at__isnull=True
    )


def attestations_shown_by(*, holder_ids: list[int]) -> QuerySet[Attestation]:
    """What these holders chose to show (and not revoked), in one query."""
    return (
        Attestation.objects.filter(
            holder_id__in=holder_ids, shown_on_profile=True, revoked_at__isnull=True
        )
        .select_related("skill")
        .order_by("holder_id", "-issued_at", "pk")
    )


def hours_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(m)d min") % {"m": rest}
    if not rest:
        return _("%(h)d h") % {"h": hours}
    return _("%(h)d h %(m)02d") % {"h": hours, "m": rest}


def holder_shown(attestation: Attestation) -> str:
    if attestation.holder_name:
        return attestation.holder_name
    return _("holder who deleted their account")


def skill_title(attestation: Attestation) -> str:
    """ "Interagir … (DigComp 2.2 · 2.1, niveau 3)" or the mentor badge's."""
    if attestation.kind == Attestation.Kind.MENTOR:
        return _("Volunteer mentor: %(h)d hours given") % {
            "h": attestation.mentor_hours
        }
    assert attestation.skill is not None
    return attestation.skill.name


def framework_ref(attestation: Attestation) -> str:
    if attestation.kind == Attestation.Kind.MENTOR or attestation.skill is None:
        return ""
    framework = (
        "DigComp 2.2 · " if attestation.skill.area.framework == "digcomp" else ""
    )
    return _("%(framework)s%(code)s, level %(level)d") % {
        "framework": framework,
        "code": attestation.skill.code,
        "level": attestation.level,
    }


def how_text(attestation: Attestation) -> str:
    """ "8 h over 6 sessions confirmed by both sides, a task observed by a
    second mentor, a review by the team (rule v3)"."""
    how = attestation.how or {}
    if attestation.kind == Attestation.Kind.MENTOR:
        return _("%(hours)s of mentoring given, confirmed by the learners") % {
            "hours": hours_text(attestation.minutes)
        }
    parts = [
        ngettext(
            "%(hours)s over %(n)d session confirmed by both sides",
            "%(hours)s over %(n)d sessions confirmed by both sides",
            attestation.sessions,
        )
        % {"hours": hours_text(attestation.minutes), "n": attestation.sessions}
    ]
    if how.get("observed_by_other_mentor"):
        parts.append(_("a practical task observed by a second mentor"))
    if how.get("rules_version"):
        parts.append(
            _("a review by the team (rule v%(v)s)") % {"v": how["rules_version"]}
        )
    else:
        parts.append(_("a review by the team"))
    return ", ".join(parts)


@dataclass(frozen=True)
class Verification:
    """What the public verification says, in the active language."""

    status: str  # "valid", "revoked" or "unknown"
    attestation: Attestation | None = None

    def as_json(self) -> dict[str, Any]:
        a = self.attestation
        if a is None:
            return {"status": "unknown"}
        data: dict[str, Any] = {
            "status": self.status,
            "code": a.display_code,
            "url": verify_url(a.code),
            "kind": a.kind,
            "holder": a.holder_name or None,
            "holder_deleted_account": a.holder_deleted_at is not None,
            "skill": a.skill.code if a.skill else None,
            "skill_name": skill_title(a),
            "level": a.level,
            "level_description": level_description(a.level) if a.level else None,
            "framework": framework_ref(a),
            "mentor_hours": a.mentor_hours,
            "minutes": a.minutes,
            "sessions": a.sessions,
            "how": how_text(a),
            "endorsed_by": list(a.endorsers),
            "issued_on": _local_date(a.issued_at),
            "issuer": {"name": a.issuer_name, "siret": a.issuer_siret or None},
            "revoked": a.is_revoked,
        }
        if a.revoked_at is not None:
            data["revoked_on"] = _local_date(a.revoked_at)
            data["revocation_reason"] = a.get_revocation_reason_display()
        return data


def _local_date(moment: datetime) -> str:
    return timezone.localdate(moment).isoformat()


def date_text(moment: datetime) -> str:
    return formats.date_format(timezone.localdate(moment), "SHORT_DATE_FORMAT")


def verification(text: str) -> Verification:
    attestation = attestation_by_code(text)
    if attestation is None:
        return Verification("unknown")
    return Verification("revoked" if attestation.is_revoked else "valid", attestation)
