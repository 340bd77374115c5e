from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.core import context
from allauth.core.internal import ratelimit
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse

from core.emails import email_enqueue

from .services import user_welcome


@dataclass(frozen=True)
class ConfiguredSite:
    """What allauth's mails call ``current_site``. Without the sites framework
    allauth takes the request's Host for it: a forged Host would then name
    itself in a real mail ("Bonjour, c'est evil.example !")."""

    name: str
    domain: str


def configured_site() -> ConfiguredSite:
    return ConfiguredSite(
        name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc
    )


def site_link(path: str) -> str:
    """An absolute link for a mail: on ``SITE_URL``, never on the request's Host."""
    return settings.SITE_URL + path


class AccountAdapter(DefaultAccountAdapter):
    """allauth glue. Redirects by URL name only; business logic lives elsewhere.

    Every link allauth puts in a mail is built here from ``SITE_URL``: allauth
    builds them from the request, whose Host a visitor chooses.
    """

    def send_mail(self, template_prefix: str, email: str, ctx: dict) -> None:
        """Render allauth's mail now (in the viewer's language), send it through
        the outbox: never from inside the request, never lost if Redis is down."""
        full = {
            "request": context.request,
            "email": email,
            "current_site": configured_site(),
        }
        full.update(ctx)
        if template_prefix == "account/email/unknown_account":
            # allauth builds this mail's link itself, with no adapter hook.
            full["signup_url"] = site_link(reverse("account_signup"))
        email_enqueue(message=self.render_mail(template_prefix, email, full))

    def get_email_confirmation_url(
        self, request: HttpRequest, emailconfirmation: EmailConfirmation
    ) -> str:
        return site_link(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        # allauth's own URL shape: its opaque key joins the uid and the token.
        path = reverse(
            "account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"}
        )
        return site_link(path.replace("UID-KEY", quote(key)))

    def send_account_already_exists_mail(self, email: str) -> None:
        self.send_mail(
            "account/email/account_already_exists",
            email,
            {
                "signup_url": site_link(reverse("account_signup")),
                "password_reset_url": site_link(reverse("account_reset_password")),
            },
        )

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
