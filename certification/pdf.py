"""The attestation as an A4 PDF (issue 19), in the holder's language, with a
QR code (segno, vector) that opens the verification page and the code printed
beside it. Rendered on demand by WeasyPrint and cached.

WeasyPrint is imported lazily: without Pango the PDF answers 503 and the rest
of the site runs.
"""

from __future__ import annotations

import logging

import segno
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from mentors.levels import level_description

from .attestation_selectors import (
    date_text,
    framework_ref,
    holder_shown,
    how_text,
    skill_title,
)
from .attestations import attestation_usable, verify_url
from .models import Attestation

logger = logging.getLogger(__name__)
CACHE_SECONDS = 7 * 24 * 3600


class PdfUnavailable(Exception):
    """WeasyPrint or its system libraries (Pango) are missing."""


def qr_svg(url: str) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=4, border=0, omitsize=True))


def attestation_html(attestation: Attestation) -> str:
    language = attestation.language or settings.LANGUAGE_CODE
    url = verify_url(attestation.code)
    with translation.override(language):
        return render_to_string(
            "certification/attestations/pdf.html",
            {
                "a": attestation,
                "language": language,
                "holder": holder_shown(attestation),
                "skill": skill_title(attestation),
                "framework": framework_ref(attestation),
                "level_text": level_description(attestation.level)
                if attestation.level
                else "",
                "how": how_text(attestation),
                "issued": date_text(attestation.issued_at),
                "verify_url": url,
                "qr": mark_safe(qr_svg(url)),  # noqa: S308 — segno's own SVG
            },
        )


def render_pdf(attestation: Attestation) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:
        raise PdfUnavailable(str(error)) from error
    return bytes(HTML(string=attestation_html(attestation)).write_pdf())


def attestation_pdf(attestation: Attestation) -> bytes:
    """The PDF, from the cache when it was made before (dropped on
    revocation)."""
    key = f"certification:pdf:{attestation.pk}:{attestation.language}"
    cached = cache.get(key)
    if cached:
        return bytes(cached)
    pdf = render_pdf(attestation)
    cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def pdf_response(attestation: Attestation) -> HttpResponse:
    attestation_usable(attestation)
    try:
        pdf = attestation_pdf(attestation)
    except PdfUnavailable as error:
        logger.warning("PDF unavailable: %s", error)
        return HttpResponse(
            translation.gettext(
                "The PDF cannot be made right now. Please try again later."
            ),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="attestation-{attestation.display_code}.pdf"'
    )
    return response
