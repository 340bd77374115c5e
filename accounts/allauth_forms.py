"""allauth's own forms as this site extends them (``ACCOUNT_FORMS``).

Apart from ``forms.py``: allauth's form module imports ``forms.SignupForm``
(``ACCOUNT_SIGNUP_FORM_CLASS``) while it loads, so subclasses of its forms
cannot live there.
"""

from __future__ import annotations

from typing import Any

from allauth.account import forms as allauth_forms
from django import forms
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import User
from .services import api_tokens_revoke_all

PASSWORDS = ("password1", "password2")


class SignupForm(allauth_forms.SignupForm):
    """A sign-up refused for another reason (a box left unticked, a taken
    name…) gives the two passwords back: the browser keeps no password across
    the round trip, and typing both again is where people far from computers
    give up. A refused password is not given back: it must be typed anew. The
    answer is kept by no cache (``core.middleware.PrivacyHeadersMiddleware``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in PASSWORDS:
            if name in self.fields:
                self.fields[name].widget.render_value = True

    def full_clean(self) -> None:
        super().full_clean()
        if any(name in self.errors for name in PASSWORDS):
            for name in PASSWORDS:
                if name in self.fields:
                    self.fields[name].widget.render_value = False

    def try_save(self, request: HttpRequest) -> tuple[Any, Any]:
        if self.account_already_exists:
            # A new account costs one password hash before the answer; without
            # the same work here, an existing address answers several times
            # faster and the timing tells which addresses have an account.
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    revoke_api_tokens = forms.BooleanField(
        label=_("Also sign out my API tokens"),
        help_text=_(
            "Programs that use your API tokens will stop working until you give "
            "them a new token."
        ),
        required=False,
    )

    def save(self) -> None:
        assert isinstance(self.user, User)  # allauth types it loosely
        with transaction.atomic():
            super().save()
            if self.cleaned_data["revoke_api_tokens"]:
                api_tokens_revoke_all(user=self.user)


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    """Whoever could reset the password may have been locked out by someone who
    also holds a token: a reset revokes them all (the page says so)."""

    def save(self) -> None:
        assert isinstance(self.user, User)  # allauth types it loosely
        with transaction.atomic():
            super().save()
            api_tokens_revoke_all(user=self.user)
