from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.core.signals import request_started

        from core.notifications import NotificationKind, register_kind
        from core.personal_data import register_provider

        from .api import schema  # noqa: F401  (registers the OpenAPI auth scheme)
        from .backends import forget_session_user
        from .personal_data import erase_account, export_account

        register_kind(NotificationKind("account.welcome", _("Welcome to the platform")))
        register_provider("account", export=export_account, erase=erase_account)
        request_started.connect(forget_session_user, dispatch_uid="forget_session_user")
