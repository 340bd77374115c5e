from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import notification_unread_count


def site(request: HttpRequest) -> dict[str, object]:
    context: dict[str, object] = {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Lazy: pages that do not show the header run no query for it.
        context["unread_notifications"] = SimpleLazyObject(
            lambda: notification_unread_count(user_id=user.pk)
        )
    return context
