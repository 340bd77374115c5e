"""REST API of availability and coaching slots (mounted by compagnonnage/api.py).

Times of day in rules and exceptions are wall times ("HH:MM") in the
availability's own zone; instants are ISO 8601 with an offset, answered in UTC.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.api import NulFreeJSONParser
from mentors.choices import Mode
from mentors.models import MentorProfile

from .attendance import answer_from, attendance_answer
from .display import place_label
from .feed import feed_token_of, feed_url, webcal_url
from .meeting import Where, mentor_links, where_to_meet
from .models import (
    CANCEL_NOTE_MAX,
    MANUAL_LENGTHS,
    NOTE_FIELD_MAX,
    PERSON_REASONS,
    RATING_COMMENT_MAX,
    SESSION_LENGTHS,
    Availability,
    Booking,
    CalendarFeed,
    DateException,
    Period,
    RescheduleRequest,
    WaitlistEntry,
    validate_meeting_link,
)
from .notes import note_of, rating_of, session_note_save, session_rating_give
from .selectors import (
    availability_get,
    booking_list_for,
    calendar_feed_get,
    reschedule_requests_for,
    slot_list_free_for_viewer,
    venue_list,
)
from .services import (
    SETTINGS_FIELDS,
    KeyReused,
    availability_get_or_create,
    availability_update,
    booking_cancel,
    booking_create,
    booking_create_once,
    booking_reschedule,
    calendar_feed_create,
    calendar_feed_delete,
    reschedule_request_accept,
    reschedule_request_decline,
    slot_create,
    slot_delete,
)
from .waitlist import waitlist_join, waitlist_list_for, waitlist_withdraw

# How far a list of slots may reach, and how far from today any time asked
# for or offered may be: bounds on the work one request makes.
MAX_RANGE = timedelta(weeks=8)
DEFAULT_RANGE = timedelta(weeks=4)
HORIZON = timedelta(days=366)


def _me(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


def _mentor_profile(request: Request) -> MentorProfile:
    profile = MentorProfile.objects.filter(user=_me(request)).first()
    if profile is None:
        raise NotFound(_("You have no mentor profile yet."))
    return profile


class InstantField(serializers.DateTimeField):
    """An ISO 8601 instant with its offset (``Z`` or ``+01:00``), answered in
    UTC; a time without an offset is refused rather than guessed."""

    default_error_messages = {
        "naive": _("Give the time with its offset, e.g. 2027-03-02T09:00:00Z."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=UTC, **kwargs)

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


def _near(value: datetime, now: datetime, field: str) -> datetime:
    if abs(value - now) > HORIZON:
        raise serializers.ValidationError(
            {field: _("Give a time within a year of today.")}
        )
    return value


class WallTimeField(serializers.TimeField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


# --- availability ------------------------------------------------------------


class WeeklyRuleSerializer(serializers.Serializer[Any]):
    weekday = serializers.IntegerField(
        min_value=0, max_value=6, help_text="0 = Monday … 6 = Sunday."
    )
    start = WallTimeField(help_text="Local time in the availability's zone, HH:MM.")
    end = WallTimeField(help_text="Local time in the availability's zone, HH:MM.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError(
                {"end": _("An end must come after its start.")}
            )
        return attrs


class DateExceptionSerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    kind = serializers.ChoiceField(
        choices=DateException.Kind.choices,
        help_text="off: no slot that local day; extra: hours added that day.",
    )
    start = WallTimeField(required=False, allow_null=True, default=None)
    end = WallTimeField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start"), attrs.get("end")
        if attrs["kind"] == DateException.Kind.OFF:
            if start is not None or end is not None:
                raise serializers.ValidationError(
                    {"start": _("A day off has no hours.")}
                )
        elif start is None or end is None:
            raise serializers.ValidationError(
                {
                    name: _("Extra hours need a start and a later end.")
                    for name, value in (("start", start), ("end", end))
                    if value is None
                }
            )
        elif end <= start:
            raise serializers.ValidationError(
                {"end": _("An end must come after its start.")}
            )
        return attrs


class AvailabilitySerializer(serializers.Serializer[Any]):
    """Settings, weekly rules and exceptions: what GET answers and PUT replaces."""

    time_zone = serializers.CharField(
        max_length=64, help_text="IANA zone of the rules, e.g. Europe/Paris."
    )
    session_minutes = serializers.ChoiceField(choices=SESSION_LENGTHS)
    buffer_minutes = serializers.IntegerField(min_value=0, max_value=120)
    min_notice_hours = serializers.IntegerField(min_value=0, max_value=336)
    window_weeks = serializers.IntegerField(min_value=1, max_value=26)
    max_per_day = serializers.IntegerField(min_value=1, max_value=12)
    max_per_week = serializers.IntegerField(min_value=1, max_value=60)
    modes = serializers.ListField(
        child=serializers.ChoiceField(choices=Mode.choices), max_length=3
    )
    venue = serializers.IntegerField(
        source="venue_id",
        min_value=1,
        max_value=2**31 - 1,
        allow_null=True,
        required=False,
        default=None,
        help_text="In person: id of a partner venue (GET /api/v1/venues/).",
    )
    place = serializers.CharField(
        max_length=200,
        allow_blank=True,
        required=False,
        default="",
        help_text="In person, instead of a venue: a public place written out "
        "(name and address; never a home).",
    )
    commitment_hours = serializers.IntegerField(
        min_value=1,
        max_value=40,
        allow_null=True,
        required=False,
        default=None,
        help_text="The time the mentor commits to, with commitment_period.",
    )
    commitment_period = serializers.ChoiceField(
        choices=[("", ""), *Period.choices], required=False, default=""
    )
    meeting_link = serializers.URLField(
        max_length=300,
        allow_blank=True,
        required=False,
        default="",
        validators=[validate_meeting_link],
        help_text="The mentor's own video room (https://), given to people "
        "who book a video session.",
    )
    discovery_enabled = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Someone not yet mentored may book one discovery session "
        "(30 minutes at most), once.",
    )
    rules = WeeklyRuleSerializer(many=True, max_length=70)  # type: ignore[call-arg]
    exceptions = DateExceptionSerializer(many=True, max_length=200)  # type: ignore[call-arg]


def _availability_output(availability: Availability) -> dict[str, Any]:
    saved = availability.pk is not None
    return {
        **{name: getattr(availability, name) for name in SETTINGS_FIELDS},
        "rules": list(availability.rules.all()) if saved else [],
        "exceptions": list(availability.exceptions.all()) if saved else [],
    }


class AvailabilityMeView(APIView):
    """The caller's availability as a mentor (404 without a mentor profile).

    GET answers the saved one, or the defaults before the first save. PUT
    replaces the settings, the weekly rules and the exceptions in one go and
    lays the free slots out again; booked slots and slots added by hand stay.
    """

    parser_classes = [NulFreeJSONParser]

    @extend_schema(responses=AvailabilitySerializer)
    def get(self, request: Request) -> Response:
        availability = availability_get(mentor_profile=_mentor_profile(request))
        return Response(AvailabilitySerializer(_availability_output(availability)).data)

    @extend_schema(request=AvailabilitySerializer, responses=AvailabilitySerializer)
    def put(self, request: Request) -> Response:
        profile = _mentor_profile(request)
        if not isinstance(request.data, dict):
            raise ValidationError({"detail": [_("Send a JSON object.")]})
        data = AvailabilitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        availability_update(
            mentor_profile=profile,
            settings={name: values[name] for name in SETTINGS_FIELDS},
            rules=[(r["weekday"], r["start"], r["end"]) for r in values["rules"]],
            exceptions=[
                (e["date"], e["kind"], e["start"], e["end"])
                for e in values["exceptions"]
            ],
        )
        availability = availability_get(mentor_profile=profile)
        return Response(AvailabilitySerializer(_availability_output(availability)).data)


# --- slots ---------------------------------------------------------------------


class VenueSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    postcode = serializers.CharField()
    city = serializers.CharField()
    region = serializers.CharField()
    access_notes = serializers.CharField()


class SlotSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    start = InstantField()
    end = InstantField()
    capacity = serializers.IntegerField(help_text="1, or more for an open workshop.")
    title = serializers.CharField(help_text="A workshop's topic; may be empty.")
    modes = serializers.ListField(child=serializers.ChoiceField(choices=Mode.choices))
    venue = VenueSerializer(allow_null=True, help_text="In person at this venue.")
    place = serializers.CharField(
        help_text="In person at this public place (when no venue)."
    )
    status = serializers.ChoiceField(choices=["free", "booked", "cancelled"])

    def to_representation(self, instance: Any) -> dict[str, Any]:
        """The declared fields, read straight from the slot: on a list of free
        times the generic path, field by field, cost more than the queries."""
        instant = self.fields["start"]
        venue = instance.venue
        return {
            "id": instance.pk,
            "start": instant.to_representation(instance.start),
            "end": instant.to_representation(instance.end),
            "capacity": instance.capacity,
            "title": instance.title,
            "modes": list(instance.modes),
            "venue": None
            if venue is None
            else {
                name: getattr(venue, name)
                for name in (
                    "id",
                    "name",
                    "address",
                    "postcode",
                    "city",
                    "region",
                    "access_notes",
                )
            },
            "place": instance.place,
            "status": instance.status,
        }


class SlotListParams(serializers.Serializer[Any]):
    """``mentor`` (a public profile's id); ``from`` (default now) and ``to``
    (default four weeks later), at most eight weeks apart."""

    mentor = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="Id of the mentor's profile."
    )

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # "from" is a Python keyword: it cannot be a class attribute.
        fields = super().get_fields()
        fields["from"] = InstantField(required=False)
        fields["to"] = InstantField(required=False)
        return fields

    def to_internal_value(self, data: Any) -> Any:
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise ValidationError({name: [_("Unknown parameter.")] for name in unknown})
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        now = timezone.now()
        start = _near(attrs.get("from", now), now, "from")
        end = attrs.get("to", start + DEFAULT_RANGE)
        if end <= start:
            raise serializers.ValidationError({"to": _("Give a later end.")})
        if end - start > MAX_RANGE:
            raise serializers.ValidationError({"to": _("Ask for eight weeks at most.")})
        return {**attrs, "from": start, "to": end}


class SlotViewSet(viewsets.ViewSet):
    """Free slots of a public mentor, signed in. A mentor one cannot see (not
    public, or a block between the two) answers 404."""

    @extend_schema(parameters=[SlotListParams], responses=SlotSerializer(many=True))
    def list(self, request: Request) -> Response:
        params = SlotListParams(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        values = params.validated_data
        slots = slot_list_free_for_viewer(
            viewer_id=_me(request).pk,
            mentor_profile_id=values["mentor"],
            start=values["from"],
            end=values["to"],
        )
        return Response(SlotSerializer(slots, many=True).data)


class SlotInput(serializers.Serializer[Any]):
    start = InstantField(help_text="When it starts.")
    minutes = serializers.ChoiceField(
        choices=MANUAL_LENGTHS,
        required=False,
        help_text="How long it lasts (default: the availability's session length).",
    )
    capacity = serializers.IntegerField(
        min_value=1,
        max_value=30,
        default=1,
        help_text="1, or more for an open workshop (which needs a title).",
    )
    title = serializers.CharField(
        max_length=120, allow_blank=True, required=False, default=""
    )
    modes = serializers.ListField(
        child=serializers.ChoiceField(choices=Mode.choices),
        max_length=3,
        required=False,
        help_text="Default: what the weekly slots offer.",
    )
    venue = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, allow_null=True, required=False, default=None
    )
    place = serializers.CharField(
        max_length=200, allow_blank=True, required=False, default=""
    )

    def validate_start(self, value: datetime) -> datetime:
        return _near(value, timezone.now(), "start")


class MySlotViewSet(viewsets.ViewSet):
    """The caller's slots as a mentor: add a one-off slot or a workshop; take a
    free one back (a booked one answers 409, another person's 404)."""

    lookup_value_regex = r"\d+"

    @extend_schema(request=SlotInput, responses={201: SlotSerializer})
    def create(self, request: Request) -> Response:
        profile = _mentor_profile(request)
        data = SlotInput(data=request.data)
        data.is_valid(raise_exception=True)
        availability_get_or_create(mentor_profile=profile)
        values = data.validated_data
        slot = slot_create(
            mentor_profile_id=profile.pk,
            start=values["start"],
            minutes=values.get("minutes"),
            capacity=values["capacity"],
            title=values["title"],
            modes=values.get("modes"),
            venue_id=values["venue"],
            place=values["place"],
        )
        return Response(SlotSerializer(slot).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={204: None},
    )
    def destroy(self, request: Request, pk: str) -> Response:
        slot_delete(mentor=_me(request), slot_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class VenueViewSet(viewsets.ViewSet):
    """The partner venues staff keep, where mentors can meet people in person
    (signed in). ``city`` narrows the list (start of the name, any case)."""

    @extend_schema(
        parameters=[OpenApiParameter("city", str, required=False)],
        responses=VenueSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        city = request.query_params.get("city", "").replace("\x00", "")[:100]
        return Response(VenueSerializer(venue_list(city=city), many=True).data)


# --- bookings ------------------------------------------------------------------


class BookingInput(serializers.Serializer[Any]):
    slot = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    mode = serializers.ChoiceField(choices=Mode.choices)
    skills = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        max_length=3,
        required=False,
        default=list,
        help_text="Ids of the mentorship's skills worked on (three at most).",
    )
    agenda = serializers.CharField(
        max_length=2000, allow_blank=True, required=False, default=""
    )
    phone = serializers.CharField(
        max_length=30,
        allow_blank=True,
        required=False,
        default="",
        help_text="For a session by phone (required then): the number the mentor "
        "calls. Ignored for the other ways to meet.",
    )


class SessionNoteSerializer(serializers.Serializer[Any]):
    worked = serializers.CharField(
        max_length=NOTE_FIELD_MAX,
        allow_blank=True,
        required=False,
        default="",
        help_text="What was worked on.",
    )
    achieved = serializers.CharField(
        max_length=NOTE_FIELD_MAX,
        allow_blank=True,
        required=False,
        default="",
        help_text="What the learner managed alone.",
    )
    next_step = serializers.CharField(
        max_length=NOTE_FIELD_MAX,
        allow_blank=True,
        required=False,
        default="",
        help_text="The next step.",
    )
    written_at = InstantField(read_only=True)
    updated_at = InstantField(read_only=True)


class SessionRatingSerializer(serializers.Serializer[Any]):
    stars = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(
        max_length=RATING_COMMENT_MAX,
        allow_blank=True,
        required=False,
        default="",
        help_text="For staff only; never shown to the mentor.",
    )
    created_at = InstantField(read_only=True)


class BookingPersonSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(allow_null=True)
    full_name = serializers.CharField()


class BookingSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    slot = serializers.IntegerField(source="slot_id")
    kind = serializers.ChoiceField(choices=Booking.Kind.choices)
    status = serializers.ChoiceField(choices=Booking.Status.choices)
    start = InstantField()
    end = InstantField()
    mode = serializers.ChoiceField(choices=Mode.choices)
    agenda = serializers.CharField()
    skills = serializers.SerializerMethodField()
    learner = serializers.SerializerMethodField()
    mentor = serializers.SerializerMethodField()
    sequence = serializers.IntegerField(help_text="The calendar invitation's SEQUENCE.")
    meeting_url = serializers.SerializerMethodField()
    phone = serializers.CharField(
        help_text="A session by phone: the learner's number, which the mentor calls."
    )
    place = serializers.SerializerMethodField()
    where = serializers.SerializerMethodField()
    created_at = InstantField()
    cancelled_at = InstantField(allow_null=True)
    cancel_reason = serializers.CharField(
        help_text="Why it was cancelled (empty while confirmed): a person's reason "
        "(health, job_interview, childcare, transport, other) or a change "
        "between the two (mentorship_ended, account_closed, …)."
    )
    cancelled_by = serializers.SerializerMethodField()
    cancel_note = serializers.CharField(
        help_text="The word the person who cancelled wrote for the other."
    )
    note = serializers.SerializerMethodField()
    my_rating = serializers.SerializerMethodField()

    @extend_schema_field(SessionNoteSerializer(allow_null=True))
    def get_note(self, booking: Booking) -> dict[str, Any] | None:
        """The mentor's note after the session, for both."""
        note = note_of(booking)
        return None if note is None else SessionNoteSerializer(note).data

    @extend_schema_field(
        SessionRatingSerializer(
            allow_null=True,
            help_text="The learner's own rating, shown to them only: always "
            "null for the mentor.",
        )
    )
    def get_my_rating(self, booking: Booking) -> dict[str, Any] | None:
        if booking.learner_id != self.context["viewer_id"]:
            return None
        rating = rating_of(booking)
        return None if rating is None else SessionRatingSerializer(rating).data

    @extend_schema_field(
        serializers.ChoiceField(
            choices=["learner", "mentor", ""],
            help_text="Who cancelled: the learner, the mentor, or empty (nobody: "
            "still confirmed, or cancelled by a change between the two).",
        )
    )
    def get_cancelled_by(self, booking: Booking) -> str:
        if booking.cancelled_by_id is None:
            return ""
        if booking.cancelled_by_id == booking.learner_id:
            return "learner"
        return "mentor" if booking.cancelled_by_id == booking.mentor_id else ""

    @extend_schema_field(
        serializers.CharField(
            help_text="A video session's link; empty until there is one."
        )
    )
    def get_meeting_url(self, booking: Booking) -> str:
        return self._where(booking).url

    @extend_schema_field(
        serializers.CharField(
            help_text="In person: the public place (name and address)."
        )
    )
    def get_place(self, booking: Booking) -> str:
        if booking.mode != Mode.IN_PERSON or booking.slot is None:
            return ""
        return place_label(booking.slot)

    @extend_schema_field(
        serializers.CharField(
            help_text="Where to meet, in plain words for the caller (their language)."
        )
    )
    def get_where(self, booking: Booking) -> str:
        return str(self._where(booking))

    def _where(self, booking: Booking) -> Where:
        links = self.context.get("mentor_links", {})
        return where_to_meet(
            booking,
            viewer_id=self.context["viewer_id"],
            mentor_link=links.get(booking.mentor_id or 0, ""),
        )

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_skills(self, booking: Booking) -> list[str]:
        return [s.skill.code for s in booking.skills.all()]

    @extend_schema_field(BookingPersonSerializer)
    def get_learner(self, booking: Booking) -> dict[str, Any]:
        return _person(booking.learner, booking.learner_name)

    @extend_schema_field(BookingPersonSerializer)
    def get_mentor(self, booking: Booking) -> dict[str, Any]:
        return _person(booking.mentor, booking.mentor_name)


def _person(user: User | None, kept_name: str) -> dict[str, Any]:
    if user is None:
        return {"id": None, "full_name": kept_name}
    return {"id": user.pk, "full_name": user.full_name}


def _booking_context(request: Request, bookings: list[Booking]) -> dict[str, Any]:
    """Where to meet is written for the caller, one of the booking's two."""
    return {"viewer_id": _me(request).pk, "mentor_links": mentor_links(bookings)}


class BookingListParams(serializers.Serializer[Any]):
    role = serializers.ChoiceField(
        choices=["learner", "mentor"],
        required=False,
        help_text="Only the bookings where the caller holds this role.",
    )


# --- cancelled or moved by a person ---------------------------------------------


class BookingCancelInput(serializers.Serializer[Any]):
    reason = serializers.ChoiceField(
        choices=[(r.value, r.label) for r in PERSON_REASONS],
        help_text="Shown to the other person with the note.",
    )
    note = serializers.CharField(
        max_length=CANCEL_NOTE_MAX,
        allow_blank=True,
        required=False,
        default="",
        help_text="A short word for the other person.",
    )


class BookingRescheduleInput(serializers.Serializer[Any]):
    slot = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="A free one-person time of the same mentor offering the way "
        "the two meet.",
    )


class RescheduleRequestSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    booking = serializers.IntegerField(source="booking_id")
    start = InstantField(help_text="The time asked for.")
    session_start = InstantField(
        source="booking.start", help_text="When the session is now."
    )
    status = serializers.ChoiceField(choices=RescheduleRequest.Status.choices)
    created_at = InstantField()
    answered_at = InstantField(allow_null=True)


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Send the same key again (within 24 h) to get the same booking "
    "instead of a second one; another body with the same key answers 422.",
)


class AttendanceInput(serializers.Serializer[Any]):
    happened = serializers.BooleanField()
    absent = serializers.ChoiceField(
        choices=["learner", "mentor"], allow_null=True, required=False, default=None
    )


class AttendanceSerializer(serializers.Serializer[Any]):
    booking = serializers.IntegerField(source="booking_id")
    status = serializers.CharField()
    mentor_answer = serializers.CharField()
    learner_answer = serializers.CharField()
    settled_at = serializers.DateTimeField(allow_null=True)


class BookingViewSet(viewsets.ViewSet):
    """The caller's bookings, in either role; another person's is a 404.

    POST books a free slot: a session of an active mentorship, a seat in an
    open workshop, or a discovery session. A slot just taken, or a time the
    caller is busy, answers 409.
    """

    lookup_value_regex = r"\d+"

    def _mine(self, request: Request) -> Any:
        return booking_list_for(user_id=_me(request).pk)

    @extend_schema(
        parameters=[BookingListParams], responses=BookingSerializer(many=True)
    )
    def list(self, request: Request) -> Response:
        params = BookingListParams(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        bookings = list(
            booking_list_for(
                user_id=_me(request).pk, role=params.validated_data.get("role")
            )
        )
        return Response(
            BookingSerializer(
                bookings, many=True, context=_booking_context(request, bookings)
            ).data
        )

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses=BookingSerializer,
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        booking = self._mine(request).filter(pk=int(pk)).first()
        if booking is None:
            raise NotFound()
        return Response(
            BookingSerializer(
                booking, context=_booking_context(request, [booking])
            ).data
        )

    @extend_schema(
        request=BookingInput,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: BookingSerializer},
    )
    def create(self, request: Request) -> Response:
        data = BookingInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        asked = {
            "slot_id": values["slot"],
            "mode": values["mode"],
            "skill_ids": values["skills"],
            "agenda": values["agenda"],
            "phone": values["phone"],
        }
        key = request.headers.get("Idempotency-Key")
        if key is None:
            booking = booking_create(learner=_me(request), **asked)
        else:
            if not 1 <= len(key) <= 255 or not key.isprintable() or not key.isascii():
                raise ValidationError(
                    {"Idempotency-Key": [_("Send 1 to 255 visible characters.")]}
                )
            try:
                booking, _made = booking_create_once(
                    learner=_me(request),
                    key=key,
                    # What was asked, not its bytes: the same booking asked in
                    # JSON or as a form, keys in any order, is the same request.
                    body_sha256=hashlib.sha256(
                        json.dumps(asked, sort_keys=True).encode()
                    ).hexdigest(),
                    **asked,
                )
            except KeyReused:
                return Response(
                    {
                        "detail": _(
                            "This Idempotency-Key was sent with another request."
                        )
                    },
                    status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
        shown = booking_list_for(user_id=_me(request).pk).get(pk=booking.pk)
        return Response(
            BookingSerializer(shown, context=_booking_context(request, [shown])).data,
            status=status.HTTP_201_CREATED,
        )

    def _shown(self, request: Request, booking_id: int) -> Response:
        shown = booking_list_for(user_id=_me(request).pk).get(pk=booking_id)
        return Response(
            BookingSerializer(shown, context=_booking_context(request, [shown])).data
        )

    @extend_schema(
        request=BookingCancelInput,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses=BookingSerializer,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """The learner or the mentor cancels, any time before it starts, with a
        reason; inside the cut-off it is recorded as late (seen by staff)."""
        data = BookingCancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        booking = booking_cancel(
            person=_me(request),
            booking_id=int(pk),
            reason=data.validated_data["reason"],
            note=data.validated_data["note"],
        )
        return self._shown(request, booking.pk)

    @extend_schema(
        request=BookingRescheduleInput,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={
            200: BookingSerializer,
            202: OpenApiResponse(
                RescheduleRequestSerializer,
                description="Inside the cut-off, the learner's request to the "
                "mentor; the booking stays until they answer.",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str) -> Response:
        """Move to another free time of the same mentor (``slot``): at once
        outside the cut-off (200, the booking); inside it, the learner's
        request to the mentor (202); the mentor may then only cancel (409)."""
        data = BookingRescheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = booking_reschedule(
            person=_me(request), booking_id=int(pk), slot_id=data.validated_data["slot"]
        )
        if isinstance(done, RescheduleRequest):
            return Response(
                RescheduleRequestSerializer(done).data, status=status.HTTP_202_ACCEPTED
            )
        return self._shown(request, done.pk)

    @extend_schema(
        request=AttendanceInput,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses=AttendanceSerializer,
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str) -> Response:
        """After the session, the learner or the mentor says whether it took
        place (``absent``: who did not come, when it did not); 409 once
        settled or disputed, or before the session ends."""
        data = AttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        answer = answer_from(
            happened=data.validated_data["happened"],
            absent=data.validated_data["absent"],
        )
        done = attendance_answer(person=_me(request), booking_id=int(pk), answer=answer)
        return Response(AttendanceSerializer(done).data)

    @extend_schema(
        request=SessionNoteSerializer,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses=BookingSerializer,
    )
    @action(detail=True, methods=["post"])
    def note(self, request: Request, pk: str) -> Response:
        """The mentor writes or rewrites the note of an attended session (at
        least one of the three lines); both people read it. Another person's
        booking, or the learner's: 404; not attended yet: 409."""
        data = SessionNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        session_note_save(
            mentor=_me(request),
            booking_id=int(pk),
            worked=values["worked"],
            achieved=values["achieved"],
            next_step=values["next_step"],
        )
        return self._shown(request, int(pk))

    @extend_schema(
        request=SessionRatingSerializer,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={201: BookingSerializer},
    )
    @action(detail=True, methods=["post"])
    def rating(self, request: Request, pk: str) -> Response:
        """The learner rates an attended session once (1 to 5, a comment):
        for staff only, never shown to the mentor. The mentor's booking or
        another person's: 404; not attended or rated already: 409."""
        data = SessionRatingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session_rating_give(
            learner=_me(request),
            booking_id=int(pk),
            stars=data.validated_data["stars"],
            comment=data.validated_data["comment"],
        )
        response = self._shown(request, int(pk))
        response.status_code = status.HTTP_201_CREATED
        return response


class RescheduleRequestViewSet(viewsets.ViewSet):
    """Requests to move a session inside the cut-off, where the caller is the
    learner (who asked) or the mentor (who answers), newest first. Only the
    mentor accepts or declines; another person's request is a 404; a time
    taken meanwhile answers 409 (the request stays, to decline)."""

    lookup_value_regex = r"\d+"

    @extend_schema(responses=RescheduleRequestSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(
            RescheduleRequestSerializer(
                reschedule_requests_for(user_id=_me(request).pk), many=True
            ).data
        )

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses=BookingSerializer,
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        booking = reschedule_request_accept(mentor=_me(request), request_id=int(pk))
        shown = booking_list_for(user_id=_me(request).pk).get(pk=booking.pk)
        return Response(
            BookingSerializer(shown, context=_booking_context(request, [shown])).data
        )

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses=RescheduleRequestSerializer,
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        declined = reschedule_request_decline(mentor=_me(request), request_id=int(pk))
        shown = reschedule_requests_for(user_id=_me(request).pk).get(pk=declined.pk)
        return Response(RescheduleRequestSerializer(shown).data)


# --- calendar feed ---------------------------------------------------------------


class CalendarFeedSerializer(serializers.Serializer[Any]):
    url = serializers.URLField(
        allow_null=True,
        help_text="The feed's secret address, to subscribe to from a calendar app "
        "(null when it can no longer be shown: it still works; POST makes a new "
        "one).",
    )
    webcal_url = serializers.CharField(
        allow_null=True,
        help_text="The same address as webcal://, which phones open in their "
        "calendar app.",
    )
    created_at = serializers.DateTimeField()
    last_read_at = serializers.DateTimeField(
        allow_null=True, help_text="When a calendar app last read it (hourly)."
    )


def _feed_output(feed: CalendarFeed, token: str | None) -> dict[str, Any]:
    url = feed_url(token) if token else None
    return {
        "url": url,
        "webcal_url": webcal_url(url) if url else None,
        "created_at": feed.created_at,
        "last_read_at": feed.last_read_at,
    }


class CalendarFeedMeView(APIView):
    """The caller's private calendar feed: an iCalendar address of their
    sessions in both roles, for a calendar app to subscribe to (times in UTC;
    cancelled sessions marked cancelled until they are past). Whoever has the
    address reads the sessions, without signing in: keep it secret.

    GET answers the feed (404 when there is none). POST makes a new secret
    address (201) and replaces the old one, which then answers 404. DELETE
    revokes it (204; 404 when there is none).
    """

    @extend_schema(responses=CalendarFeedSerializer)
    def get(self, request: Request) -> Response:
        feed = calendar_feed_get(person_id=_me(request).pk)
        if feed is None:
            raise NotFound(_("You have no calendar link."))
        return Response(
            CalendarFeedSerializer(_feed_output(feed, feed_token_of(feed))).data
        )

    @extend_schema(request=None, responses={201: CalendarFeedSerializer})
    def post(self, request: Request) -> Response:
        feed, token = calendar_feed_create(person=_me(request))
        return Response(
            CalendarFeedSerializer(_feed_output(feed, token)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        if not calendar_feed_delete(person=_me(request)):
            raise NotFound(_("You have no calendar link."))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the waitlist ------------------------------------------------------------------


class WaitlistInput(serializers.Serializer[Any]):
    mentor = serializers.IntegerField(
        min_value=1, help_text="The mentor's profile id (as in /api/v1/mentors/)."
    )


class WaitlistEntrySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    mentor = serializers.SerializerMethodField()
    before = InstantField(
        help_text="Told when a time of this mentor earlier than this frees up."
    )
    created_at = InstantField()
    expires_at = InstantField()

    @extend_schema_field(BookingPersonSerializer)
    def get_mentor(self, entry: WaitlistEntry) -> dict[str, Any]:
        profile = getattr(entry.mentor, "mentor_profile", None)
        return {
            "id": profile.pk if profile else None,
            "full_name": entry.mentor.full_name,
        }


class WaitlistViewSet(viewsets.ViewSet):
    """The caller's waiting lists: told by e-mail when an earlier time of the
    mentor frees up (they book it themselves). Another person's entry is 404;
    a mentor not public, blocked or oneself is 404; asking twice is 409."""

    lookup_value_regex = r"\d+"

    @extend_schema(responses=WaitlistEntrySerializer(many=True))
    def list(self, request: Request) -> Response:
        entries = waitlist_list_for(learner_id=_me(request).pk)
        return Response(WaitlistEntrySerializer(entries, many=True).data)

    @extend_schema(request=WaitlistInput, responses={201: WaitlistEntrySerializer})
    def create(self, request: Request) -> Response:
        data = WaitlistInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            entry = waitlist_join(
                learner=_me(request),
                mentor_profile_id=data.validated_data["mentor"],
            )
        except MentorProfile.DoesNotExist as exc:
            raise NotFound() from exc
        shown = waitlist_list_for(learner_id=_me(request).pk).get(pk=entry.pk)
        return Response(
            WaitlistEntrySerializer(shown).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={204: None},
    )
    def destroy(self, request: Request, pk: str) -> Response:
        try:
            waitlist_withdraw(learner=_me(request), entry_id=int(pk))
        except WaitlistEntry.DoesNotExist as exc:
            raise NotFound() from exc
        return Response(status=status.HTTP_204_NO_CONTENT)
