from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from core.models import DataExport
from core.personal_data import data_export_request, private_storage
from core.views import domain_errors

from .forms import AccountDeleteForm, AdultForm, ApiTokenCreateForm, PreferencesForm
from .models import User
from .selectors import api_token_list_for_user
from .services import (
    api_token_create,
    api_token_revoke,
    user_confirm_adult,
    user_erase,
    user_update_preferences,
)


def _safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch: a cookie for everyone, the account too when signed in."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_safe_next(request, reverse("home")))
    if language not in dict(settings.LANGUAGES):
        return response
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        httponly=False,
    )
    user = request.user
    if isinstance(user, User) and user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, instance=request.user
    )
    if request.method == "POST" and form.is_valid():
        user_update_preferences(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your preferences are saved."))
        response = redirect("accounts:preferences")
        # The account's language wins over an older choice made with the switch.
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
        return response
    return render(request, "accounts/preferences.html", {"form": form})


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    form = ApiTokenCreateForm(request.POST if request.method == "POST" else None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = api_token_create(
            user=request.user, name=form.cleaned_data["name"]
        )
        form = ApiTokenCreateForm()
    tokens = api_token_list_for_user(user=request.user)
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key},
    )


@login_required
@reauthentication_required
@require_POST
@domain_errors("accounts:api-tokens")
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    assert isinstance(request.user, User)
    token = api_token_revoke(user=request.user, token_id=token_id)
    messages.success(
        request, _("The token “%(name)s” is revoked.") % {"name": token.name}
    )
    return redirect("accounts:api-tokens")


@login_required
@require_http_methods(["GET", "POST"])
def personal_data(request: HttpRequest) -> HttpResponse:
    """ "Download my data": start an archive, follow its progress, download it."""
    assert isinstance(request.user, User)
    if request.method == "POST":
        data_export_request(user=request.user)
        return redirect("accounts:personal-data")
    exports = DataExport.objects.filter(user=request.user).order_by("-created_at")[:5]
    building = any(e.status in ("pending", "running") for e in exports)
    template = (
        "accounts/_exports.html"
        if request.headers.get("HX-Request")
        else ("accounts/personal_data.html")
    )
    return render(request, template, {"exports": exports, "building": building})


@login_required
@require_safe
def personal_data_download(request: HttpRequest, export_id: int) -> FileResponse:
    assert isinstance(request.user, User)
    export = get_object_or_404(
        DataExport, pk=export_id, user=request.user, status=DataExport.Status.READY
    )
    handle = private_storage().open(export.file_name, "rb")
    return FileResponse(
        handle, as_attachment=True, filename="compagnonnage-mes-donnees.zip"
    )


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """ "Delete my account": confirm, then erase through every provider."""
    assert isinstance(request.user, User)
    form = AccountDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user_erase(user=request.user)
        logout(request)
        messages.success(request, _("Your account and your data have been deleted."))
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def adult_confirm(request: HttpRequest) -> HttpResponse:
    """ "I am 18 or older", asked once of accounts made before sign-up asked it."""
    assert isinstance(request.user, User)
    next_url = _safe_next(request, reverse("space"))
    if request.user.adult_confirmed_at is not None:
        return redirect(next_url)
    form = AdultForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user_confirm_adult(user=request.user)
        return redirect(next_url)
    return render(request, "accounts/adult.html", {"form": form, "next": next_url})
