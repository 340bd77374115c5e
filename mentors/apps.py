from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentorsConfig(AppConfig):
    name = "mentors"
    verbose_name = _("Mentors and mentoring")

    def ready(self) -> None:
        from accounts.hooks import user_changed
        from core.notifications import NotificationKind, register_kind

        from .receivers import on_user_changed

        user_changed.connect(on_user_changed)
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
