"""Reference views for the load benchmark (TechEmpower's plaintext and Fortunes).

Served only under `compagnonnage.settings.bench`, behind the product's middleware,
so the directory and mentor pages can be read as ratios of them.
"""

from __future__ import annotations

from operator import attrgetter

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .fortunes import ADDITIONAL_FORTUNE
from .models import Fortune


@require_safe
def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"Hello, World!", content_type="text/plain")


@require_safe
def fortunes(request: HttpRequest) -> HttpResponse:
    """TechEmpower test 4: one query, one row added at request time, sorted by
    message, rendered by a template that escapes it."""
    rows = list(Fortune.objects.all())
    rows.append(Fortune(id=0, message=ADDITIONAL_FORTUNE))
    rows.sort(key=attrgetter("message"))
    return render(
        request,
        "bench/fortunes.html",
        {"fortunes": rows},
        content_type="text/html; charset=utf-8",
    )
