"""The availability editor's forms: settings, weekly rules, exceptions."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.forms import TIME_ZONE_CHOICES
from accounts.models import validate_time_zone
from mentors.choices import Mode
from mentors.forms import DAYS

from .meeting import phone_checked
from .models import (
    CANCEL_NOTE_MAX,
    COMMITMENT_HOURS_MAX,
    MANUAL_LENGTHS,
    NOTE_FIELD_MAX,
    PERSON_REASONS,
    RATING_COMMENT_MAX,
    SESSION_LENGTHS,
    DateException,
    Period,
    Venue,
    validate_meeting_link,
    validate_public_place,
)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class AvailabilitySettingsForm(forms.Form):
    time_zone = forms.CharField(
        label=_("Time zone of my hours"),
        help_text=_("Your weekly hours and exceptions are in this zone."),
        validators=[validate_time_zone],
        widget=forms.Select(),
    )
    session_minutes = forms.TypedChoiceField(
        label=_("Length of a session"),
        choices=[(m, _("%(n)s minutes") % {"n": m}) for m in SESSION_LENGTHS],
        coerce=int,
    )
    buffer_minutes = forms.IntegerField(
        label=_("Break between two sessions (minutes)"), min_value=0, max_value=120
    )
    min_notice_hours = forms.IntegerField(
        label=_("Minimum notice (hours)"),
        help_text=_("Nobody can book a session starting sooner than this."),
        min_value=0,
        max_value=336,
    )
    window_weeks = forms.IntegerField(
        label=_("How far ahead people can book (weeks)"), min_value=1, max_value=26
    )
    max_per_day = forms.IntegerField(
        label=_("Most sessions in a day"), min_value=1, max_value=12
    )
    max_per_week = forms.IntegerField(
        label=_("Most sessions in a week"), min_value=1, max_value=60
    )
    modes = forms.MultipleChoiceField(
        label=_("Ways to meet in these sessions"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    meeting_link = forms.URLField(
        label=_("My video meeting link (optional)"),
        help_text=_(
            "The address of your own video room, starting with https://. "
            "People you meet by video get it with their booking."
        ),
        max_length=300,
        required=False,
        assume_scheme="https",
        validators=[validate_meeting_link],
    )
    discovery_enabled = forms.BooleanField(
        label=_("Offer a discovery session"),
        help_text=_(
            "Someone you do not mentor yet may book one short session (30 minutes "
            "at most) to get to know you, once."
        ),
        required=False,
    )

    def __init__(self, *args: Any, profile_modes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = list(TIME_ZONE_CHOICES)
        current = self.initial.get("time_zone") or self.data.get("time_zone")
        if current and current not in dict(choices):
            choices.insert(0, (current, current))
        self.fields["time_zone"].widget.choices = choices
        labels = dict(Mode.choices)
        modes = self.fields["modes"]
        assert isinstance(modes, forms.MultipleChoiceField)
        modes.choices = [(m, labels[m]) for m in profile_modes if m in labels]


class VenueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Venue) -> str:
        return f"{obj.city} — {obj.name}, {obj.address}"


class PlaceForm(forms.Form):
    """Where sessions in person happen: a partner venue, or a public place
    written out (never a home)."""

    venue = VenueChoiceField(
        label=_("A partner venue"),
        queryset=Venue.objects.none(),
        required=False,
        empty_label=_("— None —"),
        help_text=_("Places our partners open for sessions: libraries, centres…"),
    )
    place = forms.CharField(
        label=_("Or another public place"),
        max_length=200,
        required=False,
        help_text=_(
            "Its name and address, e.g. “Café des Arts, 3 place du Marché, Lyon”. "
            "Never a home."
        ),
    )
    place_is_public = forms.BooleanField(
        label=_("This place is open to everyone: it is not a home."),
        required=False,
    )

    def __init__(self, *args: Any, kept_venue_id: int | None = None, **kw: Any):
        super().__init__(*args, **kw)
        venues = self.fields["venue"]
        assert isinstance(venues, forms.ModelChoiceField)
        venues.queryset = Venue.objects.filter(
            Q(is_active=True) | Q(pk=kept_venue_id)
        ).order_by("city", "name")

    @classmethod
    def of(cls, availability: Any, data: Any = None) -> PlaceForm:
        """The form for ``availability``'s place: posted ``data``, or what is
        saved."""
        return cls(
            data,
            initial={
                "venue": availability.venue_id,
                "place": availability.place,
                "place_is_public": bool(availability.place),
            },
            kept_venue_id=availability.venue_id,
        )

    def clean_place(self) -> str:
        place = " ".join(self.cleaned_data.get("place", "").split())
        if place:
            validate_public_place(place)
        return place

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("venue") and data.get("place"):
            self.add_error(
                "place", _("Choose a partner venue or write a place, not both.")
            )
        elif data.get("place") and not data.get("place_is_public"):
            self.add_error(
                "place_is_public",
                _("Tick this box to confirm the place is open to everyone."),
            )
        return data

    def check_given_for(self, modes: list[str]) -> bool:
        """In person is among ``modes``: a place must be given. Says so on the
        form (before the service would) so every error shows at once."""
        if (
            self.is_valid()
            and Mode.IN_PERSON in modes
            and not self.cleaned_data.get("venue")
            and not self.cleaned_data.get("place")
        ):
            self.add_error(
                "place",
                _(
                    "In person, say where: choose a partner venue or write a "
                    "public place."
                ),
            )
        return self.is_valid()

    def settings(self) -> dict[str, Any]:
        venue = self.cleaned_data.get("venue")
        return {
            "venue_id": venue.pk if venue else None,
            "place": self.cleaned_data.get("place", ""),
        }


class CommitmentForm(forms.Form):
    """The time a mentor commits to, shown on their profile ("2 h par mois")."""

    commitment_hours = forms.IntegerField(
        label=_("Hours I can give"),
        min_value=1,
        max_value=COMMITMENT_HOURS_MAX,
        required=False,
    )
    commitment_period = forms.ChoiceField(
        label=_("How often"),
        choices=[
            ("", "—"),
            (Period.WEEK, _("per week")),
            (Period.MONTH, _("per month")),
        ],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hours, period = data.get("commitment_hours"), data.get("commitment_period")
        if hours is not None and not period:
            self.add_error(
                "commitment_period", _("Say whether it is every week or every month.")
            )
        if period and hours is None and "commitment_hours" not in self.errors:
            self.add_error("commitment_hours", _("Give the number of hours."))
        return data


class SlotForm(forms.Form):
    """A slot added by hand: one session, or an open workshop."""

    day = forms.DateField(label=_("Day"), widget=DateInput())
    start = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    minutes = forms.TypedChoiceField(
        label=_("Length"),
        choices=[(m, _("%(n)s minutes") % {"n": m}) for m in MANUAL_LENGTHS],
        coerce=int,
    )
    capacity = forms.IntegerField(
        label=_("How many people"),
        min_value=1,
        max_value=30,
        initial=1,
        help_text=_("1 for a session with one person; more for an open workshop."),
    )
    title = forms.CharField(
        label=_("Workshop title"),
        max_length=120,
        required=False,
        help_text=_("Needed for a workshop, e.g. “Créer son adresse e-mail”."),
    )
    modes = forms.MultipleChoiceField(
        label=_("Ways to meet"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, profile_modes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Mode.choices)
        modes = self.fields["modes"]
        assert isinstance(modes, forms.MultipleChoiceField)
        modes.choices = [(m, labels[m]) for m in profile_modes if m in labels]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("capacity") or 1) > 1 and not data.get("title", "").strip():
            self.add_error(
                "title", _("Give the workshop a title: people choose it by its topic.")
            )
        return data


class RuleForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Day"), choices=[("", "—"), *DAYS], coerce=int, required=False
    )
    start = forms.TimeField(label=_("From"), widget=TimeInput(), required=False)
    end = forms.TimeField(label=_("To"), widget=TimeInput(), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weekday, start, end = data.get("weekday"), data.get("start"), data.get("end")
        if weekday in (None, "") and start is None and end is None:
            return data  # an empty line
        if weekday in (None, ""):
            self.add_error("weekday", _("Choose a day."))
        if start is None and "start" not in self.errors:
            self.add_error("start", _("Give the time it starts."))
        if end is None and "end" not in self.errors:
            self.add_error("end", _("Give the time it ends."))
        if start is not None and end is not None and end <= start:
            self.add_error("end", _("The end must come after the start."))
        return data


class BaseRuleFormSet(forms.BaseFormSet):
    def entries(self) -> list[tuple[int, time, time]]:
        return [
            (form.cleaned_data["weekday"], form.cleaned_data["start"], end)
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and (end := form.cleaned_data.get("end")) is not None
            and form.cleaned_data.get("weekday") not in (None, "")
        ]


RuleFormSet = forms.formset_factory(
    RuleForm, formset=BaseRuleFormSet, extra=2, can_delete=True, max_num=40
)


class ExceptionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput(), required=False)
    kind = forms.ChoiceField(
        label=_("What changes"),
        choices=[
            (DateException.Kind.OFF, _("Day off: no session that day")),
            (DateException.Kind.EXTRA, _("Extra hours that day")),
        ],
        initial=DateException.Kind.OFF,
    )
    start = forms.TimeField(
        label=_("Extra hours from"), widget=TimeInput(), required=False
    )
    end = forms.TimeField(label=_("Extra hours to"), widget=TimeInput(), required=False)

    def has_changed(self) -> bool:
        # The kind alone (its default) is not a line worth checking.
        return any(self.data.get(self.add_prefix(f)) for f in ("date", "start", "end"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, kind = data.get("date"), data.get("kind")
        start, end = data.get("start"), data.get("end")
        if day is None:
            if start is not None or end is not None:
                self.add_error("date", _("Choose a date."))
            return data
        if kind == DateException.Kind.EXTRA:
            if start is None and "start" not in self.errors:
                self.add_error("start", _("Give the time it starts."))
            if end is None and "end" not in self.errors:
                self.add_error("end", _("Give the time it ends."))
            if start is not None and end is not None and end <= start:
                self.add_error("end", _("The end must come after the start."))
        return data


class BaseExceptionFormSet(forms.BaseFormSet):
    def entries(self) -> list[tuple[date, str, time | None, time | None]]:
        found = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE") or data.get("date") is None:
                continue
            extra = data["kind"] == DateException.Kind.EXTRA
            found.append(
                (
                    data["date"],
                    data["kind"],
                    data.get("start") if extra else None,
                    data.get("end") if extra else None,
                )
            )
        return found


ExceptionFormSet = forms.formset_factory(
    ExceptionForm, formset=BaseExceptionFormSet, extra=1, can_delete=True, max_num=60
)


class BookingForm(forms.Form):
    """A learner books one of a mentor's free slots (radio buttons: usable
    with the keyboard alone and without JavaScript)."""

    slot = forms.TypedChoiceField(
        label=_("Choose a time"), coerce=int, widget=forms.RadioSelect
    )
    mode = forms.ChoiceField(label=_("How to meet"), widget=forms.RadioSelect)
    skills = forms.TypedMultipleChoiceField(
        label=_("What you will work on (three at most)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    agenda = forms.CharField(
        label=_("A word for the mentor"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you would like to do in this session, your questions."),
    )
    phone = forms.CharField(
        label=_("Your phone number, for a session by phone"),
        max_length=30,
        required=False,
        help_text=_("The mentor calls you at this number. Only the mentor sees it."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(
        self,
        *args: Any,
        slots: list[tuple[int, str]],
        modes: list[str],
        skills: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Mode.choices)
        self.fields["slot"].choices = slots  # type: ignore[attr-defined]
        self.fields["mode"].choices = [  # type: ignore[attr-defined]
            (m, labels[m]) for m in modes if m in labels
        ]
        if skills:
            self.fields["skills"].choices = skills  # type: ignore[attr-defined]
        else:
            del self.fields["skills"]
        if Mode.PHONE not in modes:
            del self.fields["phone"]

    @property
    def detail_fields(self) -> list[forms.BoundField]:
        """What the page draws after the times (those it draws itself)."""
        return [
            self[name]
            for name in ("mode", "phone", "skills", "agenda")
            if name in self.fields
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "phone" in self.fields and "mode" in cleaned:
            try:
                cleaned["phone"] = phone_checked(
                    mode=cleaned["mode"], phone=cleaned.get("phone", "")
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned

    def clean_skills(self) -> list[int]:
        chosen = self.cleaned_data.get("skills") or []
        if len(chosen) > 3:
            raise forms.ValidationError(_("Choose three skills at most."))
        return list(chosen)


class BookingCancelForm(forms.Form):
    """A person cancels a session: why (a fixed list), and a word for the
    other person."""

    reason = forms.ChoiceField(
        label=_("Why do you cancel?"),
        widget=forms.RadioSelect,
        choices=[(reason.value, reason.label) for reason in PERSON_REASONS],
    )
    note = forms.CharField(
        label=_("A word for the other person"),
        max_length=CANCEL_NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The other person reads the reason and this word. Do not give "
            "details about your health."
        ),
    )


class RescheduleForm(forms.Form):
    """Another free time of the same mentor (radio buttons, drawn by the
    page in groups as on the booking page)."""

    slot = forms.TypedChoiceField(
        label=_("Choose a new time"), coerce=int, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, slots: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = slots  # type: ignore[attr-defined]


class SessionNoteForm(forms.Form):
    """The mentor's note after a session: three short lines, for both."""

    worked = forms.CharField(
        label=_("Worked on"),
        max_length=NOTE_FIELD_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    achieved = forms.CharField(
        label=_("Managed alone"),
        max_length=NOTE_FIELD_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next_step = forms.CharField(
        label=_("Next step"),
        max_length=NOTE_FIELD_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


STAR_CHOICES = [
    (5, _("5 – Very good")),
    (4, _("4 – Good")),
    (3, _("3 – All right")),
    (2, _("2 – Not very good")),
    (1, _("1 – Not good")),
]


class SessionRatingForm(forms.Form):
    """The learner's opinion of a session, read by the team only."""

    stars = forms.TypedChoiceField(
        label=_("How was this session for you?"),
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Tell us more"),
        max_length=RATING_COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only our team reads it. Your mentor does not see it."),
    )
