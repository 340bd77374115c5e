from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """allauth glue. Redirects by URL name only; business logic lives elsewhere."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return True
