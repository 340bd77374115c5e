from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageCms, ImageFile, PngImagePlugin

from core.personal_data import private_storage
from mentors.forms import MentorProfileForm
from mentors.models import MentorProfile
from mentors.photos import store_photo, validate_photo
from tests.mentors.helpers import mentor_form_data

pytestmark = [
    pytest.mark.django_db,
    # Pillow warns from 89 MP when it opens a bomb; the budget refuses it anyway.
    pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning"),
]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data))
    )


def _png_bomb(side: int = 12_000) -> bytes:
    """A valid PNG of a few kilobytes that unpacks to side × side pixels, written
    by hand: Pillow would need the whole picture in memory to save one."""
    row = b"\x00" * (1 + (side + 7) // 8)  # the filter byte, then 1 bit a pixel
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit grey
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


def _upload(data: bytes, name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Decoding pixels fails the test: a bomb must be refused from its header."""

    def refuse(self: Image.Image) -> None:
        raise AssertionError(f"pixels of a {self.size} picture were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    monkeypatch.setattr(Image.Image, "load", refuse)


def test_a_decompression_bomb_is_refused_on_the_page_without_being_decoded(
    client, user, no_decoding
):
    bomb = _png_bomb()
    assert len(bomb) < 100_000
    client.force_login(user)

    response = client.post(
        reverse("mentors:mentor-profile"), mentor_form_data(photo=_upload(bomb))
    )

    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["photo"]] == [
        "too_many_pixels"
    ]
    assert "Cette image est trop grande : 25 millions de pixels" in (
        response.content.decode()
    )
    assert not MentorProfile.objects.filter(user=user).exists()


def test_the_service_refuses_a_bomb_without_decoding_it(no_decoding):
    with pytest.raises(ValidationError) as refused:
        store_photo(_upload(_png_bomb()))

    assert refused.value.code == "too_many_pixels"


def test_a_picture_past_pillows_own_limit_gets_the_same_plain_error():
    # Pillow refuses 2 × MAX_IMAGE_PIXELS itself: not "a file we cannot read".
    side = 15_000
    assert side * side > 2 * (Image.MAX_IMAGE_PIXELS or 0)

    with pytest.raises(ValidationError) as refused:
        validate_photo(_upload(_png_bomb(side)))

    assert refused.value.code == "too_many_pixels"


def _stored(upload: SimpleUploadedFile) -> bytes:
    with private_storage().open(store_photo(upload)) as stored:
        return stored.read()


def _png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 50)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_pixel_budget_is_a_setting_and_a_photo_within_it_is_stored(settings):
    settings.PHOTO_MAX_PIXELS = 2_000_000
    form = MentorProfileForm(mentor_form_data(), {"photo": _upload(_png((2001, 1000)))})
    assert not form.is_valid()
    assert "2 millions de pixels" in " ".join(form.errors["photo"])

    within = _upload(_png((2000, 1000)))
    form = MentorProfileForm(mentor_form_data(), {"photo": within})
    assert form.is_valid(), form.errors
    with Image.open(io.BytesIO(_stored(within))) as image:
        assert image.size == (800, 400)


def _jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's segments up to the image data."""
    assert data[:2] == b"\xff\xd8"
    markers, position = [], 2
    while True:
        assert data[position] == 0xFF
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: the compressed pixels follow
            return markers
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length


def _assert_pixels_only(data: bytes) -> None:
    markers = _jpeg_segments(data)
    assert 0xFE not in markers  # COM, a comment
    # APP1 is EXIF or XMP, APP2 an ICC profile, the others are makers' own;
    # APP0 (JFIF) only says the file is a JPEG and its pixel density.
    assert not [m for m in markers if 0xE1 <= m <= 0xEF]
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()
        assert set(image.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density"}


def test_a_jpeg_comes_out_without_comment_exif_xmp_or_icc_profile():
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 20, 30)).save(
        buffer,
        format="JPEG",
        exif=exif,
        comment=b"SecretComment",
        xmp=b"<x:xmpmeta>SecretXmp</x:xmpmeta>",
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
    )

    data = _stored(SimpleUploadedFile("p.jpg", buffer.getvalue(), "image/jpeg"))

    _assert_pixels_only(data)
    assert b"Secret" not in data


def test_a_png_comes_out_without_its_text_chunks():
    text = PngImagePlugin.PngInfo()
    text.add_text("comment", "SecretComment")
    text.add_text("Author", "SecretAuthor")
    text.add_text("Description", "SecretDescription", zip=True)
    text.add_itxt("Title", "SecretTitle")
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 20, 30)).save(buffer, format="PNG", pnginfo=text)

    data = _stored(_upload(buffer.getvalue()))

    _assert_pixels_only(data)
    assert b"Secret" not in data
