"""A request's optional file (PDF, PNG or JPEG, 5 MB at most): the type is read
from the content, never from the name or the browser's word; stored under a
random name in the private storage (outside MEDIA_ROOT), served only by
``certification.views.evidence_file`` after its checks."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.utils.translation import gettext_lazy as _

from core.personal_data import private_storage

MAX_BYTES = 5 * 1024 * 1024
FOLDER = "attestations"
# Signature at the start of the file → (content type, extension).
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


def evidence_file_check(upload: File) -> tuple[str, str]:
    """(content type, extension) of an accepted file; ``ValidationError``
    for one too big or of another type."""
    if upload.size is None or upload.size > MAX_BYTES:
        raise ValidationError(
            _("The file is too big: 5 MB at most."), code="file_too_big"
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    raise ValidationError(
        _("This file is not a PDF, PNG or JPEG. Choose another file."),
        code="file_type",
    )


def evidence_file_store(upload: File, extension: str) -> str:
    """Store a checked file; returns its name in the private storage."""
    upload.seek(0)
    name = f"{FOLDER}/{secrets.token_urlsafe(24)}.{extension}"
    return private_storage().save(name, upload)


def evidence_file_delete(name: str) -> None:
    if name:
        private_storage().delete(name)


def evidence_file_read(name: str) -> bytes:
    with private_storage().open(name, "rb") as handle:
        return bytes(handle.read())
