from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from mentors.models import LearnerProfile

from .models import MatchingWeights


def _staff(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@admin.register(MatchingWeights)
class MatchingWeightsAdmin(admin.ModelAdmin[MatchingWeights]):
    """Weights of the matching criteria. Saving never edits a version: it adds a
    new one, which the next refreshes use (each suggestion records its version).
    "Preview" shows a sample learner's top list with the weights being edited."""

    list_display = ["__str__", *MatchingWeights.CRITERIA, "created_at", "created_by"]
    readonly_fields = ["created_at", "created_by"]
    change_form_template = "admin/matching/matchingweights/change_form.html"

    def save_model(
        self, request: HttpRequest, obj: MatchingWeights, form: Any, change: bool
    ) -> None:
        obj.pk = None  # a new version, never an edit of one in use
        obj.created_by = _staff(request)
        obj.save()

    def has_delete_permission(
        self, request: HttpRequest, obj: MatchingWeights | None = None
    ) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        from django.urls import path

        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="matching_matchingweights_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The top list of a sample learner with the current weights and with
        the unsaved ones from the form (GET parameters), side by side."""
        from .engine.preview import preview_top_lists

        learner_id = request.GET.get("learner")
        proposed = {
            name: float(request.GET.get(name, 0) or 0)
            for name in MatchingWeights.CRITERIA
        }
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview of the weights"),
            "opts": self.model._meta,
            "learners": LearnerProfile.objects.select_related("user").order_by(
                "-updated_at"
            )[:50],
            "criteria": MatchingWeights.CRITERIA,
            "proposed": proposed,
            "learner_id": int(learner_id)
            if learner_id and learner_id.isdigit()
            else None,
        }
        if context["learner_id"]:
            context["current_top"], context["proposed_top"] = preview_top_lists(
                learner_id=context["learner_id"], proposed=proposed
            )
        return TemplateResponse(
            request, "admin/matching/matchingweights/preview.html", context
        )
