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
]
