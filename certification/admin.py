"""The reviewers' workflow: requests waiting for a decision, their evidence
read-only, and a decision form that calls the same service as everything else.

A reviewer never sees a request they have a conflict of interest with (the
queryset leaves it out; the service refuses it too). No bulk approval: an
attestation nobody read is not credible; asking several learners for more
information at once is allowed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import User
from core.errors import Conflict

from .forms import DecisionForm, ReasonForm
from .models import (
    BAND_LEVELS,
    AttestationRequest,
    Band,
    EligibilityRules,
    Endorsement,
    ObservedTask,
    RequestEvent,
    TaskObservation,
)
from .selectors import attestation_requests_for_reviewer
from .services import REVIEW_PERMISSION, attestation_request_decide


def _staff(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@admin.register(EligibilityRules)
class EligibilityRulesAdmin(admin.ModelAdmin[EligibilityRules]):
    """Saving never edits a version: it adds one, which new submissions use
    (each request keeps the version it was submitted under)."""

    list_display = [
        "__str__",
        "foundation_sessions",
        "intermediate_sessions",
        "advanced_sessions",
        "created_at",
        "created_by",
    ]
    readonly_fields = ["created_at", "created_by"]

    def save_model(
        self, request: HttpRequest, obj: EligibilityRules, form: Any, change: bool
    ) -> None:
        obj.pk = None  # a new version, never an edit of one in use
        obj.created_at = timezone.now()
        obj.created_by = _staff(request)
        obj.save()

    def has_delete_permission(
        self, request: HttpRequest, obj: EligibilityRules | None = None
    ) -> bool:
        return False


@admin.register(ObservedTask)
class ObservedTaskAdmin(admin.ModelAdmin[ObservedTask]):
    list_display = ["skill", "band", "display_title", "is_active"]
    list_filter = ["band", "is_active", "skill"]
    search_fields = ["title", "skill__code"]

    def has_delete_permission(
        self, request: HttpRequest, obj: ObservedTask | None = None
    ) -> bool:
        return False  # retire a task (in use: no), never delete the evidence


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Endorsement)
class EndorsementAdmin(_ReadOnly, admin.ModelAdmin[Endorsement]):
    list_display = ["learner", "mentor", "skill", "level", "hidden_at", "created_at"]
    list_filter = ["level"]
    search_fields = ["learner__full_name", "learner__email", "mentor__full_name"]
    list_select_related = ["learner", "mentor", "skill"]


@admin.register(TaskObservation)
class TaskObservationAdmin(_ReadOnly, admin.ModelAdmin[TaskObservation]):
    list_display = ["learner", "observer", "task", "result", "created_at"]
    list_filter = ["result", "task__band"]
    search_fields = ["learner__full_name", "learner__email"]
    list_select_related = ["learner", "observer", "task__skill"]


class BandFilter(admin.SimpleListFilter):
    title = _("band")
    parameter_name = "band"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(Band.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in BAND_LEVELS:
            low, high = BAND_LEVELS[str(self.value())]
            return queryset.filter(level__gte=low, level__lte=high)
        return queryset


class WaitingFilter(admin.SimpleListFilter):
    """How long a submitted request has waited for a decision."""

    title = _("waiting time")
    parameter_name = "waiting"
    SPANS = {"week": (0, 7), "month": (7, 30), "older": (30, None)}

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("week", _("less than 7 days")),
            ("month", _("7 to 30 days")),
            ("older", _("more than 30 days")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        span = self.SPANS.get(str(self.value()))
        if span is None:
            return queryset
        now = timezone.now()
        low, high = span
        rows = queryset.filter(
            state=AttestationRequest.State.SUBMITTED,
            submitted_at__lte=now - timedelta(days=low),
        )
        if high is not None:
            rows = rows.filter(submitted_at__gt=now - timedelta(days=high))
        return rows


EVENT_FIELDS: tuple[str, ...] = ("created_at", "actor", "action", "level", "reason")
REQUEST_FIELDS: tuple[str, ...] = (
    "learner",
    "skill",
    "level",
    "state",
    "rules",
    "submitted_at",
    "statement",
    "portfolio_link",
    "file_link",
    "evidence_view",
    "approved_level",
    "decision_reason",
    "decided_by",
    "decided_at",
)


class RequestEventInline(admin.TabularInline[RequestEvent, AttestationRequest]):
    """The audit trail: read-only."""

    model = RequestEvent
    extra = 0
    fields = EVENT_FIELDS
    readonly_fields = EVENT_FIELDS
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AttestationRequest)
class AttestationRequestAdmin(admin.ModelAdmin[AttestationRequest]):
    list_display = [
        "pk",
        "learner_name",
        "skill",
        "level",
        "band_name",
        "state",
        "submitted_at",
        "waiting",
    ]
    list_display_links = ["pk", "learner_name"]
    list_filter = [
        "state",
        BandFilter,
        WaitingFilter,
        ("skill", admin.RelatedOnlyFieldListFilter),
        "submitted_at",
    ]
    search_fields = ["learner__full_name", "learner__email"]
    ordering = ["submitted_at"]
    actions = ["ask_for_more_information"]
    inlines = [RequestEventInline]
    change_form_template = "admin/certification/attestationrequest/change_form.html"
    fields = REQUEST_FIELDS
    readonly_fields = REQUEST_FIELDS

    # --- the list ------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[AttestationRequest]:
        return attestation_requests_for_reviewer(reviewer_id=_staff(request).pk)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_review_permission(self, request: HttpRequest) -> bool:
        return _staff(request).has_perm(REVIEW_PERMISSION)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: AttestationRequest | None = None
    ) -> bool:
        return False  # decisions go through the decision form only

    def has_delete_permission(
        self, request: HttpRequest, obj: AttestationRequest | None = None
    ) -> bool:
        return False

    @admin.display(description=_("learner"), ordering="learner__full_name")
    def learner_name(self, obj: AttestationRequest) -> str:
        return obj.learner.full_name or obj.learner.email

    @admin.display(description=_("band"))
    def band_name(self, obj: AttestationRequest) -> str:
        return str(Band(obj.band).label)

    @admin.display(description=_("waiting for"))
    def waiting(self, obj: AttestationRequest) -> str:
        if obj.state != AttestationRequest.State.SUBMITTED or not obj.submitted_at:
            return "—"
        days = (timezone.now() - obj.submitted_at).days
        return gettext("%(days)d d") % {"days": days}

    # --- the evidence, read-only -------------------------------------------

    @admin.display(description=_("link to the work"))
    def portfolio_link(self, obj: AttestationRequest) -> SafeString | str:
        if not obj.portfolio_url:
            return "—"
        return format_html(
            '<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>',
            obj.portfolio_url,
            obj.portfolio_url,
        )

    @admin.display(description=_("file"))
    def file_link(self, obj: AttestationRequest) -> SafeString | str:
        if obj.evidence_deleted_at:
            return gettext("deleted on %(date)s") % {
                "date": obj.evidence_deleted_at.date().isoformat()
            }
        if not obj.evidence_file:
            return "—"
        return format_html(
            '<a href="{}">{} ({})</a>',
            reverse("certification:evidence-file", args=[obj.pk]),
            gettext("Open the file"),
            obj.evidence_content_type,
        )

    @admin.display(description=_("evidence gathered at submission"))
    def evidence_view(self, obj: AttestationRequest) -> SafeString | str:
        evidence = obj.evidence or {}
        if not evidence:
            return "—"
        parts = [
            format_html("<h3>{}</h3>", gettext("Confirmed sessions")),
            _table(
                [gettext("date"), gettext("mentor"), gettext("minutes")],
                [
                    (s["date"][:16].replace("T", " "), s["mentor"], s["minutes"])
                    for s in evidence.get("sessions", [])
                ],
            ),
            format_html("<h3>{}</h3>", gettext("Hours per mentor")),
            _table(
                [gettext("mentor"), gettext("hours")],
                [
                    (m["mentor"], f"{m['minutes'] / 60:.1f}")
                    for m in evidence.get("minutes_by_mentor", [])
                ],
            ),
            format_html("<h3>{}</h3>", gettext("Endorsements")),
            _table(
                [
                    gettext("mentor"),
                    gettext("level"),
                    gettext("counts"),
                    gettext("comment"),
                ],
                [
                    (
                        e["mentor"],
                        e["level"],
                        gettext("yes") if e["counts"] else gettext("no (reciprocal)"),
                        e["comment"],
                    )
                    for e in evidence.get("endorsements", [])
                ],
            ),
            format_html("<h3>{}</h3>", gettext("Observed tasks")),
            _table(
                [
                    gettext("task"),
                    gettext("result"),
                    gettext("observer (level)"),
                    gettext("note"),
                ],
                [
                    (
                        gettext(o["task"]),
                        TaskObservation.Result(o["result"]).label,
                        f"{o['observer']} ({o['observer_level']})",
                        o["note"],
                    )
                    for o in evidence.get("observations", [])
                ],
            ),
            format_html("<h3>{}</h3>", gettext("Session notes")),
            _table(
                [
                    gettext("date"),
                    gettext("worked on"),
                    gettext("managed alone"),
                    gettext("next step"),
                ],
                [
                    (n["date"], n["worked"], n["achieved"], n["next_step"])
                    for n in evidence.get("notes", [])
                ],
            ),
        ]
        return format_html_join("", "{}", ((part,) for part in parts))

    # --- the decision ------------------------------------------------------

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = dict(extra_context or {})
        row = self.get_queryset(request).filter(pk=object_id).first()
        if (
            row is not None
            and row.state == AttestationRequest.State.SUBMITTED
            and self.has_review_permission(request)
        ):
            context.setdefault(
                "decision_form", DecisionForm(initial={"level": row.level})
            )
            context["decide_url"] = reverse(
                "admin:certification_attestationrequest_decide", args=[row.pk]
            )
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:object_id>/decide/",
                self.admin_site.admin_view(require_POST(self.decide_view)),
                name="certification_attestationrequest_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Approve (possibly lower), reject, or ask; the service checks the
        conflict of interest and that nobody decided first."""
        if not self.has_review_permission(request):
            raise PermissionDenied
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                done = attestation_request_decide(
                    reviewer=_staff(request),
                    request_id=object_id,
                    decision=form.cleaned_data["decision"],
                    level=form.cleaned_data["level"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except Conflict as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return HttpResponseRedirect(
                    reverse("admin:certification_attestationrequest_changelist")
                )
            else:
                self.message_user(
                    request,
                    gettext(
                        "Decision recorded: %(state)s. The learner is told by e-mail."
                    )
                    % {"state": done.get_state_display()},
                )
                return HttpResponseRedirect(
                    reverse("admin:certification_attestationrequest_changelist")
                )
        # Shown again with the errors, on the read-only page.
        request.method = "GET"
        return self.change_view(
            request, str(object_id), extra_context={"decision_form": form}
        )

    @admin.action(
        description=_("Ask for more information (selected requests)"),
        permissions=["review"],
    )
    def ask_for_more_information(
        self, request: HttpRequest, queryset: QuerySet[AttestationRequest]
    ) -> HttpResponse | None:
        form = ReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for row in queryset:
                try:
                    attestation_request_decide(
                        reviewer=_staff(request),
                        request_id=row.pk,
                        decision="more_info",
                        reason=form.cleaned_data["reason"],
                    )
                    done += 1
                except (Conflict, ValidationError) as exc:
                    message = (
                        exc.message if isinstance(exc, Conflict) else exc.messages[0]
                    )
                    self.message_user(
                        request, f"#{row.pk}: {message}", messages.WARNING
                    )
            if done:
                self.message_user(
                    request,
                    gettext("%(n)d learner(s) asked for more information.")
                    % {"n": done},
                )
            return None
        return TemplateResponse(
            request,
            "admin/certification/attestationrequest/ask_more.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Ask for more information"),
                "form": form,
                "rows": queryset,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


def _table(headers: list[str], rows: list[tuple[Any, ...]]) -> SafeString | str:
    if not rows:
        return gettext("none")
    head = format_html_join("", "<th scope='col'>{}</th>", ((h,) for h in headers))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),)
            for row in rows
        ),
    )
    return format_html(
        "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body
    )


# Issue 19: the attestations (read-only, revoke).
from . import admin_attestations  # noqa: E402, F401
