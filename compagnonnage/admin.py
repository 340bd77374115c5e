"""The admin site: staff only, and only in a session confirmed with TOTP."""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from allauth.account.decorators import secure_admin_login
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _


def session_has_second_factor(request: HttpRequest) -> bool:
    """True when this session was authenticated (or re-authenticated) with MFA."""
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


class CompagnonnageAdminSite(admin.AdminSite):
    site_header = _("Compagnonnage administration")
    site_title = _("Compagnonnage")
    index_title = _("Administration")

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and session_has_second_factor(request)

    def login(
        self, request: HttpRequest, extra_context: dict[str, object] | None = None
    ) -> HttpResponse:
        return _admin_login(request)


@secure_admin_login
def _admin_login(request: HttpRequest) -> HttpResponse:
    """Django's own login form is never shown: it would bypass allauth's rate
    limits and the second factor. ``secure_admin_login`` sends anonymous people to
    allauth's login and refuses signed-in people who are not staff; staff are sent
    to set up TOTP, or to confirm this session with it, then back to the admin."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        next_url = reverse("admin:index")
    query = urlencode({"next": next_url})
    user = request.user
    has_totp = Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP
    ).exists()
    if not has_totp:
        return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?{query}")
    if not session_has_second_factor(request):
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
    return HttpResponseRedirect(next_url)
