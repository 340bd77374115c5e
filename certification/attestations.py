"""Issuing and revoking attestations (issue 19).

``attestation_issue`` runs in the approving decision's transaction
(``services.attestation_request_decide``): what the attestation says is
frozen then. ``attestation_revoke`` is staff's, with a reason from the fixed
public list and an internal note; the verification page, the JSON API, the
Open Badges 2.0 assertion (410) and the 3.0 status list all read the same
row, so they say revoked at once.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
import uuid
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict
from core.notifications import notify
from core.staff_log import staff_action_log

from . import codes
from .models import (
    STATUS_LIST_SIZE,
    Attestation,
    AttestationRequest,
    RevocationReason,
    band_of,
)
from .selectors import endorsements_counting

REVOKE_PERMISSION = "certification.revoke_attestation"
ATTESTATION_KIND = "certification.attestation"


def name_key(name: str) -> str:
    """A name as compared: accents, case and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("-", " ").split())


def name_hash(name: str, salt: str) -> str:
    return hashlib.sha256((salt + name_key(name)).encode()).hexdigest()


def recipient_hash(email: str, salt: str) -> str:
    """Open Badges 2.0: sha256 of the e-mail address followed by the salt."""
    return "sha256$" + hashlib.sha256((email.lower() + salt).encode()).hexdigest()


def _free_status_index() -> int:
    taken = set(Attestation.objects.values_list("status_index", flat=True))
    if len(taken) >= STATUS_LIST_SIZE:
        raise Conflict(_("The status list is full."))
    while True:
        index = secrets.randbelow(STATUS_LIST_SIZE)
        if index not in taken:
            return index


# The unique indexes a fresh draw may hit (Django's names for them).
_DRAWN = {
    "certification_attestation_code_key",
    "certification_attestation_status_index_key",
    "certification_attestation_subject_uuid_key",
}


def _create(**fields: object) -> Attestation:
    """Insert with a fresh code and status index; a clash (astronomically rare
    for the code, rare for the index) draws again."""
    holder = fields["holder"]
    assert isinstance(holder, User)
    name_salt = secrets.token_hex(16)
    email_salt = secrets.token_hex(16)
    for _attempt in range(10):
        attestation = Attestation(
            code=codes.new_body(),
            status_index=_free_status_index(),
            subject_uuid=uuid.uuid4(),
            holder_name=holder.full_name,
            holder_name_hash=name_hash(holder.full_name, name_salt),
            name_salt=name_salt,
            recipient_salt=email_salt,
            recipient_hash=recipient_hash(holder.email, email_salt),
            language=(holder.language or settings.LANGUAGE_CODE)[:2],
            issuer_name=settings.ATTESTATION_ISSUER_NAME,
            issuer_siret=settings.ATTESTATION_ISSUER_SIRET,
            **fields,
        )
        try:
            with transaction.atomic():
                attestation.save()
        except IntegrityError as error:
            constraint = getattr(
                getattr(error.__cause__, "diag", None), "constraint_name", ""
            )
            if constraint not in _DRAWN:
                raise
            continue
        return attestation
    raise Conflict(_("Please try again."))


def _named_endorsers(request: AttestationRequest, level: int) -> list[str]:
    """Mentors whose endorsement counts and who agreed to be named when they
    endorsed (``Endorsement.named``)."""
    return sorted(
        endorsements_counting(
            learner_id=request.learner_id, skill_id=request.skill_id, level=level
        )
        .filter(named=True)
        .values_list("mentor__full_name", flat=True)
    )


def attestation_issue(*, request: AttestationRequest) -> Attestation:
    """Issue the attestation of an approved request, in the decision's
    transaction. Idempotent: a request has at most one."""
    if request.state != AttestationRequest.State.APPROVED or not request.approved_level:
        raise Conflict(_("Only an approved request gives an attestation."))
    existing = Attestation.objects.filter(request=request).first()
    if existing is not None:
        return existing
    level = request.approved_level
    evidence = request.evidence or {}
    sessions = evidence.get("sessions", [])
    band = band_of(level)
    observed = [
        o
        for o in evidence.get("observations", [])
        if o.get("result") == "passed" and o.get("band") == band
    ]
    how = {
        "sessions": len(sessions),
        "minutes": sum(int(s.get("minutes", 0)) for s in sessions),
        "observed_task": observed[0]["task"] if observed else "",
        "observed_by_other_mentor": bool(observed),
        "reviewed": True,
        "rules_version": request.rules_id,
    }
    attestation = _create(
        kind=Attestation.Kind.SKILL,
        request=request,
        holder=request.learner,
        skill=request.skill,
        level=level,
        minutes=how["minutes"],
        sessions=how["sessions"],
        how=how,
        endorsers=_named_endorsers(request, level),
        issued_at=request.decided_at or timezone.now(),
    )
    transaction.on_commit(lambda: _changed(attestation.pk))
    return attestation


def mentor_badge_issue(*, mentor: User, hours: int) -> Attestation:
    """A mentor badge for ``hours`` given (10, 50 or 100); idempotent."""
    existing = Attestation.objects.filter(
        kind=Attestation.Kind.MENTOR, holder=mentor, mentor_hours=hours
    ).first()
    if existing is not None:
        return existing
    return _create(
        kind=Attestation.Kind.MENTOR,
        holder=mentor,
        mentor_hours=hours,
        minutes=hours * 60,
        how={"reviewed": False, "mentor_hours": hours},
    )


@transaction.atomic
def attestation_revoke(
    *, staff: User, attestation_id: int, reason: str, note: str = ""
) -> Attestation:
    """Revoke with a reason from the fixed public list and an internal note
    (kept in the admin history); the holder is told by e-mail. A revoked
    attestation stays revoked: revoking again is a ``Conflict``."""
    if not (staff.is_active and staff.is_staff) or not staff.has_perm(
        REVOKE_PERMISSION
    ):
        raise PermissionDenied
    if reason not in RevocationReason.values:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    attestation = (
        Attestation.objects.select_for_update(of=("self",))
        .select_related("holder", "skill")
        .get(pk=attestation_id)
    )
    if attestation.is_revoked:
        raise Conflict(_("This attestation is already revoked."))
    now = timezone.now()
    attestation.revoked_at = now
    attestation.revocation_reason = reason
    attestation.revocation_note = note.strip()
    attestation.revoked_by = staff
    attestation.save(
        update_fields=[
            "revoked_at",
            "revocation_reason",
            "revocation_note",
            "revoked_by",
        ]
    )
    staff_action_log(
        staff=staff,
        obj=attestation,
        message=f"Revoked ({reason}): {attestation.revocation_note}",
    )
    if attestation.holder is not None:
        notify(
            recipient=attestation.holder,
            kind=ATTESTATION_KIND,
            template="certification.revoked",
            context={
                "attestation": attestation,
                "reason_code": reason,
                "verify_url": verify_url(attestation.code),
            },
            link=reverse("certification-attestations:mine"),
        )
    transaction.on_commit(lambda: _changed(attestation.pk))
    return attestation


@transaction.atomic
def attestation_set_shown(
    *, holder: User, attestation_id: int, shown: bool
) -> Attestation:
    """The holder shows the attestation on their profile, or hides it."""
    attestation = Attestation.objects.select_for_update().get(
        pk=attestation_id, holder=holder
    )
    attestation.shown_on_profile = shown
    attestation.save(update_fields=["shown_on_profile"])
    return attestation


@transaction.atomic
def attestation_set_keep_name(
    *, holder: User, attestation_id: int, keep: bool
) -> Attestation:
    attestation = Attestation.objects.select_for_update().get(
        pk=attestation_id, holder=holder
    )
    attestation.keep_name_public = keep
    attestation.save(update_fields=["keep_name_public"])
    return attestation


def attestation_usable(attestation: Attestation) -> None:
    """A revoked attestation is no longer handed out (PDF, signed
    credential): its verification page says why."""
    if attestation.is_revoked:
        raise Conflict(
            _("This attestation is revoked: it can no longer be downloaded.")
        )


def verify_url(code: str) -> str:
    """The verification page, absolute from SITE_URL, unversioned, with no
    language prefix: it is printed on paper and lives forever."""
    return f"{settings.SITE_URL}/verify/{codes.display(code)}/"


def _changed(attestation_id: int) -> None:
    """Drop what is cached about it (the PDFs, the status list)."""
    from django.core.cache import cache

    from .credentials import STATUS_LIST_CACHE_KEY

    cache.delete(STATUS_LIST_CACHE_KEY)
    cache.delete_many(
        [f"certification:pdf:{attestation_id}:{lang}" for lang in ("fr", "en")]
    )


def holders_erase(*, user_id: int, now: datetime | None = None) -> int:
    """Account deletion: the attestations stay verifiable (code, skill, level,
    date); the name goes unless the holder chose to keep it public, its salted
    hash stays for the name check, and the OB 2.0 recipient hash stays so
    shared badges keep verifying."""
    now = now or timezone.now()
    erased = 0
    for attestation in Attestation.objects.select_for_update().filter(
        holder_id=user_id
    ):
        if not attestation.keep_name_public:
            attestation.holder_name = ""
        attestation.holder_deleted_at = now
        attestation.shown_on_profile = False
        attestation.holder = None
        attestation.save(
            update_fields=[
                "holder_name",
                "holder_deleted_at",
                "shown_on_profile",
                "holder",
            ]
        )
        erased += 1
    return erased


def endorser_erase(*, name: str) -> int:
    """A mentor deleting their account leaves the attestations they endorsed
    without their name."""
    if not name:
        return 0
    changed = 0
    for attestation in Attestation.objects.filter(endorsers__contains=[name]):
        attestation.endorsers = [n for n in attestation.endorsers if n != name]
        attestation.save(update_fields=["endorsers"])
        changed += 1
    return changed


def name_matches(attestation: Attestation, typed: str) -> bool | None:
    """Whether a typed name is the one printed on the attestation (None when
    no hash was kept)."""
    if not attestation.holder_name_hash or not typed.strip():
        return None
    return secrets.compare_digest(
        attestation.holder_name_hash, name_hash(typed, attestation.name_salt)
    )
