from __future__ import annotations

import zoneinfo
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode

Handler = Callable[[HttpRequest], HttpResponse]


def preferred_language(request: HttpRequest) -> str:
    """The cookie set by the language switch, else the account's, else French."""
    supported = {code for code, _ in settings.LANGUAGES}
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in supported:
        return cookie
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in supported:
        return str(user.language)
    return settings.LANGUAGE_CODE


class UserLocaleMiddleware:
    """Activate the viewer's language and time zone. French is the default.

    Unlike ``LocaleMiddleware``, the browser's Accept-Language is not used: the
    site is French first, and the switch in the header changes it.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = preferred_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class SignedInGateMiddleware(ABC):
    """Sends a signed-in person to one page (``target``, with ``next``) until
    ``stopped`` says no more, except on the paths that page needs."""

    ALLOWED_PREFIXES: tuple[str, ...] = ("/accounts/", "/static/", "/healthz")
    target = ""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    @abstractmethod
    def stopped(self, user: Any) -> bool:
        """Whether this person must go to ``target`` first."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and self.stopped(user)
        ):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(self.target)}?{query}")
        return self.get_response(request)


class StaffTwoFactorMiddleware(SignedInGateMiddleware):
    """Staff must set up TOTP before using the site (allauth has no such setting)."""

    target = "mfa_activate_totp"

    def stopped(self, user: Any) -> bool:
        return bool(user.is_staff) and not (
            Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists()
        )


class AdultConfirmationMiddleware(SignedInGateMiddleware):
    """Accounts made before sign-up asked "I am 18 or older" answer it once, at
    their next visit signed in, before anything else (the API is left alone:
    its clients cannot answer a form; the legal pages say why it is asked)."""

    ALLOWED_PREFIXES = (
        "/static/",
        "/healthz",
        # The question itself, leaving, and what a person under 18 needs to go:
        # their data and the deletion of their account (with its password check).
        "/accounts/age/",
        "/accounts/logout/",
        "/accounts/language/",
        "/accounts/delete/",
        "/accounts/data/",
        "/accounts/reauthenticate/",
        "/accounts/2fa/",
        # The API answers 403 itself (``IsAuthenticatedAdult``): a redirect to
        # a form means nothing to an API client.
        "/api/",
        "/unsubscribe/",
        "/conditions-utilisation/",
        "/confidentialite/",
        "/mentions-legales/",
    )
    target = "accounts:adult"

    def stopped(self, user: Any) -> bool:
        return user.adult_confirmed_at is None
