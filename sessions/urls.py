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
]
