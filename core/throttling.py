"""API throttles (``REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]``).

Scopes, with their rates in ``DEFAULT_THROTTLE_RATES``:

- ``anon``: anonymous callers, by client address;
- ``user``: signed-in callers (session or token), by person: all of one
  person's tokens share their allowance;
- ``write``: POST, PUT, PATCH and DELETE, by person or address, stricter;
- a view's own ``throttle_scope`` (the public directory's ``directory``).

The counters live in the default cache. It fails open (``core.cache``): while
Redis is down a throttle reads an empty history and lets the request through,
as allauth's limits do: availability wins over throttling during the outage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from rest_framework import throttling
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings

if TYPE_CHECKING:
    # rest_framework.views imports this module (its default throttle classes).
    from rest_framework.request import Request
    from rest_framework.views import APIView


class _RatesFromSettings(throttling.SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # DRF copies the rates into the class when it is imported; reading them
        # at each request lets the tests (override_settings) change them.
        rates = api_settings.DEFAULT_THROTTLE_RATES
        if self.scope not in rates:
            raise ImproperlyConfigured(f"No throttle rate for scope {self.scope!r}.")
        return cast("str | None", rates[self.scope])


class AnonThrottle(_RatesFromSettings, throttling.AnonRateThrottle):
    scope = "anon"


class UserThrottle(_RatesFromSettings, throttling.UserRateThrottle):
    scope = "user"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None  # AnonThrottle's
        return super().get_cache_key(request, view)


class WriteThrottle(_RatesFromSettings, throttling.UserRateThrottle):
    scope = "write"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if request.method in SAFE_METHODS:
            return None
        return super().get_cache_key(request, view)


class ViewScopeThrottle(_RatesFromSettings, throttling.ScopedRateThrottle):
    """The rate of the view's ``throttle_scope``, if it names one."""


class KeyedThrottle(_RatesFromSettings):
    """A rate for requests DRF does not see (a plain Django view): counts the
    requests made under ``key`` in ``scope`` (its rate in
    ``DEFAULT_THROTTLE_RATES`` with the others), or from the client's address
    when no key is given. ``allows(request)`` counts one and says whether it
    may go on; ``wait()`` is then the seconds for ``Retry-After``."""

    def __init__(self, scope: str, key: str | None = None) -> None:
        self.scope = scope
        self._ident = key
        super().__init__()

    def get_cache_key(self, request: Request, view: APIView | None) -> str:
        ident = self._ident if self._ident is not None else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allows(self, request: HttpRequest) -> bool:
        """Count ``request``; False past the rate."""
        # With no view: this throttle reads only the request's address.
        return self.allow_request(cast("Request", request), cast("APIView", None))
