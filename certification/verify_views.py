"""The public verification pages (issue 19): ``/verify/`` and
``/verify/<code>/``. Unversioned, no language prefix, absolute from SITE_URL:
they are printed on paper and must work forever. Rate-limited per client."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_safe
from rest_framework.throttling import BaseThrottle

from mentors.levels import level_description

from . import codes
from .attestation_selectors import (
    date_text,
    framework_ref,
    holder_shown,
    how_text,
    skill_title,
    verification,
)
from .attestations import name_matches
from .models import Attestation

WINDOW_SECONDS = 60


def client_ident(request: HttpRequest) -> str:
    """The client's address as the API throttles see it (trusted proxies)."""
    return str(BaseThrottle().get_ident(request))  # type: ignore[arg-type]


def over_limit(request: HttpRequest, scope: str = "verify") -> bool:
    """A fixed window per client; fails open while the cache is down."""
    key = f"certification:{scope}:{client_ident(request)}"
    try:
        added = cache.add(key, 1, WINDOW_SECONDS)
        count = 1 if added else cache.incr(key)
    except Exception:
        return False
    return bool(count > settings.ATTESTATION_VERIFY_RATE)


def too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "certification/verify/too_many.html", status=429)
    response["Retry-After"] = str(WINDOW_SECONDS)
    return response


@require_safe
def verify_form(request: HttpRequest) -> HttpResponse:
    """Type a code; a well-formed one goes to its page."""
    typed = request.GET.get("code", "").strip()
    if typed:
        if over_limit(request):
            return too_many(request)
        body = codes.normalise(typed)
        if body is not None:
            return HttpResponseRedirect(f"/verify/{codes.display(body)}/")
        return render(
            request,
            "certification/verify/page.html",
            {"status": "unknown", "typed": typed},
            status=404,
        )
    return render(request, "certification/verify/form.html")


@require_safe
def verify_page(request: HttpRequest, code: str) -> HttpResponse:
    if over_limit(request):
        return too_many(request)
    result = verification(code)
    context: dict[str, object] = {"status": result.status, "typed": code}
    a = result.attestation
    if isinstance(a, Attestation):
        context.update(
            attestation=a,
            holder=holder_shown(a),
            skill=skill_title(a),
            framework=framework_ref(a),
            level_text=level_description(a.level) if a.level else "",
            how=how_text(a),
            issued=date_text(a.issued_at),
            revoked=date_text(a.revoked_at) if a.revoked_at else "",
        )
        typed_name = request.GET.get("name", "").strip()
        if typed_name and a.holder_deleted_at is not None:
            context["name_typed"] = typed_name
            context["name_match"] = name_matches(a, typed_name)
    return render(
        request,
        "certification/verify/page.html",
        context,
        status=404 if result.status == "unknown" else 200,
    )
