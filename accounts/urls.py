from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("language/", views.set_language, name="set-language"),
    path("preferences/", views.preferences, name="preferences"),
    path("tokens/", views.api_tokens, name="api-tokens"),
    path(
        "tokens/<int:token_id>/revoke/",
        views.api_token_revoke_view,
        name="api-token-revoke",
    ),
    path("data/", views.personal_data, name="personal-data"),
    path(
        "data/<int:export_id>/download/",
        views.personal_data_download,
        name="personal-data-download",
    ),
    path("delete/", views.account_delete, name="delete"),
    path("age/", views.adult_confirm, name="adult"),
]
