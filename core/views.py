from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Concatenate, ParamSpec
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db import IntegrityError, connection
from django.db.utils import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from rest_framework.views import set_rollback

from .errors import Conflict, conflict_from_integrity_error
from .forms import EmailPreferencesForm
from .health import broker_status
from .models import EmailOptOut
from .notifications import (
    email_opt_out,
    email_preferences_set,
    get_kind,
    kinds,
    notification_mark_all_read,
    read_unsubscribe_token,
)
from .selectors import notification_list_for_user

logger = logging.getLogger(__name__)

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponseBase]
RedirectTo = str | Callable[..., str]


def _back(request: HttpRequest) -> str:
    """The page the person came from when it is on this site (and, for a GET,
    not this very page: that would loop), else the home page."""
    referer = request.META.get("HTTP_REFERER", "")
    on_site = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    same_page = urlsplit(referer).path == request.path
    if on_site and not (request.method in ("GET", "HEAD") and same_page):
        return referer
    return reverse("home")


def _redirect_url(
    request: HttpRequest, redirect_to: RedirectTo | None, kwargs: dict[str, object]
) -> str:
    if redirect_to is None:
        return _back(request)
    if callable(redirect_to):
        return redirect_to(request, **kwargs)
    try:
        return reverse(redirect_to, kwargs=kwargs)
    except NoReverseMatch:
        return reverse(redirect_to)


def domain_errors(
    redirect_to: RedirectTo | None = None,
    *,
    respond: Callable[[HttpRequest, str], HttpResponse] | None = None,
) -> Callable[[View[P]], View[P]]:
    """Translate a view's domain errors (``core.errors``) for a person:

    - ``Conflict``, or a unique or exclusion violation: the message as a
      ``messages.error`` and a redirect to ``redirect_to``: a URL name (reversed
      with the view's URL keyword arguments when it takes them, else with none)
      or a callable ``(request, **kwargs) -> url``; by default the page the
      person came from when it is on this site, else the home page; or, when
      ``respond`` is given, its response to the message (a fragment for htmx);
    - ``ObjectDoesNotExist``: 404.

    Any other integrity error goes on to be a 500. ``ValidationError`` is left
    to the view: it belongs on the form (``form.add_error(None, exc)``).
    """

    def decorator(view: View[P]) -> View[P]:
        @functools.wraps(view)
        def wrapper(
            request: HttpRequest, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponseBase:
            try:
                return view(request, *args, **kwargs)
            except ObjectDoesNotExist as exc:
                raise Http404 from exc
            except (Conflict, IntegrityError) as exc:
                conflict = (
                    exc
                    if isinstance(exc, Conflict)
                    else conflict_from_integrity_error(exc)
                )
                if conflict is None:
                    raise
                # Under ATOMIC_REQUESTS the request's transaction must not commit
                # what ran before the error: the rule DRF applies to the API.
                set_rollback()
                if respond is not None:
                    return respond(request, conflict.message)
                messages.error(request, conflict.message)
                return redirect(_redirect_url(request, redirect_to, kwargs))

        return wrapper

    return decorator


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
    return render(
        request,
        "core/privacy.html",
        {"inactive_months": settings.INACTIVE_ACCOUNT_MONTHS},
    )


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


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "You do not have permission."}, status=403)
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    # No request context: the database may be the thing that failed.
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(template.render({"request": None}), status=500)


def _me(request: HttpRequest) -> int:
    """The signed-in person's id (views using it are behind login_required)."""
    pk = request.user.pk
    assert isinstance(pk, int)
    return pk


@login_required
@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = notification_list_for_user(user_id=_me(request))
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notification_mark_all_read(user_id=_me(request))
    return redirect("core:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def email_preferences(request: HttpRequest) -> HttpResponse:
    optional = [k for k in kinds() if k.email and not k.essential]
    opted_out = set(
        EmailOptOut.objects.filter(user_id=_me(request)).values_list("kind", flat=True)
    )
    initial = {"wanted": [k.key for k in optional if k.key not in opted_out]}
    form = EmailPreferencesForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        kinds=optional,
    )
    if request.method == "POST" and form.is_valid():
        email_preferences_set(
            user_id=_me(request), wanted=set(form.cleaned_data["wanted"])
        )
        messages.success(request, _("Your e-mail preferences are saved."))
        return redirect("core:email-preferences")
    essential = [k for k in kinds() if k.email and k.essential]
    return render(
        request, "core/email_preferences.html", {"form": form, "essential": essential}
    )


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click", no token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirm button (mail scanners follow links); POST unsubscribes.

    The signed token is the authorisation: it names the person and the kind.
    """
    try:
        user_id, key = read_unsubscribe_token(token)
        kind = get_kind(key)
    except (signing.BadSignature, KeyError) as exc:
        raise Http404 from exc
    if kind.essential:
        raise Http404
    if request.method == "POST":
        email_opt_out(user_id=user_id, kind=key)
        return render(request, "core/unsubscribed.html", {"kind": kind})
    return render(request, "core/unsubscribe_confirm.html", {"kind": kind})
