"""Profile photos: checked with Pillow, resized, re-encoded without metadata,
stored under a random name in private storage (served by a permission-checked view)."""

from __future__ import annotations

import io
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.personal_data import private_storage

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 800
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


def validate_photo(upload: UploadedFile) -> None:
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError(_("The photo is too big: 2 MB at most."), code="too_big")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise ValidationError(
            _("This file is not a photo we can read. Use a JPEG, PNG or WebP image."),
            code="not_an_image",
        ) from exc
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationError(_("Use a JPEG, PNG or WebP image."), code="format")
    upload.seek(0)


def store_photo(upload: UploadedFile) -> str:
    """Resize to at most 800 px, drop EXIF and other metadata, save as JPEG;
    return the private storage name."""
    upload.seek(0)
    with Image.open(upload) as original:
        # Keep the orientation, then drop EXIF and every other metadata block.
        upright = ImageOps.exif_transpose(original)
        picture = upright.convert("RGB")
        picture.thumbnail((MAX_SIDE, MAX_SIDE))
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=85, optimize=True)
    name = f"photos/{secrets.token_urlsafe(18)}.jpg"
    return private_storage().save(name, ContentFile(buffer.getvalue()))


def delete_photo(name: str) -> None:
    if name:
        private_storage().delete(name)
