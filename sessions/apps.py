from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoachingSessionsConfig(AppConfig):
    """Coaching sessions. ``django.contrib.sessions`` owns the label ``sessions``:
    this app is ``coaching_sessions``, chosen once and never changed."""

    name = "sessions"
    label = "coaching_sessions"
    verbose_name = _("Coaching sessions")

    def ready(self) -> None:
        from core.notifications import NotificationKind, register_kind
        from core.personal_data import register_provider
        from mentors import hooks as mentors_hooks

        from .panels import profile_slots
        from .personal_data import (
            erase_availability,
            erase_bookings,
            export_availability,
            export_bookings,
        )

        register_provider(
            "availability", export=export_availability, erase=erase_availability
        )
        # Erased before the availability (providers run last registered first):
        # the slots go once their future bookings are cancelled.
        register_provider("bookings", export=export_bookings, erase=erase_bookings)
        mentors_hooks.profile_panels.connect(profile_slots)
        # About a session the person holds: always sent, like a receipt.
        register_kind(
            NotificationKind(
                "sessions.booking_confirmed", _("A session is booked"), essential=True
            )
        )
        register_kind(
            NotificationKind(
                "sessions.booking_cancelled",
                _("A session is cancelled"),
                essential=True,
            )
        )
