from django.urls import path

from . import views

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
]
