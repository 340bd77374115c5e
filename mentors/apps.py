from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentorsConfig(AppConfig):
    name = "mentors"
    verbose_name = _("Mentors and mentoring")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from core.notifications import NotificationKind, register_kind

        from .data_version import bump_mentor_data_version

        def account_saved(
            sender: Any, created: bool = False, update_fields: Any = None, **kwargs: Any
        ) -> None:
            # An account turned on or off shows or hides its mentor profile:
            # cached directory pages and the mentor matrix must move on. A new
            # account has no profile yet; saves that name their fields without
            # is_active (a login's last_login) do not count.
            if created:
                return
            if update_fields is None or "is_active" in update_fields:
                bump_mentor_data_version()

        post_save.connect(
            account_saved,
            sender=get_user_model(),
            weak=False,  # a local function: keep it alive
            dispatch_uid="mentors.account",
        )
        from core.personal_data import register_provider

        from .personal_data import (
            erase_profiles,
            erase_reports_and_blocks,
            export_profiles,
            export_reports_and_blocks,
        )

        register_kind(
            NotificationKind(
                "mentors.profile_approved", _("Your mentor profile is published"), True
            )
        )
        register_kind(
            NotificationKind(
                "mentors.profile_changes_requested",
                _("Changes asked on your mentor profile"),
                True,
            )
        )
        register_kind(
            NotificationKind("mentors.warning", _("Messages from the team"), True)
        )
        register_provider("profiles", export=export_profiles, erase=erase_profiles)
        register_provider(
            "reports_and_blocks",
            export=export_reports_and_blocks,
            erase=erase_reports_and_blocks,
        )
