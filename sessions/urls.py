from django.urls import path

from . import after_views, views

app_name = "coaching_sessions"

urlpatterns = [
    path(
        "mon-espace/disponibilites/",
        views.availability_edit,
        name="availability",
    ),
    path("mon-espace/creneaux/", views.slot_week, name="slot-week"),
    path("mon-espace/seances/", views.my_sessions, name="my-sessions"),
    path(
        "mentors/<int:profile_id>/reserver/",
        views.booking_new,
        name="booking-new",
    ),
    path("mon-espace/creneaux/ajouter/", views.slot_add, name="slot-add"),
    path(
        "mon-espace/creneaux/<int:slot_id>/retirer/",
        views.slot_remove,
        name="slot-remove",
    ),
    # The private calendar feed (sessions/feed.py) and its settings page.
    path(
        "agenda/<str:feed_token>.ics",
        views.calendar_feed,
        name="calendar-feed",
    ),
    path(
        "mon-espace/agenda/",
        views.calendar_feed_settings,
        name="calendar-feed-settings",
    ),
    path(
        "mon-espace/agenda/nouveau-lien/",
        views.calendar_feed_new,
        name="calendar-feed-new",
    ),
    path(
        "mon-espace/agenda/supprimer/",
        views.calendar_feed_remove,
        name="calendar-feed-delete",
    ),
    path(
        "mentors/<int:profile_id>/liste-d-attente/",
        views.waitlist_join_page,
        name="waitlist-join",
    ),
    path(
        "mon-espace/liste-d-attente/<int:entry_id>/retirer/",
        views.waitlist_withdraw_page,
        name="waitlist-withdraw",
    ),
    # Cancelled or moved by a person.
    path(
        "mon-espace/seances/<int:booking_id>/annuler/",
        views.booking_cancel_page,
        name="booking-cancel",
    ),
    path(
        "mon-espace/seances/<int:booking_id>/changer/",
        views.booking_reschedule_page,
        name="booking-reschedule",
    ),
    # After a session: the mentor's note, the learner's opinion, the history.
    path(
        "mon-espace/seances/<int:booking_id>/note/",
        after_views.session_note_page,
        name="session-note",
    ),
    path(
        "mon-espace/seances/<int:booking_id>/avis/",
        after_views.session_rating_page,
        name="session-rating",
    ),
    path(
        "mon-espace/seances-donnees/",
        after_views.activity_history,
        name="activity-history",
    ),
    path(
        "mon-espace/seances-donnees.csv",
        after_views.activity_history_csv,
        name="activity-history-csv",
    ),
    path(
        "mon-espace/seances/demandes/<int:reschedule_id>/accepter/",
        views.reschedule_accept,
        name="reschedule-accept",
    ),
    path(
        "mon-espace/seances/demandes/<int:reschedule_id>/refuser/",
        views.reschedule_decline,
        name="reschedule-decline",
    ),
    # Attendance: from My sessions, and the e-mail's signed link (no login).
    path(
        "mon-espace/seances/<int:booking_id>/presence/",
        views.attendance_answer_page,
        name="attendance-answer",
    ),
    path(
        "seance/presence/<str:attendance_token>/",
        views.attendance_link_page,
        name="attendance-link",
    ),
]
