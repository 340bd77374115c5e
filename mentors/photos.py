"""Profile photos: checked with Pillow, resized, re-encoded without metadata,
stored under a random name in private storage (served by a permission-checked view)."""

from __future__ import annotations

import io
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.personal_data import private_storage

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 800
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _(
            "This picture is too large: %(millions)s million pixels at most. "
            "Choose another photo or make it smaller."
        ),
        code="too_many_pixels",
        params={"millions": settings.PHOTO_MAX_PIXELS // 1_000_000},
    )


def _open_within_budget(upload: UploadedFile) -> Image.Image:
    """Open lazily (only the header is read) and refuse a picture with more than
    PHOTO_MAX_PIXELS pixels before anything decodes it."""
    upload.seek(0)
    try:
        image = Image.open(upload)
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels() from exc
    if image.width * image.height > settings.PHOTO_MAX_PIXELS:
        image.close()
        raise _too_many_pixels()
    return image


def validate_photo(upload: UploadedFile) -> None:
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError(_("The photo is too big: 2 MB at most."), code="too_big")
    try:
        with _open_within_budget(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ValidationError(
            _("This file is not a photo we can read. Use a JPEG, PNG or WebP image."),
            code="not_an_image",
        ) from exc
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationError(_("Use a JPEG, PNG or WebP image."), code="format")
    upload.seek(0)


def store_photo(upload: UploadedFile) -> str:
    """Resize to at most 800 px and save as a JPEG made of the pixels alone;
    return the private storage name.

    Raises ValidationError for a picture over the pixel budget, before decoding it.
    """
    with _open_within_budget(upload) as original:
        upright = ImageOps.exif_transpose(original)
        picture = upright.convert("RGB")
        picture.thumbnail((MAX_SIDE, MAX_SIDE))
    # Pillow carries a file's metadata along in `info` and writes some of it back
    # (a JPEG comment, or a PNG text chunk named "comment"): a new image built
    # from the pixels has none. The ICC profile goes too: it can name a device,
    # and browsers read an untagged picture as sRGB.
    clean = Image.frombytes("RGB", picture.size, picture.tobytes())
    buffer = io.BytesIO()
    clean.save(buffer, format="JPEG", quality=85, optimize=True)
    name = f"photos/{secrets.token_urlsafe(18)}.jpg"
    return private_storage().save(name, ContentFile(buffer.getvalue()))


def delete_photo(name: str) -> None:
    if name:
        private_storage().delete(name)
