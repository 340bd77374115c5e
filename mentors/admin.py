from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .forms import ReviewRequestChangesForm
from .levels import level_label
from .models import (
    Block,
    LearnerProfile,
    MentorProfile,
    Report,
    Skill,
    SkillArea,
)
from .services import (
    mentor_profile_approve,
    mentor_profile_request_changes,
    mentor_profile_visibility_changed,
    mentor_profile_working_copy,
    report_handle,
    skill_area_save,
    skill_save,
)
from .text import render_markdown


def _staff(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@admin.register(SkillArea)
class SkillAreaAdmin(admin.ModelAdmin[SkillArea]):
    list_display = ["code", "name_fr", "name_en", "framework"]
    list_filter = ["framework"]

    def save_model(
        self, request: HttpRequest, obj: SkillArea, form: Any, change: bool
    ) -> None:
        skill_area_save(area=obj)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin[Skill]):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["code", "name_fr", "name_en", "area", "esco_uri"]
    list_filter = ["area__framework", "area"]
    search_fields = ["code", "name_fr", "name_en"]
    readonly_fields = ["code"]

    def save_model(
        self, request: HttpRequest, obj: Skill, form: Any, change: bool
    ) -> None:
        skill_save(skill=obj)  # new names show at once, search included

    def has_delete_permission(
        self, request: HttpRequest, obj: Skill | None = None
    ) -> bool:
        return False  # codes are referenced forever


class PendingFilter(admin.SimpleListFilter):
    title = _("pending changes")
    parameter_name = "pending"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", str(_("yes"))), ("no", str(_("no")))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[MentorProfile]
    ) -> QuerySet[MentorProfile]:
        if self.value() == "yes":
            return queryset.filter(draft__isnull=False)
        if self.value() == "no":
            return queryset.filter(draft__isnull=True)
        return queryset


@admin.register(MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin[MentorProfile]):
    """The review queue: filter on "Waiting for review", read the proposed
    version, then approve or request changes (with a message to the mentor)."""

    list_display = [
        "user",
        "headline",
        "status",
        "submitted_at",
        "charter_accepted_at",
        "approved_at",
        "is_published",
        "hidden_by_staff_at",
    ]
    list_filter = ["status", PendingFilter, "is_published", "region"]
    search_fields = ["user__email", "user__full_name", "headline"]
    ordering = ["submitted_at"]
    list_select_related = ["user"]
    actions = ["approve", "request_changes"]
    readonly_fields = [
        "user",
        "status",
        "proposed_version",
        "published_version",
        "charter_version",
        "charter_accepted_at",
        "submitted_at",
        "approved_at",
        "reviewed_by",
        "review_message",
        "next_free_slot_at",
        "free_slots_7d",
        "free_slots_14d",
        "free_slots_28d",
        "hours_mentored",
        "people_helped",
        "rating_avg",
        "rating_count",
        "acceptance_rate_90d",
        "median_answer_hours_90d",
        "late_cancellations_90d",
    ]
    fields = [
        "user",
        "status",
        "proposed_version",
        "published_version",
        "charter_version",
        "charter_accepted_at",
        "submitted_at",
        "approved_at",
        "reviewed_by",
        "review_message",
        "is_published",
        "hidden_by_staff_at",
        "acceptance_rate_90d",
        "median_answer_hours_90d",
        "late_cancellations_90d",
    ]

    def save_model(
        self, request: HttpRequest, obj: MentorProfile, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if {"is_published", "hidden_by_staff_at"} & set(form.changed_data):
            mentor_profile_visibility_changed(profile_id=obj.pk)

    @admin.display(description=_("proposed version (to review)"))
    def proposed_version(self, obj: MentorProfile) -> str:
        if obj.draft is None:
            return "—"
        return self._render(obj.draft)

    @admin.display(description=_("published version"))
    def published_version(self, obj: MentorProfile) -> str:
        if not obj.ever_approved:
            return str(_("never published"))
        return self._render(mentor_profile_working_copy_published(obj))

    def _render(self, data: dict[str, Any]) -> str:
        skills = format_html_join(
            "",
            "<li>{} — {}</li>",
            ((e["code"], level_label(e["level"])) for e in data["skills"]),
        )
        return format_html(
            "<p><strong>{}</strong></p><div>{}</div><ul>{}</ul><p>{} · {} {} · {}</p>",
            data["headline"],
            render_markdown(data["bio"]),
            skills,
            ", ".join(data["languages"]),
            data["region"],
            data["city"],
            ", ".join(data["modes"]),
        )

    @admin.action(description=_("Approve and publish the selected profiles"))
    def approve(self, request: HttpRequest, queryset: QuerySet[MentorProfile]) -> None:
        done = 0
        for profile in queryset:
            try:
                mentor_profile_approve(profile=profile, staff=_staff(request))
                done += 1
            except ValidationError as exc:
                self.message_user(
                    request, f"{profile}: {exc.messages[0]}", messages.WARNING
                )
        if done:
            self.message_user(request, _("%(n)d profile(s) approved.") % {"n": done})

    @admin.action(description=_("Request changes on the selected profiles"))
    def request_changes(
        self, request: HttpRequest, queryset: QuerySet[MentorProfile]
    ) -> HttpResponse | None:
        form = ReviewRequestChangesForm(
            request.POST if "message" in request.POST else None
        )
        if form.is_bound and form.is_valid():
            done = 0
            for profile in queryset:
                try:
                    mentor_profile_request_changes(
                        profile=profile,
                        staff=_staff(request),
                        message=form.cleaned_data["message"],
                    )
                    done += 1
                except ValidationError as exc:
                    self.message_user(
                        request, f"{profile}: {exc.messages[0]}", messages.WARNING
                    )
            if done:
                self.message_user(
                    request, _("%(n)d profile(s) sent back.") % {"n": done}
                )
            return None
        return TemplateResponse(
            request,
            "admin/mentors/request_changes.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Request changes"),
                "form": form,
                "profiles": queryset,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


def mentor_profile_working_copy_published(profile: MentorProfile) -> dict[str, Any]:
    """The published content in the draft's shape (for side-by-side review)."""
    saved, profile.draft = profile.draft, None
    try:
        return mentor_profile_working_copy(profile)
    finally:
        profile.draft = saved


@admin.register(LearnerProfile)
class LearnerProfileAdmin(admin.ModelAdmin[LearnerProfile]):
    list_display = ["user", "situation", "region", "updated_at"]
    list_filter = ["situation", "region"]
    search_fields = ["user__email", "user__full_name", "target_occupation"]
    list_select_related = ["user"]
    readonly_fields = ["user"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin[Report]):
    """The trust & safety queue. Closing a report applies its action."""

    list_display = [
        "created_at",
        "reported_user",
        "reason",
        "status",
        "action",
        "handled_by",
    ]
    list_filter = ["status", "reason", "action"]
    search_fields = ["reported_user__email", "reported_user__full_name", "text"]
    list_select_related = ["reported_user", "handled_by"]
    readonly_fields = [
        "reporter",
        "reported_user",
        "reason",
        "text",
        "message_text",
        "created_at",
        "handled_by",
        "handled_at",
        "status",
    ]
    fields = [
        "reporter",
        "reported_user",
        "reason",
        "text",
        "message_text",
        "created_at",
        "status",
        "action",
        "decision",
        "handled_by",
        "handled_at",
    ]

    def save_model(
        self, request: HttpRequest, obj: Report, form: Any, change: bool
    ) -> None:
        if change and (
            "action" in form.changed_data or "decision" in form.changed_data
        ):
            report_handle(
                report=obj,
                staff=_staff(request),
                action=form.cleaned_data["action"],
                decision=form.cleaned_data["decision"],
            )
            return
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin[Block]):
    list_display = ["blocker", "blocked", "created_at"]
    search_fields = ["blocker__email", "blocked__email"]
    list_select_related = ["blocker", "blocked"]
    readonly_fields = ["blocker", "blocked", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
