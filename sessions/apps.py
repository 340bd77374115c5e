from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoachingSessionsConfig(AppConfig):
    """Coaching sessions. ``django.contrib.sessions`` owns the label ``sessions``:
    this app is ``coaching_sessions``, chosen once and never changed."""

    name = "sessions"
    label = "coaching_sessions"
    verbose_name = _("Coaching sessions")

    def ready(self) -> None:
        from accounts.hooks import user_changed
        from core.notifications import NotificationKind, register_kind
        from core.personal_data import register_provider
        from matching import hooks as matching_hooks
        from mentors import hooks as mentors_hooks

        from .panels import profile_slots
        from .personal_data import (
            erase_availability,
            erase_bookings,
            erase_calendar_feed,
            erase_reschedule_requests,
            export_availability,
            export_bookings,
            export_calendar_feed,
            export_reschedule_requests,
        )
        from .services import (
            bookings_cancel_for_account,
            bookings_cancel_for_block,
            bookings_cancel_for_hidden_mentor,
            bookings_cancel_for_mentorship,
            bookings_cancel_for_paused_mentor,
        )

        register_provider(
            "availability", export=export_availability, erase=erase_availability
        )
        # Erased before the availability (providers run last registered first):
        # the slots go once their future bookings are cancelled.
        register_provider("bookings", export=export_bookings, erase=erase_bookings)
        register_provider(
            "calendar_feed", export=export_calendar_feed, erase=erase_calendar_feed
        )
        mentors_hooks.profile_panels.connect(profile_slots)
        # What changes between two people, or in an account, cancels the
        # future bookings it concerns, in the same transaction.
        matching_hooks.mentorship_ended.connect(bookings_cancel_for_mentorship)
        mentors_hooks.block_created.connect(bookings_cancel_for_block)
        user_changed.connect(bookings_cancel_for_account)
        matching_hooks.mentor_paused.connect(bookings_cancel_for_paused_mentor)
        mentors_hooks.mentor_hidden.connect(bookings_cancel_for_hidden_mentor)
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
        # Reminders and the waitlist.
        from .personal_data import (
            erase_session_notes,
            erase_waitlist,
            export_session_notes,
            export_waitlist,
        )

        register_provider("waitlist", export=export_waitlist, erase=erase_waitlist)
        register_provider(
            "session_notes", export=export_session_notes, erase=erase_session_notes
        )
        # Reminders may be turned off; the waitlist's e-mail is what they asked.
        register_kind(
            NotificationKind("sessions.booking_reminder", _("Reminders of my sessions"))
        )
        register_kind(
            NotificationKind(
                "sessions.waitlist_slot_free",
                _("An earlier time is free (waiting list)"),
                essential=True,
            )
        )
        # Cancelled or moved by a person: a learner's request to move a
        # session inside the cut-off, and the mentor's "no".
        register_kind(
            NotificationKind(
                "sessions.reschedule_requested",
                _("A learner asks to change the time of a session"),
                essential=True,
            )
        )
        register_kind(
            NotificationKind(
                "sessions.reschedule_declined",
                _("A session could not move"),
                essential=True,
            )
        )
        register_provider(
            "reschedule_requests",
            export=export_reschedule_requests,
            erase=erase_reschedule_requests,
        )
        # Attendance: the question after a session (always sent: it is the
        # record), and staff told of a learner's repeated absences.
        from .personal_data import erase_attendance, export_attendance

        register_kind(
            NotificationKind(
                "sessions.attendance_question",
                _("Did a session take place?"),
                essential=True,
            )
        )
        register_kind(
            NotificationKind(
                "sessions.learner_absences",
                _("A learner missed several sessions (staff)"),
                essential=True,
            )
        )
        register_provider(
            "attendance", export=export_attendance, erase=erase_attendance
        )
