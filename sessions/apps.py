from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoachingSessionsConfig(AppConfig):
    """Coaching sessions. ``django.contrib.sessions`` owns the label ``sessions``:
    this app is ``coaching_sessions``, chosen once and never changed."""

    name = "sessions"
    label = "coaching_sessions"
    verbose_name = _("Coaching sessions")
