from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.core.internal import ratelimit
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from core.emails import email_enqueue

from .services import user_welcome


class AccountAdapter(DefaultAccountAdapter):
    """allauth glue. Redirects by URL name only; business logic lives elsewhere."""

    def send_mail(self, template_prefix: str, email: str, ctx: dict) -> None:
        """Render allauth's mail now (in the viewer's language), send it through
        the outbox: never from inside the request, never lost if Redis is down."""
        request = context.request
        full = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
        }
        full.update(ctx)
        email_enqueue(message=self.render_mail(template_prefix, email, full))

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        confirmed = bool(super().confirm_email(request, email_address))
        if confirmed:
            user_welcome(user=email_address.user)
        return confirmed

    # Failed log-ins: allauth's ``login_failed`` keeps its per-IP limit and its
    # per-account limit, which is the high ceiling against attempts spread over
    # many addresses; ``login_failed_client`` is the low limit on one account
    # from one client, so that one client's wrong passwords do not lock the
    # owner out everywhere else (README, "Failed log-ins").

    def _login_failed_client_key(self, request: HttpRequest, email: str) -> str:
        account = self._get_login_attempts_cache_key(request, email=email)
        return f"{account}:{ratelimit.get_ip(request)}"

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        per_client = ratelimit.consume(
            request,
            app="allauth.account",
            action="login_failed_client",
            key=self._login_failed_client_key(request, credentials.get("email", "")),
        )
        if not per_client:
            raise self.validation_error("too_many_login_attempts")
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            per_client.rollback()  # no password was tried
            raise
        # allauth rolls this usage back when the password is right.
        self._login_failed_rl_usage.usage.extend(per_client.usage)

    def _delete_login_attempts_cached_email(
        self, request: HttpRequest, **credentials: Any
    ) -> None:
        """After a password reset, allauth clears the account's counters; the
        person's own client is cleared too, or the new password would be
        refused there for minutes. (A private allauth hook: a test of the reset
        fails if an upgrade renames it.)"""
        super()._delete_login_attempts_cached_email(request, **credentials)
        ratelimit.clear(
            request,
            app="allauth.account",
            action="login_failed_client",
            key=self._login_failed_client_key(request, credentials.get("email", "")),
        )
