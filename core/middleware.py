from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .views import healthz

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"


class PrivacyHeadersMiddleware:
    """Every response turns the camera, microphone and location off; a response
    to a signed-in person (a page, or an API answer about them), or to a form
    sent, is kept by no cache, their browser's included.

    First in the chain, so the health probe and static files get the policy too.
    A view that sets its own Cache-Control has decided (the page gate checks it).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # DRF sets request.user when a token authenticates the call.
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        # The answer to a form sent holds what was typed (a refused sign-up
        # gives the passwords back): no cache keeps it either.
        if signed_in or request.method == "POST":
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response


class HealthCheckMiddleware:
    """Answer /healthz before host validation and the HTTPS redirect.

    Load balancers and the compose healthcheck call it by IP over plain HTTP.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return healthz(request)
        return self.get_response(request)
