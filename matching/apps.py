from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Requests, mentorships and matching")

    def ready(self) -> None:
        from core.errors import constraint_message_register
        from core.notifications import NotificationKind, register_kind
        from core.personal_data import register_provider
        from mentors import hooks as mentors_hooks

        from .personal_data import (
            erase_checkins,
            erase_mentorships,
            export_checkins,
            export_mentorships,
        )
        from .selectors import acquaintances_of
        from .services import relations_end_for_block, suggestions_refresh_enqueue

        # The keys kept their "mentors." prefix: notifications and e-mail
        # preferences already stored name them.
        for key, label in (
            ("mentors.request_new", _("A new mentoring request")),
            ("mentors.request_reminder", _("Reminders of requests waiting for you")),
            ("mentors.request_accepted", _("Your request is accepted")),
            ("mentors.request_declined", _("Your request is declined")),
            ("mentors.request_expired", _("Your request has expired")),
            ("mentors.message_new", _("New messages from your mentor or mentee")),
            ("mentors.mentorship_ended", _("A mentorship has ended")),
            ("matching.checkin", _("Do we continue? (a long mentorship)")),
        ):
            register_kind(NotificationKind(key, label))
        register_provider(
            "mentorships", export=export_mentorships, erase=erase_mentorships
        )
        register_provider(
            "mentorship_checkins", export=export_checkins, erase=erase_checkins
        )
        # A race the services' own checks cannot see: the database decides.
        constraint_message_register(
            "mentors_request_one_open_per_pair",
            _("You already have a request waiting for this mentor."),
        )
        constraint_message_register(
            "mentors_mentorship_one_active_per_pair",
            _("You already work with this person."),
        )
        mentors_hooks.block_created.connect(relations_end_for_block)
        mentors_hooks.learner_profile_saved.connect(suggestions_refresh_enqueue)
        mentors_hooks.acquaintances.connect(acquaintances_of)
