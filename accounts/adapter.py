from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.core import context
from django.conf import settings
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
