"""The availability editor's forms: settings, weekly rules, exceptions."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import TIME_ZONE_CHOICES
from accounts.models import validate_time_zone
from mentors.choices import Mode
from mentors.forms import DAYS

from .models import SESSION_LENGTHS, DateException


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
