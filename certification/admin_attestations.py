"""The attestations in the admin (issue 19): read-only, with one action,
revoke (a reason from the fixed public list and an internal note). Imported by
``certification.admin``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.errors import Conflict

from .attestations import REVOKE_PERMISSION, attestation_revoke, verify_url
from .models import Attestation, RevocationReason


class RevokeForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Public reason"), choices=RevocationReason.choices
    )
    note = forms.CharField(
        label=_("Internal note (staff only)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


@admin.register(Attestation)
class AttestationAdmin(admin.ModelAdmin[Attestation]):
    list_display = (
        "display_code",
        "holder_name",
        "kind",
        "skill",
        "level",
        "issued_at",
        "revoked_at",
    )
    list_filter = ("kind", "revocation_reason", "issued_at")
    search_fields = ("code", "holder_name", "holder__email")
    readonly_fields = (
        "display_code",
        "verification",
        "kind",
        "holder",
        "holder_name",
        "skill",
        "level",
        "mentor_hours",
        "minutes",
        "sessions",
        "how",
        "endorsers",
        "issued_at",
        "issuer_name",
        "issuer_siret",
        "shown_on_profile",
        "revoked_at",
        "revocation_reason",
        "revocation_note",
        "revoked_by",
        "revoke",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Attestation | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Attestation | None = None
    ) -> bool:
        return False

    @admin.display(description=_("code"))
    def display_code(self, obj: Attestation) -> str:
        return obj.display_code

    @admin.display(description=_("verification page"))
    def verification(self, obj: Attestation) -> SafeString:
        url = verify_url(obj.code)
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description=_("revoke"))
    def revoke(self, obj: Attestation) -> SafeString | str:
        if obj.is_revoked:
            return "—"
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:certification_attestation_revoke", args=[obj.pk]),
            gettext("Revoke this attestation"),
        )

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:object_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="certification_attestation_revoke",
            ),
            *super().get_urls(),
        ]

    def revoke_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        if not request.user.has_perm(REVOKE_PERMISSION):
            raise PermissionDenied
        attestation = Attestation.objects.filter(pk=object_id).first()
        if attestation is None:
            raise Http404
        form = RevokeForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            staff = request.user
            assert isinstance(staff, User)
            try:
                attestation_revoke(
                    staff=staff,
                    attestation_id=attestation.pk,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except Conflict as exc:
                self.message_user(request, exc.message, messages.ERROR)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                self.message_user(
                    request,
                    gettext(
                        "Attestation revoked. Its page now says so; the holder "
                        "is told by e-mail."
                    ),
                )
            if not form.errors:
                return HttpResponseRedirect(
                    reverse(
                        "admin:certification_attestation_change",
                        args=[attestation.pk],
                    )
                )
        return TemplateResponse(
            request,
            "admin/certification/attestation/revoke.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Revoke %(code)s") % {"code": attestation},
                "attestation": attestation,
                "form": form,
                "opts": self.model._meta,
            },
        )
