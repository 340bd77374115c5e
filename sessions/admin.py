"""Staff pages of the scheduling app: the partner venues staff keep, and a
read-only look at mentors' availability and slots (changes go through the
mentor's own pages, which lay the slots out again and keep busy times)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .attendance import attendance_decide
from .models import (
    Attendance,
    Availability,
    Booking,
    DateException,
    RescheduleRequest,
    SessionRating,
    Slot,
    Venue,
    WeeklyRule,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    # Links are https (Django 6 makes it the default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin[Venue]):
    list_display = ["name", "city", "postcode", "region", "is_active", "slot_count"]
    list_filter = ["is_active", "region"]
    search_fields = ["name", "city", "postcode", "address"]
    ordering = ["city", "name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Venue]:
        return super().get_queryset(request).annotate(slot_total=Count("slots"))

    @admin.display(description=_("slots planned there"), ordering="slot_total")
    def slot_count(self, venue: Venue) -> int:
        return int(getattr(venue, "slot_total", 0))


class WeeklyRuleInline(admin.TabularInline[WeeklyRule, Availability]):
    model = WeeklyRule
    extra = 0
    can_delete = False
    readonly_fields = ["weekday", "start", "end"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DateExceptionInline(admin.TabularInline[DateException, Availability]):
    model = DateException
    extra = 0
    can_delete = False
    readonly_fields = ["date", "kind", "start", "end"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Availability)
class AvailabilityAdmin(ReadOnlyAdmin):
    list_display = [
        "mentor_profile",
        "time_zone",
        "session_minutes",
        "max_per_week",
        "commitment_hours",
        "commitment_period",
        "venue",
    ]
    list_filter = ["session_minutes", "commitment_period", "time_zone"]
    list_select_related = ["mentor_profile__user", "venue"]
    search_fields = ["mentor_profile__user__email", "mentor_profile__user__full_name"]
    inlines = [WeeklyRuleInline, DateExceptionInline]


@admin.register(Slot)
class SlotAdmin(ReadOnlyAdmin):
    list_display = ["start", "end", "mentor", "status", "source", "capacity", "title"]
    list_filter = ["status", "source", "venue"]
    list_select_related = ["mentor", "venue"]
    search_fields = ["mentor__email", "mentor__full_name", "title"]
    date_hierarchy = "start"
    show_full_result_count = False


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    """Bookings and how they ended. Whether a cancellation came late is for
    staff only: mentors never see a learner's, and it never stops anyone
    booking (a mentor's own count is on their profile)."""

    list_display = [
        "start",
        "kind",
        "learner",
        "mentor",
        "status",
        "cancelled_by",
        "cancel_reason",
        "cancelled_late",
    ]
    list_filter = ["status", "cancelled_late", "cancel_reason", "kind"]
    list_select_related = ["learner", "mentor", "cancelled_by"]
    search_fields = ["learner__email", "learner__full_name", "mentor__full_name"]
    exclude = ["skills"]
    date_hierarchy = "start"
    show_full_result_count = False


@admin.register(RescheduleRequest)
class RescheduleRequestAdmin(ReadOnlyAdmin):
    list_display = ["booking", "start", "status", "created_at", "answered_at"]
    list_filter = ["status"]
    list_select_related = ["booking"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin[Attendance]):
    """The staff queue of attendance: filter on "The two answers differ",
    then decide with an action (logged in each row's history)."""

    list_display = [
        "booking",
        "booking__learner",
        "booking__mentor",
        "mentor_answer",
        "learner_answer",
        "status",
        "decided_by",
    ]
    list_filter = ["status"]
    list_select_related = ["booking__learner", "booking__mentor", "decided_by"]
    search_fields = ["booking__learner__email", "booking__mentor__email"]
    actions = ["decide_attended", "decide_learner_absent", "decide_mentor_absent"]
    readonly_fields = [
        "booking",
        "mentor_answer",
        "mentor_answered_at",
        "learner_answer",
        "learner_answered_at",
        "status",
        "settled_at",
        "asked_at",
        "reminded_at",
        "decided_by",
        "decided_at",
        "decision_note",
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[Attendance], status: str
    ) -> None:
        for booking_id in queryset.values_list("booking_id", flat=True):
            attendance_decide(
                staff=request.user,
                booking_id=booking_id,
                status=status,
                note="staff queue",
            )
        self.message_user(request, _("Decision recorded."))

    @admin.action(
        description=_("Decide: the session took place"), permissions=["change"]
    )
    def decide_attended(
        self, request: HttpRequest, queryset: QuerySet[Attendance]
    ) -> None:
        self._decide(request, queryset, Attendance.Status.ATTENDED)

    @admin.action(
        description=_("Decide: the learner did not come"), permissions=["change"]
    )
    def decide_learner_absent(
        self, request: HttpRequest, queryset: QuerySet[Attendance]
    ) -> None:
        self._decide(request, queryset, Attendance.Status.LEARNER_ABSENT)

    @admin.action(
        description=_("Decide: the mentor did not come"), permissions=["change"]
    )
    def decide_mentor_absent(
        self, request: HttpRequest, queryset: QuerySet[Attendance]
    ) -> None:
        self._decide(request, queryset, Attendance.Status.MENTOR_ABSENT)


@admin.register(SessionRating)
class SessionRatingAdmin(ReadOnlyAdmin):
    """Learners' ratings of their sessions, for quality follow-up: staff only
    (read-only), never public, never shown to the mentor. A low rating is a
    reason to talk with the mentor, not a score shown anywhere."""

    list_display = ["created_at", "stars", "mentor", "learner", "session_start"]
    list_filter = ["stars"]
    list_select_related = ["booking__mentor", "booking__learner"]
    search_fields = ["booking__mentor__full_name", "booking__mentor__email"]
    fields = ["booking", "stars", "comment", "created_at"]
    readonly_fields = ["booking", "stars", "comment", "created_at"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description=_("mentor"), ordering="booking__mentor__full_name")
    def mentor(self, rating: SessionRating) -> str:
        return str(rating.booking.mentor or rating.booking.mentor_name)

    @admin.display(description=_("learner"))
    def learner(self, rating: SessionRating) -> str:
        return str(rating.booking.learner or rating.booking.learner_name)

    @admin.display(description=_("session"), ordering="booking__start")
    def session_start(self, rating: SessionRating) -> Any:
        return rating.booking.start
