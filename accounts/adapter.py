from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context
from django.contrib.sites.shortcuts import get_current_site
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
