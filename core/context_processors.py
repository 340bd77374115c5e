import functools

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject

from .selectors import notification_unread_count


def site(request: HttpRequest) -> dict[str, object]:
    context: dict[str, object] = {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }
    # The menu entry of this page (marked aria-current), from the resolved URL.
    match = getattr(request, "resolver_match", None)
    context["nav_current"] = match.view_name if match else ""
    context["layout_urls"] = _layout_urls(
        get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    )
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Read with the person (accounts/backends.py); otherwise (a user
        # loaded some other way) lazily: pages without the header ask nothing.
        preloaded = getattr(user, "unread_notifications", None)
        context["unread_notifications"] = (
            preloaded
            if preloaded is not None
            else SimpleLazyObject(lambda: notification_unread_count(user_id=user.pk))
        )
    return context


@functools.lru_cache(maxsize=8)
def _layout_urls(script_prefix: str, urlconf: str) -> dict[str, str]:
    """The addresses of the header's forms (language, log out), reversed once
    per process, script prefix and URLconf rather than at every page (~20 µs
    each)."""
    return {
        "set_language": reverse("accounts:set-language", urlconf=urlconf),
        "logout": reverse("account_logout", urlconf=urlconf),
    }
