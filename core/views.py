from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .health import broker_status

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@require_safe
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "core/legal_notice.html")


@require_safe
def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "core/terms.html", {"terms_version": settings.TERMS_VERSION})


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker state; 503 only when the database does not answer."""
    database: dict[str, object]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = {"ok": True}
    except DatabaseError as exc:
        logger.error("healthz: database down: %s", exc)
        database = {"ok": False, "error": exc.__class__.__name__}
    broker = broker_status()
    status = 200 if database["ok"] else 503
    body: dict[str, object] = {
        "status": "ok" if status == 200 and broker["ok"] else "degraded",
        "database": database,
        "broker": broker,
    }
    if status == 503:
        body["status"] = "down"
    return JsonResponse(body, status=status)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the database may be the thing that failed.
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(template.render({"request": None}), status=500)
