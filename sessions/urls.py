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
    path("mon-espace/creneaux/ajouter/", views.slot_add, name="slot-add"),
    path(
        "mon-espace/creneaux/<int:slot_id>/retirer/",
        views.slot_remove,
        name="slot-remove",
    ),
]
