from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import OutboxMessage
from .outbox import outbox_requeue


class OutboxStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(
        self, request: HttpRequest, model_admin: object
    ) -> list[tuple[str, str]]:
        return [
            ("stuck", str(_("stuck (given up or late)"))),
            ("pending", str(_("pending"))),
            ("failed", str(_("given up"))),
            ("done", str(_("done"))),
        ]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[OutboxMessage]
    ) -> QuerySet[OutboxMessage]:
        match self.value():
            case "stuck":
                return queryset.stuck()  # type: ignore[attr-defined]
            case "pending":
                return queryset.pending()  # type: ignore[attr-defined]
            case "failed":
                return queryset.filter(failed_at__isnull=False)
            case "done":
                return queryset.filter(done_at__isnull=False)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    """Read-only: rows are written by services. Stuck rows can be retried."""

    list_display = [
        "id",
        "task_name",
        "state",
        "available_at",
        "attempts",
        "claimed_until",
        "short_error",
        "created_at",
    ]
    list_filter = [OutboxStateFilter, "task_name"]
    search_fields = ["task_name", "dedupe_key", "last_error"]
    ordering = ["-id"]
    actions = ["retry"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    show_full_result_count = False

    @admin.display(description=_("state"))
    def state(self, obj: OutboxMessage) -> str:
        return obj.state

    @admin.display(description=_("last error"))
    def short_error(self, obj: OutboxMessage) -> str:
        return obj.last_error[:120]

    @admin.action(description=_("Retry the selected rows now"))
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = outbox_requeue(message_ids=list(queryset.values_list("id", flat=True)))
        self.message_user(
            request,
            ngettext("%d row will be retried.", "%d rows will be retried.", count)
            % count,
            messages.SUCCESS,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: OutboxMessage | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: OutboxMessage | None = None
    ) -> bool:
        return False
